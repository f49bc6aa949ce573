"""Connections to a real PostgreSQL server: the shop's schema made by the first writer, a reader that can
never write, the statement rewriting, and errors that never show the password."""

from __future__ import annotations

import pytest

from shopintel.store.errors import StoreError
from shopintel.store.pg import connection as pgc
from shopintel.store.schema import SCHEMA_VERSION


def test_a_writer_creates_the_schema_once_and_a_second_writer_finds_it(pg_url):
    with pgc.connect(pg_url) as w:
        assert w.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        assert w.execute("SELECT current_schema()").fetchone()[0] == w.schema
        w.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("k", "v"))
    with pgc.connect(pg_url) as again:
        assert again.execute("SELECT value FROM meta WHERE key = :k", {"k": "k"}).fetchone()[0] == "v"


def test_a_reader_of_a_missing_store_says_so_and_creates_nothing(pg_url, pg_admin):
    with pytest.raises(StoreError, match="no store at"):
        pgc.connect_read_only(pg_url)
    with pytest.raises(StoreError, match="no store at"):
        pgc.connect(pg_url, create=False)
    schema = pg_url.split("schema=")[1]
    assert pg_admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()[0] == 0


def test_a_reader_can_never_write(pg_url):
    pgc.connect(pg_url).close()
    with pgc.connect_read_only(pg_url) as r:
        with pytest.raises(StoreError, match="may not write"):
            r.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
        r.execute("BEGIN")
        with pytest.raises(StoreError, match="may not write"):
            r.execute("DELETE FROM meta")
        r.execute("ROLLBACK")
        assert r.execute("SELECT count(*) FROM meta").fetchone()[0] == 0


def test_a_schema_of_someone_else_is_refused_unchanged(pg_url, pg_admin):
    schema = pg_url.split("schema=")[1]
    pg_admin.execute(f'CREATE SCHEMA "{schema}"')
    pg_admin.execute(f'CREATE TABLE "{schema}".theirs (x int)')
    with pytest.raises(StoreError, match="no shopintel store; refusing"):
        pgc.connect(pg_url)
    assert pg_admin.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone()[0] == 1


def test_a_store_from_a_newer_shopintel_is_refused(pg_url):
    with pgc.connect(pg_url) as w:
        w.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    for opener in (pgc.connect, pgc.connect_read_only):
        with pytest.raises(StoreError, match="newer shopintel"):
            opener(pg_url)


def test_sums_load_as_sqlite_gives_them_and_text_sorts_by_bytes(pg_url):
    with pgc.connect(pg_url) as w:
        whole, frac, big = w.execute("SELECT sum(x::bigint), avg(x), sum(x::bigint) * 10000000000 "
                                     "FROM generate_series(1, 4) x").fetchone()
        assert (whole, type(whole)) == (10, int) and (frac, type(frac)) == (2.5, float) and big == 10 ** 11
        for name in ("b", "B", "a", "_x", "Ä"):
            w.execute("INSERT INTO categories (name) VALUES (?)", (name,))
        names = [r[0] for r in w.execute("SELECT name FROM categories ORDER BY name")]
        assert names == sorted(["b", "B", "a", "_x", "Ä"], key=lambda s: s.encode())   # SQLite's BINARY order


def test_statements_are_rewritten_for_placeholders_and_hints_only():
    t = pgc.translate
    assert t("SELECT a FROM t INDEXED BY t_i WHERE x = ? AND y = :y") == "SELECT a FROM t  WHERE x = %s AND y = %(y)s"
    assert t("SELECT '?', ':n', 'it''s 5%', x::text, \"a?\" FROM s NOT INDEXED -- why?\n") == \
        "SELECT '?', ':n', 'it''s 5%', x::text, \"a?\" FROM s  -- why?\n"
    assert t("SELECT 5 % 2") == "SELECT 5 %% 2"
    assert t("INSERT OR IGNORE INTO temp.d SELECT x FROM y;") == "INSERT INTO d SELECT x FROM y ON CONFLICT DO NOTHING"
    assert t("BEGIN IMMEDIATE") == "BEGIN"


def test_errors_never_show_the_password(pg_cluster):
    url = f"postgresql://nobody:s3cret@127.0.0.1:{pg_cluster.port}/nosuchdb?schema=acme"
    with pytest.raises(StoreError) as err:
        pgc.connect(url)
    assert "s3cret" not in str(err.value) and "nobody:***@" in str(err.value)
    assert "cannot use" in str(err.value)
