"""Import (ETL) of raw order exports: `ingest_file` reads, validates and loads one file
in one transaction, writing rejected rows with reasons to a rejects CSV."""

from __future__ import annotations

import csv
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..db import _wrap
from ..errors import ImportFailed, StoreError
from . import reader, values
from .formats import FORMAT_CHOICES, MappingError, parse_map_options, resolve_columns
from .validate import Validator
from ..load import Loader

__all__ = ["IngestOptions", "IngestReport", "ingest_file", "FORMAT_CHOICES", "parse_map_options", "MappingError"]


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


def default_rejects_path(path: str) -> str:
    p = Path(path)
    beside = p.with_name(p.stem + ".rejects.csv")
    if os.access(beside.parent, os.W_OK):
        return str(beside)
    return str(Path.cwd() / beside.name)


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
        return _ingest_file(conn, path, options, progress)
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


def _ingest_file(conn: sqlite3.Connection, path: str, options: IngestOptions | None,
                 progress: Callable[[int, int], None] | None) -> IngestReport:
    opts = options or IngestOptions()
    src = reader.open_source(path, encoding=opts.encoding)
    try:
        columns = resolve_columns(src.header, opts.fmt, opts.mapping)
    except MappingError as exc:
        raise ImportFailed(f"{path}: {exc}") from None
    chunks = reader.read_chunks(src, opts.chunk_rows)
    try:
        first = next(chunks)
    except StopIteration:
        raise ImportFailed(f"{path} has a header but no rows: there is nothing to import.") from None
    date_col = f"c{src.header.index(columns.by_field['ordered_at'])}"
    try:
        rule = values.detect_date_rule(first[date_col], date_format=opts.date_format, dayfirst=opts.dayfirst)
    except values.DateFormatUnknown as exc:
        raise ImportFailed(f"{path}: {exc}") from None
    validator = Validator(columns, src.header, rule, keep_na_tokens=opts.keep_na_tokens)
    rejects: list[pd.DataFrame] = []
    rows_read = 0
    rejects_path = opts.rejects_path or default_rejects_path(path)
    # the backend's writer of lines: Loader for SQLite, the connection's own for PostgreSQL (store/pg/load.py)
    loader_class = getattr(conn, "loader_class", Loader)
    with loader_class(conn, file_name=os.path.basename(path), sha256=src.sha256) as loader:
        for chunk in _chain(first, chunks):
            result = validator.validate(chunk)
            loader.add(result.good)
            if not result.rejects.empty:
                rejects.append(result.rejects)
            rows_read += len(chunk)
            if progress:
                progress(rows_read, max(src.estimated_rows, rows_read))
        rows_read += len(src.bad_lines)
        n_rejected = _write_rejects(src, rejects, rejects_path)
        if rows_read == 0:
            raise ImportFailed(f"{path} has a header but no rows: there is nothing to import; the store is unchanged.")
        if loader.stats.rows_loaded == 0:
            why = ""
            if rejects:
                reasons = pd.concat(rejects)["reason"]
                kinds = reasons.str.replace(r"'[^']*'", "'...'", regex=True)   # group by kind, not by value
                top = kinds.value_counts()
                example = reasons[kinds == top.index[0]].iloc[0]
                why = f" The most common problem ({top.iloc[0]:,} rows), for example: {example}."
            raise ImportFailed(
                f"{path}: none of its {rows_read} rows could be imported; the store is unchanged.{why} "
                f"Every row and its reason is in {rejects_path}.")
        loader.record_counts(rows_read, n_rejected)
    stats = loader.stats
    notes = list(src.notes)
    if validator.marker_customer_ids:
        n = validator.marker_customer_ids
        notes.append(f"{n:,} customer id{'s were' if n != 1 else ' was'} a missing-value marker "
                     f"({', '.join(values.MISSING_TOKENS)}): read as guest lines. If your shop really has a "
                     "customer with such an id, import with --keep-na-tokens")
    return IngestReport(
        file=path, layout=columns.preset.name, date_format=rule.describe(), rows_read=rows_read,
        rows_loaded=stats.rows_loaded, orders_replaced=stats.orders_replaced, rows_rejected=n_rejected,
        rejects_path=rejects_path if n_rejected else None, returns=stats.returns, guest_lines=stats.guest_lines,
        non_merch_lines=stats.non_merch_lines, first_day=stats.first_day, last_day=stats.last_day, notes=notes,
        mixed_orders=stats.mixed_orders, mixed_order_example=stats.mixed_order_example,
    )


def _chain(first, rest):
    yield first
    yield from rest
