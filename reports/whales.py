"""`whales`: customers ranked by spend (net of returns) in the period. Guests are never listed, nor
customers whose spend in the period is negative (they returned more than they bought).

share = spend / customer revenue base (the sum of non-negative customer spends in the period, see
reports.customers); cumulative_share is its running sum, so it never falls and ends at most at 1.
Ties in spend go to the customer who first appeared in the store, so the ranking is stable.
--min-spend and --limit are applied in SQL; --top-percent P keeps the first ceil(n x P / 100) of the
n customers who ordered in the period."""

from __future__ import annotations

import math
import sqlite3

from .customers import ranked_customers, totals
from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["rank", "customer_id", "customer_name", "orders", "units", "spend", "aov", "first_order",
           "last_order", "share", "cumulative_share"]
DEFAULT_LIMIT = 20


def whales(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.category:
        raise ReportError("whales ranks customers across the whole shop; --category is not available here")
    if p.top_percent is not None and not 0 < p.top_percent <= 100:
        raise ReportError("--top-percent must be between 0 and 100")
    period = period or resolve(conn, p)
    n, total = totals(conn, period)
    # --min-spend or --top-percent alone: no default limit (they say how many they want)
    keep = p.limit if p.limit is not None else (
        None if p.min_spend is not None or p.top_percent is not None else DEFAULT_LIMIT)
    if p.top_percent is not None:
        k = max(1, math.ceil(round(n * p.top_percent / 100, 9)))
        keep = k if keep is None else min(k, keep)
    min_cents = 0 if p.min_spend is None else math.ceil(round(p.min_spend * 100, 6))
    out, running = [], 0
    for rank, (_, key, name, orders, units, spend, first, last) in enumerate(
            ranked_customers(conn, period, keep, min_cents), start=1):
        running += spend
        out.append((rank, key, name or key, orders, units, spend / 100, round(spend / orders / 100, 6), first, last,
                    spend / total if total else None, running / total if total else None))
    return Rows(tuple(COLUMNS), out)
