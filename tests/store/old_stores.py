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
# Unchanged in meaning since schema 1: copied as they are.
SAME = ("categories", "products", "customers", "import_runs", "sales", "inventory", "meta",
        "agg_product_day", "agg_category_day", "agg_day")
# The alerts' columns before schema 4 added the reorder point.
V1_ALERTS = ("alert_id, created_at, product_id, sku, product_name, status, on_hand, days_of_cover, suggested_qty, "
             "acknowledged_at")


def write_old_store(current: Path, target: Path, version: int) -> None:
    """Write at `target` the store an earlier shopintel (schema `version`, 1 or 2) would hold for the
    lines of the current store at `current`."""
    assert version in (1, 2)
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
        for table in SAME:
            conn.execute(f"INSERT INTO main.{table} SELECT * FROM cur.{table}")
        conn.execute(f"INSERT INTO main.alerts ({V1_ALERTS}) SELECT {V1_ALERTS} FROM cur.alerts")
        conn.execute(V2_ORDER_TOTALS)
        conn.execute(V2_CUSTOMERS)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE cur")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
