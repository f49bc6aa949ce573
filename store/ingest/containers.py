"""Exports that come packed: `.csv.gz`, a `.zip` of CSV files, an `.xlsx` workbook. Each is opened as the
stream of CSV bytes it holds, so the reader, the rejects file and its line numbers work as for the plain
CSV; recognised by their first bytes, not their names (a renamed file still opens).

An `.xlsx` sheet is written once to a temporary CSV (cells as the text a CSV export would hold: 3, not
3.0; dates as ISO 8601) and read from there; its rows keep their sheet row numbers for the rejects file.
python-calamine reads it: about 15x faster than openpyxl's streaming reader (100k rows x 12 columns:
1.0 s against 14.5 s of CPU), at the cost of holding the sheet while it is converted (an import of 300k
rows of 12 columns peaks at 401 MB, the same rows as CSV at 249 MB; a sheet has at most 1,048,576 rows)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import Callable

from ..errors import ImportFailed

GZIP = b"\x1f\x8b"
ZIP = b"PK\x03\x04"
TEXT_MEMBERS = (".csv", ".tsv", ".txt", ".tab")


@dataclass
class Opened:
    """How to read the CSV bytes of one source, again and again (the reader makes several passes)."""

    label: str                               # for messages and the import record: file, file:member, file[sheet]
    open: Callable[[], object]               # a new binary stream of the CSV bytes
    kind: str = "csv"                        # csv | gzip | zip | xlsx
    row_of_record: list[int] | None = None   # xlsx: the sheet row of each data record (index = record - 1)
    bad_rows: list[tuple[int, str, list[str]]] = field(default_factory=list)   # xlsx rows with too many cells
    cleanup: Callable[[], None] = lambda: None


def kind_of(path: str) -> str:
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(GZIP):
        return "gzip"
    if head.startswith(ZIP):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise ImportFailed(f"{path} looks like a zip archive but cannot be read as one (damaged or "
                               "incomplete?). Download or export it again.") from None
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    return "csv"


def members(path: str) -> list[str]:
    """The CSV files inside a zip archive, in archive order (folders, macOS resource forks and hidden
    files left out)."""
    with zipfile.ZipFile(path) as z:
        return [i.filename for i in z.infolist()
                if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                and not os.path.basename(i.filename).startswith(".")
                and i.filename.lower().endswith(TEXT_MEMBERS)]


def open_path(path: str, *, member: str | None = None, sheet: str | None = None) -> Opened:
    kind = kind_of(path)
    if kind == "gzip":
        if member or sheet:
            raise ImportFailed(f"{path} is a gzip file: it holds one file, so --member and --sheet do not apply.")
        return Opened(path, lambda: gzip.open(path, "rb"), "gzip")
    if kind == "zip":
        if sheet:
            raise ImportFailed(f"{path} is a zip archive, not a workbook: --sheet does not apply (use --member).")
        return _zip_member(path, member)
    if kind == "xlsx":
        if member:
            raise ImportFailed(f"{path} is an Excel workbook: choose a sheet with --sheet, not --member.")
        return _xlsx_sheet(path, sheet)
    if member or sheet:
        raise ImportFailed(f"{path} is a plain CSV file: --member and --sheet are for .zip archives and "
                           ".xlsx workbooks.")
    return Opened(path, lambda: open(path, "rb"))


def _zip_member(path: str, member: str | None) -> Opened:
    inside = members(path)
    if member is None:
        if not inside:
            with zipfile.ZipFile(path) as z:
                names = [n for n in z.namelist() if not n.endswith("/")]
            raise ImportFailed(f"{path} holds no CSV file (its files: {', '.join(names[:10]) or 'none'}). "
                               "Put the export's CSV into the archive, or import the CSV itself.")
        if len(inside) > 1:
            raise ImportFailed(f"{path} holds {len(inside)} CSV files ({', '.join(inside[:10])}): name one "
                               "with --member NAME, or give the archive to `shopintel ingest` to import each.")
        member = inside[0]
    elif member not in inside:
        match = [m for m in inside if os.path.basename(m) == member]
        if len(match) != 1:
            raise ImportFailed(f"{path} has no CSV file {member!r}; it holds: {', '.join(inside[:10]) or 'none'}.")
        member = match[0]

    def opener():
        z = zipfile.ZipFile(path)
        stream = z.open(member)
        close = stream.close

        def close_both():   # the member's stream, then the archive it reads from
            close()
            z.close()

        stream.close = close_both
        return stream

    return Opened(f"{path}:{member}", opener, "zip")


def cell_text(value) -> str:
    """A cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _xlsx_sheet(path: str, sheet: str | None) -> Opened:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
    except (CalamineError, OSError, ValueError) as exc:
        raise ImportFailed(f"{path}: cannot read the workbook ({exc}). Open it in a spreadsheet and save it "
                           "again as .xlsx, or export the sheet as CSV.") from None
    try:
        names = book.sheet_names
        if sheet is None:
            sheet = names[0]
        elif sheet not in names:
            book.close()
            raise ImportFailed(f"{path} has no sheet {sheet!r}; its sheets are: {', '.join(names)}.")
        grid = book.get_sheet_by_name(sheet)
    except CalamineError as exc:
        book.close()
        raise ImportFailed(f"{path}: cannot read sheet {sheet!r} ({exc}).") from None
    first_row = (grid.start or (0, 0))[0] + 1   # the sheet row number of the first row iter_rows gives
    fd, tmp = tempfile.mkstemp(prefix="shopintel-", suffix=".csv")
    row_of_record: list[int] = []
    bad: list[tuple[int, str, list[str]]] = []
    width = 0
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            w = csv.writer(out)
            header_seen = False
            for number, row in enumerate(grid.iter_rows(), start=first_row):
                texts = [cell_text(c) for c in row]
                while texts and texts[-1] == "":
                    texts.pop()
                if not texts:
                    continue          # a blank row, as a CSV reader skips blank lines
                if not header_seen:
                    header_seen, width = True, len(texts)
                    w.writerow(texts)
                    continue
                if len(texts) > width:
                    bad.append((number, f"expected {width} fields, saw {len(texts)}", texts))
                    continue
                w.writerow(texts + [""] * (width - len(texts)))
                row_of_record.append(number)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        del grid
        book.close()
    return Opened(f"{path}[{sheet}]", lambda: open(tmp, "rb"), "xlsx", row_of_record, bad,
                  cleanup=lambda: os.path.exists(tmp) and os.unlink(tmp))
