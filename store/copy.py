"""`shopintel copy SRC DEST`: a whole store moved between backends (an SQLite file, a PostgreSQL shop
schema; either way, or between two of a kind), all or nothing.

The source is read in one snapshot (one read transaction), so a copy taken while imports run is the store
as of one commit. The destination is written in one transaction: on PostgreSQL the shop's schema itself is
created inside it (store/pg/connection.py `writing`), an SQLite file that did not exist is written under a
temporary name and renamed into place on success; so a failed copy leaves nothing, or the destination as it
was. A destination that already holds data is refused unless `replace` (its rows are then deleted in the
same transaction, so readers never see it half-replaced).

Every table is copied as it is, ids and kept totals included (both backends have the same tables and
columns, in the same order: tests/pg/test_schema.py), except what the destination derives itself: the kept
customer base (triggers on agg_customer keep it) and the version. The stock counts' numbers, which the
destination's triggers draw anew, are set back to the source's after. `shopintel copy` runs doctor on the
destination on arrival.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Iterator

from .db import connect, connect_read_only, is_postgresql, locate
from .errors import StoreError
from .sql import atomic

# every table, parents before children (the foreign keys are checked as rows arrive)
TABLES = ("categories", "products", "customers", "import_runs", "sales", "inventory", "alerts", "stall_alerts",
          "meta", "order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day",
          "agg_customer", "agg_cohort_month")
# kept by the destination itself: the customer base by triggers on agg_customer, the version by its creation
NOT_COPIED = ("agg_customer_base", "schema_version", "sqlite_sequence")
CHUNK = 5_000


@dataclass
class CopyReport:
    source: str
    dest: str
    rows: dict[str, int] = field(default_factory=dict)


def copy_store(src, dest, *, replace: bool = False) -> CopyReport:
    source, target = locate(src), locate(dest)
    if _key(source) == _key(target):
        raise StoreError(f"SRC and DEST are the same store ({target}); give another DEST.")
    reader = connect_read_only(source)
    report = CopyReport(str(source), str(target))
    try:
        _copy(reader, source, target, replace, report)
    except sqlite3.Error as exc:   # PostgreSQL's errors are StoreErrors already (store/pg/connection.py)
        raise StoreError(f"could not copy {source} to {target}: {exc}; nothing was copied, {target} is as it "
                         "was.") from None
    finally:
        reader.close()
    return report


def _copy(reader, source, target, replace: bool, report: CopyReport) -> None:
    """Every table, in one snapshot of the source and one transaction of the destination."""
    with _snapshot(reader):
        unknown = set(tables(reader)) - set(TABLES) - set(NOT_COPIED)
        if unknown:
            raise StoreError(f"the store {source} has table(s) this shopintel's copy does not know "
                             f"({', '.join(sorted(unknown))}); nothing was copied. Upgrade shopintel.")
        with _destination(target) as writer:
            held = [t for t in TABLES if writer.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0]]
            if held:
                lines = writer.execute("SELECT count(*) FROM sales").fetchone()[0]
                if not replace:
                    raise StoreError(f"{target} already holds a store ({lines:,} order lines; tables "
                                     f"{', '.join(held)}); nothing was copied. Give a new or empty DEST, or "
                                     "add --replace to replace what it holds.")
                for table in reversed(TABLES):
                    writer.execute(f"DELETE FROM {table}")
            for table in TABLES:
                columns, rows = _read(reader, table)
                report.rows[table] = _write(writer, table, columns, rows)
            # the stock counts' numbers as the source had them (the destination's triggers drew new ones)
            writer.executemany("UPDATE inventory SET count_seq = ? WHERE product_id = ?",
                               reader.execute("SELECT count_seq, product_id FROM inventory").fetchall())
            if is_postgresql(writer):
                from .pg.copy import after_copy

                after_copy(writer)


def tables(conn) -> list[str]:
    if is_postgresql(conn):
        return [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = ?", (conn.schema,))]
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def _key(where) -> tuple:
    if isinstance(where, Path):
        return ("sqlite", str(where.resolve()))
    return ("postgresql", where.conninfo, where.schema)


@contextmanager
def _snapshot(reader) -> Iterator[None]:
    """One read transaction: every table as of one commit."""
    if is_postgresql(reader):
        with reader.raw.transaction():
            reader.raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
        return
    reader.execute("BEGIN")
    try:
        yield
    finally:
        reader.execute("COMMIT")


@contextmanager
def _destination(target) -> Iterator:
    """A writer inside the one transaction of the copy (see the module's docstring)."""
    if not isinstance(target, Path):
        from .pg.connection import writing

        with writing(target) as conn:
            yield conn
        return
    if target.exists():
        conn = connect(target, create=False)
        try:
            with atomic(conn):
                yield conn
        finally:
            conn.close()
        return
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist; create it first or choose another DEST.")
    tmp = target.with_name(f".{target.name}.copy-{os.getpid()}")
    try:
        conn = connect(tmp)
        try:
            with atomic(conn):
                yield conn
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # the whole store in the one file renamed
        finally:
            conn.close()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)


def _read(reader, table: str):
    if is_postgresql(reader):
        from .pg.copy import read_table

        return read_table(reader, table)
    cur = reader.execute(f"SELECT * FROM {table}")
    return [d[0] for d in cur.description], iter(cur)


def _write(writer, table: str, columns: list[str], rows) -> int:
    if is_postgresql(writer):
        from .pg.copy import write_table

        return write_table(writer, table, columns, rows)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    n = 0
    while chunk := list(islice(rows, CHUNK)):
        writer.executemany(sql, chunk)
        n += len(chunk)
    return n
