"""Stores as an earlier shopintel wrote them, for migration tests: the schema of an older version
(its migrations only) holding the same lines as a current store, with the kept totals computed the
way that version computed them.

Schema 1 and 2 kept one customer per order (`order_totals.customer_id`, the largest customer id on
the order's lines) and summed customers from those orders, so an order whose lines carry several
customers gave all of its spend to one of them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shopintel.store.schema import MIGRATIONS

# The kept totals of schema 1 and 2, as those versions computed them (frozen here on purpose).
V2_ORDER_TOTALS = """
    INSERT INTO order_totals
    SELECT s.order_id, min(s.day), max(s.customer_id), count(*), sum(s.quantity * p.is_merch), sum(s.net_cents),
           sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM sales s JOIN products p USING (product_id) GROUP BY s.order_id"""
V2_CUSTOMERS = """
    INSERT INTO agg_customer
    SELECT customer_id, count(*), sum(units), sum(net_cents), min(day), max(day)
    FROM order_totals WHERE customer_id IS NOT NULL GROUP BY customer_id"""
# Schema 3's: every order counted (return-only ones too), each customer's part of each order.
V3_ORDER_TOTALS = """
    INSERT INTO order_totals
    SELECT s.order_id, min(s.day), count(DISTINCT s.customer_id), count(*), sum(s.quantity * p.is_merch),
           sum(s.net_cents), sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM sales s JOIN products p USING (product_id) GROUP BY s.order_id"""
V3_ORDER_CUSTOMERS = """
    INSERT INTO order_customers
    SELECT g.order_id, g.customer_id, o.day, g.lines, g.units, g.net_cents
    FROM (SELECT s.order_id, s.customer_id, count(*) AS lines, sum(s.quantity * p.is_merch) AS units,
                 sum(s.net_cents) AS net_cents
          FROM sales s JOIN products p USING (product_id) WHERE s.customer_id IS NOT NULL
          GROUP BY s.order_id, s.customer_id) g JOIN order_totals o USING (order_id)"""
V3_CUSTOMERS = """
    INSERT INTO agg_customer
    SELECT customer_id, count(*), sum(units), sum(net_cents), min(day), max(day)
    FROM order_customers GROUP BY customer_id"""
# Schemas 1 to 3 dated every line with its own day and counted every order, return-only ones too.
OLD_DAYS = ("""
    INSERT INTO agg_product_day
    SELECT s.day, s.product_id, count(*), sum(s.quantity), sum(s.net_cents),
           sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM sales s GROUP BY s.day, s.product_id""", """
    INSERT INTO agg_category_day
    SELECT a.day, p.category_id, sum(a.units), sum(a.net_cents)
    FROM agg_product_day a JOIN products p USING (product_id) GROUP BY a.day, p.category_id""", """
    INSERT INTO agg_day
    SELECT a.day, sum(a.lines), sum(a.units * p.is_merch), sum(a.net_cents), sum(a.gross_cents),
           sum(a.returns_cents), (SELECT count(*) FROM order_totals o WHERE o.day = a.day),
           (SELECT count(*) FROM order_totals o WHERE o.day = a.day AND {guest})
    FROM agg_product_day a JOIN products p USING (product_id) GROUP BY a.day""")
# Copied as they are, in the columns every schema up to 3 had.
SAME = {"categories": "*", "products": "product_id, sku, name, category_id, is_merch",
        "customers": "customer_id, customer_key, name, email, country", "import_runs": "*", "sales": "*",
        "inventory": "product_id, on_hand, counted_at, lead_time_days, reorder_point", "meta": "*"}
# The alerts' columns before schema 4 added the reorder point.
V1_ALERTS = ("alert_id, created_at, product_id, sku, product_name, status, on_hand, days_of_cover, suggested_qty, "
             "acknowledged_at")


def write_old_store(current: Path, target: Path, version: int) -> None:
    """Write at `target` the store an earlier shopintel (schema `version`, 1 to 3) would hold for the
    lines of the current store at `current`."""
    assert version in (1, 2, 3)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN")
        for script in MIGRATIONS[:version]:
            buf = ""
            for line in script.splitlines(keepends=True):
                buf += line
                if sqlite3.complete_statement(buf):
                    conn.execute(buf)
                    buf = ""
        conn.execute("ATTACH DATABASE ? AS cur", (str(current),))
        for table, cols in SAME.items():
            named = "" if cols == "*" else f"({cols})"
            conn.execute(f"INSERT INTO main.{table} {named} SELECT {cols} FROM cur.{table}")
        conn.execute(f"INSERT INTO main.alerts ({V1_ALERTS}) SELECT {V1_ALERTS} FROM cur.alerts")
        if version < 3:
            conn.execute(V2_ORDER_TOTALS)
            conn.execute(V2_CUSTOMERS)
        else:
            for sql in (V3_ORDER_TOTALS, V3_ORDER_CUSTOMERS, V3_CUSTOMERS):
                conn.execute(sql)
        for sql in OLD_DAYS:
            conn.execute(sql.format(guest="o.customer_id IS NULL" if version < 3 else "o.customers = 0"))
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE cur")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
