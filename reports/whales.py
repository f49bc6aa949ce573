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
from typing import Iterator

from .customers import ranked_customers, totals
from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["rank", "customer_id", "customer_name", "orders", "units", "spend", "aov", "first_order",
           "last_order", "share", "cumulative_share"]
DEFAULT_LIMIT = 20


def whales(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.limit is None and p.min_spend is None and p.top_percent is None:
        p = p.with_(limit=DEFAULT_LIMIT)   # --min-spend or --top-percent alone: they say how many they want
    return Rows(tuple(COLUMNS), list(whale_rows(conn, p, period)))


def whale_rows(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Iterator[tuple]:
    """The rows of `whales` (no default limit: every ranked customer unless p.limit), one at a time from
    the store's cursor: the app keeps every whale of a store with 500k customers (reports.kept) without
    holding them all in a list."""
    if p.category:
        raise ReportError("whales ranks customers across the whole shop; --category is not available here")
    if p.top_percent is not None and not 0 < p.top_percent <= 100:
        raise ReportError("--top-percent must be between 0 and 100")
    period = period or resolve(conn, p)
    n, total = totals(conn, period)
    keep = p.limit
    if p.top_percent is not None:
        k = max(1, math.ceil(round(n * p.top_percent / 100, 9)))
        keep = k if keep is None else min(k, keep)
    min_cents = 0 if p.min_spend is None else math.ceil(round(p.min_spend * 100, 6))
    return _ranked(ranked_customers(conn, period, keep, min_cents), total)


def _ranked(customers, total: int) -> Iterator[tuple]:
    running = 0
    for rank, (_, key, name, orders, units, spend, first, last) in enumerate(customers, start=1):
        running += spend
        yield (rank, key, name or key, orders, units, spend / 100, round(spend / orders / 100, 6), first, last,
               spend / total if total else None, running / total if total else None)
