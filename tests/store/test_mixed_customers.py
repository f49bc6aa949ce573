"""Each line's spend belongs to its own customer (issue 12, part 3).

Tableau's Sample Superstore export has orders whose lines carry several Customer IDs (in the real
file CA-2021-121465 and CA-2022-130494 have four each). Every report that speaks of customers
(whales, segments, summary's customer count, the customer detail) gives each line to the customer on
that line, the import summary says how many orders carried more than one customer, and `doctor`
checks the customer totals against the lines the same way. The expected figures are computed here
from the raw file with pandas and Decimal, independently of the store."""

from __future__ import annotations

import json
import sqlite3
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from shopintel.reports.details import customer_detail
from shopintel.reports.params import Params
from shopintel.reports.segments import scored
from shopintel.reports.params import resolve
from shopintel.reports.summary import summary
from tests.frames import segments, whales
from shopintel.store.db import connect_read_only
from tests.hostile.helpers import assert_clean
from tests.store.old_stores import write_old_store

# Tableau Sample Superstore's columns, in its order. Sales is the line's amount after the discount.
SUPERSTORE_HEADER = ("Row ID,Order ID,Order Date,Ship Date,Ship Mode,Customer ID,Customer Name,Segment,Country,"
                     "City,State,Postal Code,Region,Product ID,Category,Sub-Category,Product Name,Sales,"
                     "Quantity,Discount,Profit")
# (order id, order date m/d/Y, customer id, customer name, product id, category, sub-category, product name,
#  sales, quantity, discount)
LINES = [
    ("CA-2021-152156", "11/8/2021", "CG-12520", "Claire Gute", "FUR-BO-10001798", "Furniture", "Bookcases",
     "Bush Somerset Collection Bookcase", "261.96", "2", "0"),
    ("CA-2021-152156", "11/8/2021", "CG-12520", "Claire Gute", "FUR-CH-10000454", "Furniture", "Chairs",
     "Hon Deluxe Fabric Upholstered Stacking Chairs, Rounded Back", "731.94", "3", "0"),
    # one order, four customers (the shape of the real CA-2021-121465)
    ("CA-2021-121465", "11/22/2021", "DV-13045", "Darrin Van Huff", "OFF-LA-10000240", "Office Supplies",
     "Labels", "Self-Adhesive Address Labels for Typewriters by Universal", "14.62", "2", "0"),
    ("CA-2021-121465", "11/22/2021", "SO-20335", "Sean O'Donnell", "FUR-TA-10000577", "Furniture", "Tables",
     "Bretford CR4500 Series Slim Rectangular Table", "957.5775", "5", "0.45"),
    ("CA-2021-121465", "11/22/2021", "BH-11710", "Brosina Hoffman", "OFF-ST-10000760", "Office Supplies",
     "Storage", "Eldon Fold 'N Roll Cart System", "22.368", "2", "0.2"),
    ("CA-2021-121465", "11/22/2021", "CG-12520", "Claire Gute", "OFF-AR-10002833", "Office Supplies", "Art",
     "Newell 322", "7.28", "4", "0"),
    ("US-2022-108966", "10/11/2022", "SO-20335", "Sean O'Donnell", "TEC-PH-10002275", "Technology", "Phones",
     "Mitel 5320 IP Phone VoIP phone", "907.152", "6", "0.2"),
    # another mixed order (like CA-2022-130494): two of its lines are Andrew's, one is Irene's
    ("CA-2022-130494", "12/15/2022", "AA-10480", "Andrew Allen", "OFF-BI-10003910", "Office Supplies",
     "Binders", "DXL Angle-View Binders with Locking Rings by Samsill", "18.504", "3", "0.2"),
    ("CA-2022-130494", "12/15/2022", "IM-15070", "Irene Maddox", "OFF-AP-10002892", "Office Supplies",
     "Appliances", "Belkin F9G930V10-7 930 Outlet Surge", "114.9", "5", "0"),
    ("CA-2022-130494", "12/15/2022", "AA-10480", "Andrew Allen", "OFF-PA-10002365", "Office Supplies",
     "Paper", "Xerox 1967", "15.552", "3", "0.2"),
    ("CA-2023-115812", "6/9/2023", "BH-11710", "Brosina Hoffman", "FUR-FU-10001487", "Furniture",
     "Furnishings", "Eldon Expressions Wood and Plastic Desk Accessories, Cherry Wood", "48.86", "7", "0"),
    ("CA-2023-115812", "6/9/2023", "BH-11710", "Brosina Hoffman", "OFF-AR-10002833", "Office Supplies", "Art",
     "Newell 322", "7.28", "4", "0"),
]
MAPS = ["--map", "ordered_at=Order Date", "--map", "sku=Product ID", "--map", "line_total=Sales"]


def superstore_csv(write_csv, lines=LINES, name="Sample - Superstore.csv"):
    rows = [SUPERSTORE_HEADER]
    for i, (oid, day, cid, cname, pid, cat, sub, pname, sales, qty, disc) in enumerate(lines, start=1):
        pname = '"' + pname.replace('"', '""') + '"' if "," in pname or '"' in pname else pname
        rows.append(f"{i},{oid},{day},{day},Standard Class,{cid},{cname},Consumer,United States,Henderson,"
                    f"Kentucky,42420,South,{pid},{cat},{sub},{pname},{sales},{qty},{disc},1.0")
    return write_csv("\n".join(rows) + "\n", name)


def expected_customers(lines=LINES) -> pd.DataFrame:
    """Per customer id, from the raw lines: spend in cents, units, orders holding a line of theirs,
    first and last order day."""
    df = pd.DataFrame(lines, columns=["order", "date", "cid", "name", "pid", "cat", "sub", "pname", "sales",
                                      "qty", "disc"])
    df["cents"] = [int((Decimal(s) * 100).to_integral_value(ROUND_HALF_UP)) for s in df["sales"]]
    df["qty"] = df["qty"].astype(int)
    df["day"] = pd.to_datetime(df["date"], format="%m/%d/%Y").dt.strftime("%Y-%m-%d")
    g = df.groupby("cid").agg(spend_cents=("cents", "sum"), units=("qty", "sum"), orders=("order", "nunique"),
                              first=("day", "min"), last=("day", "max"))
    return g.sort_index()


def ingest(cli, db, path, *extra):
    r = cli("ingest", str(path), *MAPS, "--db", str(db), *extra)
    assert_clean(r)
    assert r.returncode == 0, r.stderr
    return r


def mixed_line(stdout: str) -> str:
    """The import summary's line about orders whose lines carry several customers."""
    hits = [ln for ln in stdout.splitlines() if ln.strip().startswith("mixed orders")]
    assert len(hits) == 1, stdout
    return hits[0]


def whales_by_customer(conn, p: Params = Params(limit=100)) -> pd.DataFrame:
    w = whales(conn, p)
    return pd.DataFrame({"spend_cents": (w["spend"] * 100).round().astype(int).values,
                         "units": w["units"].values, "orders": w["orders"].values,
                         "first": w["first_order"].values, "last": w["last_order"].values},
                        index=pd.Index(w["customer_id"].values, name="cid")).sort_index()


def test_superstore_lines_of_one_order_go_to_the_customer_on_each_line(store, write_csv, cli):
    r = ingest(cli, store, superstore_csv(write_csv))
    expected = expected_customers()
    conn = store.read_only()
    got = whales_by_customer(conn)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    s = summary(conn, Params())
    assert s.customers == 6 == len(expected)                  # every customer who bought is counted
    assert s.orders == 5 and s.guest_orders == 0
    assert round(s.revenue * 100) == expected["spend_cents"].sum()
    assert s.top_1pct_share == pytest.approx(expected["spend_cents"].max() / expected["spend_cents"].sum())
    conn.close()
    # the import summary says how many orders carried more than one customer, with an example
    line = mixed_line(r.stdout)
    assert line.split()[2] == "2", r.stdout
    assert "CA-2021-121465" in line or "CA-2022-130494" in line


def test_the_cli_whales_and_summary_agree_with_the_lines(store, write_csv, cli):
    ingest(cli, store, superstore_csv(write_csv))
    r = cli("report", "whales", "--db", str(store), "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {w["customer_id"]: w for w in json.loads(r.stdout)}
    expected = expected_customers()
    assert set(rows) == set(expected.index)
    for cid, e in expected.iterrows():
        assert round(rows[cid]["spend"] * 100) == e["spend_cents"] and rows[cid]["orders"] == e["orders"], cid
    r = cli("report", "summary", "--db", str(store), "--format", "json")
    assert json.loads(r.stdout)["customers"] == 6


def test_a_bounded_period_attributes_lines_the_same_way(store, write_csv, cli):
    ingest(cli, store, superstore_csv(write_csv))
    in_2021 = [ln for ln in LINES if ln[1].endswith("2021")]
    expected = expected_customers(in_2021)
    conn = store.read_only()
    from datetime import date
    p = Params(limit=100, since=date(2021, 1, 1), until=date(2021, 12, 31))
    got = whales_by_customer(conn, p)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert summary(conn, p).customers == len(expected) == 4
    period = resolve(conn, p)
    sc = scored(conn, period).to_frame().set_index("customer_id").sort_index()
    assert sc["orders"].to_dict() == expected["orders"].to_dict()
    assert sc["spend_cents"].to_dict() == expected["spend_cents"].to_dict()
    conn.close()


def test_segments_and_the_customer_detail_see_the_customers_part_of_a_mixed_order(store, write_csv, cli):
    ingest(cli, store, superstore_csv(write_csv))
    expected = expected_customers()
    conn = store.read_only()
    sc = scored(conn, resolve(conn, Params())).to_frame().set_index("customer_id").sort_index()
    assert sc["orders"].to_dict() == expected["orders"].to_dict()
    assert sc["spend_cents"].to_dict() == expected["spend_cents"].to_dict()
    assert segments(conn, Params())["customers"].sum() == 6
    d = customer_detail(conn, "SO-20335")          # Sean: one line of the mixed order, one order of his own
    assert d.total_orders == 2
    assert d.orders.column("order_id") == ["US-2022-108966", "CA-2021-121465"]
    assert d.orders.column("lines") == [1, 1] and d.orders.column("units") == [6, 5]
    assert d.orders.column("revenue") == [907.15, 957.58]       # his line only, not the order's 1001.85
    assert sum(d.monthly.column("revenue")) == pytest.approx(907.15 + 957.58)
    d = customer_detail(conn, "DV-13045")
    assert d.total_orders == 1 and d.orders.column("revenue") == [14.62]
    conn.close()


def test_replacing_a_mixed_order_in_a_store_that_holds_others_keeps_every_line_with_its_customer(
        store, write_csv, cli):
    """The incremental path (a store that already has lines): a re-exported mixed order whose lines
    changed hands moves the spend off the old customers."""
    ingest(cli, store, superstore_csv(write_csv))
    changed = [ln for ln in LINES if ln[0] != "CA-2021-121465"]
    changed += [
        ("CA-2021-121465", "11/22/2021", "DV-13045", "Darrin Van Huff", "OFF-LA-10000240", "Office Supplies",
         "Labels", "Self-Adhesive Address Labels for Typewriters by Universal", "14.62", "2", "0"),
        ("CA-2021-121465", "11/22/2021", "AA-10480", "Andrew Allen", "FUR-TA-10000577", "Furniture", "Tables",
         "Bretford CR4500 Series Slim Rectangular Table", "957.5775", "5", "0.45"),
    ]
    again = [ln for ln in changed if ln[0] == "CA-2021-121465"]
    r = ingest(cli, store, superstore_csv(write_csv, again, "resent.csv"))
    assert "orders replaced           1" in r.stdout
    expected = expected_customers(changed)
    conn = store.read_only()
    pd.testing.assert_frame_equal(whales_by_customer(conn), expected, check_dtype=False)
    assert summary(conn, Params()).customers == len(expected) == 6
    conn.close()


def test_doctor_finds_customer_totals_that_give_a_mixed_order_to_one_customer(store, write_csv, cli):
    from shopintel.store.sql import atomic

    ingest(cli, store, superstore_csv(write_csv))
    conn = store.connect()
    with atomic(conn):
        # what the one-customer-per-order totals said: the whole order to the largest customer id on it
        conn.execute("DELETE FROM agg_customer")
        conn.execute("""INSERT INTO agg_customer
                        SELECT cust, count(*), sum(units), sum(net), min(day), max(day)
                        FROM (SELECT max(customer_id) AS cust, sum(quantity) AS units, sum(net_cents) AS net,
                                     min(day) AS day FROM sales GROUP BY order_id) AS one_each GROUP BY cust""")
    conn.close()
    r = cli("doctor", *store.db)
    assert_clean(r)
    assert r.returncode == 1 and "agg_customer has" in r.stdout, r.stdout
    r = cli("doctor", *store.db, "--repair")
    assert r.returncode == 0, r.stdout
    conn = store.read_only()
    pd.testing.assert_frame_equal(whales_by_customer(conn), expected_customers(), check_dtype=False)
    conn.close()


@pytest.mark.parametrize("version", [1, 2])
def test_a_store_written_with_one_customer_per_order_is_corrected_on_upgrade(db_path, write_csv, cli, tmp_path,
                                                                            version):
    """A store an earlier shopintel wrote holds the wrong customer totals for mixed orders: the first
    open for writing migrates it, and the reports then agree with the lines."""
    ingest(cli, db_path, superstore_csv(write_csv))
    old = tmp_path / f"v{version}.db"
    write_old_store(db_path, old, version)
    raw = sqlite3.connect(old)
    wrong = raw.execute("SELECT count(*) FROM agg_customer").fetchone()[0]
    raw.close()
    assert wrong == 4                         # two customers lost to a mixed order: the old bug, kept
    r = cli("report", "whales", "--db", str(old))
    assert r.returncode != 0 and "older schema" in r.stderr
    r = cli("doctor", "--db", str(old))
    assert_clean(r)
    assert r.returncode == 0, r.stdout
    conn = connect_read_only(old)
    pd.testing.assert_frame_equal(whales_by_customer(conn), expected_customers(), check_dtype=False)
    assert summary(conn, Params()).customers == 6
    conn.close()
    from tests.conftest import check_store
    check_store(old)


def test_an_order_with_one_customer_and_guest_lines_is_neither_a_guest_order_nor_mixed(store, write_csv, cli):
    path = write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                     "1,2024-01-01,C1,MUG,1,10.00\n"
                     "1,2024-01-01,,PLATE,1,5.00\n"
                     "2,2024-01-02,,MUG,1,10.00\n")
    r = cli("ingest", str(path), "--db", str(store))
    assert r.returncode == 0, r.stderr
    line = mixed_line(r.stdout)
    assert line.split()[2] == "0", r.stdout
    conn = store.read_only()
    s = summary(conn, Params())
    assert (s.orders, s.guest_orders, s.customers) == (2, 1, 1)
    assert whales(conn, Params())["spend"].tolist() == [10.0]        # the guest line is not C1's
    conn.close()
