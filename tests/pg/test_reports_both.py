"""The same imports (orders and stock counts) on SQLite and on PostgreSQL give the same import summaries and
the same JSON, to the character, for every report of the registry, under the parameters that take each one
down a different query path (all history vs a period, limits, a category, thresholds, grains and
profiles, segments, an as-of inside the history); and the app's drill-downs (reports.details) give the
same rows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from shopintel.reports.params import Params, parse_date
from shopintel.reports.registry import REPORTS
from shopintel.store.db import connect, connect_read_only
from shopintel.store.ingest import IngestOptions, ingest_file
from shopintel.store.pg import connection as pgc
from shopintel.store.stock import import_stock
from shopintel.tui.cmd_report import json_lines, to_records

ROOT = Path(__file__).resolve().parents[2]

# The edges, written as a shop's export would carry them: a guest order, postage, a return-only order
# (a cancellation), an order over midnight, an order whose lines carry two customers, skus and categories
# whose sort order differs between byte order and a locale's (lower/upper case, an accent, '_').
EDGES = """order_id,ordered_at,customer_id,customer_name,email,country,sku,product_name,category,quantity,unit_price,discount
E1,2025-03-01 09:00:00,K1,Ann,,DE,b-sku,bolt,hardware,3,2.50,
E1,2025-03-01 09:00:00,K1,Ann,,DE,POSTAGE,Postage,,1,4.95,
E2,2025-03-01 23:59:30,K2,Bob,,FR,B-sku,Bolt Big,Hardware,2,10.00,0.50
E2,2025-03-02 00:00:10,K2,Bob,,FR,_x,underscore,Élan,1,1.99,
E3,2025-03-02 10:00:00,,,,,b-sku,bolt,hardware,5,2.50,
E4,2025-03-03 11:00:00,K1,Ann,,DE,Ä-sku,umlaut,élan,4,3.333,
E4,2025-03-03 11:00:00,K3,Cem,,TR,b-sku,bolt,hardware,1,2.50,
CE5,2025-03-04 12:00:00,K2,Bob,,FR,B-sku,Bolt Big,Hardware,-2,10.00,
E6,2025-03-05 08:00:00,K3,Cem,,TR,_x,underscore,Élan,7,1.99,
E6,2025-03-05 08:00:00,K3,Cem,,TR,b-sku,bolt,hardware,-1,2.50,
"""
# A later export: E2 again with other lines (replaced, not added), a new day, a customer renamed, a product
# moved to another category (every day it sold on is summed again per category).
LATER = """order_id,ordered_at,customer_id,customer_name,email,country,sku,product_name,category,quantity,unit_price,discount
E2,2025-03-01 23:59:30,K2,Bob B.,bob@example.com,FR,B-sku,Bolt Big,Hardware,1,10.00,
E7,2025-03-09 15:00:00,K4,Dana,,US,b-sku,bolt,hardware,30,2.50,
E7,2025-03-09 15:00:00,K4,Dana,,US,bad-qty,bad,hardware,x,2.50,
E8,2025-03-10 09:00:00,K1,Ann,,DE,_x,underscore,Garden,2,1.99,
"""

CASES = [
    ("summary", {}), ("summary", {"since": "2024-12-01", "until": "2024-12-31"}),
    ("whales", {}), ("whales", {"limit": 3}), ("whales", {"top_percent": 10.0}), ("whales", {"min_spend": 50.0}),
    ("whales", {"since": "2024-11-15", "until": "2025-01-10"}), ("whales", {"since": "2025-03-01", "limit": 2}),
    ("categories", {}), ("categories", {"since": "2024-12-01", "until": "2024-12-31"}),
    ("categories", {"since": "2024-12-01", "until": "2024-12-31", "compare": "year"}),
    ("categories", {"category": "Garden"}),
    ("revenue", {}), ("revenue", {"grain": "week"}), ("revenue", {"grain": "month", "limit": 3}),
    ("revenue", {"profile": "weekday"}), ("revenue", {"profile": "month"}), ("revenue", {"category": "Garden"}),
    ("top-sellers", {}), ("top-sellers", {"window_days": 7, "min_per_week": 1.0}),
    ("top-sellers", {"as_of": "2024-12-20", "limit": 5}), ("top-sellers", {"category": "Garden", "min_per_week": 0.0}),
    ("top-sellers", {"as_of": "2025-03-09", "window_days": 14, "min_per_week": 0.0}),
    # cohorts reads the kept cohort months, in SQL that was portable as it stood
    ("cohorts", {}), ("cohorts", {"since": "2024-12-01", "until": "2025-01-31"}),
    # reorder: the stock counts, units sold after a count on its own day, the velocity filter in doubles
    ("reorder", {"show_all": True}), ("reorder", {"min_per_week": 0.5}), ("reorder", {"window_days": 7, "min_per_week": 0.0}),
    ("reorder", {"as_of": "2026-10-24", "show_all": True}), ("reorder", {"category": "Garden", "show_all": True}),
    ("reorder", {"service_level": 0.99, "review_days": 7, "show_all": True, "limit": 10}),
    ("reorder", {"as_of": "2025-03-05", "show_all": True}),
    # segments: recency counted in Python, the period's customers, one segment's customers
    ("segments", {}), ("segments", {"since": "2025-01-01", "until": "2025-12-31"}), ("segments", {"as_of": "2025-06-30"}),
    ("segments", {"segment": "Champions"}), ("segments", {"segment": "lost", "limit": 5}),
    ("segments", {"segment": "Loyal Customers", "since": "2025-03-01", "until": "2025-03-10"}),
    # basket: a temporary table on SQLite, a CTE on PostgreSQL
    ("basket", {}), ("basket", {"min_orders": 1}), ("basket", {"min_orders": 1, "limit": 100}),
    ("basket", {"since": "2025-03-01", "until": "2025-03-10", "min_orders": 1}),
    # abc-xyz: the 52 weeks given as VALUES; a period that is not those weeks; a category
    ("abc-xyz", {}), ("abc-xyz", {"category": "Outdoor"}), ("abc-xyz", {"since": "2024-11-01"}),
    ("abc-xyz", {"as_of": "2025-03-10", "limit": 20}), ("abc-xyz", {"until": "2025-12-31"}),
    # clv: days between order days counted in Python, the fit on the same arrays
    ("clv", {}), ("clv", {"limit": 10}), ("clv", {"until": "2025-12-31"}), ("clv", {"as_of": "2025-03-10"}),
]
STOCK = ROOT / "data" / "sample_stock.csv"
# counts on a day with sales (units sold after the count that day), a count of an edge product, a reorder point
EDGE_STOCK = """sku,on_hand,counted_at,lead_time_days,reorder_point
b-sku,40,2025-03-02 09:30,5,
_x,3,2025-03-05,7,2
B-sku,0,2025-03-04 11:00,,
"""


def test_every_report_of_the_registry_is_compared():
    assert {name for name, _ in CASES} == set(REPORTS)


def _params(given: dict) -> Params:
    return Params(**{k: parse_date(v) if k in ("since", "until", "as_of") else v for k, v in given.items()})


def _json(conn, name: str, given: dict) -> str:
    from shopintel.reports.params import resolve

    report = REPORTS[name]
    params = _params(given)
    period = resolve(conn, params, report.default_days)
    return json_lines(to_records(report.run(conn, params, period)))


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_cluster):
    """One store on each backend for the module: the tests only read them."""
    tmp_path = tmp_path_factory.mktemp("both")
    pg_url = pg_cluster.url(schema="both_backends")
    files = [ROOT / "data" / "sample_orders.csv", tmp_path / "edges.csv", tmp_path / "later.csv"]
    files[1].write_text(EDGES, encoding="utf-8")
    files[2].write_text(LATER, encoding="utf-8")
    stock = [STOCK, tmp_path / "stock.csv"]
    stock[1].write_text(EDGE_STOCK, encoding="utf-8")
    db = tmp_path / "shop.db"
    imports = {}
    for backend, conn in (("sqlite", connect(db)), ("postgresql", pgc.connect(pg_url))):
        try:
            imports[backend] = [ingest_file(conn, str(f), IngestOptions(rejects_path=str(tmp_path / f"{backend}.rejects.csv")))
                                for f in files]
            imports[backend] += [import_stock(conn, str(f)) for f in stock]
        finally:
            conn.close()
    return db, pg_url, imports, tmp_path


def test_the_imports_say_the_same_on_both_backends(both):
    _, _, imports, tmp_path = both
    for lite, pg in zip(imports["sqlite"], imports["postgresql"]):
        a, b = dataclasses.asdict(lite), dataclasses.asdict(pg)
        a.pop("rejects_path", None), b.pop("rejects_path", None)
        assert a == b
    later = imports["postgresql"][2]
    assert later.orders_replaced == 1 and later.rows_rejected == 1 and later.rows_loaded == 3
    assert (tmp_path / "sqlite.rejects.csv").read_bytes() == (tmp_path / "postgresql.rejects.csv").read_bytes()


@pytest.mark.parametrize("name,given", CASES, ids=[f"{n}-{'-'.join(map(str, g.values())) or 'default'}"
                                                   for n, g in CASES])
def test_every_report_gives_the_same_json_on_both_backends(both, name, given):
    db, pg_url, _, _ = both
    lite, pg = connect_read_only(db), pgc.connect_read_only(pg_url)
    try:
        expected, got = _json(lite, name, given), _json(pg, name, given)
    finally:
        lite.close(), pg.close()
    assert got == expected
    assert expected not in ("[]", "{}")   # a case that compares two empty answers proves nothing


def _natural(conn, table: str) -> list[tuple]:
    """The table's rows with every id replaced by the key it stands for (sku, customer key, category name):
    ids are the store's own numbering, and PostgreSQL's identity sequences may skip numbers (an upsert that
    updates still draws one), where SQLite's do not. Sorted in Python, so collation plays no part."""
    keys = {"product_id": dict(conn.execute("SELECT product_id, sku FROM products").fetchall()),
            "customer_id": dict(conn.execute("SELECT customer_id, customer_key FROM customers").fetchall()),
            "category_id": dict(conn.execute("SELECT category_id, name FROM categories").fetchall())}
    cur = conn.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return sorted(tuple(keys[n].get(v, v) if n in keys else v for n, v in zip(names, row)) for row in cur.fetchall())


def test_the_kept_tables_hold_the_same_rows_on_both_backends(both):
    """Beneath the reports: every kept table and dimension, row for row; and the customers numbered in the
    same order (the tie-break of equal spends)."""
    db, pg_url, _, _ = both
    tables = ["inventory", "order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer",
              "agg_cohort_month", "agg_customer_base", "categories", "products", "customers", "sales"]
    lite, pg = connect_read_only(db), pgc.connect_read_only(pg_url)
    try:
        for table in tables:
            a, b = _natural(lite, table), _natural(pg, table)
            if table == "sales":   # sale and import ids are the store's own numbering too
                a, b = ([r[1:-1] for r in rows] for rows in (a, b))
            assert b == a, table
        order = "SELECT customer_key FROM customers ORDER BY customer_id"
        assert [r[0] for r in pg.execute(order)] == [r[0] for r in lite.execute(order)]
    finally:
        lite.close(), pg.close()


def _plain(value):
    """A drill-down's answer as JSON-able data: Rows as their records, NamedTuples as dicts."""
    if hasattr(value, "records"):
        return value.records()
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    return value


@pytest.mark.parametrize("ask", [
    ("customer_detail", ("C000147",), {}), ("customer_detail", ("K2",), {"limit": 1}),
    ("customer_detail", ("K1",), {}),
    ("product_detail", ("b-sku",), {}), ("product_detail", ("_x",), {"weeks": 4}),
    ("product_detail", ("HOM-00043",), {}), ("product_detail", ("POSTAGE",), {}),
    ("category_products", ("hardware",), {}), ("category_products", ("Garden",), {}),
], ids=lambda a: f"{a[0]}-{a[1][0]}")
def test_the_drill_downs_give_the_same_rows_on_both_backends(both, ask):
    import json

    from shopintel.reports import details

    db, pg_url, _, _ = both
    name, args, kw = ask
    lite, pg = connect_read_only(db), pgc.connect_read_only(pg_url)
    try:
        expected, got = (json.dumps(_plain(getattr(details, name)(c, *args, **kw)), sort_keys=True, default=str)
                         for c in (lite, pg))
    finally:
        lite.close(), pg.close()
    assert got == expected
