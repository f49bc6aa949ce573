"""`cohorts`, worked out by hand: cohort by first-order month, every month since up to as-of, guests
never in a cohort, a return-only order is not activity (a return is never an order) but subtracts its
amount."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shopintel.reports.cohorts import cohorts
from shopintel.reports.params import Params, ReportError
from shopintel.store.db import connect, connect_read_only
from shopintel.store.ingest import ingest_file

# A: Jan 10.00, Feb 20.00, a return of 5.00 in March. B: Jan 5.00, Mar 7.00. C: Feb 30.00.
# A guest buys 100.00 in January: in no cohort.
ORDERS = """order_id,ordered_at,customer_id,sku,quantity,unit_price
O1,2024-01-05,A,MUG,2,5.00
G1,2024-01-07,,MUG,20,5.00
O2,2024-01-20,B,MUG,1,5.00
O3,2024-02-03,C,TENT,1,30.00
O4,2024-02-10,A,MUG,4,5.00
R1,2024-03-01,A,MUG,-1,5.00
O5,2024-03-15,B,CUP,1,7.00
"""


@pytest.fixture
def shop(db_path, write_csv):
    conn = connect(db_path)
    ingest_file(conn, str(write_csv(ORDERS)))
    conn.close()
    ro = connect_read_only(db_path)
    yield ro
    ro.close()


def test_cohorts_by_hand(shop):
    assert cohorts(shop).rows == [
        ("2024-01", 0, 2, 2, 1.0, 15.0),      # A and B; the guest's 100.00 is in no cohort
        ("2024-01", 1, 2, 1, 0.5, 20.0),      # A
        ("2024-01", 2, 2, 1, 0.5, 2.0),       # B (7.00); A only returned (-5.00): not active
        ("2024-02", 0, 1, 1, 1.0, 30.0),      # C
        ("2024-02", 1, 1, 0, 0.0, 0.0),       # a month without an order is a row of zeros
    ]


def test_cohorts_since_picks_cohorts_by_first_order_month_and_as_of_ends_the_months(shop):
    assert [r[:2] for r in cohorts(shop, Params(since=date(2024, 2, 1))).rows] == [("2024-02", 0), ("2024-02", 1)]
    early = cohorts(shop, Params(as_of=date(2024, 2, 15))).rows
    assert early == [("2024-01", 0, 2, 2, 1.0, 15.0), ("2024-01", 1, 2, 1, 0.5, 20.0), ("2024-02", 0, 1, 1, 1.0, 30.0)]


def test_cohorts_of_an_empty_period_and_with_a_category(shop):
    assert cohorts(shop, Params(since=date(2025, 1, 1))).rows == []
    with pytest.raises(ReportError, match="--category"):
        cohorts(shop, Params(category="Uncategorized"))


def test_cohorts_through_the_command_line(cli, db_path, shop):
    r = cli("report", "cohorts", "--format", "json", "--db", str(db_path))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows[2] == {"cohort": "2024-01", "months_since": 2, "customers": 2, "active": 1, "retention": 0.5,
                       "revenue": 2.0}
    table = cli("report", "cohorts", "--db", str(db_path))
    assert "retention" in table.stdout and "50.0%" in table.stdout
