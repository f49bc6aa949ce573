"""`basket`, worked out by hand: pairs of products in the same order over the period's orders that hold
a merchandise line with a positive quantity (guests count, returns and postage never do)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shopintel.reports.basket import basket
from shopintel.reports.params import Params, ReportError
from shopintel.store.sql import is_postgresql
from tests.store.helpers import load

# ZIP is seen first, so its product id is below APR's: the pair still reads APR, ZIP (sku_a < sku_b as text).
ORDERS = """order_id,ordered_at,customer_id,sku,product_name,category,quantity,unit_price
O0,2024-04-20,C1,ZIP,Zip Bag,Kitchen,1,2.00
O0,2024-04-20,C1,APR,Apron,Kitchen,1,9.00
O1,2024-05-01,,ZIP,Zip Bag,Kitchen,1,2.00
O1,2024-05-01,,APR,Apron,Kitchen,1,9.00
O2,2024-05-02,C1,ZIP,Zip Bag,Kitchen,1,2.00
O2,2024-05-02,C1,APR,Apron,Kitchen,1,9.00
O2,2024-05-02,C1,BOW,Bowl,Kitchen,1,4.00
O3,2024-05-03,C2,ZIP,Zip Bag,Kitchen,1,2.00
O3,2024-05-03,C2,BOW,Bowl,Kitchen,1,4.00
O4,2024-05-04,C2,APR,Apron,Kitchen,1,9.00
O4,2024-05-04,C2,BOW,Bowl,Kitchen,1,4.00
O4,2024-05-04,C2,DSH,Dish,Kitchen,1,6.00
O4,2024-05-04,C2,POST,Postage,Fees,1,3.00
O5,2024-05-05,C3,ZIP,Zip Bag,Kitchen,1,2.00
O5,2024-05-05,C3,ZIP,Zip Bag,Kitchen,2,2.00
O5,2024-05-05,C3,APR,Apron,Kitchen,1,9.00
O6,2024-05-06,C3,POST,Postage,Fees,1,3.00
R1,2024-05-07,C1,ZIP,Zip Bag,Kitchen,-1,2.00
R1,2024-05-07,C1,APR,Apron,Kitchen,-1,9.00
O7,2024-05-08,C4,BOW,Bowl,Kitchen,1,4.00
O7,2024-05-08,C4,ZIP,Zip Bag,Kitchen,-1,2.00
O8,2024-05-09,C4,CUP,Cup,Kitchen,1,3.00
"""
# Orders holding a merchandise line: O0 O1 O2 O3 O4 O5 O7 O8 = 8 (O6 is postage only, R1 returns only).
# Holding ZIP: O0 O1 O2 O3 O5 = 5 (O5 has two ZIP lines: one order; O7 only returns one); APR: O0 O1 O2 O4
# O5 = 5; BOW: O2 O3 O4 O7 = 4; DSH: O4 = 1 (a product sold once); CUP: O8 = 1 (alone: in no pair).
# Pairs: APR+ZIP O0 O1 (a guest) O2 O5 = 4; APR+BOW O2 O4 = 2; BOW+ZIP O2 O3 = 2 (not O7: a return);
# APR+DSH O4 = 1; BOW+DSH O4 = 1; nothing with POST.
# (sku_a, product_a, sku_b, product_b, orders, support, confidence_ab, confidence_ba, lift = orders x 8 / (n_a x n_b))
APR_ZIP = ("APR", "Apron", "ZIP", "Zip Bag", 4, 4 / 8, 4 / 5, 4 / 5, 32 / 25)
APR_BOW = ("APR", "Apron", "BOW", "Bowl", 2, 2 / 8, 2 / 5, 2 / 4, 16 / 20)
BOW_ZIP = ("BOW", "Bowl", "ZIP", "Zip Bag", 2, 2 / 8, 2 / 4, 2 / 5, 16 / 20)
BOW_DSH = ("BOW", "Bowl", "DSH", "Dish", 1, 1 / 8, 1 / 4, 1 / 1, 8 / 4)
APR_DSH = ("APR", "Apron", "DSH", "Dish", 1, 1 / 8, 1 / 5, 1 / 1, 8 / 5)


@pytest.fixture
def shop(store, write_csv):
    load(store, write_csv(ORDERS))
    conn = store.read_only()
    yield conn
    conn.close()



def test_basket_by_hand(shop):
    # orders tie at 2 and so do the lifts (0.8): APR before BOW by sku_a
    assert basket(shop).rows == rows_of(APR_ZIP, APR_BOW, BOW_ZIP)


def rows_of(*expected):
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in row) for row in expected]


def test_basket_min_orders_keeps_pairs_of_one_order_sorted_by_lift_before_sku(shop):
    # both DSH pairs are in one order; BOW+DSH's lift (2.0) beats APR+DSH's (1.6) although APR < BOW
    assert basket(shop, Params(min_orders=1)).rows == rows_of(APR_ZIP, APR_BOW, BOW_ZIP, BOW_DSH, APR_DSH)
    assert basket(shop, Params(min_orders=3)).rows == rows_of(APR_ZIP)
    assert basket(shop, Params(min_orders=1, limit=2)).rows == rows_of(APR_ZIP, APR_BOW)
    # the last row shown ties on orders with pairs below the cut: lift decides among all of them
    assert basket(shop, Params(min_orders=1, limit=4)).rows == rows_of(APR_ZIP, APR_BOW, BOW_ZIP, BOW_DSH)
    assert basket(shop, Params(min_orders=1, limit=0)).rows == []


def test_basket_counts_only_the_periods_orders(shop):
    # without O0: 7 orders; ZIP, APR and BOW held by 4 each
    assert basket(shop, Params(since=date(2024, 5, 1))).rows == rows_of(
        ("APR", "Apron", "ZIP", "Zip Bag", 3, 3 / 7, 3 / 4, 3 / 4, 3 * 7 / 16),
        ("APR", "Apron", "BOW", "Bowl", 2, 2 / 7, 2 / 4, 2 / 4, 2 * 7 / 16),
        ("BOW", "Bowl", "ZIP", "Zip Bag", 2, 2 / 7, 2 / 4, 2 / 4, 2 * 7 / 16))
    assert basket(shop, Params(since=date(2025, 1, 1))).rows == []


def test_basket_refuses_min_orders_below_one(shop):
    with pytest.raises(ReportError, match="--min-orders"):
        basket(shop, Params(min_orders=0))


def test_basket_of_an_empty_store(store):
    store.connect().close()   # a new store: its schema, no sales
    conn = store.read_only()
    try:
        assert basket(conn).rows == []
    finally:
        conn.close()


def test_basket_through_the_command_line(cli, store, shop):
    r = cli("report", "basket", "--format", "json", "--min-orders", "1", *store.db)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [(o["sku_a"], o["sku_b"]) for o in out] == [("APR", "ZIP"), ("APR", "BOW"), ("BOW", "ZIP"),
                                                      ("BOW", "DSH"), ("APR", "DSH")]
    assert out[0] == {"sku_a": "APR", "product_a": "Apron", "sku_b": "ZIP", "product_b": "Zip Bag", "orders": 4,
                      "support": 0.5, "confidence_ab": 0.8, "confidence_ba": 0.8, "lift": 1.28}
    csv = cli("report", "basket", "--format", "csv", *store.db)
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout.splitlines() == [
        "sku_a,product_a,sku_b,product_b,orders,support,confidence_ab,confidence_ba,lift",
        "APR,Apron,ZIP,Zip Bag,4,0.5,0.8,0.8,1.28",
        "APR,Apron,BOW,Bowl,2,0.25,0.4,0.5,0.8",
        "BOW,Bowl,ZIP,Zip Bag,2,0.25,0.5,0.4,0.8"]
    table = cli("report", "basket", *store.db)
    assert "conf. a→b" in table.stdout and "1.28" in table.stdout and "3 rows" in table.stdout
    bad = cli("report", "basket", "--min-orders", "0", *store.db)
    assert bad.returncode != 0 and "--min-orders must be at least 1" in bad.stderr and "Traceback" not in bad.stderr
    other = cli("report", "whales", "--min-orders", "3", *store.db)
    assert other.returncode != 0 and "--min-orders applies to basket" in other.stderr


def test_basket_leaves_nothing_behind_on_its_read_only_connection(shop):
    """Its (order, product) rows live in a temporary table of the connection: gone after each run, also
    after a refused one, so the same reader (the app keeps one per thread) runs it again and again."""
    assert basket(shop).rows == basket(shop).rows == rows_of(APR_ZIP, APR_BOW, BOW_ZIP)
    if is_postgresql(shop):
        return   # there the rows are a MATERIALIZED CTE of the query: a READ ONLY reader creates no table
    shop.execute("CREATE TEMP TABLE basket_held (x)")    # as a run killed half-way would leave it
    assert basket(shop, Params(min_orders=3)).rows == rows_of(APR_ZIP)
    assert shop.execute("SELECT name FROM temp.sqlite_master").fetchall() == []
