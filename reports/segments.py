"""`segments`: RFM segmentation of non-guest customers as of the as-of date.

Each line counts for the customer on it (reports.customers): an order whose lines carry several
customers is one order of each of them, with their own lines' spend.

Recency (days since the last order), frequency (orders) and monetary (spend) are each scored 1-5 by
quintile of rank (5 = best; recency reversed: recent is good): score = floor((rank - 1) x 5 / n) + 1
where rank is the 1-based rank from the lowest value and equal values take the lowest rank of their
tie, so equal customers always get equal scores (one-time buyers all get F = 1 when they are at least
a fifth of the customers; quintiles are then uneven, which is the honest answer). Customers with
negative spend in the period (only returns) are scored too: they get the lowest M. Segments are
assigned by the first matching rule, in this precedence:

 1. Champions          R>=4, F>=4, M>=4
 2. Can't Lose Them    R<=2, F>=4, M>=4
 3. Loyal Customers    R>=3, F>=4
 4. At Risk            R<=2, F>=3
 5. Potential Loyalist R>=4, F 2-3
 6. Need Attention     R=3,  F=3
 7. New Customers      R=5,  F=1
 8. Promising          R=4,  F=1
 9. About To Sleep     R=3,  F<=2
10. Hibernating        R=2,  F<=2
11. Lost               R=1,  F<=2
    Others             anything else
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pandas as pd

from .customers import is_all_history
from .params import Params, Period, ReportError, resolve
from .result import Rows

SEGMENTS = ["Champions", "Can't Lose Them", "Loyal Customers", "At Risk", "Potential Loyalist", "Need Attention",
            "New Customers", "Promising", "About To Sleep", "Hibernating", "Lost", "Others"]
COLUMNS = ["segment", "customers", "revenue", "share", "median_recency_days", "median_orders", "median_spend"]
CUSTOMER_COLUMNS = ["customer_id", "customer_name", "recency_days", "orders", "spend", "r", "f", "m"]


def _quintile(values: pd.Series) -> pd.Series:
    """Scores 1..5 by quintile of rank, lowest values first. Equal values share the score of the
    lowest rank in their tie, so customers who look the same always score the same."""
    n = len(values)
    if n == 0:
        return values.astype(int)
    ranks = values.rank(method="min")
    return ((ranks - 1) * 5 // n + 1).astype(int)


def _segment(r: pd.Series, f: pd.Series, m: pd.Series) -> pd.Series:
    rules = [
        (r >= 4) & (f >= 4) & (m >= 4), (r <= 2) & (f >= 4) & (m >= 4), (r >= 3) & (f >= 4), (r <= 2) & (f >= 3),
        (r >= 4) & f.between(2, 3), (r == 3) & (f == 3), (r == 5) & (f == 1), (r == 4) & (f == 1),
        (r == 3) & (f <= 2), (r == 2) & (f <= 2), (r == 1) & (f <= 2),
    ]
    out = pd.Series("Others", index=r.index, dtype=object)
    for name, mask in reversed(list(zip(SEGMENTS, rules))):   # first rule wins: apply in reverse
        out[mask] = name
    return out


def scored(conn: sqlite3.Connection, period: Period, names: bool = True) -> pd.DataFrame:
    """One row per non-guest customer (in customer order) with recency/frequency/monetary, their scores
    and segment. `names=False` skips the customer id and name columns (the segment summary needs none)."""
    who = ", c.customer_key, c.name" if names else ""
    join = "JOIN customers c USING (customer_id)" if names else ""
    if is_all_history(conn, period):
        sql = f"""SELECT a.orders, a.net_cents, a.last_day {who}
                  FROM agg_customer a {join} ORDER BY a.customer_id"""
        args: tuple = ()
    else:
        sql = f"""SELECT g.orders, g.net_cents, g.last_day {who}
                  FROM (SELECT customer_id, count(*) AS orders, sum(net_cents) AS net_cents, max(day) AS last_day
                        FROM order_customers WHERE day BETWEEN ? AND ?
                        GROUP BY customer_id) g {join.replace('c USING', 'c ON c.customer_id = g.customer_id')
                                                     .replace('(customer_id)', '')}
                  ORDER BY g.customer_id"""
        args = (period.first.isoformat(), period.last.isoformat())
    rows = conn.execute(sql, args).fetchall()
    cols = ["orders", "net_cents", "last_day"] + (["customer_key", "name"] if names else [])
    df = pd.DataFrame.from_records(rows, columns=cols) if rows else pd.DataFrame(
        {c: pd.Series(dtype="int64" if c in ("orders", "net_cents") else object) for c in cols})
    last = pd.to_datetime(df["last_day"], format="%Y-%m-%d")
    recency = (pd.Timestamp(period.as_of) - last).dt.days.clip(lower=0).astype("int64")
    r = 6 - _quintile(recency)
    f = _quintile(df["orders"])
    m = _quintile(df["net_cents"])
    out = {
        "recency_days": recency, "orders": df["orders"].astype("int64"), "spend": df["net_cents"] / 100,
        "r": r, "f": f, "m": m, "segment": _segment(r, f, m),
    }
    if names:
        out = {"customer_id": df["customer_key"],
               "customer_name": df["name"].where(df["name"] != "", df["customer_key"]), **out}
    return pd.DataFrame(out)


def segments(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.category:
        raise ReportError("segments score customers across the whole shop; --category is not available here")
    period = period or resolve(conn, p)
    df = scored(conn, period, names=p.segment is not None)
    if p.segment is not None:
        match = {s.lower(): s for s in SEGMENTS}.get(p.segment.strip().lower())
        if match is None:
            raise ReportError(f"unknown segment {p.segment!r}. Segments: {', '.join(SEGMENTS)}")
        out = df[df["segment"] == match].sort_values(["spend", "customer_id"], ascending=[False, True])
        if p.limit is not None:
            out = out.head(p.limit)
        return Rows.from_frame(out[CUSTOMER_COLUMNS])
    if df.empty:
        return Rows(tuple(COLUMNS), [])
    total = df["spend"].sum()
    g = df.groupby("segment").agg(customers=("orders", "size"), revenue=("spend", "sum"),
                                  median_recency_days=("recency_days", "median"), median_orders=("orders", "median"),
                                  median_spend=("spend", "median")).reset_index()
    g["share"] = g["revenue"] / total if total else float("nan")
    g = g.sort_values(["revenue", "segment"], ascending=[False, True])
    return Rows.from_frame(g[COLUMNS])


def segment_of(conn: sqlite3.Connection, customer_key: str, as_of: date | None = None) -> str | None:
    """The segment of one customer (all history), for the customer detail screen."""
    period = resolve(conn, Params(as_of=as_of))
    df = scored(conn, period)
    hit = df[df["customer_id"] == customer_key]
    return None if hit.empty else hit["segment"].iloc[0]
