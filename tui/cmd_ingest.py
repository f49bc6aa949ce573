"""`shopintel ingest`: import order exports into the store, with a progress bar and a summary."""

from __future__ import annotations

import argparse
import sys

from .cli import UserError, add_command, say_error


def register(sub, common) -> None:
    from ..store.ingest.layouts import LAYOUTS   # light: names and titles, no pandas

    layouts = "\n".join(f"  {name:<14} {layout.title}" for name, layout in LAYOUTS.items())
    p = add_command(
        sub, common, "ingest",
        help="import order exports (CSV, .csv.gz, .zip, .xlsx) into the store",
        description=(
            "Import one or more order exports into the store: CSV or tab-separated text, gzip'd CSV "
            "(.csv.gz), a .zip of CSV files (each one is imported; --member picks one) or an .xlsx workbook "
            "(its first sheet; --sheet picks another). Columns are matched by name; the layout is detected "
            "from the header (--format forces one):\n\n" + layouts + "\n\n"
            "A store holds one shop in one currency: the export's currency column sets it (else --currency), "
            "and an export in another currency, or mixing several, is refused. --tz names the shop's time "
            "zone: times written with an offset or Z (Amazon's are UTC) are counted on the shop's local day; "
            "the store remembers both. Each file is one transaction: a failed run leaves the store as it "
            "was. Re-importing an order replaces it, so overlapping exports never double-count; an order the "
            "newer export says was cancelled is taken out. Bad rows go to a rejects CSV with the line number "
            "and the reason; good rows load."),
        examples=(
            "  shopintel ingest data/sample_orders.csv\n"
            "  shopintel ingest orders_export.csv                  # Shopify, detected\n"
            "  shopintel ingest All_Orders.txt --tz America/New_York\n"
            "  shopintel ingest orders.csv.gz   shopintel ingest export.zip --member orders.csv\n"
            "  shopintel ingest orders.xlsx --sheet 'Orders 2025' --currency EUR\n"
            "  shopintel ingest online_retail_II.csv --format online-retail\n"
            "  shopintel ingest export.csv --map order_id='Order Number' --map ordered_at=Date "
            "--map unit_price='Unit Price'\n"
            "  shopintel ingest orders_fr.csv --dayfirst --encoding cp1252 --rejects /tmp/bad.csv\n"),
    )
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="export(s) to import: .csv, .tsv/.txt, .csv.gz, .zip, .xlsx; one transaction each")
    p.add_argument("--format", dest="fmt", choices=("auto", *LAYOUTS), default="auto", metavar="NAME",
                   help=f"the export layout: {', '.join(LAYOUTS)} (default: auto, detected from the header)")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="read FIELD from the column named COLUMN (repeatable; quote names with spaces)")
    p.add_argument("--currency", metavar="CODE",
                   help="the shop's currency (ISO 4217, e.g. EUR) when the export has no currency column; "
                        "remembered by the store")
    p.add_argument("--tz", metavar="ZONE",
                   help="the shop's time zone (IANA, e.g. Europe/Berlin): times with an offset or Z are "
                        "counted on its local day; remembered by the store (default: the day written in the time)")
    p.add_argument("--member", metavar="NAME", help="the CSV file to import from a .zip (default: each one)")
    p.add_argument("--sheet", metavar="NAME", help="the sheet to import from an .xlsx (default: the first)")
    p.add_argument("--date-format", metavar="FMT",
                   help="strptime format of the dates, e.g. '%%d/%%m/%%Y %%H:%%M' (default: ISO 8601 or detected)")
    p.add_argument("--dayfirst", action="store_true", help="read ambiguous dates like 03/04/2024 as day/month")
    p.add_argument("--encoding", metavar="ENC",
                   help="file encoding (default: UTF-8 with or without BOM, else cp1252/latin-1 with a note)")
    p.add_argument("--rejects", metavar="PATH",
                   help="where to write rejected rows (default: FILE.rejects.csv beside the file)")
    p.add_argument("--keep-na-tokens", action="store_true",
                   help="read NA, N/A, #N/A, null, NULL, None, nan, NaN as real values (a customer whose id is NA); "
                        "by default they are empty in the customer id, name, email and country (a guest line) "
                        "and reject the row in the order id and sku")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..store.db import connect, locate
    from ..store.errors import ImportFailed
    from ..store.ingest import IngestOptions, MappingError, ingest_file, parse_map_options, sources

    try:
        mapping = parse_map_options(args.map)
    except MappingError as exc:
        raise UserError(str(exc)) from None
    imports: list[tuple[str, str | None]] = []
    for path in args.files:
        try:
            members = [args.member] if args.member else sources(path)
        except (OSError, ImportFailed):
            members = [None]   # ingest_file says what is wrong with the path (a damaged zip...)
        imports.extend((path, m) for m in members)
    if args.rejects and len(imports) > 1:
        raise UserError("--rejects names one file, but several files (or CSV files of an archive) were given; "
                        "import them one at a time or leave --rejects out (each then gets its own "
                        "FILE.rejects.csv).")
    db = locate(args.db)   # a file or a PostgreSQL URL (shown with its password masked)
    conn = connect(db)
    failures = 0
    for path, member in imports:
        opts = IngestOptions(fmt=args.fmt, mapping=mapping, date_format=args.date_format, dayfirst=args.dayfirst,
                             encoding=args.encoding, rejects_path=args.rejects,
                             keep_na_tokens=args.keep_na_tokens, currency=args.currency, tz=args.tz,
                             member=member, sheet=args.sheet)
        shown = f"{path}:{member}" if member else path
        try:
            report = _with_progress(lambda cb: ingest_file(conn, path, opts, progress=cb), shown)
        except ImportFailed as exc:
            tail = "" if "unchanged" in str(exc) else " Nothing was imported from this file; the store is unchanged."
            say_error(f"{exc}{tail}")
            failures += 1
            continue
        _print_report(report, db)
    conn.close()
    return 1 if failures else 0


def _with_progress(work, path: str):
    """A rich progress bar on a terminal (stderr), nothing when piped."""
    if not sys.stderr.isatty():
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .safe_text import plain

    with Progress(TextColumn("importing {task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(plain(path), total=None)

        def cb(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, done))

        return work(cb)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True, markup=False, highlight=False)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{why} {n:,}" for why, n in counts.items())


def _print_report(r, db) -> None:
    lines = [
        f"Imported {r.file} into {db} (layout: {r.layout}, dates: {r.date_format})",
        f"  rows read        {r.rows_read:>10,}",
        f"  rows loaded      {r.rows_loaded:>10,}",
        f"  orders replaced  {r.orders_replaced:>10,}   (already in the store; replaced, not double-counted)",
        f"  rows rejected    {r.rows_rejected:>10,}" + (f"   -> {r.rejects_path}" if r.rejects_path else ""),
    ]
    if r.left_out:
        withdrawn = (f"; {r.orders_withdrawn:,} of them were in the store and were taken out"
                     if r.orders_withdrawn else "")
        lines.append(f"  orders left out  {sum(r.left_out.values()):>10,}   ({_counts(r.left_out)}: not sales, "
                     f"not orders{withdrawn})")
    if r.lines_left_out:
        lines.append(f"  lines left out   {sum(r.lines_left_out.values()):>10,}   ({_counts(r.lines_left_out)})")
    lines += [
        f"  returns          {r.returns:>10,}   (negative quantities and refunds: kept, they reduce net revenue)",
        f"  guest lines      {r.guest_lines:>10,}   (no customer: counted in revenue, never ranked)",
        f"  mixed orders     {r.mixed_orders:>10,}   (lines of one order with different customers: each line "
        "counts for its own customer" + (f"; e.g. order {r.mixed_order_example})" if r.mixed_order_example else ")"),
        f"  non-merchandise  {r.non_merch_lines:>10,}   (postage, fees, refunds, adjustments: kept out of top sellers)",
        f"  date range       {r.first_day} .. {r.last_day}" + (f"   (days in {r.tz})" if r.tz else ""),
        f"  currency         {r.currency or 'not named (give it with --currency CODE)'}",
    ]
    for note in r.notes:
        lines.append(f"  note: {note}")
    from .safe_text import plain

    # file names, notes and examples quote data: every line by the one rule for text shown to a person
    print("\n".join(plain(line) for line in lines))
