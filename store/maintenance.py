"""Checking and copying a store: `doctor` (integrity, foreign keys, kept aggregates against a
recomputation from the lines, orphans and impossible values) and `backup` (a consistent online copy
through SQLite's backup API, safe while writers run)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import StoreError
from .sql import atomic

# date('2024-02-31') echoes its input; a round trip through the day number normalises it to March 2.
# Each check: a description a shop owner can act on, and a query counting the offending rows.
IMPOSSIBLE: tuple[tuple[str, str], ...] = (
    ("order lines with a quantity of zero", "SELECT count(*) FROM sales WHERE quantity = 0"),
    ("order lines whose day is not a real calendar date",
     "SELECT count(*) FROM sales WHERE date(julianday(day)) IS NOT day"),
    ("order lines whose timestamp is not a real date-time",
     "SELECT count(*) FROM sales WHERE datetime(ordered_at) IS NULL"),
    ("product lines (not postage or fees) with a negative unit price",
     "SELECT count(*) FROM sales s JOIN products p USING (product_id) "
     "WHERE p.is_merch = 1 AND s.unit_price_micros < 0"),
    ("order lines whose amount has the wrong sign for the quantity and price",
     "SELECT count(*) FROM sales WHERE unit_price_micros >= 0 AND "
     "((quantity > 0 AND net_cents < 0) OR (quantity < 0 AND net_cents > 0))"),
    ("order lines with a discount larger than the line",
     "SELECT count(*) FROM sales WHERE abs(discount_cents) > abs(net_cents + discount_cents)"),
    ("stock counts below zero", "SELECT count(*) FROM inventory WHERE on_hand < 0"),
    ("stock counts with an impossible date", "SELECT count(*) FROM inventory WHERE datetime(counted_at) IS NULL"),
    ("import runs that never finished (an import still running, or a store copied mid-write)",
     "SELECT count(*) FROM import_runs WHERE finished_at IS NULL"),
)

ORPHANS: tuple[tuple[str, str], ...] = (
    ("order lines pointing at a missing product",
     "SELECT count(*) FROM sales WHERE product_id NOT IN (SELECT product_id FROM products)"),
    ("order lines pointing at a missing customer",
     "SELECT count(*) FROM sales WHERE customer_id IS NOT NULL AND customer_id NOT IN (SELECT customer_id FROM customers)"),
    ("products in a missing category",
     "SELECT count(*) FROM products WHERE category_id NOT IN (SELECT category_id FROM categories)"),
    ("stock counts for a missing product",
     "SELECT count(*) FROM inventory WHERE product_id NOT IN (SELECT product_id FROM products)"),
    ("alerts for a missing product",
     "SELECT count(*) FROM alerts WHERE product_id NOT IN (SELECT product_id FROM products)"),
    ("order totals without any order line",
     "SELECT count(*) FROM order_totals WHERE order_id NOT IN (SELECT order_id FROM sales)"),
)


@dataclass
class DoctorReport:
    path: str
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    lines: int = 0
    orders: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check(conn: sqlite3.Connection, path: str = "") -> DoctorReport:
    """Run every check on an open connection (read-only is enough). Never raises for a damaged
    file: what cannot be read is reported as a problem."""
    from .aggregates import mismatches

    report = DoctorReport(path)

    def run(label: str, fn) -> None:
        try:
            fn()
            report.checked.append(label)
        except sqlite3.DatabaseError as exc:
            report.problems.append(f"{label}: could not be checked ({exc}); the file is damaged")

    def integrity() -> None:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
        if rows != ["ok"]:
            report.problems.extend(f"integrity: {r}" for r in rows)

    def foreign_keys() -> None:
        rows = conn.execute("PRAGMA foreign_key_check").fetchall()
        by_table: dict[tuple[str, str], int] = {}
        for table, _rowid, parent, _fk in rows:
            by_table[(table, parent)] = by_table.get((table, parent), 0) + 1
        for (table, parent), n in sorted(by_table.items()):
            report.problems.append(f"foreign keys: {n} row(s) of {table} point at a missing {parent} row")

    def aggregates() -> None:
        for table, n in mismatches(conn).items():
            if n:
                report.problems.append(
                    f"kept totals: {table} has {n} row(s) that differ from a recomputation from the order lines "
                    "(reports would show wrong figures; 'shopintel doctor --repair' rebuilds them)")

    def counted(checks: tuple[tuple[str, str], ...], kind: str):
        def _run() -> None:
            for what, sql in checks:
                n = conn.execute(sql).fetchone()[0]
                if n:
                    report.problems.append(f"{kind}: {n} {what}")
        return _run

    run("integrity", integrity)
    if report.problems:   # a damaged file: the queries below would only add noise or fail
        return report
    run("foreign keys", foreign_keys)
    run("kept totals", aggregates)
    run("orphans", counted(ORPHANS, "orphans"))
    run("impossible values", counted(IMPOSSIBLE, "impossible values"))
    try:
        report.lines, report.orders = conn.execute(
            "SELECT (SELECT count(*) FROM sales), (SELECT count(*) FROM order_totals)").fetchone()
    except sqlite3.DatabaseError:
        pass
    return report


def doctor(path: str | os.PathLike | None) -> DoctorReport:
    """Open the store read-only (an older schema is migrated first by a writer) and check it."""
    from .db import connect, connect_read_only, resolve_db_path
    from .schema import SCHEMA_VERSION

    db = resolve_db_path(path)
    try:
        conn = connect_read_only(db)
    except StoreError as exc:
        if "older schema" not in str(exc):
            raise
        connect(db, create=False).close()   # migrate, then check read-only
        conn = connect_read_only(db)
    try:
        report = check(conn, str(db))
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            report.problems.append(f"schema version {version}, expected {SCHEMA_VERSION}")
        return report
    finally:
        conn.close()


def repair(path: str | os.PathLike | None) -> None:
    """Rebuild every kept aggregate from the order lines (one transaction)."""
    from .aggregates import ensure_temp_tables, rebuild_all
    from .db import connect

    conn = connect(path, create=False)
    try:
        with atomic(conn):
            ensure_temp_tables(conn)
            rebuild_all(conn)
    except sqlite3.Error as exc:
        raise StoreError(f"could not rebuild the kept totals of {path}: {exc}. Nothing was changed.") from None
    finally:
        conn.close()


def backup_target(dest: str | os.PathLike, source: Path) -> Path:
    """DEST, or a dated file inside DEST when DEST is a folder."""
    target = Path(dest).expanduser()
    if target.is_dir():
        target = target / f"{source.stem}-{datetime.now():%Y%m%d-%H%M%S}.db"
    return target


def backup(path: str | os.PathLike | None, dest: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """A consistent copy of the store at DEST while writers may be running.

    The copy is taken in one step of the backup API, i.e. inside one read transaction of the source:
    it is the store exactly as of one commit, and writers keep going (WAL) meanwhile. It is written to a
    temporary file beside DEST and renamed into place only when complete, so a failure (full disk...)
    never leaves a half-written DEST."""
    from .db import connect_read_only, resolve_db_path

    db = resolve_db_path(path)
    target = backup_target(dest, db)
    if target.resolve() == db.resolve():
        raise StoreError(f"the backup destination {target} is the store itself; give another path.")
    if target.exists() and not overwrite:
        raise StoreError(f"{target} already exists; choose a new name, or add --force to replace it.")
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist; create it first or choose another DEST.")
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    src = connect_read_only(db)
    try:
        try:
            out = sqlite3.connect(tmp, isolation_level=None)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")   # a self-contained single file
                ok = out.execute("PRAGMA quick_check").fetchone()[0]
                if ok != "ok":
                    raise StoreError(f"the copy failed its check ({ok}); the store was not changed, try again.")
            finally:
                out.close()
            os.replace(tmp, target)
        except (sqlite3.Error, OSError) as exc:
            msg = str(exc) if isinstance(exc, sqlite3.Error) else (exc.strerror or str(exc))
            hint = " The disk may be full." if "full" in msg.lower() or "disk" in msg.lower() else ""
            raise StoreError(f"could not write the backup to {target}: {msg}.{hint} "
                             "The store itself is unchanged.") from None
    finally:
        src.close()
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass
    return target
