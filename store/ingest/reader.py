"""Reading raw CSV exports: encoding and delimiter detection, the header, and
the rows in bounded chunks of strings (memory stays flat whatever the size). A packed export (.csv.gz,
.zip, .xlsx: containers.py) is read as the CSV bytes it holds."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Iterator

import pandas as pd

from ..errors import ImportFailed
from . import containers

CHUNK_ROWS = 50_000
_SAMPLE_BYTES = 256 * 1024


@dataclass
class Source:
    path: str            # what messages name: the file, file:member of a zip, file[sheet] of a workbook
    size: int
    sha256: str
    encoding: str
    delimiter: str
    header: list[str]
    estimated_rows: int = 0
    notes: list[str] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)   # (line, reason) the CSV parser skipped
    nul_bytes: int = 0   # NUL bytes in the file: removed while reading (the C parser would cut fields at them)
    opened: containers.Opened | None = None

    @property
    def kind(self) -> str:
        return self.opened.kind if self.opened else "csv"

    def open_binary(self):
        """The CSV bytes, with NUL bytes removed when it has any."""
        raw = self.opened.open() if self.opened else open(self.path, "rb")
        return io.BufferedReader(_NulStripper(raw)) if self.nul_bytes else raw

    def close(self) -> None:
        """Remove what opening it made (an xlsx sheet's temporary CSV)."""
        if self.opened:
            self.opened.cleanup()


class _NulStripper(io.RawIOBase):
    """A raw stream over another that drops NUL bytes (broken exports sometimes contain them)."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        while True:
            data = self._inner.read(len(buf))
            if not data:
                return 0
            data = data.replace(b"\x00", b"")
            if data:
                buf[:len(data)] = data
                return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def _scan(opener) -> tuple[str, int, int, int]:
    """One pass over the bytes: the sha256, the number of invalid UTF-8 sequences and of NUL bytes, the size."""
    h = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    invalid = nuls = size = 0
    with opener() as f:
        while block := f.read(1 << 20):
            h.update(block)
            size += len(block)
            invalid += decoder.decode(block).count("\ufffd")
            nuls += block.count(b"\x00")
    invalid += decoder.decode(b"", final=True).count("\ufffd")
    return h.hexdigest(), invalid, nuls, size


def _file_decodes_as(opener, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with opener() as f:
            while block := f.read(1 << 20):
                decoder.decode(block)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False


def open_source(path: str, *, encoding: str | None = None, member: str | None = None,
                sheet: str | None = None) -> Source:
    """The export at `path` (a CSV file, a .csv.gz, one CSV file of a .zip, one sheet of an .xlsx), ready
    to read; call `close()` when done."""
    if os.path.isdir(path):
        raise ImportFailed(f"{path} is a directory, not a CSV file. Give the path of the export file.")
    try:
        size = os.path.getsize(path)
        if size == 0:
            raise ImportFailed(f"{path} is empty: there is nothing to import. Export the orders again and check the file.")
        opened = containers.open_path(path, member=member, sheet=sheet)
        try:
            return _open(opened, path, size, encoding)
        except BaseException:
            opened.cleanup()
            raise
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file. Check the path (and quote names with spaces).") from None
    except PermissionError:
        raise ImportFailed(f"{path}: permission denied. Make the file readable for this user.") from None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:   # a damaged .gz or .zip too
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or "it ends too early"
        raise ImportFailed(f"{path}: cannot read the file ({why}).") from None


def _open(opened: containers.Opened, path: str, size: int, encoding: str | None) -> Source:
    with opened.open() as f:
        head = f.read(_SAMPLE_BYTES)
    label = opened.label
    if not head.strip():
        raise ImportFailed(f"{label} is empty: there is nothing to import. Export the orders again and check the file.")
    notes: list[str] = []
    if not encoding and head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark (usually tab-separated)
        encoding = "utf-16"
        notes.append("the file is UTF-16 (Excel's Unicode Text); read it as such")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFailed(f"--encoding {encoding}: unknown encoding. Try utf-8, cp1252 or latin-1.") from None
    wide = bool(encoding) and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    if wide:
        pass   # NUL bytes are part of most characters in UTF-16: not a sign of binary data
    elif _looks_binary(head):
        raise ImportFailed(
            f"{label} is not a text CSV file (it looks like binary data: an old .xls spreadsheet, a PDF, a "
            "database?). shopintel reads CSV and tab-separated text, also packed as .csv.gz or .zip, and .xlsx "
            "workbooks. Export or save it as CSV (comma or semicolon separated) and import that.")
    sha, invalid, nuls, read = _scan(opened.open)
    if opened.kind != "csv":
        size = read   # the CSV inside, for the progress estimate
    if wide:
        nuls = 0
    if nuls:
        head = head.replace(b"\x00", b"")
        notes.append(f"the file contains {nuls} NUL byte(s) (a damaged export?); they were removed")
    if encoding:
        enc = encoding
    elif invalid == 0:
        enc = "utf-8-sig"
    elif _has_valid_multibyte(head):
        enc = "utf-8-sig"
        notes.append(f"the file is UTF-8 but has {invalid} invalid byte sequence(s); they were read as '\ufffd'")
    elif _file_decodes_as(opened.open, "cp1252"):
        enc = "cp1252"
        notes.append("the file is not UTF-8; read it as Windows-1252 (cp1252). Use --encoding if names look wrong")
    else:
        enc = "latin-1"
        notes.append("the file is not UTF-8; read it as Latin-1. Use --encoding if names look wrong")
    text = head.decode(enc, errors="replace")
    delimiter = _detect_delimiter(text)
    header = _read_header(text, delimiter)
    if not header or all(not h.strip() for h in header):
        raise ImportFailed(f"{label} has no header line. The first line must name the columns "
                           "(e.g. order_id,ordered_at,sku,quantity,unit_price).")
    lines_in_head = max(1, head.count(b"\n"))
    estimated = int(size / (len(head) / lines_in_head)) if size > len(head) else lines_in_head
    bad = [(line, why) for line, why, _ in opened.bad_rows]
    return Source(label, size, sha, enc, delimiter, header, estimated, notes, bad, nul_bytes=nuls, opened=opened)


# how the files people take for exports begin: zip (xlsx, ods), OLE (xls), gzip, xz, 7z, PDF, PNG, JPEG, SQLite
_BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c",
                      b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"SQLite format 3\x00")


def _looks_binary(head: bytes) -> bool:
    """Binary data rather than a text export. Control characters alone do not tell: a shop stores what
    its sign-up form was given (ESC, BEL, ...), and a short export of such names is full of them. A file
    signature does, and so do many NUL bytes, or control bytes in a sample that is not UTF-8 text."""
    sample = head[:8192]
    if not sample:
        return False
    if sample.startswith(_BINARY_SIGNATURES):
        return True
    if sample.count(0) > len(sample) * 0.05:   # a few NULs (a damaged export) are removed with a note
        return True
    try:
        # incremental, not final: the sample may end in the middle of a character
        codecs.getincrementaldecoder("utf-8")().decode(sample)
        return False
    except UnicodeDecodeError:
        pass
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def _has_valid_multibyte(head: bytes) -> bool:
    return bool(re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", head))


def _detect_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _read_header(text: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for row in reader:
        if any(c.strip() for c in row):
            return [c.strip().lstrip("\ufeff") for c in row]
    return []


_BAD_LINE = re.compile(r"Skipping line (\d+): (.+)")


def read_chunks(src: Source, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Chunks of string columns named c0..cN (header order) plus `_record`: the 1-based data record
    number (pandas cannot tell physical lines; `record_lines` maps them when needed)."""
    names = [f"c{i}" for i in range(len(src.header))]
    handle = src.open_binary() if src.nul_bytes or src.kind != "csv" else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader = None
        start = 0
        try:
            # inside the try: pandas already tokenizes the first rows here (an unclosed quote fails now)
            reader = pd.read_csv(
                handle or src.path, sep=src.delimiter, header=0, names=names, dtype=str, keep_default_na=False,
                na_filter=False, encoding=src.encoding, encoding_errors="replace", chunksize=chunk_rows,
                on_bad_lines="warn", engine="c", skip_blank_lines=True, quotechar='"', doublequote=True,
                index_col=False, low_memory=True,
            )
            for chunk in reader:
                for w in caught:
                    for m in _BAD_LINE.finditer(str(w.message)):
                        src.bad_lines.append((int(m.group(1)), m.group(2).strip()))
                caught.clear()
                chunk = chunk.fillna("")
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                chunk["_record"] = chunk.index + 1
                start += len(chunk)
                yield chunk
        except pd.errors.ParserError as exc:
            detail = str(exc).strip().replace("Error tokenizing data. C error: ", "")
            if "EOF inside string" in detail:
                detail = (f"a quoted field that starts in data record {_row_in(detail)} is never closed, "
                          "so the rest of the file would be one field")
            raise ImportFailed(f"{src.path}: the CSV is malformed ({detail}). "
                               "Check the quotes around that line, or re-export the file.") from None
        except pd.errors.EmptyDataError:
            raise ImportFailed(f"{src.path} has a header but no rows: there is nothing to import.") from None
        except UnicodeDecodeError:
            raise ImportFailed(f"{src.path}: cannot decode the file as {src.encoding}. "
                               "Give the right encoding with --encoding (e.g. cp1252).") from None
        finally:
            if reader is not None:
                reader.close()
            if handle is not None:
                handle.close()
        for w in caught:
            for m in _BAD_LINE.finditer(str(w.message)):
                src.bad_lines.append((int(m.group(1)), m.group(2).strip()))


def _row_in(detail: str) -> int:
    m = re.search(r"starting at row (\d+)", detail)
    return int(m.group(1)) if m else 0


def record_lines(src: Source, records: set[int]) -> tuple[dict[int, tuple[int, list[str]]], dict[int, list[str]]]:
    """Physical line numbers (1-based, header = line 1) and raw fields for the given data record numbers.

    A second pass with the csv module, only over files that have rejects, so that
    line numbers stay right when quoted fields contain newlines. Also returns the raw
    fields of the lines the CSV parser skipped (by line number)."""
    out: dict[int, tuple[int, list[str]]] = {}
    skipped: dict[int, list[str]] = {}
    bad = {line for line, _ in src.bad_lines}
    if not records and not bad:
        return out, skipped
    rows = src.opened.row_of_record if src.opened else None
    if rows is not None:
        # an xlsx sheet: its rows with too many cells were kept out of the CSV; records map to sheet rows
        skipped = {line: fields for line, _, fields in src.opened.bad_rows}
        bad = set()
    wanted = max(records, default=0)
    last_bad = max(bad, default=0)
    with io.TextIOWrapper(src.open_binary(), encoding=src.encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=src.delimiter)
        record = -1  # the header is record 0
        line_start = 1
        for row in reader:
            this_line = line_start
            line_start = reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if record >= 0 and this_line in bad:
                skipped[this_line] = row   # pandas skipped this line: it is not a data record
                continue
            record += 1
            if record in records:
                out[record] = (this_line if rows is None else rows[record - 1], row)
            if record >= wanted and this_line >= last_bad:
                break
    return out, skipped
