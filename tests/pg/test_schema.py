"""The PostgreSQL schema is the SQLite store's schema: the same version, tables, columns (in order) and
indexes. A migration added to store/schema.py without its PostgreSQL form fails here."""

from __future__ import annotations

import sqlite3

from shopintel.store.db import connect
from shopintel.store.pg import connection as pgc
from shopintel.store.schema import SCHEMA_VERSION


def _sqlite_shape(path) -> tuple[dict, set]:
    connect(path).close()
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in tables}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
        return columns, indexes
    finally:
        conn.close()


def test_the_postgresql_schema_has_every_table_column_and_index_of_sqlite(tmp_path, pg_url):
    columns, indexes = _sqlite_shape(tmp_path / "shop.db")
    with pgc.connect(pg_url) as pg:
        assert pg.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        got = {}
        for table, column in pg.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ? "
                "ORDER BY table_name, ordinal_position", (pg.schema,)):
            got.setdefault(table, []).append(column)
        got.pop("schema_version")   # PostgreSQL's PRAGMA user_version
        assert got == columns
        pg_indexes = {r[0] for r in pg.execute("SELECT indexname FROM pg_indexes WHERE schemaname = ?", (pg.schema,))}
        assert indexes <= pg_indexes   # beyond them: the primary keys' and UNIQUE constraints' own indexes


def test_the_kept_customer_base_and_count_numbers_follow_their_tables(pg_url):
    """The triggers SQLite has, in PostgreSQL's form: agg_customer_base follows agg_customer whatever writes
    it, and every change of a stock count draws a new count_seq."""
    with pgc.connect(pg_url) as pg:
        pg.execute("INSERT INTO categories (category_id, name) VALUES (1, 'c')")
        pg.execute("INSERT INTO products (product_id, sku, name, category_id) VALUES (1, 'a', 'a', 1), (2, 'b', 'b', 1)")
        pg.execute("INSERT INTO customers (customer_id, customer_key) VALUES (1, 'k1'), (2, 'k2'), (3, 'k3')")
        pg.execute("INSERT INTO agg_customer VALUES (1, 1, 1, 500, '2025-01-01', '2025-01-01'), "
                   "(2, 1, 1, -200, '2025-01-01', '2025-01-01'), (3, 1, 1, 300, '2025-01-02', '2025-01-02')")
        assert pg.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone() == (3, 800)
        pg.execute("UPDATE agg_customer SET net_cents = 100 WHERE customer_id = 2")
        assert pg.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone() == (3, 900)
        pg.execute("DELETE FROM agg_customer WHERE customer_id = 1")
        assert pg.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone() == (2, 400)
        pg.execute("INSERT INTO inventory (product_id, on_hand, counted_at) VALUES (1, 5, '2025-01-01'), "
                   "(2, 7, '2025-01-01')")
        first = dict(pg.execute("SELECT product_id, count_seq FROM inventory").fetchall())
        pg.execute("UPDATE inventory SET on_hand = 4 WHERE product_id = 1")
        after = dict(pg.execute("SELECT product_id, count_seq FROM inventory").fetchall())
        assert after[2] == first[2] and after[1] > max(first.values())
