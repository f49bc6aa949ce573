"""`shopintel report NAME`: any report as a table, CSV, JSON or a plot on standard output."""

from __future__ import annotations

import argparse
import os
import math
import numbers
import sys
from datetime import date

from ..reports.params import round_cents
from .cli import UserError, add_command

EXAMPLES = """\
  shopintel report summary
  shopintel report whales --limit 10 --since 2025-01-01
  shopintel report whales --top-percent 1 --format csv > whales.csv
  shopintel report top-sellers --window-days 14 --min-per-week 5
  shopintel report categories --since 2026-01-01 --until 2026-06-30 --compare year
  shopintel report revenue --grain week --format plot
  shopintel report revenue --profile weekday
  shopintel report reorder --all --format json
  shopintel report segments --customers "At Risk"
  shopintel report basket --min-orders 5 --limit 50
  shopintel report abc-xyz --category Kitchen --format csv > abc.csv
  shopintel report clv --limit 20
"""


def register(sub, common) -> None:
    """The command's names, options and help, all derived from the report registry."""
    from ..reports.registry import COMMON, PARAMS, REPORTS

    # one line per report (a summary is written to fit 100 columns; a test checks it)
    listing = "\n".join(f"  {r.name:<12} {r.summary}" for r in REPORTS.values())
    p = add_command(
        sub, common, "report", help="print a report: " + ", ".join(REPORTS),
        description=("Print one report as a table (default), CSV, JSON or a plot. Periods are inclusive; 'now' "
                     "for trailing windows is --as-of (default: the date of the latest sale in the store). "
                     "Read from a PostgreSQL hot standby more than a few seconds behind its primary, a note on "
                     "stderr says how far behind the figures are.\n\n"
                     + listing),
        examples=EXAMPLES)
    p.add_argument("name", metavar="NAME", help=f"one of: {', '.join(REPORTS)}")
    p.add_argument("--format", dest="fmt", default="table", choices=("table", "csv", "json", "plot"),
                   help=f"output format (plot: {', '.join(_plottable())})")
    groups = {"common": p.add_argument_group("period and limit"), "options": p.add_argument_group("report options")}
    for param in PARAMS.values():
        users = [] if param.name in COMMON else [r.name for r in REPORTS.values() if param.name in r.params]
        group = groups["common" if param.name in COMMON else "options"]
        # default None: a flag not given leaves the report's own default (reports.params.Params), and a
        # flag given to a report that does not take it can be told apart and refused
        kw: dict = {"dest": param.name, "default": None, "help": (f"{', '.join(users)}: " if users else "") + param.help}
        if param.type is bool:
            group.add_argument(param.flag, action="store_true", **kw)
        else:
            kw["type"] = str if param.type is date else param.type
            if param.choices:
                kw["choices"] = param.choices
            group.add_argument(param.flag, metavar=param.metavar, **kw)
    p.set_defaults(func=run)


def _plottable() -> list[str]:
    from ..reports.registry import REPORTS

    return [r.name for r in REPORTS.values() if r.chart is not None]


def params_from(args: argparse.Namespace, report=None):
    """The Params of the flags given (the rest keep their defaults); a flag the report does not take is
    refused, never silently ignored."""
    from ..reports.params import Params, ReportError, parse_date
    from ..reports.registry import COMMON, PARAMS, REPORTS

    given = {}
    for param in PARAMS.values():
        value = getattr(args, param.name, None)
        if value is None or value is False:
            continue
        if report is not None and param.name not in (*COMMON, *report.params):
            takers = [name for name, r in REPORTS.items() if param.name in r.params]
            raise UserError(f"{param.flag} applies to {', '.join(takers)}; not to {report.name}")
        try:
            given[param.name] = parse_date(value, param.flag) if param.type is date else value
        except ReportError as exc:
            raise UserError(str(exc)) from None
    if given.get("limit") is not None and given["limit"] < 0:
        raise UserError("--limit cannot be negative")
    if report is not None and report.one_row and "limit" in given:
        raise UserError(f"--limit applies to the reports that list rows; {report.name} is one set of figures")
    return Params(**given)


def run(args: argparse.Namespace) -> int:
    from ..reports.registry import REPORTS

    if args.name not in REPORTS:
        raise UserError(f"unknown report {args.name!r}; choose one of: {', '.join(REPORTS)}")
    report = REPORTS[args.name]
    if args.fmt == "plot" and report.chart is None:
        raise UserError(f"--format plot is available for {', '.join(_plottable())}; not for {args.name}")
    params = params_from(args, report)
    from ..reports.params import ReportError, resolve, shop_currency
    from ..store.db import connect_read_only
    from ..store.pg.replica import lag_note

    conn = connect_read_only(args.db)
    try:
        lag = lag_note(conn)   # a hot standby behind its primary says so, beside the figures it has
        period = resolve(conn, params, report.default_days)
        result = report.run(conn, params, period)
        currency = shop_currency(conn)   # named in the table's money headers and the chart's title
    except ReportError as exc:
        raise UserError(str(exc)) from None
    finally:
        conn.close()
    if lag:
        print(f"shopintel report: note: {lag}", file=sys.stderr)
    caption = describe(report, params, period, result)
    if _after_latest(report, period):
        # nothing can be in the period: one line saying why. JSON and CSV stay data (empty) on stdout,
        # with the line beside them on stderr; a table or plot is just the line, not an empty frame.
        data = args.fmt in ("json", "csv")
        print(caption, file=sys.stderr if data else sys.stdout)
        if not data:
            return 0
    if args.fmt == "json":
        print(json_lines(to_records(result)))
    elif args.fmt == "csv":
        # the exact text, control characters included: CSV is for programs and files (README)
        import csv

        columns, rows = csv_rows(result)
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(columns)
        out.writerows(rows)
    elif args.fmt == "plot":
        # nothing to draw: say so rather than print an empty frame
        print(plot_text(report.chart_for(params), result, currency) if len(result) else caption)
    elif report.one_row:
        print_pairs(result.as_dict(), caption, currency)
    else:
        print_table(result, caption, currency)
    return 0


def describe(report, params, period, result) -> str:
    if period.empty_store:
        return "The store has no sales yet: import some with shopintel ingest FILE."
    if _after_latest(report, period):
        from ..reports.params import no_sales_after

        return f"{report.name}: {no_sales_after(period.after_latest)}; pick an earlier --since"
    bits = [f"{period.first} .. {period.last}", f"as of {period.as_of}"]
    if "window_days" in report.params:
        bits[0] = f"trailing {params.window_days} days to {period.as_of}"
    if params.category:
        bits.append(f"category {params.category}")
    if params.segment:
        bits.append(f"segment {params.segment}")
    if report.one_row:       # summary: one set of figures
        if getattr(result, "orders", 1) == 0:
            bits.append("no sales in this period")
    else:
        n = len(result)
        bits.append("no rows in this period" if n == 0 else f"{n:,} row{'s' * (n != 1)}")
    bits.extend(period.notes)
    bits.extend(getattr(result, "notes", ()))   # what the report says of itself (clv: its fitted model)
    from .safe_text import plain

    return plain(f"{report.name}: " + " · ".join(bits))   # the filters quote what was typed


def _after_latest(report, period) -> bool:
    """The period starts after the latest sale, and the report shows that period (top-sellers and
    reorder look at the trailing window to as-of, which --since does not move)."""
    return period.after_latest is not None and "window_days" not in report.params


def as_rows(result):
    """Every result as rows: a one-row report (summary) is one row of its figures."""
    from ..reports.result import Rows

    if hasattr(result, "as_dict"):
        values = result.as_dict()
        return Rows(tuple(values), [tuple(values.values())])
    return result


def _data_value(kind: str | None, value):
    """A value as CSV and JSON have it, one rule for both: money rounded to cents (halves away from zero),
    shares, changes and ratios to 4 decimals, other measures to 2 (spec.DATA_DECIMALS), counts as
    integers, text as text; NaN and missing are null."""
    from ..reports.spec import DATA_DECIMALS

    t = type(value)
    if value is None or t is str:   # the usual cells, without the checks below
        return value
    if t is int:
        return value
    if t is bool or t.__name__ == "bool_":
        return bool(value)
    if t is not float:
        if isinstance(value, numbers.Integral):
            return int(value)
        if not isinstance(value, numbers.Real):
            return str(value)
        value = float(value)
    if not math.isfinite(value):
        return None
    if kind == "count" and value.is_integer():
        return int(value)
    if kind == "money":
        return round_cents(value)
    places = DATA_DECIMALS.get(kind)
    return value if places is None else round(value, places) + 0.0   # + 0.0: never -0.0


def _kinds(columns) -> list[str | None]:
    from ..reports.registry import column_kinds

    kinds = column_kinds()
    return [kinds[c].kind if c in kinds else None for c in columns]


def to_records(result):
    if hasattr(result, "as_dict"):
        values = result.as_dict()
        return {k: _data_value(kind, v) for (k, v), kind in zip(values.items(), _kinds(values))}
    kinds = _kinds(result.columns)   # once per column, not per cell
    return [{k: _data_value(kind, v) for k, kind, v in zip(result.columns, kinds, row)} for row in result.rows]


def csv_rows(result):
    """The header and rows of --format csv: the values of JSON (to_records), written as JSON writes them
    (true/false, an empty field for null), so the two formats always agree."""
    rows = as_rows(result)
    kinds = _kinds(rows.columns)

    def text(kind, value):
        value = _data_value(kind, value)
        return ("true" if value else "false") if type(value) is bool else value

    return rows.columns, ([text(k, v) for k, v in zip(kinds, row)] for row in rows.rows)


def json_lines(records) -> str:
    """The JSON document: a table is an array with one record per line (readable, and written by the
    json module's C encoder: an indented dump goes through its pure-Python one, 3x slower)."""
    from .safe_text import json_record, json_text, raw_escaped

    if isinstance(records, dict):
        return json_text(records, indent=1)
    if not records:
        return "[]"
    return raw_escaped("[\n " + ",\n ".join(map(json_record, records)) + "\n]")


def print_table(rows, caption: str, currency: str | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    from .format import RIGHT, cell, header

    # min_width: the caption is one line, never wrapped under a narrow table
    table = Table(caption=Text(caption, no_wrap=True, overflow="ellipsis"), caption_justify="left",
                  show_lines=False, header_style="bold", min_width=len(caption))
    for col in rows.columns:
        table.add_column(Text(header(col, currency)), justify="right" if col in RIGHT else "left", overflow="ellipsis",
                         no_wrap=True)
    for row in rows.rows:
        table.add_row(*(cell(c, v) for c, v in zip(rows.columns, row)))
    _console().print(table)


def print_pairs(values: dict, caption: str, currency: str | None = None) -> None:
    """A one-row result (summary) reads better as measure / value lines."""
    from rich.table import Table
    from rich.text import Text

    from .format import cell, header

    table = Table(caption=Text(caption, no_wrap=True, overflow="ellipsis"), caption_justify="left",
                  show_header=False, min_width=len(caption))
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(Text(header(key, currency)), cell(key, value))
    _console().print(table)


def _console():
    from rich.console import Console

    # piped output is not cut to 80 columns: a file has no width
    width = None if sys.stdout.isatty() else 250
    return Console(markup=False, highlight=False, emoji=False, width=width)


def plot_text(chart, result, currency: str | None = None) -> str:
    """The report's chart as text, sized to the terminal: bars (plots.Bars) or a plotext line chart."""
    import shutil

    from . import plots
    from .format import money_title

    title = money_title(chart.title, chart.series, currency)
    cols, rows = shutil.get_terminal_size((100, 30))
    plain_text = not sys.stdout.isatty() or bool(os.environ.get("NO_COLOR"))
    if chart.kind != "line":
        bars = plots.bars_of(chart, result, title)
        text = bars.render(cols, bars.height(), style="" if plain_text else "blue")
        if plain_text:
            return text.plain
        console = _console()
        with console.capture() as captured:
            console.print(text)
        return captured.get().rstrip("\n")
    import plotext as plt

    plt.clear_figure()
    plots.line(plt, result, chart, title)
    plt.plotsize(cols, max(12, rows - 4))
    drawn = plt.build()
    return plt.uncolorize(drawn) if plain_text else drawn
