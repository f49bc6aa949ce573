"""Every figure holds at the edges (issue 18): as-of before the first sale, ties, 29 February, orders
that span midnight, half cents, names, date-only stock counts, cancellation invoices, and the smaller
rules. Each test writes a real CSV, imports it into a real store and checks figures computed by hand
(the comments show the arithmetic)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shopintel.reports import REPORTS
from shopintel.reports.params import Params, resolve
from shopintel.store.schema import SCHEMA_VERSION
from shopintel.store.ingest import IngestOptions, ingest_file

HEADER = "order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price\n"


def _store(store, write_csv, body: str, header: str = HEADER, name: str = "orders.csv", **opts):
    path = write_csv(header + body, name)
    conn = store.connect()
    try:
        ingest_file(conn, str(path), IngestOptions(**opts))
    finally:
        conn.close()
    return store.read_only()


def _json(cli, store, *args):
    r = cli("report", *args, *store.db, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# ------------------------------------------------------------ 1. --as-of before the first sale

FIRST_SALE = """O1,2019-01-03 10:00,C1,Ann,MUG,Mug,Kitchen,1,16.45
O2,2019-01-05 10:00,C2,Bob,TENT,Tent,Outdoor,1,100.00
"""


def test_as_of_before_the_first_sale_is_empty_in_every_report(store, write_csv, cli):
    conn = _store(store, write_csv, FIRST_SALE)
    period = resolve(conn, Params(as_of=date(2018, 12, 1)))
    # nothing has happened by 2018-12-01: the period ends there, and says why it is empty
    assert (period.first, period.last, period.as_of) == (date(2018, 12, 1),) * 3
    assert "first sale is on 2019-01-03" in period.describe()
    for name, report in REPORTS.items():
        result = report.run(conn, Params(as_of=date(2018, 12, 1)))
        if name == "summary":
            assert (result.revenue, result.orders, result.customers, result.first_date) == (0, 0, 0, None)
        else:
            assert len(result) == 0, (name, result.rows)
    conn.close()
    s = _json(cli, store, "summary", "--as-of", "2018-12-01")
    assert (s["revenue"], s["orders"]) == (0, 0)
    r = cli("report", "whales", *store.db, "--as-of", "2018-12-01")
    assert r.returncode == 0 and "nothing sold yet (the first sale is on 2019-01-03)" in r.stdout
    # --until before the first sale (no --since) is the same empty answer, not "--since after --until"
    r = cli("report", "summary", *store.db, "--until", "2018-12-31")
    assert r.returncode == 0, r.stderr
    assert "nothing sold yet" in r.stdout


# ------------------------------------------------------------ 3. --compare year from 29 February

LEAP = """A,2019-02-28 10:00,C1,Ann,MUG,Mug,Kitchen,1,10.00
B,2019-03-31 10:00,C1,Ann,MUG,Mug,Kitchen,1,20.00
C,2019-04-01 10:00,C1,Ann,MUG,Mug,Kitchen,1,40.00
D,2020-03-10 10:00,C1,Ann,MUG,Mug,Kitchen,1,50.00
"""


def test_compare_year_from_29_february_moves_only_that_end(store, write_csv, cli):
    _store(store, write_csv, LEAP).close()
    rows = _json(cli, store, "categories", "--since", "2020-02-29", "--until", "2020-03-31", "--compare", "year")
    # previous span 2019-02-28 .. 2019-03-31: A + B = 30.00 (not 2019-03-01 .. 2019-04-01: B + C = 60.00)
    assert [(r["category"], r["revenue"], r["previous_revenue"]) for r in rows] == [("Kitchen", 50.0, 30.0)]
    rows = _json(cli, store, "categories", "--since", "2019-03-31", "--until", "2020-02-29", "--compare", "year")
    # an end on 29 February: 2019-02-28; the start keeps its date: 2018-03-31 .. 2019-02-28 holds A only
    assert rows[0]["previous_revenue"] == 10.0


# ------------------------------------------------------------ 5. half cents

HALVES = """A,2024-03-01 10:00,C1,Ann,MUG,Mug,Kitchen,1,100.01
B,2024-03-01 11:00,C2,Bob,MUG,Mug,Kitchen,1,100.00
"""


def test_half_cents_round_away_from_zero_in_tables_and_json(store, write_csv, cli):
    _store(store, write_csv, HALVES).close()
    # both customers in one segment: median spend (10001 + 10000) / 2 = 10000.5 cents -> 100.01
    rows = _json(cli, store, "segments")
    assert [(r["customers"], r["median_spend"]) for r in rows] == [(2, 100.01)]
    r = cli("report", "segments", *store.db)
    assert "100.01" in r.stdout and "100.00 " not in r.stdout
    # aov = 20001 cents / 2 orders = 100.005 -> 100.01 in the table too (a binary float shows 100.00)
    r = cli("report", "summary", *store.db)
    assert r.returncode == 0
    assert [line.split("│")[2].strip() for line in r.stdout.splitlines() if "│ aov " in line] == ["100.01"]


def test_the_table_rounds_negative_halves_away_from_zero():
    from shopintel.tui.format import format_value

    assert format_value("revenue", 2.675) == "2.68"
    assert format_value("revenue", -2.675) == "-2.68"


# ------------------------------------------------------------ 9. the smaller rules

def test_categories_for_a_period_without_sales_is_empty(store, write_csv, cli):
    _store(store, write_csv, LEAP).close()
    # 2019-05-01 .. 2019-05-31 sold nothing; the previous span (April) sold C: still an empty answer
    assert _json(cli, store, "categories", "--since", "2019-05-01", "--until", "2019-05-31") == []


NEGATIVE = """A,2024-03-01 10:00,C1,Ann,MUG,Mug,Kitchen,10,10.00
B,2024-03-01 10:00,C2,Bob,MUG,Mug,Kitchen,5,10.00
C,2024-03-02 10:00,C3,Cy,MUG,Mug,Kitchen,-3,10.00
C,2024-03-02 10:00,C3,Cy,TENT,Tent,Outdoor,1,10.00
"""


def test_segment_share_uses_the_non_negative_customer_base(store, write_csv):
    conn = _store(store, write_csv, NEGATIVE)
    # spends: Ann 100, Bob 50, Cy 10 - 30 = -20, one order each; as of 03-02 recency Ann 1, Bob 1, Cy 0:
    # R = 4, 4, 5; F = 1 for all; so Ann and Bob are Promising (150.00) and Cy is New Customers (-20.00).
    # The base is the non-negative spends, 150 (as whales and summary), not 150 - 20 = 130.
    rows = REPORTS["segments"].run(conn, Params()).records()
    assert [(r["segment"], r["revenue"], r["share"]) for r in rows] == [
        ("Promising", 150.0, 1.0), ("New Customers", -20.0, 0.0)]
    whales = REPORTS["whales"].run(conn, Params()).records()
    assert [w["share"] for w in whales] == [pytest.approx(100 / 150), pytest.approx(50 / 150)]
    conn.close()


# ------------------------------------------------------------ 2. ties go to the customer who appeared first

# B appears first in the file, A's only line comes between B's two: both spend 20.00. C spends 20.00 too
# and stands last in the file, but ordered first (15 February). The guest's April line makes March a bounded
# period, ranked from the customer parts of orders rather than the all-history totals.
TIES = """O1,2024-03-01 10:00,B,Bea,MUG,Mug,Kitchen,1,10.00
O2,2024-03-01 11:00,A,Al,MUG,Mug,Kitchen,2,10.00
O3,2024-03-02 10:00,B,Bea,MUG,Mug,Kitchen,1,10.00
O4,2024-02-15 10:00,C,Cy,TENT,Tent,Outdoor,1,20.00
G1,2024-04-10 10:00,,,MUG,Mug,Kitchen,1,10.00
"""


def test_ties_in_spend_go_to_the_customer_who_appeared_first(store, write_csv, cli):
    _store(store, write_csv, TIES).close()
    for period in ((), ("--since", "2024-02-01", "--until", "2024-03-31")):
        rows = _json(cli, store, "whales", *period)
        # C ordered first (02-15); B and A both first ordered on 03-01, and B's line comes first in the file
        assert [(w["customer_id"], w["spend"]) for w in rows] == [("C", 20.0), ("B", 20.0), ("A", 20.0)]
    # the store numbers customers in the order of their first line
    from tests.store.helpers import q
    assert q(store, "SELECT customer_key FROM customers ORDER BY customer_id") == [("B",), ("A",), ("C",)]


def test_a_store_numbered_the_old_way_is_renumbered_on_upgrade(db_path, write_csv, tmp_path, cli):
    import sqlite3

    from tests.conftest import check_store
    from tests.store.helpers import q
    from tests.store.old_stores import write_old_store
    from tests.stores import Store

    # plus a guest order over midnight and a guest's return-only order, which schema 3 dated by line and
    # counted as an order
    _store(Store("sqlite", db_path), write_csv, TIES + "X1,2024-03-20 23:55,,,MUG,Mug,Kitchen,1,1.00\n"
                                      "X1,2024-03-21 00:05,,,TENT,Tent,Outdoor,1,2.00\n"
                                      "R9,2024-03-22 10:00,,,MUG,Mug,Kitchen,-1,1.00\n").close()
    old = tmp_path / "v3.db"
    write_old_store(db_path, old, 3)
    # schema 3 numbered customers by each one's last line in a chunk: A (line 2), B (line 3), C (line 4)
    conn = sqlite3.connect(old, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in ("customers", "sales", "order_customers", "agg_customer"):
        conn.execute(f"UPDATE {table} SET customer_id = -(CASE customer_id WHEN 1 THEN 2 WHEN 2 THEN 1 ELSE 3 END) "
                     "WHERE customer_id IS NOT NULL")
        conn.execute(f"UPDATE {table} SET customer_id = -customer_id WHERE customer_id < 0")
    conn.execute("COMMIT")
    conn.close()
    assert q(old, "SELECT customer_key FROM customers ORDER BY customer_id") == [("A",), ("B",), ("C",)]
    r = cli("doctor", "--db", str(old))   # a writer migrates it first
    assert q(old, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert q(old, "SELECT customer_key FROM customers ORDER BY customer_id") == [("B",), ("A",), ("C",)]
    check_store(old)
    assert r.returncode == 0, r.stdout + r.stderr
    assert q(old, "SELECT day, net_cents, orders FROM agg_day WHERE day >= '2024-03-20' AND day < '2024-04-01'") == [
        ("2024-03-20", 300, 1), ("2024-03-22", -100, 0)]
    rows = _json(cli, Store("sqlite", old), "whales", "--since", "2024-02-01", "--until", "2024-03-31")
    assert [w["customer_id"] for w in rows] == ["C", "B", "A"]
    # and a customer's line still carries that customer: Al's 2 mugs
    assert q(old, "SELECT c.customer_key, s.quantity FROM sales s JOIN customers c USING (customer_id) "
                  "WHERE s.order_id = 'O2'") == [("A", 2)]


# ------------------------------------------------------------ 4. orders that span midnight

MIDNIGHT = """M1,2025-01-10 23:50,C1,Ann,MUG,Mug,Kitchen,1,10.00
M1,2025-01-11 00:10,C1,Ann,TENT,Tent,Outdoor,1,20.00
N1,2025-01-11 12:00,C2,Bob,MUG,Mug,Kitchen,1,5.00
"""


def _day_rule_holds(cli, store, lines: list[tuple[str, str, int]]) -> None:
    """Per day, revenue and orders agree with the orders whose first line falls on that day."""
    first: dict[str, str] = {}
    for order, day, _ in sorted(lines, key=lambda x: x[1]):
        first.setdefault(order, day)
    expected: dict[str, list[int]] = {}
    for order, _, cents in lines:
        expected.setdefault(first[order], [0, set()])
        expected[first[order]][0] += cents
        expected[first[order]][1].add(order)
    for d in _json(cli, store, "revenue"):
        cents, orders = expected.get(d["period"], [0, set()])
        assert (round(d["revenue"] * 100), d["orders"]) == (cents, len(orders)), d
        s = _json(cli, store, "summary", "--since", d["period"], "--until", d["period"])
        assert (round(s["revenue"] * 100), s["orders"]) == (cents, len(orders)), s


def test_an_order_spanning_midnight_belongs_whole_to_its_first_day(store, write_csv, cli):
    _store(store, write_csv, MIDNIGHT).close()
    # 01-10: M1 whole (10.00 + 20.00), one order; 01-11: N1 alone (5.00). Before: 01-11 had 25.00 for 1 order
    day11 = _json(cli, store, "summary", "--since", "2025-01-11", "--until", "2025-01-11")
    assert (day11["revenue"], day11["orders"], day11["aov"], day11["units"]) == (5.0, 1, 5.0, 1)
    day10 = _json(cli, store, "summary", "--since", "2025-01-10", "--until", "2025-01-10")
    assert (day10["revenue"], day10["orders"], day10["aov"], day10["units"]) == (30.0, 1, 30.0, 2)
    cats = _json(cli, store, "categories", "--since", "2025-01-10", "--until", "2025-01-10")
    assert [(c["category"], c["revenue"]) for c in cats] == [("Outdoor", 20.0), ("Kitchen", 10.0)]
    _day_rule_holds(cli, store, [("M1", "2025-01-10", 1000), ("M1", "2025-01-11", 2000),
                                   ("N1", "2025-01-11", 500)])


def test_the_day_rule_holds_when_later_imports_add_and_move_orders(store, write_csv, cli):
    _store(store, write_csv, MIDNIGHT).close()
    # into a store that has sales (kept totals refreshed per order, not rebuilt): a new order over midnight,
    # and M1 again with only its 00:10 line, so M1 moves to 01-11
    path = write_csv(HEADER + "P1,2025-01-11 23:59,C2,Bob,CUP,Cup,Kitchen,2,3.00\n"
                              "P1,2025-01-12 00:01,C2,Bob,MUG,Mug,Kitchen,1,10.00\n"
                              "M1,2025-01-11 00:10,C1,Ann,TENT,Tent,Outdoor,1,20.00\n", "more.csv")
    r = cli("ingest", str(path), *store.db)
    assert r.returncode == 0, r.stderr
    _day_rule_holds(cli, store, [("M1", "2025-01-11", 2000), ("N1", "2025-01-11", 500),
                                   ("P1", "2025-01-11", 600), ("P1", "2025-01-12", 1000)])
    conn = store.read_only()
    # the product's days follow the order's day too: MUG sold on 01-11 (N1 and P1's 00:01 line), none on 01-10
    assert conn.execute("SELECT a.day, a.units FROM agg_product_day a JOIN products p USING (product_id) "
                        "WHERE p.sku = 'MUG' ORDER BY a.day").fetchall() == [("2025-01-11", 2)]
    conn.close()


# ------------------------------------------------------------ 6. names

# SKU1's rows out of date order: the latest dated name is "New name" (03-03), the last row (03-05) is blank.
NAMES = """P3,2024-03-03 10:00,C1,Ann B,SKU1,New name,Home,1,1.00
P1,2024-03-01 10:00,C1,Ann,SKU1,Old name,Kitchen,1,1.00
P2,2024-03-05 10:00,C1,,SKU1,,,1,1.00
P4,2024-03-04 10:00,C2,,SKU2,,,1,1.00
"""


def test_the_latest_non_empty_name_by_order_date_wins(store, write_csv, cli):
    from tests.store.helpers import q

    _store(store, write_csv, NAMES).close()
    products = "SELECT p.sku, p.name, c.name FROM products p JOIN categories c USING (category_id) ORDER BY p.sku"
    assert q(store, products) == [("SKU1", "New name", "Home"), ("SKU2", "SKU2", "Uncategorized")]
    assert q(store, "SELECT customer_key, name FROM customers ORDER BY customer_key") == [("C1", "Ann B"),
                                                                                           ("C2", "")]
    assert [(c["category"], c["revenue"]) for c in _json(cli, store, "categories")] == [
        ("Home", 3.0), ("Uncategorized", 1.0)]
    # an older export does not rename what a newer order named; a newer one does
    older = write_csv(HEADER + "Q1,2024-02-01 10:00,C1,Annie,SKU1,Ancient,Attic,1,1.00\n"
                               "Q2,2024-02-01 10:00,C2,Cleo,SKU2,Cup,Kitchen,1,1.00\n", "older.csv")
    assert cli("ingest", str(older), *store.db).returncode == 0
    assert q(store, products) == [("SKU1", "New name", "Home"), ("SKU2", "Cup", "Kitchen")]
    assert q(store, "SELECT name FROM customers ORDER BY customer_key") == [("Ann B",), ("Cleo",)]
    newer = write_csv(HEADER + "Q3,2024-04-01 10:00,C1,Ann Brown,SKU1,Newest,,1,1.00\n", "newer.csv")
    assert cli("ingest", str(newer), *store.db).returncode == 0
    assert q(store, products)[0] == ("SKU1", "Newest", "Home")     # no category on that row: Home stays
    assert q(store, "SELECT name FROM customers WHERE customer_key = 'C1'") == [("Ann Brown",)]


# ------------------------------------------------------------ 7. date-only stock counts

STOCKED = """S1,2025-04-10 10:00,C1,Ann,MUG,Mug,Kitchen,3,5.00
S2,2025-04-10,C2,Bob,MUG,Mug,Kitchen,1,5.00
S3,2025-04-11 09:00,C1,Ann,MUG,Mug,Kitchen,4,5.00
"""


def test_a_date_only_count_is_taken_at_the_end_of_its_day(store, write_csv, cli):
    _store(store, write_csv, STOCKED).close()
    stock = write_csv("sku,on_hand,counted_at\nMUG,6,2025-04-10\n", "stock.csv")
    r = cli("stock", "import", str(stock), *store.db)
    assert r.returncode == 0, r.stderr
    # counted at the end of 04-10: that day's 3 + 1 mugs were sold before it; 04-11's 4 after: 6 - 4 = 2
    rows = _json(cli, store, "reorder", "--all")
    assert [(x["sku"], x["on_hand"]) for x in rows] == [("MUG", 2)]
    assert _json(cli, store, "reorder", "--all", "--as-of", "2025-04-10")[0]["on_hand"] == 6
    # a count taken after the as-of date is not used for it: on 04-09 nothing is known of the stock
    assert _json(cli, store, "reorder", "--all", "--as-of", "2025-04-09") == []
    # with a time, the count is taken then: the 10:00 sale (3) and 04-11's 4 come after 08:00; the date-only
    # line (S2, read as 00:00) before it
    stock = write_csv("sku,on_hand,counted_at\nMUG,6,2025-04-10 08:00\n", "stock2.csv")
    assert cli("stock", "import", str(stock), *store.db).returncode == 0
    assert _json(cli, store, "reorder", "--all")[0]["on_hand"] == 6 - 3 - 4


# ------------------------------------------------------------ 8. cancellation invoices

UCI = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom
536366,22633,HAND WARMER,6,2010-12-01 08:28,1.85,17850,United Kingdom
C536379,85123A,WHITE HANGING HEART,-2,2010-12-01 09:41,2.55,17850,United Kingdom
536370,22728,ALARM CLOCK,24,2010-12-01 08:45,3.75,12583,France
C536383,35004C,FLYING DUCKS,-1,2010-12-01 09:49,4.65,15311,United Kingdom
"""


def test_cancellation_invoices_are_returns_not_orders(store, write_csv, cli):
    _store(store, write_csv, "", header=UCI, name="online_retail.csv")
    s = _json(cli, store, "summary")
    # revenue 15.30 + 11.10 - 5.10 + 90.00 - 4.65 = 106.65; returns 5.10 + 4.65 = 9.75; units 6 + 6 - 2 + 24 - 1
    assert (s["revenue"], s["returns"], s["units"]) == (106.65, 9.75, 33)
    # orders: the three real invoices; AOV over them; 15311 only cancelled: not a customer
    assert (s["orders"], s["aov"], s["customers"], s["guest_orders"]) == (3, 35.55, 2, 0)
    w = _json(cli, store, "whales")
    assert [(x["customer_id"], x["spend"], x["orders"]) for x in w] == [("12583", 90.0, 1), ("17850", 21.3, 2)]
    members = {m["customer_id"]: m["orders"] for seg in ("Champions", "Potential Loyalist", "New Customers",
                                                             "Promising", "Loyal Customers")
               for m in _json(cli, store, "segments", "--customers", seg)}
    assert members == {"12583": 1, "17850": 2}     # RFM frequency counts real orders only
    day = _json(cli, store, "revenue")
    assert [(d["period"], d["revenue"], d["orders"]) for d in day] == [("2010-12-01", 106.65, 3)]


# ------------------------------------------------------------ 9. postage and trend, as documented

def test_trend_is_on_net_units_and_null_when_returns_outweighed_sales(store, write_csv, cli):
    # previous window (02-02 .. 02-29): 5 sold, 6 returned: net -1 although something sold
    _store(store, write_csv, "A,2024-02-10 10:00,C1,Ann,MUG,Mug,Kitchen,5,1.00\n"
                               "R,2024-02-20 10:00,C1,Ann,MUG,Mug,Kitchen,-6,1.00\n"
                               "B,2024-03-28 10:00,C2,Bob,MUG,Mug,Kitchen,20,1.00\n").close()
    rows = _json(cli, store, "top-sellers")
    assert [(r["sku"], r["units"], r["previous_units"], r["trend"]) for r in rows] == [("MUG", 20, -1, None)]


def test_postage_stays_in_its_lines_category_and_revenues_add_up(store, write_csv, cli):
    _store(store, write_csv, "A,2024-03-01 10:00,C1,Ann,MUG,Mug,Kitchen,1,10.00\n"
                               "A,2024-03-01 10:00,C1,Ann,POST,Postage,,1,4.95\n"
                               "B,2024-03-02 10:00,C2,Bob,SHIPPING,Shipping,Kitchen,1,3.00\n").close()
    cats = {c["category"]: c["revenue"] for c in _json(cli, store, "categories")}
    assert cats == {"Kitchen": 13.0, "Uncategorized": 4.95}
    assert sum(cats.values()) == _json(cli, store, "summary")["revenue"] == 17.95
    assert _json(cli, store, "summary")["units"] == 1
