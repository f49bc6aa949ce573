"""The kept aggregates: order totals, each customer's part of each order, per
product-day, per category-day, per day, per customer and per cohort-month. They are refreshed for
the keys a write touched, inside the writer's transaction, so a report never has
to scan order lines.

Each line's spend belongs to the customer on that line: an order whose lines
carry several customers (Tableau's Superstore export has them) has one
`order_customers` row per customer, and counts once among each one's orders.

Writers record what they touch in the temp tables `dirty_orders` (order ids)
and `dirty_pd` (day, product) and call `refresh()` before committing; a first load into an empty
store adds up each chunk's sums instead (`start_first_load`, `add_chunk`, `finish_first_load`;
store/chunk_sums.py).
`EXPECTED` recomputes every kept table from the lines and `mismatches()` counts the rows that differ
(exact, and slow: a whole recomputation); `drifted()` is `doctor`'s fast check: the same tables
compared through a few weighted sums, one pass over the lines (see CHECKSUMS).
"""

from __future__ import annotations

import sqlite3

from .schema import AGG_INDEX_NAMES, AGG_INDEXES
from .sql import insert_rows, statements

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


def _clear(conn: sqlite3.Connection) -> None:
    """Empty every kept table and drop their secondary indexes (built once after the inserts: far cheaper
    than kept up per row)."""
    for table in ("order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer",
                  "agg_cohort_month"):
        conn.execute(f"DELETE FROM {table}")
    for name in AGG_INDEX_NAMES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def rebuild_all(conn: sqlite3.Connection) -> None:
    """Recompute every aggregate from all the lines in a few sorted passes (inside a write transaction)."""
    x = conn.execute
    _clear(conn)
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
    _derive_from_orders(conn)
    for table in ("dirty_orders", "dirty_pd", "dirty_days", "dirty_customers"):
        x(f"DELETE FROM {table}")


def _derive_from_orders(conn) -> None:
    """The kept tables derived from order_totals, order_customers and agg_product_day, all of them at once
    (a rebuild, or the end of a first load that summed those three chunk by chunk)."""
    x = conn.execute
    for statement in statements(AGG_INDEXES):   # the per-day order counts below need order_totals_day
        x(statement)
    x("INSERT INTO agg_category_day " + CATEGORY_DAY_SELECT.format(where=""))
    x("INSERT INTO agg_day " + DAY_SELECT.format(where=""))
    x("INSERT INTO agg_customer " + CUSTOMER_SELECT.format(where=""))
    x("INSERT INTO agg_cohort_month " + COHORT_MONTH_SELECT.format(where=""))


# ------------------------------------------------------------------ a first load, chunk by chunk
#
# Into an empty store the loader adds each chunk's sums (store/chunk_sums.py) to order_totals,
# order_customers and agg_product_day as it writes the chunk's lines, instead of recomputing them from
# all the lines at the end (a sort of every line per table: most of a large import's time). An order a
# later chunk meets again has its sums added; its customer count is its parts'. Each chunk counted its
# part of the order on the part's first day: when two parts start on different days, the order's day
# and the product-days its lines count on are wrong, and a temporary trigger records the order as dirty;
# at the end `finish_first_load` recomputes the dirty orders from their lines, as refresh() does after
# any write.

_SPLIT_ORDER_TRIGGER = """
CREATE TEMP TRIGGER IF NOT EXISTS first_load_order_moved AFTER UPDATE OF day ON main.order_totals
WHEN NEW.day <> OLD.day BEGIN
    -- not INSERT OR IGNORE: inside a trigger the upsert's own conflict handling would override the IGNORE
    INSERT INTO dirty_orders SELECT NEW.order_id WHERE NOT EXISTS (SELECT 1 FROM dirty_orders WHERE order_id = NEW.order_id);
END"""
_PART_HEAD = "INSERT INTO order_customers (order_id, customer_id, day, lines, units, net_cents, is_order)"
_PART_TAIL = ("ON CONFLICT (order_id, customer_id) DO UPDATE SET lines = order_customers.lines + excluded.lines, "
              "units = order_customers.units + excluded.units, net_cents = order_customers.net_cents + excluded.net_cents, "
              "is_order = max(order_customers.is_order, excluded.is_order)")
_ORDER_HEAD = ("INSERT INTO order_totals (order_id, day, customers, lines, units, net_cents, gross_cents, returns_cents, "
               "last_day, is_order)")
# day = the new part's first day: the trigger sees whether it moved (a dirty order's day is recomputed);
# the customers are counted from the parts, already added
_ORDER_TAIL = ("ON CONFLICT (order_id) DO UPDATE SET day = excluded.day, "
               "customers = (SELECT count(*) FROM order_customers oc WHERE oc.order_id = excluded.order_id), "
               "lines = order_totals.lines + excluded.lines, units = order_totals.units + excluded.units, "
               "net_cents = order_totals.net_cents + excluded.net_cents, "
               "gross_cents = order_totals.gross_cents + excluded.gross_cents, "
               "returns_cents = order_totals.returns_cents + excluded.returns_cents, "
               "last_day = max(order_totals.last_day, excluded.last_day), "
               "is_order = max(order_totals.is_order, excluded.is_order)")
_PRODUCT_DAY_HEAD = "INSERT INTO agg_product_day (day, product_id, lines, units, net_cents, gross_cents, returns_cents)"
# another chunk's orders of the same day and product: their sums add up
_PRODUCT_DAY_TAIL = ("ON CONFLICT (day, product_id) DO UPDATE SET lines = agg_product_day.lines + excluded.lines, "
                     "units = agg_product_day.units + excluded.units, "
                     "net_cents = agg_product_day.net_cents + excluded.net_cents, "
                     "gross_cents = agg_product_day.gross_cents + excluded.gross_cents, "
                     "returns_cents = agg_product_day.returns_cents + excluded.returns_cents")
# the (day, product) pairs a dirty order's chunks may have counted its lines on: each chunk counted its
# part of the order on that part's first day, one of the order's line days; so every day of its lines
# with every product of its lines (a few pairs: such orders are rare and small)
_SPLIT_ORDER_PAIRS = """
    INSERT OR IGNORE INTO dirty_pd
    SELECT DISTINCT d.day, p.product_id
    FROM (SELECT DISTINCT order_id, day FROM sales WHERE order_id IN (SELECT order_id FROM dirty_orders)) d
    JOIN (SELECT DISTINCT order_id, product_id FROM sales WHERE order_id IN (SELECT order_id FROM dirty_orders)) p
    USING (order_id)"""


def start_first_load(conn: sqlite3.Connection) -> None:
    """Before the first chunk of a load into an empty store (no lines, so no kept rows either)."""
    _clear(conn)
    conn.execute(_SPLIT_ORDER_TRIGGER)


def add_chunk(conn: sqlite3.Connection, sums) -> None:
    """Add one chunk's sums (a `chunk_sums.ChunkSums`) to order_customers, order_totals (which counts its
    customers from the former) and agg_product_day."""
    insert_rows(conn, _PART_HEAD, sums.parts, _PART_TAIL)
    insert_rows(conn, _ORDER_HEAD, sums.orders, _ORDER_TAIL)
    insert_rows(conn, _PRODUCT_DAY_HEAD, sums.product_days, _PRODUCT_DAY_TAIL)


def finish_first_load(conn: sqlite3.Connection, summed: bool = True) -> None:
    """After the last chunk (and the lines' indexes): sum the tables derived from the kept ones, then
    recompute the dirty orders and everything they touched. `summed` False: the chunks' sums are off
    (a product changed its merchandise flag after its lines were summed): recompute everything."""
    x = conn.execute
    x("DROP TRIGGER temp.first_load_order_moved")   # the connection may write again: an ordinary write
    if not summed:
        rebuild_all(conn)
        return
    x(_SPLIT_ORDER_PAIRS)
    _derive_from_orders(conn)
    # every kept row now agrees with the lines but for the dirty keys: refresh recomputes those (or
    # everything, when most orders are dirty)
    refresh(conn)


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


def mismatches(conn: sqlite3.Connection, tables=None) -> dict[str, int]:
    """For each kept table (or those of `tables`), how many rows differ from a recomputation from the lines
    (0 everywhere = healthy)."""
    out = {}
    for table, query in EXPECTED.items():
        if tables is not None and table not in tables:
            continue
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


# ------------------------------------------------------------------ doctor's fast check
#
# Recomputing every kept table from the lines and comparing row by row (mismatches) costs a minute and a
# half at 1M lines. `drifted()` compares each table with the lines, or with the kept table it is derived
# from, through sums: each row's values are folded into one figure (lines x 3 + units x 5 + net +
# gross x 7 + returns x 11) times a weight of the row's key that does not split into a part per key
# column ((day x product) mod 10007, not day + product), and summed. A figure off by a cent, a row lost,
# added or moved to another key changes the sum, unless errors in several rows cancel out exactly (with
# these weights, practically never for damage; `doctor --full` compares row by row). What is not a sum
# (an order's first day, a customer's first and last day, a cohort's active customers) is checked by what
# must hold for it. A table flagged is then counted row by row (mismatches) for the message: only a
# damaged store pays for the slow way. The sums are of integers: exact; an overflow (a store of more
# than ~10^14 in cents) falls back to the exact way.
#
# Speed: the lines are read in one pass without a join (a join per line costs more than the sums), each
# with its own day; the few lines whose order began the day before (an order over midnight counts on
# its first day) and the lines of non-merchandise products (whose units are not units) are corrected
# for separately, through the indexes.

_P = 10007
_JD = "CAST(julianday({}) AS INTEGER)"                                               # a day as a number
_MONTH = "(substr({0}, 1, 4) * 12 + substr({0}, 6, 2))"   # a month as a number (text is read as one)
_GR = "CASE WHEN q > 0 THEN n ELSE 0 END * 7 + CASE WHEN q < 0 THEN -n ELSE 0 END * 11"   # gross, returns


def _line_sums(source: str, units: bool = True) -> str:
    """The lines' sums over `source`, which yields n (net cents), q (quantity), jd (its order's day as a
    number), pid and cid; with `units`, also their units alone (to take out those of non-merchandise)."""
    wd, wpd, woc = f"(jd % {_P} + 1)", f"((jd * pid) % {_P} + 1)", f"((jd * cid) % {_P} + 1)"
    extra = f", sum(q * {wd}) AS day_units, sum(q * {woc}) AS part_units" if units else ""
    return f"""
        SELECT sum((3 + q * 5 + n + {_GR}) * {wd}) AS day_sum, sum((3 + q * 5 + n + {_GR}) * {wpd}) AS pd_sum,
               sum((3 + q * 5 + n) * {woc}) AS part_sum{extra}
        FROM ({source})"""


_LINE = "s.net_cents AS n, s.quantity AS q, s.product_id AS pid, s.customer_id AS cid"
LINES_SUMS = _line_sums(f"SELECT {_LINE}, {_JD.format('s.day')} AS jd FROM sales s", units=False)
# the lines of orders over midnight, as LINES_SUMS counted them (their own day) and as they count (their
# order's day); of all products, and of the products that are not merchandise
_SPANNING = ("FROM order_totals o CROSS JOIN sales s ON s.order_id = o.order_id AND s.day <> o.day "
             "JOIN products p ON p.product_id = s.product_id WHERE o.last_day > o.day AND p.is_merch IN ({})")
SPANNING = {(day, merch): _line_sums(f"SELECT {_LINE}, {_JD.format(day + '.day')} AS jd {_SPANNING.format(merch)}")
            for day in ("s", "o") for merch in ("0, 1", "0")}
ANY_SPANNING = "SELECT EXISTS (SELECT 1 FROM order_totals INDEXED BY order_totals_day WHERE last_day > day)"
# an order over midnight must begin and end on its lines' first and last days (the sums take its day on trust)
SPANNING_DAYS = """
    SELECT count(*) AS wrong FROM order_totals o INDEXED BY order_totals_day
    WHERE o.last_day > o.day AND (o.day IS NOT (SELECT min(day) FROM sales s WHERE s.order_id = o.order_id)
                                  OR o.last_day IS NOT (SELECT max(day) FROM sales s WHERE s.order_id = o.order_id))"""
# the lines of products that are not merchandise (their units are no units), through the index of the lines
# by product: a few products, if many lines (postage)
NON_MERCH = _line_sums(f"""SELECT {_LINE}, {_JD.format('s.day')} AS jd
    FROM products p CROSS JOIN sales s INDEXED BY sales_product_day ON s.product_id = p.product_id
    WHERE p.is_merch = 0""")
ORDER_SUMS = f"""
    SELECT sum((3 * lines + units * 5 + net_cents + gross_cents * 7 + returns_cents * 11) * w) AS day_sum,
           sum((is_order * 3 + (is_order AND customers = 0) * 5) * w) AS orders,
           sum(customers * w) AS customers, sum(lines <= 0) AS empty,
           sum(is_order = 0 AND gross_cents > 0) AS unbought, sum(last_day < day) AS days_reversed
    FROM (SELECT *, {_JD.format('day')} % {_P} + 1 AS w FROM order_totals)"""
DAY_SUMS = f"""
    SELECT sum((3 * lines + units * 5 + net_cents + gross_cents * 7 + returns_cents * 11) * w) AS day_sum,
           sum((orders * 3 + guest_orders * 5) * w) AS orders
    FROM (SELECT *, {_JD.format('day')} % {_P} + 1 AS w FROM agg_day)"""
# the product-days against the lines; the category-days and the days' merchandise units against them
PRODUCT_DAY_SUMS = f"""
    SELECT sum((3 * lines + units * 5 + net_cents + gross_cents * 7 + returns_cents * 11) * ((jd * product_id) % {_P} + 1))
               AS pd_sum,
           sum((units * 5 + net_cents) * ((jd * category_id) % {_P} + 1)) AS cd_sum
    FROM (SELECT a.*, p.category_id, {_JD.format('a.day')} AS jd FROM agg_product_day a NOT INDEXED JOIN products p USING (product_id))"""
CATEGORY_DAY_SUMS = f"""
    SELECT sum((units * 5 + net_cents) * ((jd * category_id) % {_P} + 1)) AS cd_sum
    FROM (SELECT *, {_JD.format('day')} AS jd FROM agg_category_day)"""
# Each customer's part of each order: against the lines (day x customer), the orders' customer counts,
# and the parts as agg_customer (its customers with an order) and the cohort months sum them.
PART_SUMS = f"""
    SELECT sum((3 * l + u * 5 + n) * ((jd * cid) % {_P} + 1)) AS part_sum,
           sum(jd % {_P} + 1) AS customers, sum(l <= 0) AS empty,
           sum((io * 3 + (u * 5 + n) * listed) * ((cid * 7919) % {_P} + 1)) AS customer_sum,
           sum(io AND NOT listed) AS unlisted_buyers, sum(io AND outside) AS outside_first_last,
           sum(n * ((mc * mm) % {_P} + 1)) AS cohort_net
    FROM (SELECT oc.lines AS l, oc.units AS u, oc.net_cents AS n, oc.is_order AS io, oc.customer_id AS cid,
                 {_JD.format('oc.day')} AS jd, k.customer_id IS NOT NULL AS listed,
                 (oc.day < k.first_day OR oc.day > k.last_day) AS outside,
                 {_MONTH.format('k.first_day')} AS mc, {_MONTH.format('oc.day')} AS mm
          FROM order_customers oc NOT INDEXED LEFT JOIN agg_customer k USING (customer_id))"""
CUSTOMER_SUMS = f"""
    SELECT sum((orders * 3 + units * 5 + net_cents) * ((customer_id * 7919) % {_P} + 1)) AS customer_sum,
           sum(orders < 1) AS no_orders,
           sum(NOT EXISTS (SELECT 1 FROM order_customers oc WHERE oc.customer_id = k.customer_id
                           AND oc.day = k.first_day AND oc.is_order)) AS first_unseen,
           sum(NOT EXISTS (SELECT 1 FROM order_customers oc WHERE oc.customer_id = k.customer_id
                           AND oc.day = k.last_day AND oc.is_order)) AS last_unseen,
           count(*) AS customers, coalesce(sum(max(net_cents, 0)), 0) AS base_cents
    FROM agg_customer k"""
# a cohort-month's active customers: its customers' months with an order, each once
COHORT_ACTIVE_SUMS = f"""
    SELECT sum(({_MONTH.format('k.first_day')} * {_MONTH.format('m.month')}) % {_P} + 1) AS cohort_active
    FROM (SELECT customer_id, substr(day, 1, 7) AS month FROM order_customers WHERE is_order GROUP BY 1, 2) m
    JOIN agg_customer k USING (customer_id)"""
COHORT_SUMS = f"""
    SELECT sum(active * w) AS cohort_active, sum(net_cents * w) AS cohort_net
    FROM (SELECT *, ({_MONTH.format('cohort')} * {_MONTH.format('month')}) % {_P} + 1 AS w FROM agg_cohort_month)"""
# the queries of drifted(), in three groups of about equal cost: `doctor` runs them on three connections at
# once (the third after SQLite's quick check)
SUM_QUERIES = ({"lines": LINES_SUMS, "non_merch": NON_MERCH, "days": DAY_SUMS, "categories": CATEGORY_DAY_SUMS,
                "cohorts": COHORT_SUMS, "customers": CUSTOMER_SUMS},
               {"product_days": PRODUCT_DAY_SUMS, "parts": PART_SUMS},
               {"orders": ORDER_SUMS, "cohort_active": COHORT_ACTIVE_SUMS})


def sums(conn: sqlite3.Connection, queries: dict[str, str]) -> dict[str, dict]:
    """Run some of SUM_QUERIES: name -> its figures (a missing sum is 0)."""
    out = {}
    for name, query in queries.items():
        cur = conn.execute(query)
        out[name] = {d[0]: (v or 0) for d, v in zip(cur.description, cur.fetchone())}
    if "lines" in queries:
        # orders over midnight are rare: their lines are looked at only when there are some
        spanning = conn.execute(ANY_SPANNING).fetchone()[0]
        out["spanning_days"] = {"wrong": conn.execute(SPANNING_DAYS).fetchone()[0] if spanning else 0}
        for (day, merch), query in SPANNING.items():
            cur = conn.execute(query) if spanning else None
            out[f"spanning_{day}_{'all' if ',' in merch else 'non_merch'}"] = (
                {d[0]: (v or 0) for d, v in zip(cur.description, cur.fetchone())} if cur
                else dict.fromkeys(("day_sum", "pd_sum", "part_sum", "day_units", "part_units"), 0))
    return out


# which kept tables are derived from which: drifted() checks a derived table against its source, so the
# tables derived from a drifted one may be wrong too (their recomputation from the lines would differ)
DERIVED = {"order_totals": ("agg_day",), "order_customers": ("agg_customer",), "agg_product_day": ("agg_category_day", "agg_day"),
           "agg_customer": ("agg_cohort_month", "agg_customer_base")}


def with_derived(tables: set[str]) -> set[str]:
    """The tables and every table derived from them."""
    out, todo = set(), list(tables)
    while todo:
        table = todo.pop()
        if table not in out:
            out.add(table)
            todo.extend(DERIVED.get(table, ()))
    return out


def drifted(conn: sqlite3.Connection, figures: dict[str, dict] | None = None) -> set[str]:
    """The kept tables that disagree with the lines (or with the kept table they are derived from),
    by the sums above (`figures`: sums() of every SUM_QUERIES group, if already run). Empty for a
    healthy store."""
    try:
        f = figures or {k: v for group in SUM_QUERIES for k, v in sums(conn, group).items()}
        base = conn.execute("SELECT customers, base_cents FROM agg_customer_base").fetchall()
    except sqlite3.OperationalError as exc:
        if "overflow" not in str(exc):
            raise
        return {table for table, n in mismatches(conn).items() if n}   # sums too large: the exact way
    # the lines on their orders' days (an order over midnight counts on its first day), and their
    # merchandise units
    lines = {k: f["lines"][k] + f["spanning_o_all"][k] - f["spanning_s_all"][k] for k in f["lines"]}
    non_merch = {k: f["non_merch"][k] + f["spanning_o_non_merch"][k] - f["spanning_s_non_merch"][k]
                 for k in f["non_merch"]}
    # the orders, days and parts count merchandise units only (x 5 in their sums)
    day_sum = lines["day_sum"] - 5 * non_merch["day_units"]
    part_sum = lines["part_sum"] - 5 * non_merch["part_units"]
    o, d, parts, c = f["orders"], f["days"], f["parts"], f["customers"]
    out = set()
    if (o["empty"] or o["unbought"] or o["days_reversed"] or f["spanning_days"]["wrong"] or o["day_sum"] != day_sum
            or o["customers"] != parts["customers"]):
        out.add("order_totals")
    if parts["empty"] or parts["part_sum"] != part_sum:
        out.add("order_customers")
    if f["product_days"]["pd_sum"] != lines["pd_sum"]:
        out.add("agg_product_day")
    if f["categories"]["cd_sum"] != f["product_days"]["cd_sum"]:
        out.add("agg_category_day")
    if d["day_sum"] != day_sum or d["orders"] != o["orders"]:
        out.add("agg_day")
    if (c["no_orders"] or c["first_unseen"] or c["last_unseen"] or parts["unlisted_buyers"]
            or parts["outside_first_last"] or c["customer_sum"] != parts["customer_sum"]):
        out.add("agg_customer")
    if (f["cohorts"]["cohort_net"] != parts["cohort_net"]
            or f["cohorts"]["cohort_active"] != f["cohort_active"]["cohort_active"]):
        out.add("agg_cohort_month")
    if base != [(c["customers"], c["base_cents"])]:
        out.add("agg_customer_base")
    return out
