"""The `shopintel` command line: a thin argparse front over store/, reports/ and the app.

Each command lives in its own `shopintel.tui.cmd_*` module exposing `register(subparsers, common)`;
heavy libraries (pandas, textual) are imported inside the commands so `--help` is instant.
Errors a user can fix are printed as one clear paragraph, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from typing import Sequence

from .errors import UserError

__all__ = ["UserError", "add_command", "main", "say_error"]

COMMAND_MODULES = (
    ".cmd_ingest",
    ".cmd_stock",
    ".cmd_demo",
    ".cmd_report",
    ".cmd_app",
    ".cmd_live",
    ".cmd_admin",
)

EPILOG = """\
examples:
  shopintel demo                          build a demo store and open the app on it
  shopintel ingest orders.csv             import an order export (the layout is detected)
  shopintel ingest export.csv --map order_id='Order Number' --map ordered_at=Date
  shopintel report whales --limit 10      the top customers by lifetime spend
  shopintel                               open the app on your store

The store is --db PATH, else $SHOPINTEL_DB, else {default}.
A PostgreSQL store: --db 'postgresql://USER@HOST:PORT/DBNAME?schema=SHOP' (pip install 'shopintel[postgres]').
Run 'shopintel COMMAND --help' for the options of a command.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=34, width=min(100, _terminal_width()))


class _Parser(argparse.ArgumentParser):
    """argparse, whose errors quote what was typed (a name pasted from a report, say) by the one rule for
    text shown to a person. Subcommands' parsers are of this class too (argparse makes them so)."""

    def error(self, message: str):
        from ..store.pg.url import mask_text
        from .safe_text import plain

        super().error(plain(mask_text(message)))


def say_error(message: object) -> None:
    """An error for the user on stderr. Messages quote values from data and paths (a file name may hold
    any character but / and NUL): control characters are shown, never sent (tui/format.plain)."""
    from ..store.pg.url import mask_text
    from .safe_text import plain

    print(f"shopintel: {plain(mask_text(str(message)))}", file=sys.stderr)


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 100


def common_parser() -> argparse.ArgumentParser:
    """Options every command takes."""
    from ..store.db import ENV_VAR, default_db_path  # light: no pandas

    p = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand must not reset a --db given before it (shopintel --db X report ...).
    # The default named is the real one here (it follows $XDG_DATA_HOME), not a path that may not apply.
    p.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS,
                   help="the store: an SQLite file, or a PostgreSQL schema as "
                        "postgresql://USER@HOST:PORT/DBNAME?schema=SHOP "
                        f"(default: ${ENV_VAR}, else {str(default_db_path()).replace('%', '%%')})")
    return p


def build_parser() -> argparse.ArgumentParser:
    from ..store.db import default_db_path

    common = common_parser()
    parser = _Parser(
        prog="shopintel",
        description="Terminal analytics for online shops: turn order exports into a SQLite store and "
                    "browse whales, top sellers, categories, revenue trends and live reorder alerts.",
        epilog=EPILOG.format(default=default_db_path()),
        formatter_class=_Formatter,
        parents=[common],
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name, __package__).register(sub, common)
    return parser


class _Version(argparse.Action):
    """--version, looked up only when asked for: importlib.metadata costs every other command ~15 ms."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"shopintel {version('shopintel')}")
        except PackageNotFoundError:   # run from a checkout that was never installed
            print("shopintel (not installed)")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)   # --db is SUPPRESSed so a subcommand cannot reset it
    if args.command is None:
        if "tui" in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            args = parser.parse_args(["tui", *(["--db", args.db] if args.db else [])])
        else:
            parser.print_help()
            return 0
    # Arrow's default allocator (mimalloc) keeps memory pandas has freed, and how much depends on
    # timing: the app kept ~15 MB more after visiting every tab, a 10M-line ingest peaked anywhere from
    # 440 to 540 MB. The system allocator hands it back at the same speed. Set before pandas loads Arrow.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    from ..store.errors import ImportFailed, StoreError

    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        say_error(exc)
        return exc.code
    except (StoreError, ImportFailed) as exc:
        say_error(exc)
        return 1
    except KeyboardInterrupt:
        say_error("interrupted; nothing was changed by the unfinished step.")
        return 130
    except sqlite3.Error as exc:
        say_error(f"the store could not be used ({exc}). Check it with: shopintel doctor")
        return 1
    except BrokenPipeError:
        # `shopintel report ... | head`: the reader went away; that is not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as exc:   # a bug: say so in one paragraph; SHOPINTEL_DEBUG=1 shows the traceback
        if os.environ.get("SHOPINTEL_DEBUG"):
            raise
        say_error(f"unexpected error ({type(exc).__name__}: {exc}). Nothing was changed by the step that failed. "
                  "Run again with SHOPINTEL_DEBUG=1 to see the details, and please report it.")
        return 70


def add_command(sub, common, name: str, *, help: str, description: str, examples: str) -> argparse.ArgumentParser:
    """One place that gives every command the same shape of help: a description and examples."""
    return sub.add_parser(name, help=help, description=description, epilog="examples:\n" + examples,
                          formatter_class=_Formatter, parents=[common])


if __name__ == "__main__":
    sys.exit(main())
