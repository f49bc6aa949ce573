"""`shopintel stock`: record stock counts (import a stock file, or set one product)."""

from __future__ import annotations

import argparse

from .cli import UserError, add_command


def register(sub, common) -> None:
    p = add_command(
        sub, common, "stock",
        help="record stock counts (import a file, or set one product)",
        description="Record units on hand for products. Units on hand now = the count minus net units "
                    "sold after it. Lead time defaults to 7 days; a reorder point set here overrides the "
                    "computed one.",
        examples="  shopintel stock import data/sample_stock.csv\n"
                 "  shopintel stock set MUG-01 120 --lead-time-days 10\n"
                 "  shopintel stock set MUG-01 40 --reorder-point 25\n",
    )
    ssub = p.add_subparsers(dest="stock_command", metavar="ACTION", required=True)
    imp = add_command(
        ssub, common, "import", help="import a stock file (sku, on_hand, counted_at, lead_time_days, reorder_point)",
        description="Import stock counts from a CSV with columns sku and on_hand, and optionally counted_at "
                    "(ISO date/time, default now; a date alone is the end of that day, after its sales), lead_time_days "
                    "and reorder_point. Unknown skus are listed.",
        examples="  shopintel stock import data/sample_stock.csv\n"
                 "  shopintel stock import counts.csv --map on_hand='Qty on hand' --map sku=Code\n")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                     help="read FIELD (sku, on_hand, counted_at, lead_time_days, reorder_point) from COLUMN")
    imp.set_defaults(func=run_import)
    st = add_command(
        ssub, common, "set", help="set one product's units on hand (a new count)",
        description="Record a new stock count for one product, counted now. It resolves the product's reorder "
                    "alert (the restock): if the count still leaves it LOW or OUT, the monitor raises a new "
                    "alert with the new figures.",
        examples="  shopintel stock set MUG-01 120\n  shopintel stock set MUG-01 120 --lead-time-days 10 "
                 "--reorder-point 30\n")
    st.add_argument("sku", metavar="SKU")
    st.add_argument("on_hand", metavar="ON_HAND", type=int)
    st.add_argument("--lead-time-days", type=int, metavar="N", help="days from ordering to restock (default 7)")
    st.add_argument("--reorder-point", type=int, metavar="N",
                    help="reorder when on hand falls to N (default: computed from demand)")
    st.set_defaults(func=run_set)


def run_import(args: argparse.Namespace) -> int:
    from ..store.db import connect
    from ..store.stock import import_stock
    from .safe_text import plain

    mapping = {}
    for pair in args.map:
        k, sep, v = pair.partition("=")
        if not sep:
            raise UserError(f"--map {pair!r} is not FIELD=COLUMN, e.g. --map on_hand='Qty'")
        mapping[k.strip()] = v
    conn = connect(args.db, create=False)   # stock for a store that does not exist is a mistake
    report = import_stock(conn, args.file, mapping)
    # the file name, skus and reasons come from the file: shown by the one rule (control characters spelled out)
    print(plain(f"Stock counts recorded for {report.updated:,} product(s) from {args.file}."))
    if report.unknown_skus:
        shown = ", ".join(report.unknown_skus[:10]) + (" ..." if len(report.unknown_skus) > 10 else "")
        print(plain(f"  {len(report.unknown_skus):,} unknown sku(s) skipped (not in the store; import their sales "
                    f"first): {shown}"))
    for rec, why in report.rejected[:20]:
        print(plain(f"  row {rec}: {why}"))
    if len(report.rejected) > 20:
        print(f"  ... and {len(report.rejected) - 20} more rejected rows")
    return 0 if report.updated else 1


def run_set(args: argparse.Namespace) -> int:
    from ..store.db import connect
    from ..store.stock import UnknownSku, set_stock

    if args.lead_time_days is not None and args.lead_time_days < 1:
        raise UserError("--lead-time-days must be at least 1")
    if args.reorder_point is not None and args.reorder_point < 0:
        raise UserError("--reorder-point cannot be negative")
    conn = connect(args.db, create=False)   # stock for a store that does not exist is a mistake
    try:
        set_stock(conn, args.sku, args.on_hand, lead_time_days=args.lead_time_days,
                  reorder_point=args.reorder_point)
    except UnknownSku:
        raise UserError(f"no product with sku {args.sku!r} in the store. List skus with: "
                        "shopintel report top-sellers --min-per-week 0", code=1) from None
    from .safe_text import plain

    print(plain(f"{args.sku}: {args.on_hand} on hand, counted now."))
    return 0
