"""`shopintel copy SRC DEST` through the real command line: SQLite -> PostgreSQL -> SQLite gives back every
table row for row and every report's JSON; a destination holding data is refused unless --replace; a copy
that fails half-way leaves nothing (not even a new schema) or the destination as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shopintel.store.copy import NOT_COPIED, TABLES, tables
from shopintel.store.db import connect_read_only
from tests.conftest import check_store, shopintel

from .test_reports_both import CASES, EDGE_STOCK, EDGES, LATER, STOCK, _json

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_orders.csv"


def run(*args, ok=True):
    r = shopintel(*args)
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr, r.stderr
    if ok:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture
def original(tmp_path) -> Path:
    """An SQLite store with everything a store holds: orders over several imports (a replaced order,
    a rejected row), stock counts, alerts (a watch), the shop's settings."""
    db = tmp_path / "original.db"
    for name, text in (("edges.csv", EDGES), ("later.csv", LATER), ("stock.csv", EDGE_STOCK)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    run("ingest", str(SAMPLE), str(tmp_path / "edges.csv"), "--db", str(db), "--currency", "EUR")
    run("ingest", str(tmp_path / "later.csv"), "--db", str(db))
    run("stock", "import", str(STOCK), "--db", str(db))
    run("stock", "import", str(tmp_path / "stock.csv"), "--db", str(db))
    run("watch", "--once", "--db", str(db))
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] > 0
    finally:
        conn.close()
    return db


def _rows(store) -> dict[str, list[tuple]]:
    conn = connect_read_only(store)
    try:
        return {t: sorted(map(tuple, conn.execute(f"SELECT * FROM {t}").fetchall()), key=repr)
                for t in (*TABLES, "agg_customer_base")}
    finally:
        conn.close()


def _reports(store) -> list[str]:
    conn = connect_read_only(store)
    try:
        return [_json(conn, name, given) for name, given in CASES]
    finally:
        conn.close()


def test_copy_knows_every_table_of_both_backends(original, pg_url):
    run("copy", str(original), pg_url)
    for store in (original, pg_url):
        conn = connect_read_only(store)
        try:
            assert set(tables(conn)) - set(NOT_COPIED) == set(TABLES)
        finally:
            conn.close()


def test_sqlite_to_postgresql_and_back_gives_every_table_and_every_report(original, pg_url, tmp_path):
    there = run("copy", str(original), pg_url)
    assert "doctor on arrival: OK: postgresql://" in there.stdout and "order lines" in there.stdout
    back_path = tmp_path / "back.db"
    back = run("copy", pg_url, str(back_path))
    assert f"doctor on arrival: OK: {back_path}" in back.stdout
    check_store(back_path)
    assert _rows(back_path) == _rows(original)
    # ids, sums and flags as PostgreSQL holds them: the same rows as the file
    assert _rows(pg_url) == _rows(original)
    # analysed on arrival: the planner knows the copied tables' sizes (reltuples is -1 before any ANALYZE)
    reader = connect_read_only(pg_url)
    sizes = dict(reader.execute("SELECT relname, reltuples FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
                                "AND relname IN ('sales', 'order_totals')").fetchall())
    reader.close()
    with sqlite3.connect(original) as file:
        assert sizes["sales"] == file.execute("SELECT count(*) FROM sales").fetchone()[0]
    assert sizes["order_totals"] > 0
    expected = _reports(original)
    assert _reports(pg_url) == expected and _reports(back_path) == expected
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".back.db")], "no temporary file is left"
    # the copy is a live store: a later import goes on numbering after the copied ids
    extra = tmp_path / "extra.csv"
    extra.write_text("order_id,ordered_at,customer_id,sku,quantity,unit_price\nX1,2026-11-01 10:00,K9,b-sku,2,2.50\n",
                     encoding="utf-8")
    for store in (pg_url, str(back_path)):
        run("ingest", str(extra), "--db", store)
    assert run("doctor", "--db", pg_url).returncode == 0
    assert _reports(pg_url) == _reports(back_path)


def test_a_destination_that_holds_data_is_refused_unless_replace(original, pg_url, tmp_path):
    other = tmp_path / "other.db"
    run("ingest", str(SAMPLE), "--db", str(other))
    run("copy", str(other), pg_url)
    before = _rows(pg_url)
    refused = run("copy", str(original), pg_url, ok=False)
    assert refused.returncode == 1 and "already holds a store" in refused.stderr and "--replace" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _rows(pg_url) == before
    run("copy", str(original), pg_url, "--replace")
    assert _rows(pg_url) == _rows(original)
    # and an SQLite file the same way
    refused = run("copy", pg_url, str(other), ok=False)
    assert "already holds a store" in refused.stderr
    run("copy", pg_url, str(other), "--replace")
    assert _rows(other) == _rows(original)
    assert "same store" in run("copy", str(original), str(original), ok=False).stderr


def test_a_copy_that_fails_half_way_leaves_no_schema_behind(original, pg_url, pg_admin):
    """PostgreSQL's text cannot hold NUL, SQLite's can: the copy fails at the customers, after the categories
    and products went in, and the whole transaction goes, the new schema with it."""
    conn = sqlite3.connect(original)
    conn.execute("UPDATE customers SET name = 'Ann' || char(0) || 'X' WHERE customer_key = 'K1'")
    conn.commit()
    conn.close()
    r = run("copy", str(original), pg_url, ok=False)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "PostgreSQL store" in r.stderr
    schema = pg_url.split("schema=")[1]
    assert pg_admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()[0] == 0


def test_a_copy_that_fails_half_way_leaves_the_destination_file_as_it_was(original, pg_url, tmp_path):
    run("copy", str(original), pg_url)
    dest = tmp_path / "empty.db"
    from shopintel.store.db import connect

    connect(dest).close()   # an empty store
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TRIGGER refuse AFTER INSERT ON sales WHEN NEW.order_id = 'E4' "
                 "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    conn.close()
    r = run("copy", pg_url, str(dest), ok=False)
    assert r.returncode == 1 and "refused by the test" in r.stderr
    assert all(not rows for rows in _rows(dest).values() if rows != [(1, 0, 0)])
