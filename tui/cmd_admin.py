"""`shopintel doctor` (check a store) and `shopintel backup DEST` (a consistent online copy)."""

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


def run_doctor(args: argparse.Namespace) -> int:
    from ..store.maintenance import doctor, repair
    from .safe_text import plain

    if args.repair:
        repair(args.db)
    report = doctor(args.db, full=args.full)
    # the path and the problems (SQLite's own messages among them) by the one rule for text shown to a person
    skipped = "".join(f"\n  skipped: {why}" for why in report.skipped)
    if report.ok:
        print(plain(f"OK: {report.path}: {report.lines:,} order lines in {report.orders:,} orders; "
                    f"checked {', '.join(report.checked)}.{skipped}"))
        return 0
    print(plain(f"PROBLEMS in {report.path}:"))
    for problem in report.problems:
        print(plain(f"  - {problem}"))
    if skipped:
        print(plain(skipped.lstrip("\n")))
    from ..store.db import locate

    made_by = "shopintel backup" if isinstance(locate(args.db), Path) else "pg_dump -n SCHEMA"
    print(f"Restore a backup ({made_by} makes one), or re-import the exports into a new store.", file=sys.stderr)
    return 1


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
