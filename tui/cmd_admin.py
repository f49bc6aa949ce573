"""`shopintel doctor` (check a store), `shopintel backup DEST` (a consistent online copy of an SQLite store)
and `shopintel copy SRC DEST` (a whole store moved between backends)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli import add_command, say_error


def register(sub, common) -> None:
    d = add_command(
        sub, common, "doctor",
        help="check the store: integrity, links, kept totals, impossible values",
        description="Check the store without changing it: SQLite's quick integrity and foreign-key checks, every "
                    "kept total (per order, day, category, product and customer) against the order lines through "
                    "weighted sums (a table that disagrees is then compared row by row), orphaned rows and "
                    "impossible values. Prints OK, or the list of problems. Exit 0 when healthy, 1 otherwise. "
                    "--full runs SQLite's whole integrity check and compares every kept table row by row with a "
                    "recomputation (a minute or more on a million lines). --repair rebuilds the kept totals "
                    "from the order lines.\n\n"
                    "On a PostgreSQL store (--db postgresql://...) the server enforces foreign keys and constraints "
                    "itself; doctor checks every index with amcheck's bt_index_check where the extension is "
                    "installed (--full: every row too; else it says the check was skipped), that no constraint "
                    "is NOT VALID nor trigger disabled, the kept totals row by row (this needs a role that may "
                    "write: the recomputation is rolled back) and the impossible values.",
        examples="  shopintel doctor\n  shopintel doctor --db /srv/shop/shop.db\n  shopintel doctor --full\n"
                 "  shopintel doctor --db 'postgresql://shop@db.example/shops?schema=acme'\n"
                 "  shopintel doctor --repair\n")
    d.add_argument("--full", action="store_true",
                   help="SQLite's whole integrity check and every kept table compared row by row (slow)")
    d.add_argument("--repair", action="store_true",
                   help="rebuild the kept totals from the order lines, then check again")
    d.set_defaults(func=run_doctor)
    b = add_command(
        sub, common, "backup",
        help="copy the store to DEST, safely, even while imports or the simulator run",
        description="Write a consistent copy of the store (SQLite's online backup API): the store as of one "
                    "moment, taken without stopping writers. The copy is written beside DEST and renamed into "
                    "place only when complete and checked. DEST may be a folder (a dated file is made in it).\n\n"
                    "A PostgreSQL store is backed up with PostgreSQL's own pg_dump, one shop's schema at a time "
                    "(backup refuses it with that advice): pg_dump -n SCHEMA -Fc -f shop.dump "
                    "'postgresql://USER@HOST:PORT/DBNAME', restored with pg_restore -d 'postgresql://...' shop.dump.",
        examples="  shopintel backup ~/backups/shop-2024-06-01.db\n  shopintel backup ~/backups/\n"
                 "  pg_dump -n acme -Fc -f acme.dump 'postgresql://shop@db.example/shops'   (PostgreSQL: not shopintel backup)\n")
    b.add_argument("dest", metavar="DEST", help="file (or existing folder) to write the copy to")
    b.add_argument("--force", action="store_true", help="replace DEST if it exists")
    b.set_defaults(func=run_backup)
    c = add_command(
        sub, common, "copy",
        help="copy a whole store to another backend (SQLite file <-> PostgreSQL schema), then check it",
        description="Copy every order line, stock count, alert and kept total of the store SRC into DEST, where "
                    "each is an SQLite file or a PostgreSQL URL (postgresql://USER@HOST:PORT/DBNAME?schema=SHOP), "
                    "so a shop moves from SQLite to PostgreSQL and back. SRC is read as of one moment (imports "
                    "may run meanwhile); DEST is written in one transaction: a failed copy leaves nothing (a new "
                    "file or schema is not created) or DEST as it was. A DEST that already holds data is refused "
                    "unless --replace. doctor runs on DEST on arrival and its verdict is printed: exit 0 when "
                    "it passes, 1 otherwise. --db is not used: SRC and DEST name the stores.",
        examples="  shopintel copy shop.db 'postgresql://shop@db.example/shops?schema=acme'\n"
                 "  shopintel copy 'postgresql://shop@db.example/shops?schema=acme' acme-copy.db\n"
                 "  shopintel copy shop.db 'postgresql://shop@db.example/shops?schema=acme' --replace\n")
    c.add_argument("src", metavar="SRC", help="the store to copy: a file or a postgresql:// URL")
    c.add_argument("dest", metavar="DEST", help="where to copy it: a new or empty file or schema")
    c.add_argument("--replace", action="store_true", help="replace what DEST holds (in the same transaction)")
    c.set_defaults(func=run_copy)


def run_doctor(args: argparse.Namespace) -> int:
    from ..store.db import locate
    from ..store.maintenance import doctor, repair

    if args.repair:
        repair(args.db)
    report = doctor(args.db, full=args.full)
    if say_verdict(report, ""):
        return 0
    made_by = "shopintel backup" if isinstance(locate(args.db), Path) else "pg_dump -n SCHEMA"
    print(f"Restore a backup ({made_by} makes one), or re-import the exports into a new store.", file=sys.stderr)
    return 1


def say_verdict(report, lead: str) -> bool:
    """doctor's verdict on standard output (after `lead`), its skipped checks with their reasons; True when
    healthy. The path and the problems (the engine's own messages among them) by the one rule for text shown
    to a person."""
    from .safe_text import plain

    if report.ok:
        print(plain(f"{lead}OK: {report.path}: {report.lines:,} order lines in {report.orders:,} orders; "
                    f"checked {', '.join(report.checked)}."))
    else:
        print(plain(f"{lead}PROBLEMS in {report.path}:"))
        for problem in report.problems:
            print(plain(f"  - {problem}"))
    for why in report.skipped:
        print(plain(f"  skipped: {why}"))
    return report.ok


def run_backup(args: argparse.Namespace) -> int:
    from ..store.maintenance import backup, doctor
    from .safe_text import plain

    target = backup(args.db, args.dest, overwrite=args.force)
    report = doctor(target)
    if not report.ok:
        say_error(f"the copy at {target} does not pass doctor: " + "; ".join(report.problems))
        return 1
    print(plain(f"Backed up to {target} ({report.lines:,} order lines, {report.orders:,} orders); "
                "the copy passes doctor."))
    return 0


def run_copy(args: argparse.Namespace) -> int:
    from ..store.copy import copy_store
    from ..store.maintenance import doctor
    from .safe_text import plain

    copied = copy_store(args.src, args.dest, replace=args.replace)
    rows = copied.rows
    print(plain(f"Copied {copied.source} to {copied.dest}: {rows['sales']:,} order lines, {rows['order_totals']:,} "
                f"orders, {rows['customers']:,} customers, {rows['inventory']:,} stock counts, "
                f"{sum(rows.values()):,} rows in {len(rows)} tables."))
    return 0 if say_verdict(doctor(args.dest), "doctor on arrival: ") else 1
