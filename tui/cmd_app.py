"""`shopintel tui` (and plain `shopintel`): open the app on a store."""

from __future__ import annotations

import argparse
from pathlib import Path

from .cli import add_command


def register(sub, common) -> None:
    p = add_command(
        sub, common, "tui",
        help="open the terminal app on the store (the default command)",
        description="Open the terminal app: one tab per report (1-7), keyboard only, readable over SSH at "
                    "80x24. Press ? in the app for every key. The store is an SQLite file or a PostgreSQL schema "
                    "(--db postgresql://...): reading from a hot standby more than a few seconds behind its "
                    "primary, the title says how far; alerts and acknowledgements are written to the primary.",
        examples="  shopintel\n  shopintel tui --db /srv/shops/acme.db --read-only\n"
                 "  shopintel tui --db 'postgresql://analyst@db.example/shops?schema=acme' --read-only\n"
                 "  shopintel tui --bell              ring the bell on new reorder alerts\n")
    p.add_argument("--read-only", action="store_true",
                   help="open the store read-only, with no writer at all (an SQLite file with mode=ro; on "
                        "PostgreSQL READ ONLY sessions only): nothing is written, not even alert acks")
    p.add_argument("--bell", action="store_true", help="ring the terminal bell on new reorder alerts")
    add_stall_minutes(p)
    p.set_defaults(func=run)


def add_stall_minutes(p) -> None:
    p.add_argument("--stall-minutes", type=int, default=60, metavar="N",
                   help="the sales-stall alert's trailing window in minutes (60; see shopintel watch --help)")


def check_stall_minutes(args) -> int:
    from .errors import UserError

    if args.stall_minutes <= 0:
        raise UserError("--stall-minutes must be at least 1")
    return args.stall_minutes


def run(args: argparse.Namespace) -> int:
    from ..store.db import locate

    return launch(locate(args.db), read_only=args.read_only, demo=False, live=False, bell=args.bell,
                  stall_minutes=check_stall_minutes(args))


def empty_store_message(path) -> str | None:
    """None when the store (an SQLite file's Path or a PostgreSQL PgUrl) has sales; otherwise what to tell
    the user (with the exact command)."""
    from ..store.db import connect_read_only, is_empty
    from ..store.errors import StoreError
    from .safe_text import plain

    shown = plain(path)   # a PgUrl's str() is its masked form
    if isinstance(path, Path) and not path.exists():
        return (f"No store at {shown}.\n\nImport your orders first:\n\n"
                f"    shopintel ingest orders.csv --db {shown}\n\n"
                f"or look around the demo shop:\n\n    shopintel demo\n\nq quits.")
    try:
        conn = connect_read_only(path)
        empty = is_empty(conn)
        conn.close()
    except StoreError as exc:
        return f"{plain(exc)}\n\nq quits."
    if empty:
        return (f"The store {shown} has no sales yet.\n\nImport your orders:\n\n"
                f"    shopintel ingest orders.csv --db {shown}\n\nq quits.")
    return None


def _upgrade(path: Path) -> None:
    """A store of an earlier schema is migrated by its first writer; the app (unless --read-only) is one,
    so that its readers do not have to send the user to `shopintel doctor` first. A store that cannot
    be opened for writing is left to the readers, whose message says why."""
    from ..store.db import connect
    from ..store.errors import StoreError

    try:
        connect(path, create=False).close()
    except StoreError:
        pass


def launch(path, *, read_only: bool = False, demo: bool = False, live: bool = False, bell: bool = False,
           stall_minutes: int = 60, pause: tuple[float, float] | None = None) -> int:
    import sys

    from .errors import UserError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("the app needs a terminal, and this is not one (input or output is redirected). "
                        "Over SSH connect with 'ssh -t'; in scripts use 'shopintel report NAME'.", code=2)
    from .data import PeriodChoice, Store, in_background

    from ..store.db import locate

    path = locate(path)   # an SQLite file's Path, or a PostgreSQL store's PgUrl
    simulator = None
    if live and not read_only:   # the demo: its own SQLite file
        from .live_sim import start_simulator

        simulator = start_simulator(path, pause)
    if not read_only and isinstance(path, Path) and path.is_file():
        _upgrade(path)   # a PostgreSQL store is migrated by its writers (ingest), not by a viewer
    try:
        empty = empty_store_message(path)
        # the Overview's first figures are worked out while Textual loads, not after it has drawn
        cards = None if empty else in_background(Store(path).overview_cards, PeriodChoice())
        from .app import ShopApp

        app = ShopApp(path, read_only=read_only, bell=bell, empty_message=empty, first_cards=cards,
                      stall_minutes=stall_minutes)
        if simulator is not None:
            app.on_terminal_gone.append(simulator.stop)
        app.run()
    finally:
        if simulator is not None:
            simulator.stop()
    _leave_now()
    return 0


def _leave_now() -> None:
    """The app has gone and said what it had to: leave at once. Python's own exit would join a worker
    thread still computing (pandas, past its interrupted query), then tear down every module and the
    results kept for paging: over half a second after a visit to Whales at 1M lines. Nothing is left to
    do (the store only ever changes in committed transactions; the simulator was stopped above)."""
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
