"""The drill-downs behind the app's detail screens, on the tiny hand-made store."""

from __future__ import annotations

import pytest

from shopintel.reports.details import category_products, customer_detail, product_detail
from shopintel.reports.params import Params, ReportError
from shopintel.store.db import connect
from shopintel.store.stock import set_stock


def test_customer_orders_and_monthly_spend(tiny):
    d = customer_detail(tiny, "C1")
    assert d.name == "Ann" and d.total_orders == 2
    assert d.orders.column("order_id") == ["O3", "O1"]                    # newest first
    assert d.orders.column("revenue") == [90.0, 23.0] and d.orders.column("units") == [1, 4]
    assert d.monthly.records() == [{"month": "2024-03", "revenue": 113.0}]
    assert d.segment == "Potential Loyalist"   # R 4, F 2 (tests/reports/test_reports.py, segments by hand)
    with pytest.raises(ReportError):
        customer_detail(tiny, "nobody")


def test_product_weekly_units_and_stock(store, tiny):
    writer = store.connect()
    set_stock(writer, "MUG", 20, counted_at="2024-03-01T12:00:00")
    writer.close()
    p = product_detail(tiny, "MUG")
    assert (p.name, p.category, p.is_merch) == ("Mug", "Kitchen", True)
    assert len(p.weekly) == 26 and p.weekly.column("week")[-1] == "2024-03-04"   # Mondays up to as-of
    assert p.weekly.column("units")[-2:] == [4, 12] and sum(p.weekly.column("revenue")) == 80.0
    assert p.stock["on_hand"] == 20 - 12 and p.stock["status"] in ("OK", "LOW", "OUT")
    assert product_detail(tiny, "TENT").stock is None                     # never counted
    with pytest.raises(ReportError):
        product_detail(tiny, "NOPE")


def test_category_products_with_share(tiny):
    out = category_products(tiny, "outdoor")
    assert out.records() == [{"sku": "TENT", "product_name": "Tent", "units": 2, "revenue": 190.0, "share": 1.0}]
    with pytest.raises(ReportError):
        category_products(tiny, "Nope", Params())


def test_one_customers_segment_is_the_segment_scoring_every_customer_gives(tmp_path):
    """segment_of counts the customers below one customer instead of scoring them all: the same answer
    for every customer, ties (one-time buyers, equal spends) included."""
    from datetime import date

    from shopintel.reports.params import Params, resolve
    from shopintel.reports.segments import scored, segment_of
    from shopintel.store import synth
    from shopintel.store.db import connect, connect_read_only

    path = tmp_path / "shop.db"
    conn = connect(path)
    synth.build_store(conn, 4000, seed=11, end=date(2026, 6, 30))
    conn.close()
    conn = connect_read_only(path)
    everyone = scored(conn, resolve(conn, Params())).records()
    assert len({c["segment"] for c in everyone}) >= 5
    assert [segment_of(conn, c["customer_id"]) for c in everyone] == [c["segment"] for c in everyone]
    assert segment_of(conn, "no such customer") is None
    conn.close()
