"""`reorder`: stock-counted products with their on-hand units, velocity, days of cover, reorder point,
suggested order and status. The same rule serves the live monitor for just the products a tick touched.

- on hand now = counted units - net units sold after the count (whole days after the count day from
  agg_product_day, plus the count day's lines after the count's timestamp) up to the as-of date;
- velocity = net units per day over the trailing window ending at as-of (zero days included);
- reorder point = lead-time demand + safety stock (z x daily std-dev x sqrt(lead time)), z from the
  service level, unless the product has an explicit reorder point;
- suggested qty brings on hand up to cover lead time plus a review period, plus safety stock;
- OUT when on hand <= 0, LOW when on hand <= reorder point, else OK.
Sorted OUT, LOW, OK, then by days of cover (shortest first), then sku."""

from __future__ import annotations

import math
import sqlite3
from datetime import timedelta
from statistics import NormalDist

from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["sku", "product_name", "category", "on_hand", "units_per_week", "days_of_cover", "lead_time_days",
           "reorder_point", "suggested_qty", "status"]
STATUS_ORDER = {"OUT": 0, "LOW": 1, "OK": 2}


def _rows(conn: sqlite3.Connection, start: str, end: str, product_ids: list[int] | None,
          min_per_week: float | None = None, window_days: int = 28, category_id: int | None = None,
          counted_by: str | None = None) -> list[tuple]:
    """The counted merchandise rows with their window sums and units sold since the count: (product_id,
    sku, product_name, category, counted, counted_at, lead_time_days, explicit_rp, window_units,
    window_sq, sold_after). With `min_per_week`, only the products faster than that (the same float
    arithmetic as the rule's filter, so the boundary agrees), so the per-product lookups run for the
    fast movers only."""
    only = ""
    # Sold after the count up to as-of, by the one day rule (an order's lines all belong to its first line's
    # day): the units of the orders of the count day and later, less the count day's own orders' lines up to
    # the count's time. Then the velocity window. `|| ''` (SQLite's unary + on text, in a form PostgreSQL
    # also takes) keeps the planner on the (product_id, day) equality for the count day instead of a range
    # scan of every earlier day.
    args: list = [end, end, start, end]
    if product_ids is not None:
        marks = ",".join("?" * len(product_ids))
        only = f"AND product_id IN ({marks})"
        args += list(product_ids)
    sql = f"""
        SELECT p.product_id, p.sku, p.name AS product_name, c.name AS category, i.on_hand AS counted,
               i.counted_at, i.lead_time_days, i.reorder_point AS explicit_rp,
               coalesce(w.units, 0) AS window_units, coalesce(w.sq, 0) AS window_sq,
               (SELECT coalesce(sum(a.units), 0) FROM agg_product_day a
                 WHERE a.product_id = p.product_id AND a.day >= substr(i.counted_at, 1, 10) AND a.day <= ?)
             - (SELECT coalesce(sum(s.quantity), 0) FROM sales s
                 JOIN order_totals o ON o.order_id = s.order_id AND o.day = s.day
                 WHERE s.product_id = p.product_id AND s.day = substr(i.counted_at, 1, 10) AND s.day || '' <= ?
                   AND s.ordered_at <= i.counted_at) AS sold_after
        FROM inventory i JOIN products p USING (product_id) JOIN categories c USING (category_id)
        LEFT JOIN (SELECT product_id, sum(units) AS units, sum(units * units) AS sq FROM agg_product_day
                   WHERE day BETWEEN ? AND ? {only} GROUP BY product_id) w USING (product_id)
        WHERE p.is_merch = 1 {only.replace('AND product_id', 'AND p.product_id')}"""
    if product_ids is not None:
        args += list(product_ids)
    if min_per_week is not None:
        # in doubles on both engines (PostgreSQL's `* 1.0` is exact numeric), as the rule's Python computes it
        sql += " AND (CAST(coalesce(w.units, 0) AS DOUBLE PRECISION) / ?) * 7 > ?"
        args += [window_days, min_per_week]
    if category_id is not None:
        sql += " AND p.category_id = ?"
        args.append(category_id)
    if counted_by is not None:   # a count taken after the as-of date says nothing about stock on that date
        sql += " AND substr(i.counted_at, 1, 10) <= ?"
        args.append(counted_by)
    return conn.execute(sql, args).fetchall()


EVALUATED = ("product_id", *COLUMNS)


def evaluate(conn: sqlite3.Connection, p: Params, period: Period, product_ids: list[int] | None = None,
             fast_only: bool = False) -> Rows:
    """The reorder rule for the counted products (all, or only `product_ids`), unsorted; with
    `fast_only`, only those above `p.min_per_week` (and in the period's category, if any). Columns:
    product_id, then the report's. Plain Python per product: no pandas in the app's live monitor.
    Cost grows with the number of products asked for."""
    if not 0.5 <= p.service_level < 1:
        raise ReportError("--service-level must be between 0.5 and 1 (e.g. 0.95)")
    if p.window_days < 1 or p.review_days < 0:
        raise ReportError("--window-days must be at least 1 and --review-days at least 0")
    if product_ids is not None and not product_ids:
        return Rows(EVALUATED, [])   # none asked for (and `IN ()`, which SQLite takes, PostgreSQL refuses)
    end = period.as_of
    start = end - timedelta(days=p.window_days - 1)
    rows = _rows(conn, start.isoformat(), end.isoformat(), product_ids,
                 min_per_week=p.min_per_week if fast_only else None, window_days=p.window_days,
                 category_id=period.category_id if fast_only else None,
                 counted_by=end.isoformat() if period.as_of_given else None)
    z = NormalDist().inv_cdf(p.service_level)
    n = p.window_days
    out = []
    for pid, sku, name, category, counted, _, lead, explicit_rp, units, squares, sold_after in rows:
        mean = units / n                                   # units a day, zero days included
        std = max(squares / n - mean ** 2, 0) ** 0.5
        safety = z * std * lead ** 0.5
        rp = explicit_rp if explicit_rp is not None else math.ceil(mean * lead + safety)
        on_hand = counted - sold_after
        suggested = max(0, math.ceil(mean * (lead + p.review_days) + safety - on_hand))
        # one decimal as numpy rounds (half to even on the value times ten), as the report always has
        cover = round(max(on_hand, 0) / mean * 10) / 10 if mean > 0 else None
        status = "OUT" if on_hand <= 0 else ("LOW" if on_hand <= rp else "OK")
        out.append((pid, sku, name, category, on_hand, mean * 7, cover, lead, rp, suggested, status))
    return Rows(EVALUATED, out)


def reorder(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    period = period or resolve(conn, p)
    if p.show_all:
        rows = evaluate(conn, p, period).records()
        if period.category_id is not None:
            name = conn.execute("SELECT name FROM categories WHERE category_id = ?",
                                (period.category_id,)).fetchone()[0]
            rows = [r for r in rows if r["category"] == name]
    else:
        rows = [r for r in evaluate(conn, p, period, fast_only=True).records()
                if r["units_per_week"] > p.min_per_week]      # already so in SQL; kept as the definition
    rows.sort(key=lambda r: (STATUS_ORDER[r["status"]],
                             math.inf if r["days_of_cover"] is None else r["days_of_cover"], r["sku"]))
    if p.limit is not None:
        rows = rows[:max(0, p.limit)]
    return Rows(tuple(COLUMNS), [tuple(r[c] for c in COLUMNS) for r in rows])
