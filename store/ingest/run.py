"""`ingest_file`: read, validate and load one export (a CSV file, a .csv.gz, one CSV of a .zip, one sheet
of an .xlsx) in one transaction, writing rejected rows with reasons to a rejects CSV; `sources` lists what
a path holds (each CSV of a zip is its own import)."""

from __future__ import annotations

import csv
import os
from contextlib import closing
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import settings
from ..db import _wrap
from ..errors import ImportFailed, StoreError
from ..load import Loader
from . import containers, pipeline, reader, values
from .formats import MappingError, resolve_columns
from .validate import Validator

__all__ = ["IngestOptions", "IngestReport", "ingest_file", "sources"]


@dataclass
class IngestOptions:
    fmt: str = "auto"
    mapping: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    dayfirst: bool = False
    encoding: str | None = None
    rejects_path: str | None = None
    chunk_rows: int = reader.CHUNK_ROWS
    # Read R's NA, Excel's #N/A, NULL, None, nan... as ordinary values (a customer whose id is NA),
    # instead of as empty cells (customer fields) and rejected rows (order id, sku).
    keep_na_tokens: bool = False
    currency: str | None = None     # the shop's currency when the export has no currency column (ISO 4217)
    tz: str | None = None           # the shop's IANA time zone: times with an offset become its local days
    member: str | None = None       # which CSV of a zip archive
    sheet: str | None = None        # which sheet of an xlsx workbook (default: the first)


@dataclass
class IngestReport:
    file: str
    layout: str
    date_format: str
    rows_read: int
    rows_loaded: int
    orders_replaced: int
    rows_rejected: int
    rejects_path: str | None
    returns: int
    guest_lines: int
    non_merch_lines: int
    first_day: str | None
    last_day: str | None
    notes: list[str]
    mixed_orders: int = 0                    # orders whose lines carry more than one customer
    mixed_order_example: str | None = None   # one of them
    left_out: dict[str, int] = field(default_factory=dict)         # why -> orders the layout left out whole
    lines_left_out: dict[str, int] = field(default_factory=dict)   # why -> lines of kept orders left out
    orders_withdrawn: int = 0                # of those, orders an earlier import had stored: taken out
    currency: str | None = None
    tz: str | None = None


def sources(path: str) -> list[str | None]:
    """The members to import from `path`, one import each: every CSV of a zip archive; [None] otherwise."""
    if os.path.isfile(path) and containers.kind_of(path) == "zip":
        return containers.members(path) or [None]
    return [None]


def default_rejects_path(path: str, member: str | None = None, sheet: str | None = None) -> str:
    p = Path(path)
    stem = p.name
    for suffix in (".gz", ".zip", ".xlsx", ".csv", ".tsv", ".txt"):
        if stem.lower().endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
    part = member or sheet
    if part:   # several members or sheets of one file: a rejects file each
        stem += "." + Path(part).stem
    beside = p.with_name(stem + ".rejects.csv")
    if os.access(beside.parent, os.W_OK):
        return str(beside)
    return str(Path.cwd() / beside.name)


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ImportFailed(f"--currency {code!r} is not a currency code: give the ISO 4217 code, e.g. EUR, USD, GBP.")
    return code


def check_time_zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(f"--tz {name!r} is not a time zone shopintel knows: give an IANA name such as "
                           "Europe/Berlin, America/New_York or Asia/Tokyo.") from None
    return name


def _write_rejects(src: reader.Source, rejects: list[pd.DataFrame], out_path: str) -> int:
    table = pd.concat(rejects) if rejects else pd.DataFrame({"_record": [], "reason": []})
    records = set(int(r) for r in table["_record"])
    located, skipped = reader.record_lines(src, records)
    rows: list[tuple[int, str, list[str]]] = []
    for rec, why in zip(table["_record"], table["reason"]):
        line, fields = located.get(int(rec), (int(rec) + 1, []))
        rows.append((line, why, fields))
    for line, why in src.bad_lines:
        rows.append((line, f"wrong number of fields: {why}", skipped.get(line, [])))
    rows.sort(key=lambda r: r[0])
    if not rows:
        return 0
    try:
        with open(out_path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["line", "reason", *src.header])
            for line, why, fields in rows:
                w.writerow([line, why, *fields])
    except OSError as exc:
        raise ImportFailed(f"cannot write the rejects file {out_path} ({exc.strerror}); nothing was imported. "
                           "Choose another place with --rejects PATH.") from None
    return len(rows)


def ingest_file(conn: sqlite3.Connection, path: str, options: IngestOptions | None = None,
                progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Import one export file. Raises ImportFailed (store unchanged) when nothing usable can be loaded,
    StoreError (store unchanged: the transaction is rolled back) when the store cannot be written
    (disk full, read-only, locked for too long...)."""
    try:
        return _ingest_file(conn, path, options or IngestOptions(), progress)
    except sqlite3.Error as exc:
        db = _db_file(conn)
        err = _wrap(exc, Path(db))
        raise StoreError(f"importing {path} failed: {err}"
                         + ("" if "nothing was changed" in str(err) else
                            " The import was rolled back; the store is unchanged.")) from None


def _db_file(conn: sqlite3.Connection) -> str:
    try:
        return conn.execute("PRAGMA database_list").fetchone()[2] or "the store"
    except sqlite3.Error:
        return "the store"


def _ingest_file(conn: sqlite3.Connection, path: str, opts: IngestOptions,
                 progress: Callable[[int, int], None] | None) -> IngestReport:
    wanted_currency = check_currency(opts.currency) if opts.currency else None
    tz = check_time_zone(opts.tz) if opts.tz else None
    src = reader.open_source(path, encoding=opts.encoding, member=opts.member, sheet=opts.sheet)
    try:
        return _ingest_source(conn, src, path, opts, wanted_currency, tz, progress)
    finally:
        src.close()


def _ingest_source(conn, src: reader.Source, path: str, opts: IngestOptions, wanted_currency: str | None,
                   tz: str | None, progress) -> IngestReport:
    label = src.path
    try:
        columns = resolve_columns(src.header, opts.fmt, opts.mapping)
    except MappingError as exc:
        raise ImportFailed(f"{label}: {exc}") from None
    layout = columns.layout
    store_currency = settings.get(conn, settings.CURRENCY)
    store_tz = settings.get(conn, settings.TIME_ZONE)
    if tz and store_tz and tz != store_tz:
        raise ImportFailed(f"--tz {tz}: this store's time zone is {store_tz} (its earlier imports' days are "
                           f"{store_tz} days). Import with --tz {store_tz}, or into another store with --db.")
    tz = tz or store_tz
    if wanted_currency and store_currency and wanted_currency != store_currency:
        raise ImportFailed(f"--currency {wanted_currency}: this store's currency is {store_currency}; a store holds "
                           "one shop in one currency. Import into another store with --db.")
    chunks = reader.read_chunks(src, opts.chunk_rows)
    try:
        first = next(chunks)
    except StopIteration:
        raise ImportFailed(f"{label} has a header but no rows: there is nothing to import.") from None
    finally:
        chunks.close()   # the first chunk decides the dates; pipeline.validated reads the file
        src.bad_lines.clear()   # ... and finds its bad lines again
    date_col = f"c{src.header.index(columns.by_field['ordered_at'])}"
    try:
        rule = values.detect_date_rule(first[date_col], date_format=opts.date_format, dayfirst=opts.dayfirst,
                                       layout_format=layout.date_format)
    except values.DateFormatUnknown as exc:
        raise ImportFailed(f"{label}: {exc}") from None
    validator = Validator(columns, src.header, rule, keep_na_tokens=opts.keep_na_tokens, tz=tz)
    rejects: list[pd.DataFrame] = []
    rows_read = 0
    rejects_path = opts.rejects_path or default_rejects_path(path, opts.member, opts.sheet)
    name = os.path.basename(label if src.kind != "csv" else path)
    seen: Counter = Counter()   # currencies of the loaded lines so far
    # the backend's writer of lines: Loader for SQLite, the connection's own for PostgreSQL (store/pg/load.py)
    loader_class = getattr(conn, "loader_class", Loader)
    with loader_class(conn, file_name=name, sha256=src.sha256) as loader, \
            closing(pipeline.validated(src, validator, opts.chunk_rows, first=first)) as chunks:
        for n, result in chunks:
            seen.update(result.currencies)
            _check_currencies(seen, wanted_currency or store_currency, label, bool(wanted_currency))
            loader.forget(result.left_out)
            loader.add(result.good, result.prepared)
            if not result.rejects.empty:
                rejects.append(result.rejects)
            rows_read += n
            if progress:
                progress(rows_read, max(src.estimated_rows, rows_read))
        rows_read += len(src.bad_lines)
        n_rejected = _write_rejects(src, rejects, rejects_path)
        if rows_read == 0:
            raise ImportFailed(f"{label} has a header but no rows: there is nothing to import; the store is unchanged.")
        if loader.stats.rows_loaded == 0 and not validator.left_out:
            why = ""
            if rejects:
                reasons = pd.concat(rejects)["reason"]
                kinds = reasons.str.replace(r"'[^']*'", "'...'", regex=True)   # group by kind, not by value
                top = kinds.value_counts()
                example = reasons[kinds == top.index[0]].iloc[0]
                why = f" The most common problem ({top.iloc[0]:,} rows), for example: {example}."
            raise ImportFailed(
                f"{label}: none of its {rows_read} rows could be imported; the store is unchanged.{why} "
                f"Every row and its reason is in {rejects_path}.")
        currency = next(iter(validator.currencies), None) or wanted_currency or store_currency
        if currency and currency != store_currency:
            settings.put(conn, settings.CURRENCY, currency)
        if tz and tz != store_tz:
            settings.put(conn, settings.TIME_ZONE, tz)
        loader.record_counts(rows_read, n_rejected)
    stats = loader.stats
    notes = list(src.notes)
    if validator.marker_customer_ids:
        n = validator.marker_customer_ids
        notes.append(f"{n:,} customer id{'s were' if n != 1 else ' was'} a missing-value marker "
                     f"({', '.join(values.MISSING_TOKENS)}): read as guest lines. If your shop really has a "
                     "customer with such an id, import with --keep-na-tokens")
    if validator.utc_times:
        n = validator.utc_times
        notes.append(f"{n:,} order time{'s are' if n != 1 else ' is'} written in UTC, so {'their' if n != 1 else 'its'} "
                     "day is the UTC date: an evening order in America is counted on the next day. Give the shop's "
                     "time zone with --tz (e.g. --tz America/New_York) to count each order on the shop's own day")
    if layout.no_customers and stats.rows_loaded and stats.guest_lines == stats.rows_loaded:
        notes.append(layout.no_customers)
    return IngestReport(
        file=label, layout=layout.name, date_format=rule.describe() + (f", converted to {tz}" if tz and rule.has_offset else ""),
        rows_read=rows_read, rows_loaded=stats.rows_loaded, orders_replaced=stats.orders_replaced,
        rows_rejected=n_rejected, rejects_path=rejects_path if n_rejected else None, returns=stats.returns,
        guest_lines=stats.guest_lines, non_merch_lines=stats.non_merch_lines, first_day=stats.first_day,
        last_day=stats.last_day, notes=notes, mixed_orders=stats.mixed_orders,
        mixed_order_example=stats.mixed_order_example,
        left_out={why: len(ids) for why, ids in validator.left_out.items()},
        lines_left_out=dict(validator.lines_left_out), orders_withdrawn=stats.orders_withdrawn,
        currency=currency, tz=tz,
    )


def _check_currencies(seen: Counter, expected: str | None, label: str, from_option: bool) -> None:
    """One currency per store: an export mixing currencies, or in another than the store's (or --currency),
    is refused before anything is summed."""
    if len(seen) > 1:
        listed = ", ".join(f"{c} ({n:,} lines)" for c, n in seen.most_common())
        raise ImportFailed(f"{label} mixes currencies: {listed}. A store holds one shop in one currency, and "
                           "amounts in different currencies cannot be added up. Split the export by currency and "
                           "import each part into its own store (--db).")
    if seen and expected and expected not in seen:
        found = next(iter(seen))
        whose = "--currency says" if from_option else "this store's currency is"
        raise ImportFailed(f"{label} is in {found}, but {whose} {expected}. A store holds one shop in one "
                           "currency: import it into another store with --db"
                           + (", or drop --currency." if from_option else "."))

