"""`basket`: pairs of products bought in the same order (market-basket analysis).

Over the period's orders that hold a merchandise line with a positive quantity (postage, fees and
returns never make an order hold a product, nor count it): for each pair of products a, b (sku_a <
sku_b as text), orders = the orders holding both, support = orders / all such orders, confidence_ab
= orders / the orders holding a (how often a buyer of a also took b), confidence_ba the other way,
lift = support / (support_a x support_b) (above 1: bought together more often than chance). A guest's
order counts like any other: baskets are about orders, not customers. Pairs in fewer than
--min-orders orders (default 2) are left out. Sorted by orders, then lift (both highest first), then
sku_a, sku_b; --limit rows (default 20).

Computed in SQL: the period's order lines are first reduced to one row per (order, product) (a
temporary table of this connection on SQLite, a CTE on PostgreSQL), and the pairs are a self-join of those rows on the order, so an order of k products costs k x (k - 1) / 2 rows
and a store's size grows the work only through its orders' lengths.
"""

from __future__ import annotations

import sqlite3

from ..store.db import is_postgresql
from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["sku_a", "product_a", "sku_b", "product_b", "orders", "support", "confidence_ab", "confidence_ba",
           "lift"]
DEFAULT_LIMIT = 20

# One row per (order, product) of the period: an order holding a product on two lines holds it once.
_HELD_ROWS = """
SELECT {distinct} s.order_id, s.product_id FROM sales s
WHERE s.day BETWEEN :first AND :last AND s.quantity > 0
  -- `+`: scan the period's lines in table order; letting the planner drive from products walks the
  -- (product, day) index with a table lookup per line, several times slower
  AND +s.product_id IN (SELECT product_id FROM products WHERE is_merch = 1)
"""
# On SQLite they go into a temporary table keyed by (order, product) (private to this connection; the store
# is never written): INSERT OR IGNORE drops the repeats and the self-join walks its key. The same rows as a
# CTE (below) sort the lines once for DISTINCT and again for the join's automatic index: 26-36 % more CPU
# at 1M lines (docs/scale.md, "basket"). A PostgreSQL reader may not create a table (a READ ONLY session, a
# hot standby), and its planner hashes a CTE's rows for the join: there they are a MATERIALIZED CTE.
_HELD = """CREATE TEMP TABLE basket_held (order_id TEXT NOT NULL, product_id INTEGER NOT NULL,
                                          PRIMARY KEY (order_id, product_id)) WITHOUT ROWID"""
_FILL = "INSERT OR IGNORE INTO temp.basket_held" + _HELD_ROWS.format(distinct="")
_HELD_CTE = "basket_held AS MATERIALIZED (" + _HELD_ROWS.format(distinct="DISTINCT") + "),"
# The pairs of basket_held, on either engine (after `WITH`, and on PostgreSQL the CTE above).
_PAIRS = """
pairs AS MATERIALIZED (
    SELECT x.product_id AS px, y.product_id AS py, count(*) AS orders
    FROM basket_held x JOIN basket_held y ON y.order_id = x.order_id AND y.product_id > x.product_id
    GROUP BY x.product_id, y.product_id HAVING count(*) >= :min_orders),
-- the rows shown are the first :limit by orders, and the ties at the last one's orders decide by lift: only
-- those pairs need their products' order counts, so only their products' rows are counted (at 1M lines a
-- few dozen products, where counting every product sorted all 875k rows)
cut AS (SELECT orders FROM pairs ORDER BY orders DESC LIMIT 1 OFFSET :limit - 1),
top AS (SELECT * FROM pairs WHERE orders >= coalesce((SELECT orders FROM cut), 0)),
per_product AS (
    SELECT product_id, count(*) AS orders FROM basket_held
    WHERE product_id IN (SELECT px FROM top UNION SELECT py FROM top) GROUP BY product_id),
baskets AS (SELECT count(DISTINCT order_id) AS n FROM basket_held),
named AS (
    -- each pair the right way round: sku_a < sku_b as text, whatever the product ids' order
    SELECT CASE WHEN a.sku < b.sku THEN a.sku ELSE b.sku END AS sku_a,
           CASE WHEN a.sku < b.sku THEN a.name ELSE b.name END AS product_a,
           CASE WHEN a.sku < b.sku THEN b.sku ELSE a.sku END AS sku_b,
           CASE WHEN a.sku < b.sku THEN b.name ELSE a.name END AS product_b,
           p.orders, CASE WHEN a.sku < b.sku THEN na.orders ELSE nb.orders END AS orders_a,
           CASE WHEN a.sku < b.sku THEN nb.orders ELSE na.orders END AS orders_b,
           -- lift = orders x n / (orders_a x orders_b): one division of two exact integers, in doubles on
           -- both engines (PostgreSQL's `* 1.0` would be exact numeric), so equal lifts are equal doubles and
           -- the tie goes to the skus
           CAST(p.orders * baskets.n AS DOUBLE PRECISION) / (na.orders * nb.orders) AS lift, baskets.n
    FROM top p JOIN products a ON a.product_id = p.px JOIN products b ON b.product_id = p.py
    JOIN per_product na ON na.product_id = p.px JOIN per_product nb ON nb.product_id = p.py
    CROSS JOIN baskets)
SELECT sku_a, product_a, sku_b, product_b, orders, orders_a, orders_b, lift, n FROM named
ORDER BY orders DESC, lift DESC, sku_a, sku_b LIMIT :limit
"""


def _pairs(conn, args: dict) -> list[tuple]:
    """The pairs' rows, every figure from one reading of the period's lines (a sale written meanwhile
    cannot skew them)."""
    if is_postgresql(conn):
        return conn.execute("WITH " + _HELD_CTE + _PAIRS, args).fetchall()
    conn.execute("DROP TABLE IF EXISTS temp.basket_held")   # left by a run that was interrupted
    conn.execute(_HELD)
    try:
        conn.execute(_FILL, args)
        return conn.execute("WITH " + _PAIRS, args).fetchall()
    finally:
        conn.execute("DROP TABLE temp.basket_held")


def basket(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.category:
        raise ReportError("basket pairs products across the whole shop; --category is not available here")
    if p.min_orders < 1:
        raise ReportError("--min-orders must be at least 1 (orders holding both products of a pair)")
    period = period or resolve(conn, p)
    if period.empty_store:
        return Rows(tuple(COLUMNS), [])
    limit = DEFAULT_LIMIT if p.limit is None else p.limit
    if limit <= 0:
        return Rows(tuple(COLUMNS), [])
    args = {"first": period.first.isoformat(), "last": period.last.isoformat(), "min_orders": p.min_orders,
            "limit": limit}
    rows = _pairs(conn, args)
    return Rows(tuple(COLUMNS), [
        (sku_a, product_a, sku_b, product_b, orders, orders / n, orders / orders_a, orders / orders_b, lift)
        for sku_a, product_a, sku_b, product_b, orders, orders_a, orders_b, lift, n in rows])
