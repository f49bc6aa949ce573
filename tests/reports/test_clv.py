"""`clv`: the BG/NBD model against its published CDNOW fit, and the report's definitions by hand.

The CDNOW summary (tests/reports/fixtures/cdnow_customers_summary.csv: 2,357 customers, x, t_x, T in weeks)
is the sample of Fader, Hardie and Lee (2005), as shipped in the `lifetimes` package's datasets (0.11.3,
MIT). The oracle figures below (p_alive, expected purchases) were computed once with lifetimes 0.11.3's
BetaGeoFitter at the published parameters; lifetimes is not needed to run these tests.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from shopintel.reports import bgnbd
from shopintel.reports.clv import clv, p_alive_by_customer
from shopintel.reports.params import Params, ReportError
from shopintel.store.db import connect_read_only
from shopintel.store.ingest import ingest_file

CDNOW = Path(__file__).parent / "fixtures" / "cdnow_customers_summary.csv"
PUBLISHED = bgnbd.Fit(r=0.242593, alpha=4.413532, a=0.792886, b=2.425752, log_likelihood=0, customers=0, settled=True)


def _cdnow():
    with open(CDNOW, newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(np.array([float(r[k]) for r in rows]) for k in ("frequency", "recency", "T"))


def test_the_fit_of_cdnow_is_the_published_one():
    x, tx, T = _cdnow()
    assert len(x) == 2357
    f = bgnbd.fit(x, tx, T)
    # FHL 2005, table 1 / the paper's Excel note: r 0.243, alpha 4.414, a 0.793, b 2.426; LL -9582.4
    assert (round(f.r, 3), round(f.alpha, 3), round(f.a, 3), round(f.b, 3)) == (0.243, 4.414, 0.793, 2.426)
    assert f.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert f.settled and f.customers == 2357


def test_the_time_unit_only_scales_alpha():
    x, tx, T = _cdnow()
    f = bgnbd.fit(x, tx * 7, T * 7)     # in days, as the report fits
    assert f.alpha == pytest.approx(4.413532 * 7, rel=1e-4)
    assert (f.r, f.a, f.b) == pytest.approx((0.242593, 0.792886, 2.425752), rel=1e-4)


# (x, t_x, T, p_alive, expected purchases in the next 52 weeks) from lifetimes 0.11.3 at the published fit
ORACLE = [
    (0, 0.0, 38.86, 1.0, 0.2516657942288744),
    (1, 1.71, 38.86, 0.21222732345209525, 0.25990700945680173),
    (2, 30.43, 38.86, 0.7266091024562508, 1.558583704825485),
    (7, 29.43, 38.86, 0.6418006122852427, 4.199122968883384),
    (25, 35.0, 38.86, 0.7591362135624647, 16.72845771764919),
    (1, 1.0, 20.0, 0.3200764077356554, 0.6226374705375378),
]


@pytest.mark.parametrize("x, tx, T, alive, expected", ORACLE)
def test_p_alive_and_expected_purchases_match_the_oracle(x, tx, T, alive, expected):
    assert float(bgnbd.p_alive(PUBLISHED, x, tx, T)) == pytest.approx(alive, rel=1e-9)
    assert float(bgnbd.expected_purchases(PUBLISHED, 52, x, tx, T)) == pytest.approx(expected, rel=1e-9)


def test_p_alive_by_hand():
    # FHL 2005 eq. 11: 1 / (1 + a / (b + x - 1) x ((alpha + T) / (alpha + t_x)) ^ (r + x))
    f, x, tx, T = PUBLISHED, 2, 30.43, 38.86
    by_hand = 1 / (1 + f.a / (f.b + x - 1) * ((f.alpha + T) / (f.alpha + tx)) ** (f.r + x))
    assert float(bgnbd.p_alive(f, x, tx, T)) == pytest.approx(by_hand, rel=1e-12)


def test_a_customer_with_hundreds_of_purchases_neither_overflows_nor_loses_precision():
    # 2F1(r + x, b + x; ...) of lifetimes' formula is about 1e300 here; the transformed series is not
    e = bgnbd.expected_purchases(PUBLISHED, 52, np.array([2000.0]), np.array([38.86]), np.array([38.86]))
    assert np.isfinite(e).all() and 1000 < e[0] < 3000


def test_the_fit_of_customers_who_never_came_back_says_it_did_not_settle():
    f = bgnbd.fit(np.zeros(5), np.zeros(5), np.array([1.0, 3, 5, 7, 9]))
    assert not f.settled and "did not settle" in f.describe()


# ------------------------------------------------------------------ the report, by hand

# A: orders on Jan 1 (twice: one order day), Jan 11 and Jan 31: frequency 2, recency 30, tenure 40 at Feb 10.
# B: one order on Jan 21 and a return-only order on Feb 1 (no order: spend 30 - 10 = 20), frequency 0,
#    tenure 20. C: like B's purchase, on Jan 21 (a tie with B, who appeared first). A guest: never a row.
# D: first order after the as-of date used below (Feb 10): not a customer yet.
ORDERS = """order_id,ordered_at,customer_id,sku,quantity,unit_price
O1,2024-01-01 09:00,A,MUG,1,10.00
O2,2024-01-01 17:00,A,MUG,2,10.00
G1,2024-01-05 10:00,,MUG,9,10.00
O3,2024-01-11 10:00,A,MUG,1,10.00
O4,2024-01-21 10:00,B,TENT,1,30.00
O5,2024-01-21 11:00,C,TENT,1,30.00
O6,2024-01-31 10:00,A,MUG,2,10.00
R1,2024-02-01 10:00,B,TENT,-1,10.00
O7,2024-02-10 10:00,E,MUG,1,10.00
O8,2024-02-20 10:00,D,MUG,1,10.00
"""


@pytest.fixture
def shop(store, write_csv):
    conn = store.connect()
    ingest_file(conn, str(write_csv(ORDERS)))
    conn.close()
    ro = store.read_only()
    yield ro
    ro.close()


def test_the_definitions_by_hand(shop):
    result = clv(shop, Params(as_of=date(2024, 2, 10)))
    by_id = {r["customer_id"]: r for r in result.records()}
    assert set(by_id) == {"A", "B", "C", "E"}          # no guest; D's first order is after as-of
    a, b, c, e = by_id["A"], by_id["B"], by_id["C"], by_id["E"]
    assert (a["orders"], a["spend"], a["frequency"], a["recency_days"], a["tenure_days"]) == (4, 60.0, 2, 30, 40)
    assert (b["orders"], b["spend"], b["frequency"], b["recency_days"], b["tenure_days"]) == (1, 20.0, 0, 0, 20)
    assert (e["orders"], e["frequency"], e["recency_days"], e["tenure_days"]) == (1, 0, 0, 0)   # first order today
    for r in (b, c, e):
        assert r["p_alive"] == 1.0                      # no repeat purchase: nothing says they left
    f = result.fit
    assert f.customers == 4
    assert a["p_alive"] == pytest.approx(float(bgnbd.p_alive(f, 2, 30, 40)), rel=1e-12)
    assert a["expected_orders_365d"] == pytest.approx(float(bgnbd.expected_purchases(f, 365, 2, 30, 40)), rel=1e-12)
    for r in by_id.values():                            # expected orders x the mean order value
        assert r["expected_spend_365d"] == pytest.approx(r["expected_orders_365d"] * r["spend"] / r["orders"])
    # sorted by expected spend; B and C look alike to the model (same x, t_x, T): B appeared first, and
    # B's lower spend (its return) puts it after C
    spends = [r[-1] for r in result.rows]
    assert spends == sorted(spends, reverse=True)
    assert [r[0] for r in result.rows].index("C") < [r[0] for r in result.rows].index("B")


def test_ties_in_expected_spend_go_to_the_customer_who_appeared_first(store, write_csv):
    conn = store.connect()
    ingest_file(conn, str(write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                                    "O1,2024-01-01,Z,MUG,1,10.00\nO2,2024-01-01,Y,MUG,1,10.00\n"
                                    "O3,2024-01-05,Z,MUG,1,10.00\nO4,2024-01-05,Y,MUG,1,10.00\n"
                                    "O5,2024-01-09,X,MUG,1,10.00\n")))
    conn.close()
    ro = store.read_only()
    ids = [r[0] for r in clv(ro).rows]
    ro.close()
    assert ids.index("Y") == ids.index("Z") + 1     # the same history and spend: Z was in the store first


def test_as_of_is_the_end_and_since_does_not_apply(shop):
    early = clv(shop, Params(as_of=date(2024, 1, 11)))
    assert {r[0]: r[4:7] for r in early.rows} == {"A": (1, 10, 10)}   # O3 on the as-of day counts
    with pytest.raises(ReportError, match="--since"):
        clv(shop, Params(since=date(2024, 1, 1)))
    with pytest.raises(ReportError, match="--category"):
        clv(shop, Params(category="Uncategorized"))
    assert clv(shop, Params(as_of=date(2023, 12, 31))).rows == []        # before the first sale: no one yet
    assert len(clv(shop, Params(limit=2))) == 2


def test_the_whales_tab_reads_p_alive_by_customer(shop):
    result = clv(shop)
    alive = p_alive_by_customer(shop, date(2024, 2, 20))
    assert alive == {r["customer_id"]: r["p_alive"] for r in result.records()}


def test_the_whales_fit_is_kept_until_the_store_or_as_of_changes(store, write_csv, shop):
    """The Whales tab reloads far more often than customers change: the fit is reused while it holds, and
    fitted again after any write or for another as-of."""
    from shopintel.reports.clv import cached_p_alive

    day = date(2024, 2, 20)
    first = p_alive_by_customer(shop, day)
    assert cached_p_alive(shop, day) is first and p_alive_by_customer(shop, day) is first
    assert cached_p_alive(shop, date(2024, 2, 10)) is None          # another as-of: not this fit
    writer = store.connect()
    ingest_file(writer, str(write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                                      "O9,2024-02-20 12:00,E,MUG,1,10.00\n", name="more.csv")))
    writer.close()
    assert cached_p_alive(shop, day) is None                        # a write: fitted again when asked
    again = p_alive_by_customer(shop, day)
    assert again is not first and again["E"] < 1.0                  # E came back: a repeat purchase now


def test_an_empty_store(store):
    store.connect().close()
    ro = store.read_only()
    assert clv(ro).rows == []
    ro.close()


def test_clv_through_the_command_line(cli, store, shop):
    r = cli("report", "clv", "--format", "json", *store.db)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert list(rows[0]) == ["customer_id", "customer_name", "orders", "spend", "frequency", "recency_days",
                             "tenure_days", "p_alive", "expected_orders_365d", "expected_spend_365d"]
    assert {row["customer_id"] for row in rows} == {"A", "B", "C", "D", "E"}
    assert all(math.isfinite(row["expected_spend_365d"]) for row in rows)
    table = cli("report", "clv", "--limit", "2", *store.db)
    assert table.returncode == 0 and "BG/NBD fit on 5 customers" in table.stdout
    since = cli("report", "clv", "--since", "2024-01-01", *store.db)
    assert since.returncode == 2 and "--since does not apply" in since.stderr and "Traceback" not in since.stderr


def test_other_reports_never_import_scipy(cli, store, shop):
    code = ("import sys; from shopintel.store.db import connect_read_only; from shopintel.reports import REPORTS;"
            f"c = connect_read_only({str(store)!r});"
            "[REPORTS[n].run(c) for n in REPORTS if n != 'clv'];"
            "print('scipy' in sys.modules); REPORTS['clv'].run(c); print('scipy' in sys.modules)")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "True"], out.stderr


# ------------------------------------------------------------------ fits that did not settle: every figure finite

def _by_quad(f, t, x, T):
    """E[purchases in t | alive] by direct numerical integration over p's posterior Beta(a, b + x) (scipy's
    quad, no hypergeometric function): an oracle independent of both of bgnbd's ways."""
    from scipy import integrate, stats

    R, s = f.r + x, t / (f.alpha + T)
    dist = stats.beta(f.a, f.b + x)
    lo, hi = dist.ppf(1e-12), dist.ppf(1 - 1e-12)
    return integrate.quad(lambda p: -np.expm1(-R * np.log1p(p * s)) / p * dist.pdf(p), lo, hi,
                          points=[dist.mean()], epsabs=0, epsrel=1e-10, limit=200)[0]


# parameters that unsettled fits of tiny stores ran to, where the closed form's series gave NaN (inf x 0) or a
# value outside its bounds
RUNAWAY = [
    bgnbd.Fit(7747833.99, 94088699.67, 5458.435, 18927.64, 0, 0, False),     # two repeat buyers
    bgnbd.Fit(151533.12, 2946486.46, 5.0129e-6, 3847.09, 0, 0, False),       # nobody ever drops out
    bgnbd.Fit(7.245e-5, 910376.9, 1.0, 1.0, 0, 0, False),                     # one one-time buyer
    bgnbd.Fit(1e8, 1e8, 1e8, 1e8, 0, 0, False),                               # every parameter at its bound
    bgnbd.Fit(1e-7, 1e-7, 1000.0, 1000.0, 0, 0, False),
]


@pytest.mark.parametrize("f", RUNAWAY)
def test_expected_purchases_stay_finite_and_within_their_bounds_at_runaway_parameters(f):
    x = np.array([0.0, 1, 3, 50, 400])
    tx, T = np.array([0.0, 5, 30, 300, 700]), np.array([10.0, 20, 40, 300, 700])
    alive = bgnbd.p_alive(f, x, tx, T)
    with np.errstate(invalid="raise", divide="raise"):   # no hidden inf x 0 on the way either
        e = bgnbd.expected_purchases(f, 365, x, tx, T)
    assert np.isfinite(e).all() and np.isfinite(alive).all() and ((alive >= 0) & (alive <= 1)).all()
    given_alive = e / alive
    R, s = f.r + x, 365 / (f.alpha + T)
    # between 1 - (1 + s)^-(r + x) (dropping out after the next purchase) and (r + x) s (never dropping out)
    assert (given_alive >= -np.expm1(-R * np.log1p(s)) * (1 - 1e-9)).all()
    assert (given_alive <= R * s * (1 + 1e-9)).all()


@pytest.mark.parametrize("f", [RUNAWAY[0], RUNAWAY[4], PUBLISHED])
def test_expected_purchases_agree_with_direct_integration(f):
    for x, tx, T in ((0, 0, 10.0), (1, 5, 20), (3, 30, 40), (50, 300, 300)):
        given_alive = float(bgnbd.expected_purchases(f, 365, x, [tx], [T])[0] / bgnbd.p_alive(f, x, [tx], [T])[0])
        assert given_alive == pytest.approx(_by_quad(f, 365, x, T), rel=1e-5)


def test_the_integrated_form_agrees_with_the_closed_form_where_both_hold():
    f, (x, tx, T) = PUBLISHED, _cdnow()
    closed = bgnbd.expected_purchases(f, 52, x, tx, T) / bgnbd.p_alive(f, x, tx, T)
    integrated = bgnbd._integrated(f.a, f.b + x, f.r + x, np.log1p(52 / (f.alpha + T)))
    assert integrated == pytest.approx(closed, rel=1e-5)      # the quadrature's accuracy (bgnbd._integrated)


TINY_STORES = {
    # one customer, one order: as-of is that order's day, so the tenure is 0 and the likelihood is flat
    "one order": "O1,2024-01-01,A,MUG,1,10.00\n",
    "three one-time buyers": "O1,2024-01-01,A,MUG,1,10.00\nO2,2024-01-05,B,MUG,2,10.00\nO3,2024-01-09,C,MUG,1,10.00\n",
    "one-time buyers on the last day": "O1,2024-01-09,A,MUG,1,10.00\nO2,2024-01-09,B,MUG,1,10.00\n",
    # the store that gave NaN expected orders: two repeat buyers (x 3, t_x 30, T 40; x 1, t_x 5, T 20)
    "two repeat buyers": "O1,2024-01-01,A,MUG,1,10.00\nO2,2024-01-11,A,MUG,1,10.00\nO3,2024-01-21,A,MUG,1,10.00\n"
                         "O4,2024-01-31,A,MUG,1,10.00\nO5,2024-01-21,B,MUG,1,10.00\nO6,2024-01-26,B,MUG,1,10.00\n"
                         "O7,2024-02-10,G,MUG,1,10.00\n",
    # a customer with an order every day for 60 days beside two one-time buyers
    "one customer with many orders": "".join(f"O{d},2024-01-{d:02d},A,MUG,1,10.00\n" if d <= 31 else
                                             f"O{d},2024-02-{d - 31:02d},A,MUG,1,10.00\n" for d in range(1, 61))
                                     + "B1,2024-01-15,B,MUG,1,10.00\nC1,2024-02-01,C,MUG,1,10.00\n",
}


@pytest.mark.parametrize("name", list(TINY_STORES))
def test_tiny_stores_give_finite_sane_figures(store, write_csv, name):
    conn = store.connect()
    ingest_file(conn, str(write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n" + TINY_STORES[name])))
    conn.close()
    ro = store.read_only()
    result = clv(ro)
    ro.close()
    records = result.records()
    assert records and result.fit is not None
    for r in records:
        for key in ("p_alive", "expected_orders_365d", "expected_spend_365d"):
            assert math.isfinite(r[key]), (name, r)
        assert 0 <= r["p_alive"] <= 1 and r["expected_orders_365d"] >= 0 and r["expected_spend_365d"] >= 0
        assert r["expected_orders_365d"] <= 365       # at most one purchase a day: the time unit, as in the data
    by_id = {r["customer_id"]: r for r in records}
    if name == "three one-time buyers":               # nobody came back in up to 8 days: little is expected
        assert all(r["expected_orders_365d"] < 1 for r in records)
    if name == "one customer with many orders":       # the daily buyer is expected to keep buying most
        a = by_id["A"]
        assert a["frequency"] == 59 and a["expected_orders_365d"] > 10 * by_id["B"]["expected_orders_365d"]
        assert result.rows[0][0] == "A"


def test_the_kept_totals_at_the_latest_sale_agree_with_the_parts(store, write_csv):
    """At the default as-of (the latest sale) the data come from agg_customer and the customer index; before
    it, from the parts up to as-of. Return-only orders: R1 on a day of its own (not an order day), R2 on a day
    with a bought order (that day stays one)."""
    from shopintel.reports.clv import _CUSTOMERS, customers

    conn = store.connect()
    ingest_file(conn, str(write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                                    "O1,2024-01-01,A,MUG,2,10.00\nR1,2024-01-03,A,MUG,-1,10.00\n"
                                    "O2,2024-01-05,A,MUG,1,10.00\nR2,2024-01-05,A,MUG,-1,10.00\n"
                                    "O3,2024-01-04,B,MUG,1,10.00\nO4,2024-01-04,B,MUG,1,10.00\n"
                                    "R3,2024-01-06,C,MUG,-1,10.00\nO5,2024-01-07,D,MUG,1,10.00\n")))
    conn.close()
    ro = store.read_only()
    kept = customers(ro, date(2024, 1, 7))
    parts = ro.execute(_CUSTOMERS, {"as_of": "2024-01-07"}).fetchall()
    ro.close()
    assert kept.keys == ["A", "B", "D"]                       # C has a return only: no order, no row
    assert [row[3:6] for row in parts] == list(zip(kept.orders, kept.spend_cents, [x + 1 for x in kept.x]))
    assert (kept.x, kept.tx, kept.T) == ([1, 0, 0], [4, 0, 0], [6, 3, 0])
    assert kept.spend_cents == [1000, 2000, 1000]
