"""Checking and copying a store: `doctor` (integrity, foreign keys, kept aggregates against a
recomputation from the lines, orphans and impossible values) and `backup` (a consistent online copy
through SQLite's backup API, safe while writers run)."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .errors import StoreError
from .sql import atomic

# date('2024-02-31') echoes its input; a round trip through the day number normalises it to March 2.
# Each check: a description a shop owner can act on, and a query counting the offending rows.
IMPOSSIBLE: tuple[tuple[str, str], ...] = (   # the order lines' are in LINE_CHECKS below
    ("stock counts below zero", "SELECT count(*) FROM inventory WHERE on_hand < 0"),
    ("stock counts with an impossible date", "SELECT count(*) FROM inventory WHERE datetime(counted_at) IS NULL"),
    ("import runs that never finished (an import still running, or a store copied mid-write)",
     "SELECT count(*) FROM import_runs WHERE finished_at IS NULL"),
)

ORPHANS: tuple[tuple[str, str], ...] = (
    ("products in a missing category",
     "SELECT count(*) FROM products WHERE category_id NOT IN (SELECT category_id FROM categories)"),
    ("stock counts for a missing product",
     "SELECT count(*) FROM inventory WHERE product_id NOT IN (SELECT product_id FROM products)"),
    ("alerts for a missing product",
     "SELECT count(*) FROM alerts WHERE product_id NOT IN (SELECT product_id FROM products)"),
    ("order totals without any order line",
     "SELECT count(*) FROM order_totals WHERE order_id NOT IN (SELECT order_id FROM sales)"),
)
# The order lines' impossible values in one pass over the lines (a pass each cost 0.1-0.4 s at 1M lines),
# by the same descriptions as the checks of the other tables. Cheap conditions only, per line:
# - their links to products and customers are seen through the kept tables, which hold every line's
#   product and customer (their sums are checked against the lines) and whose foreign keys are checked:
#   only when those find a missing one are the lines counted (LINE_ORPHANS), for the message;
# - a day that is not a calendar day is looked for among the days the kept totals hold (LINE_DAYS).
LINE_CHECKS: tuple[tuple[str, str], ...] = (
    ("order lines with a quantity of zero", "quantity = 0"),
    ("order lines whose timestamp is not a real date-time", "datetime(ordered_at) IS NULL"),
    ("product lines (not postage or fees) with a negative unit price",
     "CASE WHEN unit_price_micros < 0 THEN product_id IN (SELECT product_id FROM products WHERE is_merch = 1) END"),
    ("order lines whose amount has the wrong sign for the quantity and price",
     "unit_price_micros >= 0 AND ((quantity > 0 AND net_cents < 0) OR (quantity < 0 AND net_cents > 0))"),
    ("order lines with a discount larger than the line", "abs(discount_cents) > abs(net_cents + discount_cents)"),
    ("order lines pointing at a missing import run", "import_id IS NOT NULL AND {import_missing}"),
)
LINES_PASS = "SELECT " + ", ".join(f"coalesce(sum({cond}), 0)" for _, cond in LINE_CHECKS) + " FROM sales"
LINE_ORPHANS: dict[str, tuple[str, str]] = {   # the parent of a kept table's broken link -> the lines' count
    "products": ("order lines pointing at a missing product",
                 "SELECT count(*) FROM sales WHERE product_id NOT IN (SELECT product_id FROM products)"),
    "customers": ("order lines pointing at a missing customer",
                  "SELECT count(*) FROM sales WHERE customer_id IS NOT NULL AND "
                  "customer_id NOT IN (SELECT customer_id FROM customers)"),
}
# the days of the kept totals (every order's day) and the last days of orders over midnight
BAD_DAYS = """
    SELECT day FROM agg_day WHERE date(julianday(day)) IS NOT day
    UNION SELECT last_day FROM order_totals INDEXED BY order_totals_day
          WHERE last_day > day AND date(julianday(last_day)) IS NOT last_day"""
LINE_DAYS = ("order lines whose day is not a real calendar date",
             "SELECT count(*) FROM sales WHERE day IN (SELECT value FROM json_each(?))")


@dataclass
class DoctorReport:
    path: str
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # checks that could not run here, and why
    lines: int = 0
    orders: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


KEPT_TOTALS_PROBLEM = ("kept totals: {table} has {n} row(s) that differ from a recomputation from the order lines "
                       "(reports would show wrong figures; 'shopintel doctor --repair' rebuilds them)")


def check(path: str | os.PathLike, full: bool = False) -> DoctorReport:
    """Run every check on the store at `path`, read-only. Never raises for a damaged file: what cannot be
    read is reported as a problem.

    Quick by default (a few seconds at 1M lines on 2 cores): SQLite's quick_check, and the kept totals
    through weighted sums (aggregates.drifted; a table they flag is then compared row by row). `full` runs
    integrity_check (which also checks that every index matches its table) and compares every kept table
    row by row (aggregates.mismatches: a recomputation of all of them, a minute and more at 1M lines).
    The checks run on three read-only connections at once (SQLite works outside Python's lock)."""
    from concurrent.futures import ThreadPoolExecutor

    from . import aggregates
    from .db import connect_read_only

    report = DoctorReport(str(path))
    conns = [connect_read_only(path) for _ in range(3)]
    main, second, third = conns

    def integrity() -> list[str]:
        rows = [r[0] for r in third.execute(f"PRAGMA {'integrity_check' if full else 'quick_check'}(20)")]
        return [] if rows == ["ok"] else [f"integrity: {r}" for r in rows]

    def share_of_sums(conn, group: int) -> dict | str:
        """A share of the kept totals' sums (aggregates.SUM_QUERIES), or what stopped it."""
        try:
            return aggregates.sums(conn, aggregates.SUM_QUERIES[group])
        except sqlite3.DatabaseError as exc:
            return f"kept totals: could not be checked ({exc}); the file is damaged"

    def third_share() -> tuple:   # the integrity check, then (quick) a share of the sums on the same connection
        return outcome("integrity", integrity), None if full else share_of_sums(third, 2)

    def broken_links() -> dict[tuple[str, str], int]:
        # every table but the lines, whose links are seen through the kept tables (see LINE_CHECKS)
        tables = [r[0] for r in main.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'sales'")]
        found: dict[tuple[str, str], int] = {}
        for table in tables:
            for child, _rowid, parent, _fk in main.execute(f"PRAGMA foreign_key_check({table})"):
                found[(child, parent)] = found.get((child, parent), 0) + 1
        return found

    def line_counts() -> dict[str, int]:
        """The lines' impossible values and links to a missing import run, by description."""
        low, high, n = main.execute("SELECT min(import_id), max(import_id), count(*) FROM import_runs").fetchone()
        # import runs are numbered 1, 2, ...: a range test per line, not a lookup, while none is missing
        missing = (f"import_id NOT BETWEEN {int(low)} AND {int(high)}" if n and high - low + 1 == n
                   else "import_id NOT IN (SELECT import_id FROM import_runs)")
        return dict(zip((what for what, _ in LINE_CHECKS),
                        main.execute(LINES_PASS.format(import_missing=missing)).fetchone()))

    def bad_days(trust_kept: bool) -> list[str]:
        """Lines whose day is no calendar day: looked for among the kept days while the kept totals agree
        with the lines (they hold every line's day), else line by line."""
        if trust_kept:
            days = [r[0] for r in main.execute(BAD_DAYS)]
            n = main.execute(LINE_DAYS[1], (json.dumps(days),)).fetchone()[0] if days else 0
        else:
            n = main.execute("SELECT count(*) FROM sales WHERE date(julianday(day)) IS NOT day").fetchone()[0]
        return [f"impossible values: {n} {LINE_DAYS[0]}"] if n else []

    def kept_totals() -> list[str]:
        if full:
            counts = aggregates.mismatches(main)
        else:
            flagged = aggregates.drifted(main, figures)
            counts = aggregates.mismatches(main, aggregates.with_derived(flagged)) if flagged else {}
            if flagged and not any(counts.values()):
                # the sums disagreed but no row does: the connections saw different moments (a writer
                # committed in between); once more on one connection, and row by row if that still disagrees
                counts = aggregates.mismatches(main) if aggregates.drifted(main) else {}
        return [KEPT_TOTALS_PROBLEM.format(table=t, n=n) for t, n in counts.items() if n]

    def counted(checks, kind: str) -> list[str]:
        return [f"{kind}: {n} {what}" for what, sql in checks if (n := main.execute(sql).fetchone()[0])]

    def outcome(label: str, fn) -> tuple[str, list | None, str | None]:
        """(label, what it found, or None with what stopped it: a damaged file)"""
        try:
            return label, fn(), None
        except sqlite3.DatabaseError as exc:
            return label, None, f"{label}: could not be checked ({exc}); the file is damaged"

    try:
        with ThreadPoolExecutor(2) as pool:
            third_done = pool.submit(third_share)
            second_done = None if full else pool.submit(share_of_sums, second, 1)
            links = outcome("foreign keys", broken_links)
            lines = outcome("impossible values", line_counts)
            shares = [] if full else [share_of_sums(main, 0), second_done.result()]
            (_, integrity_problems, damaged), third_sums = third_done.result()
        if third_sums is not None:
            shares.append(third_sums)
        figures_failed = next((share for share in shares if isinstance(share, str)), None)
        figures = {} if figures_failed else {k: v for share in shares for k, v in share.items()}
        if damaged or integrity_problems:   # a damaged file: what the other checks say would only add noise
            report.problems.extend([damaged] if damaged else integrity_problems)
            return report
        report.checked.append("integrity" if full else "integrity (quick)")
        found_links, found_lines = links[1] or {}, lines[1] or {}

        def orphans() -> list[str]:
            out = [f"orphans: {n} {what}" for what, n in found_lines.items() if n and "import run" in what]
            # a kept table pointing at a missing product or customer: the lines that do, counted
            for parent in sorted({parent for (_child, parent) in found_links} & set(LINE_ORPHANS)):
                what, sql = LINE_ORPHANS[parent]
                if n := main.execute(sql).fetchone()[0]:
                    out.append(f"orphans: {n} {what}")
            return out + counted(ORPHANS, "orphans")

        totals = ("kept totals", None, figures_failed) if figures_failed else outcome("kept totals", kept_totals)
        trust_kept = not full and totals[1] == []
        outcomes = [
            ("foreign keys", [f"foreign keys: {n} row(s) of {table} point at a missing {parent} row"
                              for (table, parent), n in sorted(found_links.items())], links[2]),
            totals,
            outcome("orphans", orphans) if not lines[2] else ("orphans", None, lines[2]),
            ("impossible values", None, lines[2]) if lines[2] else outcome("impossible values", lambda: [
                f"impossible values: {n} {what}" for what, n in found_lines.items() if n and "import run" not in what]
                + bad_days(trust_kept) + counted(IMPOSSIBLE, "impossible values")),
        ]
        for label, problems, damaged in outcomes:
            if damaged:
                report.problems.append(damaged)
            else:
                report.checked.append(label)
                report.problems.extend(problems)
        try:
            report.lines, report.orders = main.execute(
                "SELECT (SELECT count(*) FROM sales), (SELECT count(*) FROM order_totals)").fetchone()
        except sqlite3.DatabaseError:
            pass
        return report
    finally:
        for conn in conns:
            conn.close()


def doctor(path: str | os.PathLike | None, full: bool = False) -> DoctorReport:
    """Open the store read-only (an older schema is migrated first by a writer) and check it."""
    from .db import connect, connect_read_only, locate
    from .schema import SCHEMA_VERSION

    db = locate(path)
    if not isinstance(db, Path):   # PostgreSQL: the server's own checks and the kept totals
        from .pg.doctor import check as check_pg

        return check_pg(db, full)
    try:
        conn = connect_read_only(db)
    except StoreError as exc:
        if "older schema" not in str(exc):
            raise
        connect(db, create=False).close()   # migrate, then check read-only
        conn = connect_read_only(db)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    report = check(db, full)
    if version != SCHEMA_VERSION:
        report.problems.append(f"schema version {version}, expected {SCHEMA_VERSION}")
    return report


def repair(path: str | os.PathLike | None) -> None:
    """Rebuild every kept aggregate from the order lines (one transaction)."""
    from .aggregates import ensure_temp_tables, rebuild_all
    from .db import connect, locate

    db = locate(path)
    if not isinstance(db, Path):
        from .pg.doctor import repair as repair_pg

        return repair_pg(db)
    conn = connect(db, create=False)
    try:
        with atomic(conn):
            ensure_temp_tables(conn)
            rebuild_all(conn)
    except sqlite3.Error as exc:
        raise StoreError(f"could not rebuild the kept totals of {path}: {exc}. Nothing was changed.") from None
    finally:
        conn.close()


# PostgreSQL has its own consistent online copy, of one shop's schema (docs/scale.md, "Backups")
PG_BACKUP_ADVICE = ("Back up a PostgreSQL store with PostgreSQL's own tool, one shop's schema at a time: "
                    "pg_dump -n SCHEMA -Fc -f shop.dump 'postgresql://USER@HOST:PORT/DBNAME' "
                    "(restore it with pg_restore -d 'postgresql://...' shop.dump).")


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
    from .db import connect_read_only, sqlite_only

    db = sqlite_only(path, "backup", PG_BACKUP_ADVICE)
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
