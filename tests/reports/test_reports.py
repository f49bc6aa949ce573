"""Every report against numbers worked out by hand on the tiny store, and the cross-checks that must
always hold."""

from __future__ import annotations

from datetime import date

import pytest

from shopintel.reports.params import Params, ReportError, resolve
from shopintel.reports.summary import summary
from shopintel.store.stock import set_stock
from tests.frames import categories, reorder, revenue, segments, top_sellers, whales

# Net per order: O1 20+3=23, O2 100, O3 90, O4 10 (guest), O5 50, R1 -100, O6 100  -> 273
# Customers: Ann 113 (O1, O3), Bob 0 (O2, R1), Cy 150 (O5, O6). R1 only returns: a return, not an order.


def test_summary_by_hand(tiny):
    s = summary(tiny, Params())
    assert s.revenue == 273.00
    assert s.gross_revenue == 373.00
    assert s.returns == 100.00
    assert (s.orders, s.customers, s.guest_orders) == (6, 3, 1)
    assert s.units == 4 + 1 + 1 + 2 + 10 - 1 + 1      # postage is not a unit sold
    assert s.aov == pytest.approx(273 / 6)
    assert (s.first_date, s.last_date) == ("2024-03-01", "2024-03-10")
    assert s.top_1pct_share == pytest.approx(150 / 263)   # one customer: Cy
    assert s.top_20pct_share == pytest.approx(150 / 263)  # ceil(3 x 0.2) = 1


def test_whales_rank_by_net_spend_and_never_list_guests(tiny):
    w = whales(tiny, Params())
    assert list(w["customer_id"]) == ["C3", "C1", "C2"]
    assert list(w["spend"]) == [150.0, 113.0, 0.0]
    assert list(w["orders"]) == [2, 2, 1]
    assert w["share"].tolist() == pytest.approx([150 / 263, 113 / 263, 0])
    assert w["cumulative_share"].is_monotonic_increasing and w["cumulative_share"].iloc[-1] <= 1 + 1e-12
    assert list(w["rank"]) == [1, 2, 3]
    assert list(w.columns) == ["rank", "customer_id", "customer_name", "orders", "units", "spend", "aov",
                               "first_order", "last_order", "share", "cumulative_share"]


def test_whales_options(tiny):
    assert list(whales(tiny, Params(top_percent=34))["customer_id"]) == ["C3", "C1"]   # ceil(3 x .34) = 2
    assert list(whales(tiny, Params(min_spend=100))["customer_id"]) == ["C3", "C1"]
    assert list(whales(tiny, Params(limit=1))["customer_id"]) == ["C3"]
    # a period: only O5 and O6 and R1 fall in 2024-03-08..10. Bob only returned (-100): not ranked, and
    # the share base is the non-negative customer spend (150), so shares stay within 0..1
    p = whales(tiny, Params(since=date(2024, 3, 8), until=date(2024, 3, 10)))
    assert list(zip(p["customer_id"], p["spend"])) == [("C3", 150.0)]
    assert p["share"].tolist() == [1.0] and p["cumulative_share"].tolist() == [1.0]
    s = summary(tiny, Params(since=date(2024, 3, 8), until=date(2024, 3, 10)))
    assert (s.revenue, s.customers) == (50.0, 1)          # Bob only returned: not a customer of the period
    assert s.top_1pct_share == 1.0 and s.top_20pct_share == 1.0


def test_whales_min_spend_is_in_cents_exactly(tiny):
    # 113.00 is Ann's spend: >= 113 keeps her, >= 113.01 does not (no float drift at the boundary)
    assert list(whales(tiny, Params(min_spend=113))["customer_id"]) == ["C3", "C1"]
    assert list(whales(tiny, Params(min_spend=113.01))["customer_id"]) == ["C3"]
    assert list(whales(tiny, Params(min_spend=0, limit=2))["customer_id"]) == ["C3", "C1"]
    assert list(whales(tiny, Params(top_percent=100))["customer_id"]) == ["C3", "C1", "C2"]


@pytest.mark.parametrize("since,until", [("2024-03-01", "2024-03-10"), ("2024-03-02", "2024-03-09"),
                                         ("2024-03-08", "2024-03-10"), ("2024-03-09", "2024-03-09")])
def test_whales_cumulative_share_is_monotonic_and_at_most_one_in_any_period(tiny, since, until):
    w = whales(tiny, Params(since=date.fromisoformat(since), until=date.fromisoformat(until), limit=None,
                            min_spend=0))
    if w.empty:
        return
    assert w["cumulative_share"].is_monotonic_increasing
    assert w["cumulative_share"].iloc[-1] <= 1 + 1e-12
    assert (w["share"] >= 0).all() and (w["spend"] >= 0).all()


def test_whales_ties_go_to_the_earlier_customer(store, write_csv):
    path = write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                     "1,2024-01-01,ZED,A,1,5\n2,2024-01-01,AMY,A,1,5\n")
    from shopintel.store.ingest import ingest_file

    conn = store.connect()
    ingest_file(conn, str(path))
    assert list(whales(conn, Params())["customer_id"]) == ["ZED", "AMY"]


def test_top_sellers_window_threshold_trend_and_no_postage(tiny):
    # as of 2024-03-10, a 7-day window 03-04..03-10: MUG 2+10 = 12 units; TENT 1-1+1 = 1
    t = top_sellers(tiny, Params(window_days=7, min_per_week=3))
    assert list(t["sku"]) == ["MUG"]
    row = t.iloc[0]
    assert (row["units"], row["units_per_week"], row["revenue"], row["previous_units"]) == (12, 12.0, 60.0, 4)
    assert row["trend"] == pytest.approx(12 / 4 - 1)
    everything = top_sellers(tiny, Params(window_days=10, min_per_week=0))
    assert "POST" not in set(everything["sku"])
    assert everything.set_index("sku").loc["TENT", "trend"] is None   # nothing in the previous window: no trend


def test_categories_share_growth_contribution_and_driver(tiny):
    all_time = categories(tiny, Params())
    assert dict(zip(all_time["category"], all_time["revenue"])) == {"Outdoor": 190.0, "Kitchen": 80.0, "Fees": 3.0}
    assert all_time["share"].sum() == pytest.approx(1)
    assert all_time["growth"].isna().all() and not all_time["driver"].any()
    # 03-06..03-10 vs 03-01..03-05: Outdoor 0 vs 190, Kitchen 60 vs 20, Fees 0 vs 3
    c = categories(tiny, Params(since=date(2024, 3, 6), until=date(2024, 3, 10))).set_index("category")
    assert c.loc["Kitchen", "growth"] == pytest.approx(60 / 20 - 1)
    total_prev = 213
    assert c.loc["Kitchen", "growth_contribution"] == pytest.approx(40 / total_prev)
    assert c["growth_contribution"].sum() == pytest.approx((60 - 213) / 213)   # contributions add up
    # the shop fell (213 -> 60): the driver is the largest fall, Outdoor (-190), not Kitchen's rise (+40)
    assert c["driver"].sum() == 1 and c.loc["Outdoor", "driver"]


def test_revenue_series_is_continuous_and_sums_to_the_summary(tiny):
    r = revenue(tiny, Params())
    assert len(r) == 10 and r["period"].iloc[0] == "2024-03-01"
    assert r.set_index("period").loc["2024-03-03", "revenue"] == 0
    assert r["revenue"].sum() == pytest.approx(summary(tiny, Params()).revenue)
    assert r["moving_average"].iloc[0] == r["revenue"].iloc[0]
    assert r["moving_average"].iloc[6] == pytest.approx(r["revenue"].iloc[:7].mean())
    weekly = revenue(tiny, Params(grain="week"))
    assert list(weekly["period"]) == ["2024-02-26", "2024-03-04"]        # weeks start Monday
    assert weekly["revenue"].sum() == pytest.approx(273)


def test_revenue_profiles(tiny):
    prof = revenue(tiny, Params(profile="weekday"))
    assert list(prof["period"]) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert list(prof.columns) == ["period", "revenue", "index"]
    # average revenue per day of that weekday times the count of such days sums to the total
    assert (prof["index"].mean()) > 0


def test_reorder_rule_and_status(store, tiny):
    writer = store.connect()
    set_stock(writer, "MUG", 1, counted_at="2024-03-01T00:00:00", lead_time_days=7)
    set_stock(writer, "TENT", 50, counted_at="2024-03-01T00:00:00", reorder_point=60)
    writer.close()
    r = reorder(tiny, Params(show_all=True)).set_index("sku")
    # MUG: counted 1, then sold 4 + 2 + 10 = 16 -> -15 on hand: OUT
    assert r.loc["MUG", "on_hand"] == -15 and r.loc["MUG", "status"] == "OUT"
    # TENT: 50 - (1 + 1 - 1 + 1) = 48, explicit reorder point 60 -> LOW
    assert r.loc["TENT", "on_hand"] == 48 and r.loc["TENT", "status"] == "LOW"
    assert r.loc["TENT", "reorder_point"] == 60
    assert list(r["status"]) == ["OUT", "LOW"]
    # without --all only products above 3 units a week over 28 days: MUG 16/4 = 4, TENT 2/4
    assert list(reorder(tiny, Params())["sku"]) == ["MUG"]


def test_segments_cover_every_customer(tiny):
    s = segments(tiny, Params())
    assert s["customers"].sum() == 3
    assert s["revenue"].sum() == pytest.approx(263)
    members = segments(tiny, Params(segment=s["segment"].iloc[0]))
    assert len(members) == s["customers"].iloc[0]
    with pytest.raises(ReportError):
        segments(tiny, Params(segment="Nope"))


def test_empty_period_is_an_empty_result_not_an_error(tiny):
    p = Params(since=date(2030, 1, 1), until=date(2030, 1, 31))
    assert whales(tiny, p).empty
    assert summary(tiny, p).revenue == 0
    assert revenue(tiny, p)["revenue"].sum() == 0


def test_unknown_category_and_bad_period_are_clear(tiny):
    with pytest.raises(ReportError, match="unknown category"):
        resolve(tiny, Params(category="Nope"))
    with pytest.raises(ReportError, match="after"):
        resolve(tiny, Params(since=date(2024, 3, 9), until=date(2024, 3, 1)))


def test_cross_checks_on_a_synthetic_store(store):
    from shopintel.store import synth

    conn = store.connect()
    synth.build_store(conn, 10_000, seed=3, end=date(2026, 6, 30))
    s = summary(conn, Params())
    assert categories(conn, Params())["revenue"].sum() == pytest.approx(s.revenue, abs=0.005)
    assert revenue(conn, Params())["revenue"].sum() == pytest.approx(s.revenue, abs=0.005)
    assert revenue(conn, Params(grain="month"))["revenue"].sum() == pytest.approx(s.revenue, abs=0.005)
    w = whales(conn, Params(limit=None, min_spend=-1e12))
    assert w["cumulative_share"].is_monotonic_increasing
    assert w["cumulative_share"].iloc[-1] == pytest.approx(1)
    period = Params(since=date(2026, 1, 1), until=date(2026, 6, 30))
    c = categories(conn, period)
    prev = summary(conn, Params(since=date(2025, 7, 4), until=date(2025, 12, 31)))
    now = summary(conn, period)
    assert c["growth_contribution"].sum() == pytest.approx(now.revenue / prev.revenue - 1)
    assert c["driver"].sum() == 1
    # year over year, the generator's growth driver must be the one marked
    yoy = categories(conn, period.with_(compare="year"))
    last_year = summary(conn, Params(since=date(2025, 1, 1), until=date(2025, 6, 30)))
    assert yoy["growth_contribution"].sum() == pytest.approx(now.revenue / last_year.revenue - 1)
    assert yoy.loc[yoy["driver"], "category"].iloc[0] == "Outdoor"
    conn.close()


def test_segments_by_hand_and_equal_customers_score_equal(tiny):
    # as of 2024-03-10: Bob's last order is O2 (03-02: R1 is a return, not an order), so recency Cy 0,
    # Ann 5, Bob 8; orders Ann 2, Bob 1, Cy 2; spend Bob 0, Ann 113, Cy 150.
    # quintile = floor((min rank - 1) x 5 / 3) + 1: recency ranks 1,2,3 -> 1,2,4 -> R 5,4,2;
    # orders: Bob rank 1, Ann and Cy tie at rank 2 -> F 1, 2, 2; spend ranks 1,2,3 -> M 1,2,4
    from shopintel.reports.segments import scored
    df = scored(tiny, resolve(tiny, Params())).to_frame().set_index("customer_id")
    assert df.loc[["C3", "C1", "C2"], "r"].tolist() == [5, 4, 2]
    assert df.loc[["C2", "C1", "C3"], "f"].tolist() == [1, 2, 2]
    assert df.loc[["C2", "C1", "C3"], "m"].tolist() == [1, 2, 4]
    assert df.loc[["C3", "C1", "C2"], "segment"].tolist() == ["Potential Loyalist", "Potential Loyalist",
                                                             "Hibernating"]
    listed = segments(tiny, Params(segment="potential loyalist"))
    assert list(listed.columns) == ["customer_id", "customer_name", "recency_days", "orders", "spend", "r", "f", "m"]
    assert listed["customer_id"].tolist() == ["C3", "C1"]


def test_segment_precedence_first_rule_wins():
    from shopintel.reports.segments import _segment
    r, f, m = ([5, 1, 4, 2, 3, 5, 4, 3, 2, 1], [5, 5, 4, 3, 3, 1, 1, 2, 1, 2], [5, 5, 1, 1, 3, 1, 1, 1, 1, 1])
    assert [_segment(*rfm) for rfm in zip(r, f, m)] == ["Champions", "Can't Lose Them", "Loyal Customers", "At Risk",
                                          "Need Attention", "New Customers", "Promising", "About To Sleep",
                                          "Hibernating", "Lost"]


def test_revenue_empty_period_and_category_series(tiny):
    assert revenue(tiny, Params(since=date(2030, 1, 1), until=date(2030, 1, 31))).empty
    kitchen = revenue(tiny, Params(category="Kitchen"))
    assert kitchen["revenue"].sum() == 80 and kitchen["orders"].isna().all()
    month = revenue(tiny, Params(profile="month"))
    assert month["period"].tolist() == ["Mar"] and month["index"].tolist() == [1.0]


def test_reorder_counts_sales_after_the_count_up_to_as_of_only(store, tiny):
    writer = store.connect()
    # counted at 12:00 on 03-01: O1 (10:00 that day) was before the count and is not subtracted
    set_stock(writer, "MUG", 20, counted_at="2024-03-01T12:00:00")
    writer.close()
    at_end = reorder(tiny, Params(show_all=True)).set_index("sku")
    assert at_end.loc["MUG", "on_hand"] == 20 - 2 - 10
    earlier = reorder(tiny, Params(show_all=True, as_of=date(2024, 3, 7))).set_index("sku")
    assert earlier.loc["MUG", "on_hand"] == 20 - 2            # O5's 10 mugs are after 03-07


def test_reorder_evaluate_for_given_products_only(store, tiny):
    from shopintel.reports.reorder import evaluate
    writer = store.connect()
    set_stock(writer, "MUG", 20, counted_at="2024-03-01T12:00:00")
    set_stock(writer, "TENT", 5, counted_at="2024-03-01T12:00:00")
    writer.close()
    tent = tiny.execute("SELECT product_id FROM products WHERE sku = 'TENT'").fetchone()[0]
    period = resolve(tiny, Params())
    one = evaluate(tiny, Params(), period, [tent])
    assert one.column("sku") == ["TENT"] and one.column("on_hand") == [5 - 2]
    assert evaluate(tiny, Params(), period, []).empty
    both = {r["sku"]: r for r in evaluate(tiny, Params(), period).records()}
    assert set(both) == {"MUG", "TENT"} and both["TENT"] == one.records()[0]


def test_top_sellers_ties_by_sku_and_category_filter(store, write_csv):
    from shopintel.store.ingest import ingest_file
    path = write_csv("order_id,ordered_at,sku,category,quantity,unit_price\n"
                     "1,2024-01-01,ZZ,A,30,1\n2,2024-01-02,AA,A,30,2\n3,2024-01-02,MM,B,31,1\n")
    conn = store.connect()
    ingest_file(conn, str(path))
    assert top_sellers(conn, Params())["sku"].tolist() == ["MM", "AA", "ZZ"]
    assert top_sellers(conn, Params(category="a"))["sku"].tolist() == ["AA", "ZZ"]
    assert top_sellers(conn, Params(min_per_week=31 / 4))["sku"].tolist() == []    # strictly more than
    conn.close()


def test_registry_lists_every_report_with_its_columns(tiny):
    """Each report's runner returns exactly the columns its entry declares, for every variant."""
    from shopintel import reports
    assert list(reports.REPORTS) == ["summary", "whales", "top-sellers", "categories", "revenue", "reorder",
                                     "segments", "cohorts", "basket", "abc-xyz", "clv"]
    variants = {"profile": Params(profile="weekday"), "segment": Params(segment="Champions")}
    for name, spec in reports.REPORTS.items():
        for params in (Params(), *(variants[v.param] for v in spec.variants)):
            out = spec.run(tiny, params)
            cols = list(out.as_dict()) if hasattr(out, "as_dict") else list(out.columns)
            assert cols == [c.name for c in spec.columns_for(params)], (name, params)


def test_the_registry_loads_no_report_module_and_no_pandas():
    """The CLI's help and the app's tabs come from the registry: loading it must cost no report runner."""
    import subprocess
    import sys

    code = ("import sys\nfrom shopintel.reports.registry import REPORTS, column_kinds\ncolumn_kinds()\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy') or "
            "m in ('shopintel.reports.whales', 'shopintel.reports.revenue', 'shopintel.reports.segments'))))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""


def test_since_after_the_latest_sale_is_an_empty_period(tiny):
    p = Params(since=date(2025, 1, 1))
    assert summary(tiny, p).orders == 0 and whales(tiny, p).empty and revenue(tiny, p).empty
    assert categories(tiny, p).empty


def test_top_sellers_threshold_applies_to_the_window_total_not_a_single_day(store, write_csv):
    """One unit a day for four weeks is 7 a week: above 3 a week even though no single day is."""
    from shopintel.store.ingest import ingest_file

    rows = "".join(f"O{d},2024-02-{d:02d},C1,STEADY,1,2.00\n" for d in range(1, 29))
    conn = store.connect()
    ingest_file(conn, str(write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n" + rows)))
    t = top_sellers(conn, Params(window_days=28, min_per_week=3))
    assert list(t["sku"]) == ["STEADY"] and t["units_per_week"].iloc[0] == 7.0
    conn.close()


def test_summary_counts_the_customers_whales_ranks_plus_those_it_leaves_out_as_segments_does(tiny):
    """One count of customers (reports.customers.totals): summary and the Overview's card count every
    non-guest customer who bought a line in the period; segments scores them all; whales ranks all but
    those whose spend there is negative (unranked)."""
    from shopintel.reports.customers import unranked
    from shopintel.reports.params import resolve
    from shopintel.reports.segments import segments
    from shopintel.reports.summary import summary
    from shopintel.reports.whales import whales

    for p in (Params(), Params(since=date(2024, 3, 5), until=date(2024, 3, 10))):
        period = resolve(tiny, p)
        n = summary(tiny, p).customers
        ranked = len(whales(tiny, p.with_(limit=10_000)))
        segmented = sum(segments(tiny, p).column("customers"))
        assert n == ranked + unranked(tiny, period) == segmented
    # the period where Bob only returned his tent: a return-only order is no order, so Bob is nobody's
    # customer there (edge rules), in summary, segments and whales alike
    p = Params(since=date(2024, 3, 5), until=date(2024, 3, 10))
    assert (summary(tiny, p).customers, len(whales(tiny, p)), unranked(tiny, resolve(tiny, p))) == (2, 2, 0)
