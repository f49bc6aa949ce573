"""The reports by name: what the CLI, the app and the benchmark ask for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reports.categories import categories
from reports.revenue import revenue
from reports.reorder import reorder
from reports.segments import segments
from reports.summary import summary
from reports.top_sellers import top_sellers
from reports.whales import whales


@dataclass(frozen=True)
class ReportSpec:
    name: str
    run: Callable            # (conn, Params, period=None) -> DataFrame | Summary
    description: str
    plot: bool = False


REPORTS: dict[str, ReportSpec] = {s.name: s for s in (
    ReportSpec("summary", summary, "headline figures: revenue, returns, orders, customers, AOV, concentration"),
    ReportSpec("whales", whales, "customers ranked by lifetime (or period) spend, net of returns"),
    ReportSpec("top-sellers", top_sellers, "products selling more than N units a week over the trailing window",
               plot=True),
    ReportSpec("categories", categories, "revenue by category, share and growth: which department drives growth",
               plot=True),
    ReportSpec("revenue", revenue, "revenue by day/week/month with a 7-period moving average, or seasonality",
               plot=True),
    ReportSpec("reorder", reorder, "stock-counted fast movers: on hand, days of cover, reorder point, status"),
    ReportSpec("segments", segments, "RFM customer segments with counts and revenue"),
)}
