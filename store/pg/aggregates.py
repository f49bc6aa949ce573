"""The kept aggregates on PostgreSQL (store/aggregates.py explains each table and its rules).

The same upkeep as SQLite's: a writer marks what it touches in the session's temporary tables
`dirty_orders` (order ids) and `dirty_pd` (order day, product) before the lines change, and `refresh()`
brings every kept table up to date for those keys inside the writer's transaction; a load that touched
most orders recomputes everything (`rebuild_all`). The queries are SQLite's written for PostgreSQL:
flags as `CASE ... THEN 1 ELSE 0 END` (booleans are not integers here), `CASE WHEN is_order = 1`,
`ON CONFLICT DO NOTHING` for SQLite's `INSERT OR IGNORE`, plain joins where SQLite allows `CROSS JOIN ...
ON`, and the per-day order counts grouped once instead of a correlated count per day.
agg_customer_base follows agg_customer by its statement triggers (store/pg/schema.py).
"""

from __future__ import annotations

_T = 'text COLLATE "C"'
TEMP_TABLES = (
    f"CREATE TEMP TABLE IF NOT EXISTS dirty_orders (order_id {_T} PRIMARY KEY) ON COMMIT DELETE ROWS",
    f"CREATE TEMP TABLE IF NOT EXISTS dirty_pd (day {_T}, product_id bigint, PRIMARY KEY (day, product_id)) "
    "ON COMMIT DELETE ROWS",
    f"CREATE TEMP TABLE IF NOT EXISTS dirty_days (day {_T} PRIMARY KEY) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS dirty_customers (customer_id bigint PRIMARY KEY) ON COMMIT DELETE ROWS",
)
_DIRTY = ("dirty_orders", "dirty_pd", "dirty_days", "dirty_customers")

# a write that touched more orders than this, and a third of the store's, recomputes every kept table
BULK_ORDERS = 20_000

_BOUGHT = "CASE WHEN s.quantity > 0 THEN 1 ELSE 0 END"
ORDER_TOTALS_SELECT = f"""
    SELECT s.order_id, min(s.day), count(DISTINCT s.customer_id), count(*), sum(s.quantity * p.is_merch),
           sum(s.net_cents), sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END), max(s.day), max({_BOUGHT})
    FROM sales s JOIN products p USING (product_id) {{where}} GROUP BY s.order_id"""
ORDER_CUSTOMERS_SELECT = f"""
    SELECT g.order_id, g.customer_id, o.day, g.lines, g.units, g.net_cents, g.is_order
    FROM (SELECT s.order_id, s.customer_id, count(*) AS lines, sum(s.quantity * p.is_merch) AS units,
                 sum(s.net_cents) AS net_cents, max({_BOUGHT}) AS is_order
          FROM sales s JOIN products p USING (product_id) WHERE s.customer_id IS NOT NULL {{where}}
          GROUP BY s.order_id, s.customer_id) g
    JOIN order_totals o USING (order_id)"""
# per product and the day of its order (one day rule: an order over midnight counts on its first day)
PRODUCT_DAY_SELECT = """
    SELECT o.day, s.product_id, count(*), sum(s.quantity), sum(s.net_cents),
           sum(CASE WHEN s.quantity > 0 THEN s.net_cents ELSE 0 END),
           sum(CASE WHEN s.quantity < 0 THEN -s.net_cents ELSE 0 END)
    FROM {source} GROUP BY o.day, s.product_id"""
# the lines of the dirty (order day, product) pairs: read from the day up to the latest last day of that
# day's orders, kept when their order is of that day (as store/aggregates.py's DIRTY_PAIR_LINES)
DIRTY_PAIR_LINES = """
    (SELECT o.day, max(o.last_day) AS until FROM order_totals o
     WHERE o.day IN (SELECT day FROM dirty_pd) GROUP BY o.day) span
    JOIN dirty_pd d ON d.day = span.day
    JOIN sales s ON s.product_id = d.product_id AND s.day BETWEEN d.day AND span.until
    JOIN order_totals o ON o.order_id = s.order_id AND o.day = d.day"""
CATEGORY_DAY_SELECT = """
    SELECT a.day, p.category_id, sum(a.units), sum(a.net_cents)
    FROM agg_product_day a JOIN products p USING (product_id) {where} GROUP BY a.day, p.category_id"""
DAY_SELECT = """
    SELECT a.day, sum(a.lines), sum(a.units * p.is_merch), sum(a.net_cents), sum(a.gross_cents),
           sum(a.returns_cents), coalesce(min(oc.n), 0), coalesce(min(oc.g), 0)
    FROM agg_product_day a JOIN products p USING (product_id)
    LEFT JOIN (SELECT day, count(*) FILTER (WHERE is_order = 1) AS n,
                      count(*) FILTER (WHERE is_order = 1 AND customers = 0) AS g
               FROM order_totals {where} GROUP BY day) oc ON oc.day = a.day
    {where_a} GROUP BY a.day"""
CUSTOMER_SELECT = """
    SELECT customer_id, sum(is_order), sum(units), sum(net_cents), min(CASE WHEN is_order = 1 THEN day END),
           max(CASE WHEN is_order = 1 THEN day END)
    FROM order_customers {where} GROUP BY customer_id HAVING sum(is_order) > 0"""
COHORT_MONTH_SELECT = """
    SELECT substr(a.first_day, 1, 7) AS cohort, m.month, sum(m.bought) AS active, sum(m.net_cents) AS net_cents
    FROM (SELECT customer_id, substr(day, 1, 7) AS month, max(is_order) AS bought, sum(net_cents) AS net_cents
          FROM order_customers {where} GROUP BY customer_id, month) m
    JOIN agg_customer a USING (customer_id) GROUP BY 1, m.month
    HAVING sum(m.bought) > 0 OR sum(m.net_cents) != 0"""

_IN_ORDERS = "s.order_id IN (SELECT order_id FROM dirty_orders)"
_IN_DAYS = "day IN (SELECT day FROM dirty_days)"
_IN_CUSTOMERS = "WHERE customer_id IN (SELECT customer_id FROM dirty_customers)"

# the product-days from every line: each line on its order's day; only an order over midnight has lines off
# its day, so without one the lines' own days give the same rows without looking up each line's order
# (as store/aggregates.py's rebuild does)
# Each recomputed table is written in the order of its primary key: its B-tree then grows at its right
# edge instead of taking rows all over it in a hash's order (at a million lines, ~25% of the time).
_PRODUCT_DAYS = ("INSERT INTO agg_product_day "
                 + PRODUCT_DAY_SELECT.format(source="sales s JOIN order_totals o USING (order_id)") + " ORDER BY 1, 2")
_PRODUCT_DAYS_OWN = ("INSERT INTO agg_product_day "
                     + PRODUCT_DAY_SELECT.format(source="sales s").replace("o.day", "s.day") + " ORDER BY 1, 2")
_OVER_MIDNIGHT = "SELECT EXISTS (SELECT 1 FROM order_totals WHERE last_day > day)"
# memory for the hashes and sorts of a recomputation (PostgreSQL's default, 4 MB, spills them to disk at
# a million lines); SET LOCAL: for the rest of the writer's transaction only
_WORK_MEM = "SET LOCAL work_mem = '64MB'"

REBUILD = (
    *(f"DELETE FROM {t}" for t in ("order_totals", "order_customers", "agg_cohort_month", "agg_customer",
                                   "agg_category_day", "agg_day", "agg_product_day")),
    "INSERT INTO order_totals " + ORDER_TOTALS_SELECT.format(where="") + " ORDER BY 1",
    "INSERT INTO order_customers " + ORDER_CUSTOMERS_SELECT.format(where="") + " ORDER BY 1, 2",
    _PRODUCT_DAYS,
    "INSERT INTO agg_category_day " + CATEGORY_DAY_SELECT.format(where=""),
    "INSERT INTO agg_day " + DAY_SELECT.format(where="", where_a=""),
    "INSERT INTO agg_customer " + CUSTOMER_SELECT.format(where=""),
    "INSERT INTO agg_cohort_month " + COHORT_MONTH_SELECT.format(where=""),
    *(f"DELETE FROM {t}" for t in _DIRTY),
)

REFRESH = (
    # the dirty orders' old days and customers are dirty too (an order can move, its lines change hands) ...
    "INSERT INTO dirty_days SELECT o.day FROM order_totals o JOIN dirty_orders USING (order_id) ON CONFLICT DO NOTHING",
    "INSERT INTO dirty_customers SELECT oc.customer_id FROM order_customers oc JOIN dirty_orders USING (order_id) "
    "ON CONFLICT DO NOTHING",
    # ... and the customers on their lines now; their old part of the cohort months is taken out while
    # order_customers and agg_customer still describe it, and put back at the end
    "INSERT INTO dirty_customers SELECT DISTINCT customer_id FROM sales s WHERE " + _IN_ORDERS
    + " AND customer_id IS NOT NULL ON CONFLICT DO NOTHING",
    "UPDATE agg_cohort_month AS t SET active = t.active - d.active, net_cents = t.net_cents - d.net_cents "
    f"FROM ({COHORT_MONTH_SELECT.format(where=_IN_CUSTOMERS)}) AS d WHERE t.cohort = d.cohort AND t.month = d.month",
    "DELETE FROM agg_cohort_month WHERE active = 0 AND net_cents = 0",
    "DELETE FROM order_totals WHERE order_id IN (SELECT order_id FROM dirty_orders)",
    "DELETE FROM order_customers WHERE order_id IN (SELECT order_id FROM dirty_orders)",
    "INSERT INTO order_totals " + ORDER_TOTALS_SELECT.format(where="WHERE " + _IN_ORDERS),
    "INSERT INTO order_customers " + ORDER_CUSTOMERS_SELECT.format(where="AND " + _IN_ORDERS),
    "INSERT INTO dirty_days SELECT o.day FROM order_totals o JOIN dirty_orders USING (order_id) ON CONFLICT DO NOTHING",
    "INSERT INTO dirty_customers SELECT oc.customer_id FROM order_customers oc JOIN dirty_orders USING (order_id) "
    "ON CONFLICT DO NOTHING",
    # the (order day, product) pairs of the dirty orders' current lines (their earlier lines' pairs were
    # marked before the lines changed, while order_totals still held their day)
    "INSERT INTO dirty_pd SELECT DISTINCT o.day, s.product_id FROM dirty_orders d "
    "JOIN order_totals o USING (order_id) JOIN sales s ON s.order_id = d.order_id ON CONFLICT DO NOTHING",
    "DELETE FROM agg_product_day WHERE (day, product_id) IN (SELECT day, product_id FROM dirty_pd)",
    "INSERT INTO agg_product_day " + PRODUCT_DAY_SELECT.format(source=DIRTY_PAIR_LINES),
    "INSERT INTO dirty_days SELECT DISTINCT day FROM dirty_pd ON CONFLICT DO NOTHING",
    "DELETE FROM agg_category_day WHERE " + _IN_DAYS,
    "INSERT INTO agg_category_day " + CATEGORY_DAY_SELECT.format(where="WHERE a." + _IN_DAYS),
    "DELETE FROM agg_day WHERE " + _IN_DAYS,
    "INSERT INTO agg_day " + DAY_SELECT.format(where="WHERE " + _IN_DAYS, where_a="WHERE a." + _IN_DAYS),
    "DELETE FROM agg_customer " + _IN_CUSTOMERS,
    "INSERT INTO agg_customer " + CUSTOMER_SELECT.format(where=_IN_CUSTOMERS),
    f"INSERT INTO agg_cohort_month {COHORT_MONTH_SELECT.format(where=_IN_CUSTOMERS)} "
    "ON CONFLICT (cohort, month) DO UPDATE SET active = agg_cohort_month.active + excluded.active, "
    "net_cents = agg_cohort_month.net_cents + excluded.net_cents",
    *(f"DELETE FROM {t}" for t in _DIRTY),
)


def ensure_temp_tables(raw) -> None:
    for statement in TEMP_TABLES:
        raw.execute(statement)


def mark_orders(raw, order_ids: list[str]) -> None:
    """Before the lines of these orders change: the orders, and the (order day, product) pairs of their
    lines as the store still holds them, are dirty."""
    raw.execute("INSERT INTO dirty_orders SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING", (order_ids,))
    raw.execute("INSERT INTO dirty_pd SELECT DISTINCT o.day, s.product_id FROM sales s "
                "JOIN order_totals o USING (order_id) WHERE s.order_id = ANY(%s) ON CONFLICT DO NOTHING", (order_ids,))


def refresh(raw) -> None:
    """Every kept table up to date for the dirty keys (inside the write transaction); a write that touched
    most orders recomputes everything instead, as store/aggregates.py does."""
    dirty = raw.execute("SELECT count(*) FROM dirty_orders").fetchone()[0]
    known = raw.execute("SELECT count(*) FROM order_totals").fetchone()[0]
    if dirty > BULK_ORDERS and dirty * 3 > known:
        rebuild_all(raw)
        return
    raw.execute(_WORK_MEM)
    for statement in REFRESH:
        raw.execute(statement)


def _recompute(raw) -> None:
    raw.execute(_WORK_MEM)
    for statement in REBUILD:
        if statement is _PRODUCT_DAYS and not raw.execute(_OVER_MIDNIGHT).fetchone()[0]:
            statement = _PRODUCT_DAYS_OWN
        raw.execute(statement)


def rebuild_all(raw) -> None:
    """Recompute every kept table from all the lines (raw: a psycopg connection inside the write transaction)."""
    _recompute(raw)
    raw.execute("ANALYZE order_totals, order_customers, agg_product_day, agg_day, agg_customer")


KEPT = ("order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer",
        "agg_cohort_month", "agg_customer_base")


def mismatches(raw) -> dict[str, int]:
    """For each kept table, how many rows differ from a recomputation from the lines (0 everywhere = healthy):
    the tables are recomputed in a transaction that is always rolled back, and compared row for row."""
    with raw.transaction(force_rollback=True):
        ensure_temp_tables(raw)
        for table in KEPT:
            raw.execute(f"CREATE TEMP TABLE kept_{table} ON COMMIT DROP AS SELECT * FROM {table}")
        _recompute(raw)
        return {table: raw.execute(
            f"SELECT (SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL SELECT * FROM kept_{table}) a) + "
            f"(SELECT count(*) FROM (SELECT * FROM kept_{table} EXCEPT ALL SELECT * FROM {table}) b)").fetchone()[0]
            for table in KEPT}
