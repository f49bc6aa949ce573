"""The reports by name: what the CLI, the app and the benchmark ask for.

Every report is `run(conn, params=Params(), period=None)`: an open (read-only) connection, the
shared parameters dataclass (`params_class`, always `reports.params.Params`) and optionally a period
already resolved with `reports.params.resolve`. It returns a pandas DataFrame with exactly the
columns in `columns` (summary: a `Summary` dataclass whose `as_dict()` has those keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from . import categories as _categories
from . import reorder as _reorder
from . import revenue as _revenue
from . import segments as _segments
from . import summary as _summary
from . import top_sellers as _top_sellers
from . import whales as _whales
from .params import Params


@dataclass(frozen=True)
class ReportSpec:
    name: str
    run: Callable            # (conn, Params = Params(), period: Period | None = None) -> DataFrame | Summary
    description: str
    columns: tuple[str, ...]  # the JSON keys / DataFrame columns, in order
    plot: bool = False        # `--format plot` and the app's chart are available
    params_class: type = Params


REPORTS: dict[str, ReportSpec] = {s.name: s for s in (
    ReportSpec("summary", _summary.summary,
               "headline figures: revenue, returns, orders, customers, AOV, concentration",
               tuple(_summary.COLUMNS)),
    ReportSpec("whales", _whales.whales, "customers ranked by spend in the period, net of returns",
               tuple(_whales.COLUMNS)),
    ReportSpec("top-sellers", _top_sellers.top_sellers,
               "products selling more than N units a week over the trailing window",
               tuple(_top_sellers.COLUMNS), plot=True),
    ReportSpec("categories", _categories.categories,
               "revenue by category, share and growth: which department drives growth",
               tuple(_categories.COLUMNS), plot=True),
    ReportSpec("revenue", _revenue.revenue,
               "revenue by day/week/month with a 7-period moving average, or seasonality",
               tuple(_revenue.COLUMNS), plot=True),
    ReportSpec("reorder", _reorder.reorder,
               "stock-counted fast movers: on hand, days of cover, reorder point, status",
               tuple(_reorder.COLUMNS)),
    ReportSpec("segments", _segments.segments, "RFM customer segments with counts and revenue",
               tuple(_segments.COLUMNS)),
)}


def bench_calls() -> dict[str, ReportSpec]:
    """The reports the benchmark times, each run with default parameters (`spec.run(conn)`)."""
    return dict(REPORTS)
