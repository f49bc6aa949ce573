"""One test's store on either backend: an SQLite file, or a fresh PostgreSQL shop schema on the session's
throwaway cluster (tests/pg/fixtures.py). The `store` fixture (tests/conftest.py) runs a test once on each;
the test names the store on the command line with `*store.db` (`--db PATH` or `--db URL`) and opens it
through the library with `store.connect()` / `store.read_only()`, or `str(store)` wherever the library
takes a path or a URL (store.db.connect takes both)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.pg))


class Store:
    def __init__(self, backend: str, target: "Path | str"):
        self.backend = backend
        self.target = target   # the SQLite file's Path, or the PostgreSQL shop's URL

    @property
    def is_pg(self) -> bool:
        return self.backend == "postgresql"

    def __str__(self) -> str:
        return str(self.target)

    def __repr__(self) -> str:
        return f"Store({self.backend}, {self.target})"

    @property
    def db(self) -> tuple[str, str]:
        """The command line's words for this store: `cli("report", "summary", *store.db)`."""
        return ("--db", str(self.target))

    def sibling(self, name: str) -> "Store":
        """Another, empty store on the same backend, for a test that compares two (`name` a short word):
        the file NAME.db beside this one, or the schema SCHEMA_NAME in the same database."""
        if not self.is_pg:
            return Store(self.backend, Path(self.target).with_name(f"{name}.db"))
        from shopintel.store.pg.url import parse

        schema = parse(self.target).schema
        return Store(self.backend, self.target.replace(f"schema={schema}", f"schema={schema}_{name}"))

    def connect(self, **kw):
        from shopintel.store.db import connect

        return connect(str(self.target), **kw)

    def read_only(self):
        from shopintel.store.db import connect_read_only

        return connect_read_only(str(self.target))

    def q(self, sql: str, *params) -> list[tuple]:
        """The rows of one query (SQL both engines take), through a reader of the library."""
        return query(self, sql, *params)

    def exists(self) -> bool:
        """Has anything created the store (the file, or the shop's tables)?"""
        if not self.is_pg:
            return Path(self.target).exists()
        from shopintel.store.errors import StoreError

        try:
            self.read_only().close()
        except StoreError:
            return False
        return True

    def check(self) -> None:
        """The invariants every store keeps after any operation: on SQLite tests/conftest.py's
        check_store; on PostgreSQL the kept totals equal a recomputation (the server enforces the rest)."""
        if not self.is_pg:
            from tests.conftest import check_store

            check_store(Path(self.target))
            return
        conn = self.connect(create=False)
        try:
            assert set(mismatches(conn).values()) <= {0}
        finally:
            conn.close()


def mismatches(conn) -> dict[str, int]:
    """The rows of each kept table that differ from a recomputation from the lines (doctor's check), on a
    writer connection of either backend."""
    from shopintel.store.sql import is_postgresql

    if is_postgresql(conn):
        from shopintel.store.pg import aggregates as pg_aggregates

        return pg_aggregates.mismatches(conn.raw)
    from shopintel.store import aggregates

    return aggregates.mismatches(conn)


def query(db: "Store | Path", sql: str, *params) -> list[tuple]:
    """The rows of one query on a Store (either backend) or on an SQLite file's path (SQLite-only tests)."""
    return queries(db, [sql], params)[0]


def queries(db: "Store | Path", sqls: list[str], params=()) -> list[list[tuple]]:
    """The rows of each query, all on one connection: a reader of the library for a Store, a plain sqlite3
    connection for an SQLite file's path."""
    if isinstance(db, Store):
        conn = db.read_only()
    else:
        import sqlite3

        conn = sqlite3.connect(db)
    try:
        return [[tuple(row) for row in conn.execute(sql, params).fetchall()] for sql in sqls]
    finally:
        conn.close()


def examples(store: Store, n: int) -> int:
    """Hypothesis examples for a property run on `store`'s backend: PostgreSQL's fresh schemas cost more
    than SQLite's files, so it runs a quarter of them (at least 10); SQLite all `n`."""
    return max(10, n // 4) if store.is_pg else n


def make_store(request) -> Store:
    """The `store` fixture's body: a new, empty store on the backend of `request.param`."""
    if request.param == "sqlite":
        return Store("sqlite", request.getfixturevalue("db_path"))
    return Store("postgresql", request.getfixturevalue("pg_url"))


def make_module_store(request) -> Store:
    """The `module_store` fixture's body: a new, empty store that lives as long as the test module."""
    if request.param == "sqlite":
        return Store("sqlite", request.getfixturevalue("tmp_path_factory").mktemp("store") / "shop.db")
    cluster = request.getfixturevalue("pg_cluster")
    return Store("postgresql", cluster.url(schema=f"m_{uuid.uuid4().hex[:12]}"))
