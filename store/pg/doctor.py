"""`shopintel doctor` on a PostgreSQL store: PostgreSQL's own checks, then the kept totals.

What SQLite's doctor checks by hand, the server mostly guarantees: foreign keys, CHECK constraints and
NOT NULL are enforced on every write, and a page is checksummed (when the cluster was initialised so)
and WAL-logged. What can still go wrong, and is checked here:
- an index that no longer matches its table (a bug, a bad disk, a collation change under a text index):
  amcheck's `bt_index_check` on every B-tree index of the shop's schema (`--full`: with
  `heapallindexed`, every row is looked up in its indexes). Skipped, saying so, where the extension is
  not installed or the role may not run it;
- a constraint that the server does not enforce after all (added `NOT VALID`) or a trigger switched off
  (`ALTER TABLE ... DISABLE TRIGGER`: agg_customer_base and the stock counts' numbers would drift);
- the kept totals against a recomputation from the order lines (store/pg/aggregates.py `mismatches`, in
  a transaction that is always rolled back, so it needs a role that may write the kept tables);
- the values no constraint forbids but no shop can have (the same descriptions as SQLite's doctor).
"""

from __future__ import annotations

import re
from datetime import date

from ..maintenance import IMPOSSIBLE, KEPT_TOTALS_PROBLEM, LINE_CHECKS, LINE_DAYS, ORPHANS, DoctorReport
from . import aggregates
from .connection import connect, connect_read_only, lock_shop, psycopg, wrap
from .url import PgUrl

# the order lines' checks of SQLite's doctor that no constraint of the PostgreSQL schema covers, in SQL both
# take (the others: quantity <> 0 and the import run's foreign key are enforced; timestamps are below)
_LINE_CHECKS = [(what, dict(LINE_CHECKS)[what]) for what in (
    "product lines (not postage or fees) with a negative unit price",
    "order lines whose amount has the wrong sign for the quantity and price",
    "order lines with a discount larger than the line")]
# the orphans no foreign key rules out, and the impossible values of the other tables. SQLite's `x NOT IN
# (SELECT ...)` is, on PostgreSQL, a scan of the subquery per row once its result outgrows work_mem (at a
# million lines: hours); `NOT EXISTS` is the same question as an anti-join (no NULLs on either side here)
_NOT_IN = re.compile(r"FROM (\w+) WHERE (\w+) NOT IN \(SELECT \2 FROM (\w+)\)")
_COUNTED = [("orphans", what, _NOT_IN.sub(r"FROM \1 WHERE NOT EXISTS (SELECT 1 FROM \3 x WHERE x.\2 = \1.\2)", sql))
            for what, sql in ORPHANS if "order_totals" in sql] + [
    ("impossible values", what, sql) for what, sql in IMPOSSIBLE if "datetime(" not in sql]
# a moment as the store writes them (YYYY-MM-DDTHH:MM:SS; a space, no seconds or a fraction also pass, as
# SQLite's datetime() takes them); whether its day is a calendar day is checked on the day (`_is_day`)
_MOMENT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?)?$"
_BAD_TIMES = ("order lines whose timestamp is not a real date-time",
              f"SELECT count(*) FROM sales WHERE ordered_at !~ '{_MOMENT}'")
AMCHECK_MISSING = ("indexes (amcheck): skipped, the amcheck extension is not installed in this database "
                   "(a superuser adds it with: CREATE EXTENSION amcheck)")


def check(url: PgUrl, full: bool = False) -> DoctorReport:
    """Every check, on a read-only session (the kept totals on a writer's, rolled back)."""
    report = DoctorReport(url.shown)
    conn = connect_read_only(url)
    try:
        raw = conn.raw
        _indexes(raw, url, full, report)
        _constraints(raw, url, report)
        _values(conn, report)
        report.lines, report.orders = conn.execute(
            "SELECT (SELECT count(*) FROM sales), (SELECT count(*) FROM order_totals)").fetchone()
    except psycopg.Error as exc:
        raise wrap(exc, url) from None
    finally:
        conn.close()
    _kept_totals(url, report)
    return report


def _indexes(raw, url: PgUrl, full: bool, report: DoctorReport) -> None:
    row = raw.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                      "WHERE e.extname = 'amcheck'").fetchone()
    if row is None:
        report.skipped.append(AMCHECK_MISSING)
        return
    indexes = raw.execute(
        "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam "
        "WHERE n.nspname = %s AND am.amname = 'btree' ORDER BY c.relname", (url.schema,)).fetchall()
    check_fn = f'"{row[0]}".bt_index_check'
    for oid, name in indexes:
        try:
            with raw.transaction():
                raw.execute(f"SELECT {check_fn}(%s::regclass, %s)", (oid, full))
        except psycopg.errors.InsufficientPrivilege:
            report.skipped.append("indexes (amcheck): skipped, this role may not run bt_index_check "
                                  f"(a superuser can: GRANT EXECUTE ON FUNCTION {check_fn}(regclass, boolean) TO ...)")
            return
        except psycopg.Error as exc:   # amcheck's finding: the index does not match its table
            report.problems.append(f"indexes: {name}: {url.scrub(str(exc).strip().splitlines()[0])} "
                                   f"(rebuild it: REINDEX INDEX \"{url.schema}\".{name})")
    report.checked.append("indexes (amcheck" + (", every row" if full else "") + ")")


def _constraints(raw, url: PgUrl, report: DoctorReport) -> None:
    for name, table in raw.execute(
            "SELECT c.conname, t.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s AND NOT c.convalidated "
            "ORDER BY 2, 1", (url.schema,)):
        report.problems.append(f"constraints: {name} on {table} is not enforced on the rows already there (NOT "
                               f"VALID); check them with: ALTER TABLE \"{url.schema}\".{table} VALIDATE CONSTRAINT {name}")
    for name, table in raw.execute(
            "SELECT g.tgname, t.relname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = %s AND NOT g.tgisinternal "
            "AND g.tgenabled = 'D' ORDER BY 2, 1", (url.schema,)):
        report.problems.append(f"constraints: the trigger {name} on {table} is disabled, so the figures it keeps "
                               f"drift; ALTER TABLE \"{url.schema}\".{table} ENABLE TRIGGER {name}, then "
                               "shopintel doctor --repair")
    report.checked.append("foreign keys and constraints (enforced by PostgreSQL)")


def _values(conn, report: DoctorReport) -> None:
    problems = []
    passes = ", ".join(f"count(*) FILTER (WHERE {cond})" for _, cond in _LINE_CHECKS)
    for (what, _), n in zip(_LINE_CHECKS, conn.execute(f"SELECT {passes} FROM sales").fetchone()):
        if n:
            problems.append(f"impossible values: {n} {what}")
    if n := conn.execute(_BAD_TIMES[1]).fetchone()[0]:
        problems.append(f"impossible values: {n} {_BAD_TIMES[0]}")
    # a day that matches the schema's pattern but is no calendar day (2025-02-30): the distinct days, in Python
    bad = [day for (day,) in conn.execute("SELECT DISTINCT day FROM sales") if not _is_day(day)]
    if bad:
        n = conn.execute("SELECT count(*) FROM sales WHERE day = ANY(?)", (bad,)).fetchone()[0]
        problems.append(f"impossible values: {n} {LINE_DAYS[0]}")
    # one count per product: checked in Python
    if n := sum(1 for (at,) in conn.execute("SELECT counted_at FROM inventory")
                if not (re.match(_MOMENT, at) and _is_day(at[:10]))):
        problems.append(f"impossible values: {n} stock counts with an impossible date")
    for kind, what, sql in _COUNTED:
        if n := conn.execute(sql).fetchone()[0]:
            problems.append(f"{kind}: {n} {what}")
    report.problems.extend(problems)
    report.checked += ["orphans", "impossible values"]


def _is_day(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _kept_totals(url: PgUrl, report: DoctorReport) -> None:
    """mismatches() recomputes the kept tables in a transaction it rolls back: a writer's session."""
    conn = connect(url, create=False)
    try:
        counts = aggregates.mismatches(conn.raw)
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction):
        report.skipped.append("kept totals: skipped, this role may only read the store (the check recomputes them "
                              "in a transaction it rolls back); run doctor with a role that may write")
        return
    except psycopg.errors.ForeignKeyViolation as exc:
        # a line naming a missing parent (only where an owner switched a foreign key's triggers off, which
        # _constraints reports) cannot be summed into a kept table that references the parent
        report.problems.append(f"kept totals: not checked, a recomputation from the order lines fails: "
                               f"{url.scrub(str(exc).splitlines()[0])}; restore the missing rows first")
        return
    except psycopg.Error as exc:
        raise wrap(exc, url) from None
    finally:
        conn.close()
    report.problems.extend(KEPT_TOTALS_PROBLEM.format(table=t, n=n) for t, n in counts.items() if n)
    report.checked.append("kept totals")


def repair(url: PgUrl) -> None:
    """Rebuild every kept table from the order lines, in one transaction, alone among the shop's writers."""
    conn = connect(url, create=False)
    try:
        with conn.raw.transaction():
            lock_shop(conn.raw, url.schema)
            aggregates.ensure_temp_tables(conn.raw)
            aggregates.rebuild_all(conn.raw)
    except psycopg.Error as exc:
        raise wrap(exc, url) from None
    finally:
        conn.close()
