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
def shop(store, write_csv):
    conn = store.connect()
    ingest_file(conn, str(write_csv(ORDERS)))
    conn.close()
    ro = store.read_only()
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


def test_cohorts_through_the_command_line(cli, store, shop):
    r = cli("report", "cohorts", "--format", "json", *store.db)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows[2] == {"cohort": "2024-01", "months_since": 2, "customers": 2, "active": 1, "retention": 0.5,
                       "revenue": 2.0}
    table = cli("report", "cohorts", *store.db)
    assert "retention" in table.stdout and "50.0%" in table.stdout


# A second export: C's earlier order moves C into the January cohort, D starts in March, B buys in April.
MORE = """order_id,ordered_at,customer_id,sku,quantity,unit_price
O6,2024-01-25,C,MUG,1,5.00
O7,2024-03-20,D,CUP,2,7.00
O8,2024-04-02,B,TENT,1,30.00
"""


def test_the_kept_cohort_months_follow_every_write(store, write_csv):
    """Each import refreshes the kept counts for the customers it touched, including one whose first
    order moves to an earlier month; doctor's recomputation from the lines agrees after each step."""
    from tests.stores import mismatches

    conn = store.connect()
    ingest_file(conn, str(write_csv(ORDERS)))
    assert mismatches(conn)["agg_cohort_month"] == 0
    ingest_file(conn, str(write_csv(MORE)))
    assert mismatches(conn)["agg_cohort_month"] == 0
    conn.close()
    ro = store.read_only()
    assert cohorts(ro).rows == [
        ("2024-01", 0, 3, 3, 1.0, 20.0),      # A 10, B 5, and C 5 (C's cohort is January now)
        ("2024-01", 1, 3, 2, 2 / 3, 50.0),    # A 20, C 30
        ("2024-01", 2, 3, 1, 1 / 3, 2.0),     # B 7 (A only returned 5.00: no order, its amount counts)
        ("2024-01", 3, 3, 1, 1 / 3, 30.0),    # B
        ("2024-03", 0, 1, 1, 1.0, 14.0),      # D
        ("2024-03", 1, 1, 0, 0.0, 0.0),
    ]
    ro.close()


def test_a_store_from_before_the_kept_cohorts_gets_them_on_opening(db_path, write_csv):
    """Schema 5 had no agg_cohort_month: opening the store for writing (the migration) builds it."""
    conn = connect(db_path)
    ingest_file(conn, str(write_csv(ORDERS)))
    conn.execute("DROP TABLE agg_cohort_month")
    # and what the schemas after 6 added, so that their migrations run again as on a real schema-5 store
    conn.executescript("DROP INDEX sales_ordered_at; DROP TABLE stall_alerts; DROP TRIGGER inventory_counted; "
                       "DROP TRIGGER inventory_recounted; DROP INDEX inventory_count_seq; "
                       "ALTER TABLE inventory DROP COLUMN count_seq;")
    conn.execute("PRAGMA user_version = 5")
    conn.close()
    connect(db_path).close()
    ro = connect_read_only(db_path)
    assert cohorts(ro).rows[0] == ("2024-01", 0, 2, 2, 1.0, 15.0) and len(cohorts(ro).rows) == 5
    ro.close()
