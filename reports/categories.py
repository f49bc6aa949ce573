"""`categories`: revenue by category, its share, and (with a period) growth against the previous
equal-length span (or the same span a year earlier): which department drives growth.

growth = revenue / previous_revenue - 1; growth_contribution = (revenue - previous_revenue) / total
previous revenue, so contributions add up to the shop's total growth; the driver is the category
with the largest contribution (ties: first by name)."""

from __future__ import annotations

import sqlite3

import pandas as pd

from .params import Params, Period, previous_span, resolve

COLUMNS = ["category", "revenue", "share", "previous_revenue", "growth", "growth_contribution", "driver"]


def _by_category(conn: sqlite3.Connection, first: str, last: str) -> pd.DataFrame:
    return pd.read_sql_query(
        """SELECT c.name AS category, sum(a.net_cents) AS cents
           FROM agg_category_day a JOIN categories c USING (category_id)
           WHERE a.day BETWEEN ? AND ? GROUP BY a.category_id""", conn, params=(first, last))


def categories(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> pd.DataFrame:
    period = period or resolve(conn, p)
    cur = _by_category(conn, period.first.isoformat(), period.last.isoformat())
    if period.explicit:
        lo, hi = previous_span(period, p.compare)
        prev = _by_category(conn, lo.isoformat(), hi.isoformat()).rename(columns={"cents": "prev_cents"})
        df = cur.merge(prev, on="category", how="outer").fillna({"cents": 0, "prev_cents": 0})
    else:
        df = cur.assign(prev_cents=float("nan"))
    if df.empty:
        return pd.DataFrame(columns=COLUMNS)
    total = df["cents"].sum()
    total_prev = df["prev_cents"].sum() if period.explicit else 0
    out = pd.DataFrame({
        "category": df["category"],
        "revenue": df["cents"] / 100,
        "share": df["cents"] / total if total else float("nan"),
        "previous_revenue": df["prev_cents"] / 100 if period.explicit else None,
        "growth": (df["cents"] / df["prev_cents"].where(df["prev_cents"] > 0) - 1) if period.explicit else None,
        "growth_contribution": ((df["cents"] - df["prev_cents"]) / total_prev) if period.explicit and total_prev
        else None,
    }, columns=COLUMNS[:-1])
    out["driver"] = False
    if out["growth_contribution"].notna().any():
        best = out.sort_values(["growth_contribution", "category"], ascending=[False, True]).index[0]
        out.loc[best, "driver"] = True
    if period.category_id is not None:
        name = conn.execute("SELECT name FROM categories WHERE category_id = ?", (period.category_id,)).fetchone()[0]
        out = out[out["category"] == name]
    out = out.sort_values(["revenue", "category"], ascending=[False, True], kind="mergesort")
    if p.limit is not None:
        out = out.head(p.limit)
    return out.reset_index(drop=True)
