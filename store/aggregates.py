"""The kept aggregates: order totals, each customer's part of each order, per
product-day, per category-day, per day, per customer and per cohort-month. They are refreshed for
the keys a write touched, inside the writer's transaction, so a report never has
to scan order lines.

Each line's spend belongs to the customer on that line: an order whose lines
carry several customers (Tableau's Superstore export has them) has one
`order_customers` row per customer, and counts once among each one's orders.

Writers record what they touch in the temp tables `dirty_orders` (order ids)
and `dirty_pd` (day, product) and call `refresh()` before committing.
`expected_*` queries recompute everything from the lines; `doctor` compares.
"""

from __future__ import annotations

import sqlite3

from .schema import AGG_INDEX_NAMES, AGG_INDEXES
from .sql import statements

TEMP_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS dirty_orders (order_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS dirty_pd (day TEXT, product_id INTEGER, PRIMARY KEY (day, product_id)) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS dirty_days (day TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS dirty_customers (customer_id INTEGER PRIMARY KEY);
"""


def ensure_temp_tables(conn: sqlite3.Connection) -> None:
    for stmt in statements(TEMP_TABLES):
        conn.execute(stmt)


def mark_lines(conn: sqlite3.Connection, where: str, params: tuple = ()) -> None:
    """Record the orders and (order day, product) pairs of the sales lines matching `where` as dirty (before
    the lines change: the order's day is read from order_totals as it still stands)."""
    conn.execute(f"INSERT OR IGNORE INTO dirty_orders SELECT DISTINCT order_id FROM sales WHERE {where}", params)
    conn.execute("INSERT OR IGNORE INTO dirty_pd SELECT DISTINCT o.day, s.product_id FROM sales s "
                 f"JOIN order_totals o USING (order_id) WHERE s.order_id IN (SELECT order_id FROM sales WHERE {where})",
                 params)


def mark_product_days(conn: sqlite3.Connection, product_id: int) -> None:
    """A product moved category: every day it sold on must be re-summed per category."""
    conn.execute("INSERT OR IGNORE INTO dirty_days SELECT day FROM agg_product_day WHERE product_id = ?", (product_id,))


# Units everywhere but per product count merchandise only: postage is not a unit sold. An order's day is its
# first line's (and last_day its last line's); is_order = 1 when some line was bought: a return-only order
# (every quantity negative, e.g. a cancellation invoice) is a return, never an order.
ORDER_TOTALS_SELECT = """
    SELECT s.order_id, min(s.day), count(DISTINCT s.customer_id), count(*), sum(s.quantity * p.is_merch),
           sum(s.net_cents), sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END), max(s.day), max(s.quantity > 0)
    FROM sales s JOIN products p USING (product_id) {where} GROUP BY s.order_id
"""
# Each customer's lines of each order, dated with the order's day (from order_totals, already current);
# is_order: the customer bought something in it (their part is not only returns).
ORDER_CUSTOMERS_SELECT = """
    SELECT g.order_id, g.customer_id, o.day, g.lines, g.units, g.net_cents, g.is_order
    FROM (SELECT s.order_id, s.customer_id, count(*) AS lines, sum(s.quantity * p.is_merch) AS units,
                 sum(s.net_cents) AS net_cents, max(s.quantity > 0) AS is_order
          FROM sales s JOIN products p USING (product_id) WHERE s.customer_id IS NOT NULL {where}
          GROUP BY s.order_id, s.customer_id) g
    JOIN order_totals o USING (order_id)
"""
# Per product and the day of the order (not of the line: one day rule for every figure, so an order whose
# lines span midnight is counted whole on its first day). {source} yields lines `s` and {day} their order's day.
PRODUCT_DAY_SELECT = """
    SELECT {day}, s.product_id, count(*), sum(s.quantity), sum(s.net_cents),
           sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM {source} GROUP BY {day}, s.product_id
"""
# The lines of the dirty (order day, product) pairs: an order's lines lie between its day and its last day,
# so the product's lines are read from the day up to the latest last day of that day's orders (the day
# itself unless an order spans midnight), then kept when their order is of that day.
DIRTY_PAIR_LINES = """
    (SELECT o.day, max(o.last_day) AS until FROM order_totals o
     WHERE o.day IN (SELECT day FROM dirty_pd) GROUP BY o.day) span
    JOIN dirty_pd d ON d.day = span.day
    CROSS JOIN sales s ON s.product_id = d.product_id AND s.day BETWEEN d.day AND span.until
    CROSS JOIN order_totals o ON o.order_id = s.order_id AND o.day = d.day"""
CATEGORY_DAY_SELECT = """
    SELECT a.day, p.category_id, sum(a.units), sum(a.net_cents)
    FROM agg_product_day a JOIN products p USING (product_id) {where}
    GROUP BY a.day, p.category_id
"""
DAY_SELECT = """
    SELECT a.day, sum(a.lines), sum(a.units * p.is_merch), sum(a.net_cents), sum(a.gross_cents), sum(a.returns_cents),
           (SELECT count(*) FROM order_totals o WHERE o.day = a.day AND o.is_order = 1),
           (SELECT count(*) FROM order_totals o WHERE o.day = a.day AND o.is_order = 1 AND o.customers = 0)
    FROM agg_product_day a JOIN products p USING (product_id) {where} GROUP BY a.day
"""
# Each cohort-month's customers with an order (a return-only order is not one) and their net, returns
# included, for the customers `where` picks (all: where = ""); customers without an order are in no cohort.
COHORT_MONTH_SELECT = """
    SELECT substr(a.first_day, 1, 7) AS cohort, m.month, sum(m.bought) AS active, sum(m.net_cents) AS net_cents
    FROM (SELECT customer_id, substr(day, 1, 7) AS month, max(is_order) AS bought, sum(net_cents) AS net_cents
          FROM order_customers {where} GROUP BY customer_id, month) m
    JOIN agg_customer a USING (customer_id) GROUP BY cohort, m.month HAVING sum(m.bought) > 0 OR sum(m.net_cents) != 0
"""
_DIRTY_CUSTOMERS = "WHERE customer_id IN (SELECT customer_id FROM dirty_customers)"
# Customers with at least one order; their spend and units count their returns too.
CUSTOMER_SELECT = """
    SELECT customer_id, sum(is_order), sum(units), sum(net_cents), min(CASE WHEN is_order THEN day END),
           max(CASE WHEN is_order THEN day END)
    FROM order_customers {where} GROUP BY customer_id HAVING sum(is_order) > 0
"""


def refresh(conn: sqlite3.Connection) -> None:
    """Bring every aggregate up to date for the dirty keys, then clear them. Call inside the write transaction."""
    x = conn.execute
    dirty = x("SELECT count(*) FROM dirty_orders").fetchone()[0]
    known = x("SELECT count(*) FROM order_totals").fetchone()[0]
    if dirty > 20_000 and dirty * 3 > known:
        # A bulk load touched most orders: one pass over all lines beats a lookup per key.
        rebuild_all(conn)
        return
    # Orders: their old day and customers are dirty too (an order can move, its lines change hands).
    x("INSERT OR IGNORE INTO dirty_days SELECT o.day FROM order_totals o JOIN dirty_orders USING (order_id)")
    x("INSERT OR IGNORE INTO dirty_customers SELECT oc.customer_id FROM order_customers oc "
      "JOIN dirty_orders USING (order_id)")
    # ... and the customers on their lines now: the cohort months hold every dirty customer's old part,
    # taken out here while order_customers and agg_customer still describe it, and put back at the end
    x("INSERT OR IGNORE INTO dirty_customers SELECT DISTINCT customer_id FROM sales "
      "WHERE order_id IN (SELECT order_id FROM dirty_orders) AND customer_id IS NOT NULL")
    x("UPDATE agg_cohort_month AS t SET active = t.active - d.active, net_cents = t.net_cents - d.net_cents "
      f"FROM ({COHORT_MONTH_SELECT.format(where=_DIRTY_CUSTOMERS)}) AS d "
      "WHERE t.cohort = d.cohort AND t.month = d.month")
    x("DELETE FROM agg_cohort_month WHERE active = 0 AND net_cents = 0")
    x("DELETE FROM order_totals WHERE order_id IN (SELECT order_id FROM dirty_orders)")
    x("DELETE FROM order_customers WHERE order_id IN (SELECT order_id FROM dirty_orders)")
    x("INSERT INTO order_totals " + ORDER_TOTALS_SELECT.format(
        where="WHERE s.order_id IN (SELECT order_id FROM dirty_orders)"))
    x("INSERT INTO order_customers " + ORDER_CUSTOMERS_SELECT.format(
        where="AND s.order_id IN (SELECT order_id FROM dirty_orders)"))
    x("INSERT OR IGNORE INTO dirty_days SELECT o.day FROM order_totals o JOIN dirty_orders USING (order_id)")
    x("INSERT OR IGNORE INTO dirty_customers SELECT oc.customer_id FROM order_customers oc "
      "JOIN dirty_orders USING (order_id)")
    # the (order day, product) pairs of the dirty orders' current lines (their earlier lines' pairs were
    # marked by mark_lines while order_totals still held their day)
    x("INSERT OR IGNORE INTO dirty_pd SELECT DISTINCT o.day, s.product_id FROM dirty_orders d "
      "JOIN order_totals o USING (order_id) JOIN sales s ON s.order_id = d.order_id")

    x("DELETE FROM agg_product_day WHERE (day, product_id) IN (SELECT day, product_id FROM dirty_pd)")
    x("INSERT INTO agg_product_day " + PRODUCT_DAY_SELECT.format(source=DIRTY_PAIR_LINES, day="o.day"))
    x("INSERT OR IGNORE INTO dirty_days SELECT DISTINCT day FROM dirty_pd")

    x("DELETE FROM agg_category_day WHERE day IN (SELECT day FROM dirty_days)")
    x("INSERT INTO agg_category_day " + CATEGORY_DAY_SELECT.format(
        where="WHERE a.day IN (SELECT day FROM dirty_days)"))
    x("DELETE FROM agg_day WHERE day IN (SELECT day FROM dirty_days)")
    x("INSERT INTO agg_day " + DAY_SELECT.format(where="WHERE a.day IN (SELECT day FROM dirty_days)"))

    x("DELETE FROM agg_customer WHERE customer_id IN (SELECT customer_id FROM dirty_customers)")
    x("INSERT INTO agg_customer " + CUSTOMER_SELECT.format(where=_DIRTY_CUSTOMERS))
    # (an upsert's SELECT needs a WHERE of its own, or SQLite may read ON CONFLICT as a join's ON)
    x(f"INSERT INTO agg_cohort_month SELECT * FROM ({COHORT_MONTH_SELECT.format(where=_DIRTY_CUSTOMERS)}) WHERE true"
      " ON CONFLICT (cohort, month) DO UPDATE SET active = active + excluded.active, "
      "net_cents = net_cents + excluded.net_cents")

    for table in ("dirty_orders", "dirty_pd", "dirty_days", "dirty_customers"):
        x(f"DELETE FROM {table}")


def rebuild_all(conn: sqlite3.Connection) -> None:
    """Recompute every aggregate from all the lines in a few sorted passes (inside a write transaction)."""
    x = conn.execute
    for table in ("order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer",
                  "agg_cohort_month"):
        x(f"DELETE FROM {table}")
    for name in AGG_INDEX_NAMES:   # built once after the inserts: far cheaper than per row
        x(f"DROP INDEX IF EXISTS {name}")
    # NOT INDEXED: a sorted scan of the table is far cheaper than walking an index with a lookup per line
    x("INSERT INTO order_totals " + ORDER_TOTALS_SELECT.format(where="").replace("FROM sales s", "FROM sales s NOT INDEXED"))
    x("INSERT INTO order_customers " + ORDER_CUSTOMERS_SELECT.format(where="").replace(
        "FROM sales s", "FROM sales s NOT INDEXED"))
    # Only an order over midnight has lines off its day: without one, each line's own day is its order's,
    # and a plain sorted scan of the lines (no lookup of the order per line) gives the same rows.
    if x("SELECT EXISTS (SELECT 1 FROM order_totals WHERE last_day > day)").fetchone()[0]:
        x("INSERT INTO agg_product_day " + PRODUCT_DAY_SELECT.format(
            source="sales s NOT INDEXED JOIN order_totals o USING (order_id)", day="o.day"))
    else:
        x("INSERT INTO agg_product_day " + PRODUCT_DAY_SELECT.format(source="sales s NOT INDEXED", day="s.day"))
    for statement in statements(AGG_INDEXES):   # the per-day order counts below need order_totals_day
        x(statement)
    x("INSERT INTO agg_category_day " + CATEGORY_DAY_SELECT.format(where=""))
    x("INSERT INTO agg_day " + DAY_SELECT.format(where=""))
    x("INSERT INTO agg_customer " + CUSTOMER_SELECT.format(where=""))
    x("INSERT INTO agg_cohort_month " + COHORT_MONTH_SELECT.format(where=""))
    for table in ("dirty_orders", "dirty_pd", "dirty_days", "dirty_customers"):
        x(f"DELETE FROM {table}")


# Each order's day and whether it is an order, and each customer's part of each order, from the lines alone.
_PARTS_FROM_LINES = """
        WITH od AS (SELECT order_id, min(day) AS day FROM sales GROUP BY order_id),
             o AS (SELECT s.order_id, s.customer_id, od.day, count(*) AS lines,
                          sum(s.quantity * p.is_merch) AS units, sum(s.net_cents) AS net,
                          max(s.quantity > 0) AS is_order
                   FROM sales s JOIN products p USING (product_id) JOIN od USING (order_id)
                   WHERE s.customer_id IS NOT NULL GROUP BY s.order_id, s.customer_id)"""
_ORDER_DAYS = "WITH od AS (SELECT order_id, min(day) AS day FROM sales GROUP BY order_id)"

# Each kept table with the query that recomputes it from the order lines alone.
EXPECTED: dict[str, str] = {
    "order_totals": ORDER_TOTALS_SELECT.format(where=""),
    "order_customers": _PARTS_FROM_LINES + """
        SELECT order_id, customer_id, day, lines, units, net, is_order FROM o""",
    "agg_product_day": _ORDER_DAYS + PRODUCT_DAY_SELECT.format(source="sales s JOIN od o USING (order_id)", day="o.day"),
    "agg_category_day": _ORDER_DAYS + """
        SELECT o.day, p.category_id, sum(s.quantity), sum(s.net_cents)
        FROM sales s JOIN od o USING (order_id) JOIN products p USING (product_id) GROUP BY o.day, p.category_id""",
    "agg_day": """
        -- replaced in mismatches() by a form that counts orders once
        SELECT day FROM sales""",
    "agg_customer": _PARTS_FROM_LINES + """
        SELECT customer_id, sum(is_order), sum(units), sum(net), min(CASE WHEN is_order THEN day END),
               max(CASE WHEN is_order THEN day END)
        FROM o GROUP BY customer_id HAVING sum(is_order) > 0""",
    "agg_cohort_month": _PARTS_FROM_LINES + """,
             f AS (SELECT customer_id, min(day) AS first FROM o WHERE is_order GROUP BY customer_id)
        SELECT substr(f.first, 1, 7), substr(o.day, 1, 7), count(DISTINCT CASE WHEN o.is_order THEN o.customer_id END),
               sum(o.net)
        FROM o JOIN f USING (customer_id) GROUP BY 1, 2 HAVING count(DISTINCT CASE WHEN o.is_order THEN o.customer_id END) > 0
            OR sum(o.net) != 0""",
    "agg_customer_base": _PARTS_FROM_LINES + """,
             c AS (SELECT sum(net) AS net FROM o GROUP BY customer_id HAVING sum(is_order) > 0)
        SELECT 1, count(*), coalesce(sum(max(net, 0)), 0) FROM c""",
}


def mismatches(conn: sqlite3.Connection) -> dict[str, int]:
    """For each kept table, how many rows differ from a recomputation from the lines (0 everywhere = healthy)."""
    out = {}
    for table, query in EXPECTED.items():
        if table == "agg_day":
            # the per-day order counts above are quadratic; compute them once instead
            query = """
                WITH o AS (SELECT order_id, min(day) AS day, count(customer_id) AS named,
                                  max(quantity > 0) AS is_order FROM sales GROUP BY order_id),
                     oc AS (SELECT day, sum(is_order) AS n, sum(is_order AND named = 0) AS g FROM o GROUP BY day)
                SELECT o.day, count(*), sum(s.quantity * p.is_merch), sum(s.net_cents),
                       sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
                       sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END),
                       coalesce(oc.n, 0), coalesce(oc.g, 0)
                FROM sales s JOIN o USING (order_id) JOIN products p USING (product_id)
                LEFT JOIN oc ON oc.day = o.day GROUP BY o.day"""
        diff = conn.execute(
            f"SELECT (SELECT count(*) FROM (SELECT * FROM ({query}) EXCEPT SELECT * FROM {table})) + "
            f"(SELECT count(*) FROM (SELECT * FROM {table} EXCEPT SELECT * FROM ({query})))"
        ).fetchone()[0]
        out[table] = diff
    return out
