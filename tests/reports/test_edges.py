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
from shopintel.store.db import connect, connect_read_only
from shopintel.store.ingest import IngestOptions, ingest_file

HEADER = "order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price\n"


def _store(db_path, write_csv, body: str, header: str = HEADER, name: str = "orders.csv", **opts):
    path = write_csv(header + body, name)
    conn = connect(db_path)
    try:
        ingest_file(conn, str(path), IngestOptions(**opts))
    finally:
        conn.close()
    return connect_read_only(db_path)


def _json(cli, db_path, *args):
    r = cli("report", *args, "--db", str(db_path), "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# ------------------------------------------------------------ 1. --as-of before the first sale

FIRST_SALE = """O1,2019-01-03 10:00,C1,Ann,MUG,Mug,Kitchen,1,16.45
O2,2019-01-05 10:00,C2,Bob,TENT,Tent,Outdoor,1,100.00
"""


def test_as_of_before_the_first_sale_is_empty_in_every_report(db_path, write_csv, cli):
    conn = _store(db_path, write_csv, FIRST_SALE)
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
    s = _json(cli, db_path, "summary", "--as-of", "2018-12-01")
    assert (s["revenue"], s["orders"]) == (0, 0)
    r = cli("report", "whales", "--db", str(db_path), "--as-of", "2018-12-01")
    assert r.returncode == 0 and "nothing sold yet (the first sale is on 2019-01-03)" in r.stdout
    # --until before the first sale (no --since) is the same empty answer, not "--since after --until"
    r = cli("report", "summary", "--db", str(db_path), "--until", "2018-12-31")
    assert r.returncode == 0, r.stderr
    assert "nothing sold yet" in r.stdout


# ------------------------------------------------------------ 3. --compare year from 29 February

LEAP = """A,2019-02-28 10:00,C1,Ann,MUG,Mug,Kitchen,1,10.00
B,2019-03-31 10:00,C1,Ann,MUG,Mug,Kitchen,1,20.00
C,2019-04-01 10:00,C1,Ann,MUG,Mug,Kitchen,1,40.00
D,2020-03-10 10:00,C1,Ann,MUG,Mug,Kitchen,1,50.00
"""


def test_compare_year_from_29_february_moves_only_that_end(db_path, write_csv, cli):
    _store(db_path, write_csv, LEAP).close()
    rows = _json(cli, db_path, "categories", "--since", "2020-02-29", "--until", "2020-03-31", "--compare", "year")
    # previous span 2019-02-28 .. 2019-03-31: A + B = 30.00 (not 2019-03-01 .. 2019-04-01: B + C = 60.00)
    assert [(r["category"], r["revenue"], r["previous_revenue"]) for r in rows] == [("Kitchen", 50.0, 30.0)]
    rows = _json(cli, db_path, "categories", "--since", "2019-03-31", "--until", "2020-02-29", "--compare", "year")
    # an end on 29 February: 2019-02-28; the start keeps its date: 2018-03-31 .. 2019-02-28 holds A only
    assert rows[0]["previous_revenue"] == 10.0


# ------------------------------------------------------------ 5. half cents

HALVES = """A,2024-03-01 10:00,C1,Ann,MUG,Mug,Kitchen,1,100.01
B,2024-03-01 11:00,C2,Bob,MUG,Mug,Kitchen,1,100.00
"""


def test_half_cents_round_away_from_zero_in_tables_and_json(db_path, write_csv, cli):
    _store(db_path, write_csv, HALVES).close()
    # both customers in one segment: median spend (10001 + 10000) / 2 = 10000.5 cents -> 100.01
    rows = _json(cli, db_path, "segments")
    assert [(r["customers"], r["median_spend"]) for r in rows] == [(2, 100.01)]
    r = cli("report", "segments", "--db", str(db_path))
    assert "100.01" in r.stdout and "100.00 " not in r.stdout
    # aov = 20001 cents / 2 orders = 100.005 -> 100.01 in the table too (a binary float shows 100.00)
    r = cli("report", "summary", "--db", str(db_path))
    assert r.returncode == 0
    assert [line.split("│")[2].strip() for line in r.stdout.splitlines() if "│ aov " in line] == ["100.01"]


def test_the_table_rounds_negative_halves_away_from_zero():
    from shopintel.tui.format import format_value

    assert format_value("revenue", 2.675) == "2.68"
    assert format_value("revenue", -2.675) == "-2.68"


# ------------------------------------------------------------ 9. the smaller rules

def test_categories_for_a_period_without_sales_is_empty(db_path, write_csv, cli):
    _store(db_path, write_csv, LEAP).close()
    # 2019-05-01 .. 2019-05-31 sold nothing; the previous span (April) sold C: still an empty answer
    assert _json(cli, db_path, "categories", "--since", "2019-05-01", "--until", "2019-05-31") == []


NEGATIVE = """A,2024-03-01 10:00,C1,Ann,MUG,Mug,Kitchen,10,10.00
B,2024-03-01 10:00,C2,Bob,MUG,Mug,Kitchen,5,10.00
C,2024-03-02 10:00,C3,Cy,MUG,Mug,Kitchen,-3,10.00
C,2024-03-02 10:00,C3,Cy,TENT,Tent,Outdoor,1,10.00
"""


def test_segment_share_uses_the_non_negative_customer_base(db_path, write_csv):
    conn = _store(db_path, write_csv, NEGATIVE)
    # spends: Ann 100, Bob 50, Cy 10 - 30 = -20, one order each; as of 03-02 recency Ann 1, Bob 1, Cy 0:
    # R = 4, 4, 5; F = 1 for all; so Ann and Bob are Promising (150.00) and Cy is New Customers (-20.00).
    # The base is the non-negative spends, 150 (as whales and summary), not 150 - 20 = 130.
    rows = REPORTS["segments"].run(conn, Params()).records()
    assert [(r["segment"], r["revenue"], r["share"]) for r in rows] == [
        ("Promising", 150.0, 1.0), ("New Customers", -20.0, 0.0)]
    whales = REPORTS["whales"].run(conn, Params()).records()
    assert [w["share"] for w in whales] == [pytest.approx(100 / 150), pytest.approx(50 / 150)]
    conn.close()
