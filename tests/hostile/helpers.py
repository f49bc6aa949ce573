"""Helpers for the hostile-input tests: a content fingerprint of a store (so "unchanged" is checked on
content, not bytes) and a baseline store every failing case must leave as it was."""

from __future__ import annotations

from pathlib import Path

from tests.stores import Store, queries, query

TABLES = ("categories", "products", "customers", "sales", "inventory", "alerts", "import_runs",
          "order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer")

BASE = ("order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price\n"
        "100,2024-01-01 09:00,C1,Ann,MUG,Mug,Kitchen,2,5.00\n"
        "101,2024-01-02 10:00,,,PLT,Plate,Kitchen,1,12.50\n"
        "102,2024-01-03 11:00,C2,Bob,MUG,Mug,Kitchen,-1,5.00\n")


def fingerprint(db: "Store | Path") -> dict:
    """Every table's rows, in order: equal fingerprints mean equal content. `db` a tests.stores.Store (either
    backend) or an SQLite file's path."""
    return dict(zip(TABLES, queries(db, [f"SELECT * FROM {t} ORDER BY 1, 2" for t in TABLES])))


def totals(db: "Store | Path") -> tuple:
    return query(db, "SELECT count(*), coalesce(sum(net_cents), 0), count(DISTINCT order_id) FROM sales")[0]


def assert_clean(r) -> None:
    """No traceback, no Python exception name reaches the user."""
    for stream in (r.stdout, r.stderr):
        assert "Traceback" not in stream, stream
        assert "Error:" not in stream.replace("shopintel:", ""), stream
