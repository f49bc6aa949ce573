"""What a report declares about itself: the light description the CLI and the app are built from.

Nothing here imports pandas or a report module: loading every description costs a few named tuples
(a tenth of what dataclasses cost to define, and no `inspect` import: every `shopintel report` process
pays for this), so `shopintel --help`, argparse's choices and the app's tabs never wait for a report's
runner, which is imported only when the report runs (`Report.run`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from typing import Any, Callable, NamedTuple

# How a column's values are shown (tables, CSV and JSON). One kind per column name across every report.
KINDS = (
    "money",     # currency units; CSV and JSON round to cents; tables show 1,234.56
    "count",     # whole numbers (integers in CSV and JSON too): units, orders, customers, ranks
    "share",     # a fraction shown as a percentage: 12.5%; CSV and JSON: the fraction, 4 decimals
    "change",    # a signed fraction shown as a signed percentage: +12.5%; CSV and JSON as share
    "decimal",   # one decimal: units a week, days of cover, medians, an index; CSV and JSON: 2 decimals
    "ratio",     # two decimals, where the first decimal decides: a lift, a coefficient of variation; CSV and
                 # JSON: 4 decimals
    "date",      # YYYY-MM-DD (or a period label such as Mon or Jan)
    "text",      # names and ids from the data: shown as text, never markup
    "flag",      # true/false, e.g. the growth driver
)
# The decimals CSV and JSON keep of each kind that is a fraction or a measure (money: cents, by
# params.round_cents, halves away from zero). 4 decimals of a share are a hundredth of a percent, and
# never written with an exponent (1.1e-05) in JSON.
DATA_DECIMALS = {"money": 2, "share": 4, "change": 4, "ratio": 4, "decimal": 2}


class Column(NamedTuple):
    name: str
    kind: str
    header: str = ""        # the short table header; default: the name with spaces

    @property
    def label(self) -> str:
        return self.header or self.name.replace("_", " ")


class Keys(NamedTuple):
    """How the app changes a parameter from the keyboard: `key` steps forward through `values`, `back`
    (if any) steps backward; with both, the ends stop, with `key` alone it wraps around. A numeric
    parameter may have `step` instead of values: it moves by that much, never below `minimum`."""

    key: str                # a Textual key name
    values: tuple
    label: str              # short: the footer and palette
    help: str               # what `key` does, for the help screen
    back: str = ""
    back_help: str = ""
    step: float = 0
    minimum: float = 0


class Param(NamedTuple):
    """One report option: a field of `reports.params.Params`, its command-line flag and help."""

    name: str               # the Params field
    flag: str               # e.g. --window-days
    help: str
    type: Callable = str    # int, float, str, or bool for a switch
    choices: tuple = ()
    metavar: str | None = None
    keys: Keys | None = None


class Chart(NamedTuple):
    """`line`: x is a date and each series a line; `bars`: one horizontal bar per row, labelled by x;
    `columns`: one vertical bar per row (a short fixed set such as weekdays). The title may name a
    parameter in braces (`{profile}`), filled in from the parameters the report ran with."""

    kind: str
    x: str
    series: tuple[str, ...]
    title: str


class Drill(NamedTuple):
    """Enter on a row opens the `target` screen (customer, product, category, segment) for the row's `key`."""

    target: str
    key: str


class Variant(NamedTuple):
    """A parameter that changes the shape of the result: when `param` is set, the columns (and the chart,
    if given) are these."""

    param: str
    columns: tuple[Column, ...]
    chart: Chart | None = None


class Report(NamedTuple):
    name: str               # the CLI's NAME and the JSON contract's report name
    title: str              # tab and palette title
    summary: str            # one line for `--help` and the palette
    runner: str             # "module:function" inside shopintel.reports, imported when it runs
    columns: tuple[Column, ...]
    params: tuple[str, ...] = ()      # names of PARAMS beyond the period (since/until/as-of) and limit
    app_options: tuple[str, ...] = () # the params its tab changes with their keys (PARAMS[name].keys)
    tab: int | None = None            # the app's number key; None: no tab of its own
    short_title: str = ""             # the tab label where the full title does not fit
    chart: Chart | None = None
    drill: Drill | None = None
    variants: tuple[Variant, ...] = ()
    one_row: bool = False             # the result is one set of figures (summary), not a table
    default_days: int | None = None   # without --since, the period is this many days ending at the last
                                      # day (abc-xyz: a year of weeks), not all history
    view_of: str | None = None        # no tab of its own: a view of this tab's report (the app's `v` key)

    def run(self, conn, params=None, period=None) -> Any:
        """The report for `params` (default: all defaults) over `period` (default: resolved from params)."""
        from .params import Params

        return _load(self.runner)(conn, params or Params(), period)

    def variant(self, params=None) -> Variant | None:
        for variant in self.variants:
            if params is not None and getattr(params, variant.param, None) not in (None, False):
                return variant
        return None

    def columns_for(self, params=None) -> tuple[Column, ...]:
        v = self.variant(params)
        return v.columns if v else self.columns

    def chart_for(self, params=None) -> Chart | None:
        """The chart for these parameters, its title filled in."""
        v = self.variant(params)
        chart = v.chart if v and v.chart else self.chart
        if chart is None or "{" not in chart.title:
            return chart
        values = {k: getattr(params, k) for k in re.findall(r"\{(\w+)\}", chart.title)}
        return chart._replace(title=chart.title.format(**values))


@cache
def _load(runner: str) -> Callable:
    module, _, function = runner.partition(":")
    return getattr(import_module(f"{__package__}.{module}"), function)

