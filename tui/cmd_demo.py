"""`shopintel demo`: build (once a day) a realistic synthetic store and open the app on it."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from .cli import UserError, add_command

DEFAULT_LINES = 60_000
DEFAULT_SEED = 7


def register(sub, common) -> None:
    p = add_command(
        sub, common, "demo",
        help="build a demo store (synthetic, two years to today) and open the app on it",
        description=(
            "Build a realistic synthetic shop (about two years of orders ending today, seasonality, a few "
            "whale customers, one category driving growth, returns, guest orders, stock counts with some "
            "fast movers near their reorder point) and open the app on it. The store is rebuilt when it "
            "was built on an earlier day. Without --db it lives in ~/.local/share/shopintel/ "
            "(demo.db, or demo-LINES-SEED.db for other sizes)."),
        examples="  shopintel demo\n  shopintel demo --lines 1000000 --seed 3\n"
                 "  shopintel demo --no-live          no simulated live orders\n"
                 "  shopintel demo --build-only       build the store, print where it is, exit\n",
    )
    p.add_argument("--lines", type=int, default=DEFAULT_LINES, metavar="N",
                   help=f"order lines to generate, 10000 to 10000000 (default {DEFAULT_LINES:,})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="random seed (default 7)")
    p.add_argument("--rebuild", action="store_true", help="build the demo store again even if it exists")
    p.add_argument("--build-only", action="store_true", help="only build the store and print its summary")
    p.add_argument("--no-live", action="store_true", help="do not run the order simulator beside the app")
    p.add_argument("--bell", action="store_true", help="ring the terminal bell on new reorder alerts")
    p.set_defaults(func=run)


def demo_path(lines: int, seed: int) -> Path:
    from ..store.db import data_dir

    name = "demo.db" if (lines, seed) == (DEFAULT_LINES, DEFAULT_SEED) else f"demo-{lines}-{seed}.db"
    return data_dir() / name


def ensure_demo_store(path: Path, lines: int, seed: int, rebuild: bool = False) -> bool:
    """Build the demo store at `path` unless one built today exists. Returns True when it built.
    Builds into a temporary file and renames it, so an interrupted build leaves no half store."""
    from ..store.db import connect, connect_read_only
    from ..store.errors import StoreError

    today = date.today().isoformat()
    if path.exists() and not rebuild:
        try:
            conn = connect_read_only(path)
            row = conn.execute("SELECT value FROM meta WHERE key = 'demo_built'").fetchone()
            conn.close()
            if row and row[0] == today:
                return False
        except StoreError:
            pass
    from ..store import synth

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    conn = connect(tmp)
    synth.build_store(conn, lines, seed)
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('demo_built', ?)", (today,))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, path)
    return True


def run(args: argparse.Namespace) -> int:
    if not 10_000 <= args.lines <= 10_000_000:
        raise UserError("--lines must be between 10000 and 10000000")
    path = Path(args.db).expanduser() if args.db else demo_path(args.lines, args.seed)
    if not path.exists() or args.rebuild:
        print(f"Building the demo store ({args.lines:,} order lines) at {path} ...", flush=True)
    built = ensure_demo_store(path, args.lines, args.seed, args.rebuild)
    if args.build_only:
        _print_summary(path, built)
        return 0
    from .cmd_app import launch

    return launch(path, read_only=False, demo=True, live=not args.no_live, bell=args.bell)


def _print_summary(path: Path, built: bool) -> None:
    from ..store.db import connect_read_only

    conn = connect_read_only(path)
    lines, orders, cents, first, last = conn.execute(
        "SELECT sum(lines), sum(orders), sum(net_cents), min(day), max(day) FROM agg_day").fetchone()
    customers = conn.execute("SELECT count(*) FROM agg_customer").fetchone()[0]
    conn.close()
    print(f"Demo store {'built' if built else 'ready'}: {path}")
    print(f"  {lines:,} order lines, {orders:,} orders, {customers:,} customers, {first} .. {last}")
    print(f"  net revenue {cents / 100:,.2f}")
    print(f"Open it with: shopintel tui --db {path}")
