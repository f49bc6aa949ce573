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

import pandas as pd

from .customers import ranked_customers, totals
from .params import Params, Period, ReportError, resolve

COLUMNS = ["rank", "customer_id", "customer_name", "orders", "units", "spend", "aov", "first_order",
           "last_order", "share", "cumulative_share"]
DEFAULT_LIMIT = 20


def whales(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> pd.DataFrame:
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
    df = ranked_customers(conn, period, keep, min_cents)
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.DataFrame({
        "rank": range(1, len(df) + 1),
        "customer_id": df["customer_key"],
        "customer_name": df["customer_name"].where(df["customer_name"] != "", df["customer_key"]),
        "orders": df["orders"].astype(int),
        "units": df["units"].astype(int),
        "spend": df["spend_cents"] / 100,
        "aov": (df["spend_cents"] / df["orders"] / 100).round(6),
        "first_order": df["first_day"],
        "last_order": df["last_day"],
        "share": df["spend_cents"] / total if total else float("nan"),
        "cumulative_share": df["spend_cents"].cumsum() / total if total else float("nan"),
    })
    return out.reset_index(drop=True)
