"""`abc-xyz`, worked out by hand. As of 2024-12-31 the default period is 2024-01-03 .. 2024-12-31 (364
days) and week k holds the days as_of - 7k - 6 .. as_of - 7k, k = 0..51."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from shopintel.reports.abc_xyz import abc_xyz
from shopintel.reports.params import Params
from tests.store.helpers import load

AS_OF = date(2024, 12, 31)
HEADER = "order_id,ordered_at,customer_id,sku,product_name,category,quantity,unit_price"
NAMES = {"AAA": ("Apron", "Kitchen"), "BBB": ("Bowl", "Kitchen"), "CCC": ("Cactus", "Garden"),
         "DDD": ("Drill", "Garden"), "EEE": ("Edger", "Garden"), "GGG": ("Gloves", "Garden"),
         "FFF": ("Fork", "Garden"), "POST": ("Postage", "Fees")}


def day(week: int, offset: int = 0) -> date:
    """A day of week k: offset 0 is its last day (as_of - 7k), 6 its first."""
    return AS_OF - timedelta(days=7 * week + offset)


def line(order: str, when: date, sku: str, qty: int, price: str, customer: str = "C1") -> str:
    name, category = NAMES[sku]
    return f"{order},{when.isoformat()},{customer},{sku},{name},{category},{qty},{price}"


def orders() -> str:
    out = [HEADER]
    for k in range(52):
        # AAA: 2 units every week at 5.00 (520.00; cv 0), each order with postage; week 5 bought by a guest
        out += [line(f"A{k}", day(k, 3), "AAA", 2, "5.00", "" if k == 5 else "C1"),
                line(f"A{k}", day(k, 3), "POST", 1, "3.00", "" if k == 5 else "C1")]
        # BBB: in the even weeks one unit on the week's first day and one on its last, at 6.00 (312.00);
        # the odd weeks sell nothing and count as 0: cv exactly 1 (Y, not Z)
        if k % 2 == 0:
            out += [line(f"B{k}a", day(k, 6), "BBB", 1, "6.00"), line(f"B{k}b", day(k, 0), "BBB", 1, "6.00")]
        # CCC: 1 unit a week in weeks 0..25, 3 in weeks 26..51 (104 units at 1.00): cv exactly 0.5 (X, not Y);
        # week 1 sells 2 and a return of 1 follows in the same week
        qty = 1 if k < 26 else 3
        if k == 1:
            out += [line("C1s", day(1, 4), "CCC", 2, "1.00"), line("C1r", day(1, 2), "CCC", -1, "1.00")]
        else:
            out.append(line(f"C{k}", day(k, 1), "CCC", qty, "1.00"))
        # EEE: 4 units at 1.00 in every fourth week (13 weeks, 52.00): cv sqrt(3) (Z)
        if k % 4 == 0:
            out.append(line(f"E{k}", day(k, 2), "EEE", 4, "1.00"))
    out += [
        line("D1", day(10), "DDD", 4, "13.00"),                  # DDD: sold once, 52.00 (ties EEE): Z
        line("G1", day(3), "GGG", 1, "9.00"), line("G2", day(2), "GGG", -1, "9.00"),   # returned: not listed
        line("OLD", day(52), "AAA", 10, "5.00"),                 # 2024-01-02: before the period and the weeks
        line("F1", date(2023, 6, 1), "FFF", 1, "20.00"),         # sold only long ago
    ]
    return "\n".join(out) + "\n"


@pytest.fixture
def shop(store, write_csv):
    load(store, write_csv(orders()))
    conn = store.read_only()
    yield conn
    conn.close()


def approx(*rows):
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in row) for row in rows]


# total 1,040.00: AAA 50%, BBB 30%, CCC 10%, DDD 5%, EEE 5%. ABC: AAA A (nothing above it), BBB A (50% above
# it: the product that reaches 80% is still A), CCC B (exactly 80% above it), DDD B (90%), EEE C (exactly 95%).
# (sku, name, category, revenue, share, cumulative_share, abc, mean_weekly_units, cv, xyz)
AAA = ("AAA", "Apron", "Kitchen", 520.0, 0.5, 0.5, "A", 2.0, 0.0, "X")
BBB = ("BBB", "Bowl", "Kitchen", 312.0, 0.3, 0.8, "A", 1.0, 1.0, "Y")
CCC = ("CCC", "Cactus", "Garden", 104.0, 0.1, 0.9, "B", 2.0, 0.5, "X")
DDD = ("DDD", "Drill", "Garden", 52.0, 0.05, 0.95, "B", 4 / 52, 51 ** 0.5, "Z")
EEE = ("EEE", "Edger", "Garden", 52.0, 0.05, 1.0, "C", 1.0, 3 ** 0.5, "Z")


def test_abc_xyz_by_hand(shop):
    assert abc_xyz(shop).rows == approx(AAA, BBB, CCC, DDD, EEE)


def test_abc_xyz_over_a_longer_period_and_a_product_with_no_units_in_the_52_weeks(shop):
    rows = abc_xyz(shop, Params(since=date(2023, 1, 1))).records()
    assert [(r["sku"], r["revenue"]) for r in rows][:2] == [("AAA", 570.0), ("BBB", 312.0)]   # OLD counts now
    fork = next(r for r in rows if r["sku"] == "FFF")
    # its 20.00 is in the period, but the weeks still end at as-of: mean 0, no cv, Z
    assert (fork["mean_weekly_units"], fork["cv"], fork["xyz"]) == (0.0, None, "Z")
    assert rows[0]["mean_weekly_units"] == 2.0 and rows[0]["cv"] == 0.0     # OLD is before the 52 weeks


def test_abc_xyz_within_a_category_and_with_a_limit(shop):
    # Garden: 208.00; CCC 50%, DDD 25%, EEE 25% with 75% above it: all A
    assert [(r[0], r[4], r[6]) for r in abc_xyz(shop, Params(category="Garden")).rows] == \
        [("CCC", 0.5, "A"), ("DDD", 0.25, "A"), ("EEE", 0.25, "A")]
    assert abc_xyz(shop, Params(limit=2)).rows == approx(AAA, BBB)


def test_abc_xyz_of_an_empty_period(shop):
    assert abc_xyz(shop, Params(since=date(2025, 1, 1))).rows == []


def test_abc_xyz_through_the_command_line(cli, store, shop):
    r = cli("report", "abc-xyz", "--format", "json", *store.db)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o["sku"] for o in out] == ["AAA", "BBB", "CCC", "DDD", "EEE"]   # the default period: 364 days
    assert out[2] == {"sku": "CCC", "product_name": "Cactus", "category": "Garden", "revenue": 104.0, "share": 0.1,
                      "cumulative_share": pytest.approx(0.9), "abc": "B", "mean_weekly_units": 2.0, "cv": 0.5,
                      "xyz": "X"}
    csv = cli("report", "abc-xyz", "--format", "csv", "--category", "Kitchen", *store.db)
    assert csv.returncode == 0, csv.stderr
    assert csv.stdout.splitlines() == [
        "sku,product_name,category,revenue,share,cumulative_share,abc,mean_weekly_units,cv,xyz",
        "AAA,Apron,Kitchen,520.0,0.625,0.625,A,2.0,0.0,X",
        "BBB,Bowl,Kitchen,312.0,0.375,1.0,A,1.0,1.0,Y"]
    table = cli("report", "abc-xyz", *store.db)
    # the caption tells the default period, not all history
    assert "abc-xyz: 2024-01-03 .. 2024-12-31 · as of 2024-12-31 · 5 rows" in table.stdout
    assert "7.14" in table.stdout and "1.73" in table.stdout   # cv with two decimals: sqrt(51), sqrt(3)
