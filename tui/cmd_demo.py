"""`shopintel demo`: build a realistic synthetic store, fresh for every run (unless --keep), and open
the app on it with a simulated checkout writing beside it."""

from __future__ import annotations

import argparse
import os
import sqlite3
from datetime import date
from pathlib import Path

from .cli import UserError, add_command

DEFAULT_LINES = 60_000
DEFAULT_SEED = 7


def register(sub, common) -> None:
    from ..store.db import data_dir

    p = add_command(
        sub, common, "demo",
        help="build a demo store (synthetic, two years up to now) and open the app on it",
        description=(
            "Build a realistic synthetic shop (about two years of orders ending now, seasonality, a few "
            "whale customers, one category driving growth, returns, guest orders, stock counts with some "
            "fast movers near their reorder point) and open the app on it, with a simulated checkout selling "
            "at the shop's own pace on a clock that runs a day a minute (see shopintel simulate --help). "
            "Every run starts from a freshly built store, so what the last demo's checkout sold is gone; "
            "--keep opens the store as the last run left it. "
            f"Without --db it lives in {data_dir()}/ (demo.db, or demo-LINES-SEED.db for other sizes). "
            "A --db that holds a store of your own is refused: the demo never replaces real data."),
        examples="  shopintel demo\n  shopintel demo --lines 1000000 --seed 3\n"
                 "  shopintel demo --keep             carry on where the last demo stopped\n"
                 "  shopintel demo --no-live          no simulated live orders\n"
                 "  shopintel demo --pause 480 --stall-minutes 180   the checkout breaks now and then: a stall alert\n"
                 "  shopintel demo --build-only       build the store, print where it is, exit\n",
    )
    p.add_argument("--lines", type=int, default=DEFAULT_LINES, metavar="N",
                   help=f"order lines to generate, 10000 to 10000000 (default {DEFAULT_LINES:,})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="random seed (default 7)")
    p.add_argument("--keep", action="store_true",
                   help="keep the demo store as the last run left it (built only if there is none)")
    p.add_argument("--build-only", action="store_true", help="only build the store and print its summary")
    p.add_argument("--no-live", action="store_true", help="do not run the order simulator beside the app")
    p.add_argument("--bell", action="store_true", help="ring the terminal bell on new reorder alerts")
    p.add_argument("--pause", type=float, metavar="MINUTES",
                   help="the simulated checkout breaks for MINUTES simulated minutes after every --pause-after "
                        "minutes of selling, so the sales-stall alert shows (try --pause 480 --stall-minutes 180: "
                        "the demo shop takes about 3 orders an hour)")
    p.add_argument("--pause-after", type=float, default=120.0, metavar="MINUTES",
                   help="simulated minutes of selling before each --pause (120)")
    from .cmd_app import add_stall_minutes

    add_stall_minutes(p)
    p.set_defaults(func=run)


def demo_path(lines: int, seed: int) -> Path:
    from ..store.db import data_dir

    name = "demo.db" if (lines, seed) == (DEFAULT_LINES, DEFAULT_SEED) else f"demo-{lines}-{seed}.db"
    return data_dir() / name


def ensure_demo_store(path: Path, lines: int, seed: int, keep: bool = False) -> bool:
    """Build the demo store at `path`, or with `keep` reuse the demo store there. Returns True when it
    built. Builds into a temporary file and renames it, so an interrupted build leaves no half store;
    a file at `path` that is not a demo store is refused, never replaced."""
    from ..store.db import connect
    from ..store.synth import DEMO_MARK

    demo = _is_demo_store(path)
    if path.exists() and not demo:
        raise UserError(f"{path} is a store of your own, not a demo store: the demo never replaces it. "
                        "Give the demo its own --db (or leave --db out).")
    if keep and demo:
        return False
    from ..store import synth

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    conn = connect(tmp)
    synth.build_store(conn, lines, seed)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (DEMO_MARK, date.today().isoformat()))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, path)
    return True


def _is_demo_store(path: Path) -> bool:
    """A store this command built (it carries the demo mark). An empty or unreadable file is not one."""
    from ..store.db import connect_read_only
    from ..store.errors import StoreError
    from ..store.synth import DEMO_MARK

    if not path.exists():
        return False
    try:
        conn = connect_read_only(path)
        try:
            return conn.execute("SELECT 1 FROM meta WHERE key = ?", (DEMO_MARK,)).fetchone() is not None
        finally:
            conn.close()
    except (StoreError, sqlite3.DatabaseError):
        return False


def run(args: argparse.Namespace) -> int:
    if not 10_000 <= args.lines <= 10_000_000:
        raise UserError("--lines must be between 10000 and 10000000")
    if args.db:
        from ..store.db import sqlite_only

        path = sqlite_only(args.db, "demo", "The demo builds its own SQLite store: leave --db out, or give a "
                                            "file, e.g. --db demo.db.")
    else:
        path = demo_path(args.lines, args.seed)
    if not (args.keep and _is_demo_store(path)):
        print(f"Building the demo store ({args.lines:,} order lines) at {path} ...", flush=True)
    built = ensure_demo_store(path, args.lines, args.seed, args.keep)
    if args.build_only:
        _print_summary(path, built)
        return 0
    from .cmd_app import check_stall_minutes, launch

    if args.pause is not None and (args.pause <= 0 or args.pause_after <= 0):
        raise UserError("--pause and --pause-after must be more than 0 minutes")
    if args.pause is not None and args.no_live:
        raise UserError("--pause breaks the simulated checkout, which --no-live turns off: give one of them")
    pause = None if args.pause is None else (args.pause, args.pause_after)
    return launch(path, read_only=False, demo=True, live=not args.no_live, bell=args.bell,
                  stall_minutes=check_stall_minutes(args), pause=pause)


def _print_summary(path: Path, built: bool) -> None:
    from ..store.db import connect_read_only

    conn = connect_read_only(path)
    lines, orders, cents, first, last = conn.execute(
        "SELECT sum(lines), sum(orders), sum(net_cents), min(day), max(day) FROM agg_day").fetchone()
    customers = conn.execute("SELECT count(*) FROM agg_customer").fetchone()[0]
    conn.close()
    print(f"Demo store {'built' if built else 'kept as the last run left it'}: {path}")
    print(f"  {lines:,} order lines, {orders:,} orders, {customers:,} customers, {first} .. {last}")
    print(f"  net revenue {cents / 100:,.2f}")
    print(f"Open it with: shopintel tui --db {path}")
