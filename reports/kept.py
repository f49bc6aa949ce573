"""A report's whole result kept in a private SQLite database, read a page at a time.

The app never holds a whole result: a pane's worker keeps the report's rows here (`Kept(columns, rows)`
takes any iterable, so a report that streams its rows never has them all in memory at once), and its
table reads the page it shows. Sort, filter, counts, jump-to-end and export run in SQL over every row
of the result, so 'showing N of M' is true at any size and a filter finds the 701st customer as it
finds the first.

The database is SQLite's private temporary one (`sqlite3.connect("")`): it lives in the page cache
and spills to a temporary file, so a result of 500k customers costs a few MB of memory, not the
hundreds a list of tuples would. A filter matches a case-folded copy of the searched columns' text
(one column, `_find`, built once when the rows are kept), so each keystroke is one C-level scan.
Sorting is stable (ties keep the report's order) and puts missing values last in either direction;
each sort gets an index, once."""

from __future__ import annotations

import sqlite3
import threading
from itertools import islice
from typing import Iterable, Iterator, NamedTuple, Sequence

from .result import Rows

CHUNK = 5_000   # rows inserted (and exported) per batch: memory stays flat whatever the size


class View(NamedTuple):
    """Which rows of a kept result, in what order: a case-insensitive substring of any searched column,
    and a column to sort by (None: the report's own order)."""

    search: str = ""
    sort: str | None = None
    ascending: bool = True


class Kept:
    """Every row of one result. Thread-safe: a lock serialises the worker that fills it, the table that
    pages it and an export that reads it."""

    def __init__(self, columns: Sequence[str], rows: Iterable[tuple], search: Sequence[str] | None = None):
        self.columns = tuple(columns)
        searched = self.columns if search is None else tuple(search)
        self._find_at = [self.columns.index(c) for c in searched if c in self.columns]
        self._lock = threading.Lock()
        self._indexed: set[tuple[str, bool]] = set()
        self._counts: dict[str, int] = {}
        self._bools: set[int] = set()     # columns holding true/false, given back as bools (SQLite keeps 0/1)
        self._conn = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE"):
            self._conn.execute(f"PRAGMA {pragma}")
        names = ", ".join(f"c{i}" for i in range(len(self.columns)))
        self._conn.execute(f"CREATE TABLE kept (_seq INTEGER PRIMARY KEY, _find TEXT NOT NULL"
                           f"{', ' if names else ''}{names})")
        marks = ", ".join("?" * (len(self.columns) + 1))
        insert = f"INSERT INTO kept VALUES (NULL, {marks})"
        it = iter(rows)
        self.total = 0   # rows of the whole result
        self._conn.execute("BEGIN")
        while chunk := list(islice(it, CHUNK)):
            if not self._bools and self.total == 0:
                self._bools = {j for j, v in enumerate(chunk[0]) if isinstance(v, bool)}
            self._conn.executemany(insert, [(self._haystack(row), *row) for row in chunk])
            self.total += len(chunk)
        self._conn.execute("COMMIT")
        self._counts[""] = self.total

    def _haystack(self, row: tuple) -> str:
        return "\x1f".join("" if row[j] is None else str(row[j]) for j in self._find_at).casefold()

    # ------------------------------------------------------------------ reading

    def count(self, view: View = View()) -> int:
        """How many rows the view's filter keeps (cached per filter: the rows never change)."""
        needle = view.search.casefold()
        if needle not in self._counts:
            with self._lock:
                self._counts[needle] = self._conn.execute(
                    "SELECT count(*) FROM kept WHERE instr(_find, ?) > 0", (needle,)).fetchone()[0]
        return self._counts[needle]

    def page(self, view: View = View(), offset: int = 0, limit: int | None = None) -> Rows:
        """Rows offset .. offset + limit of the view, in the report's columns."""
        with self._lock:
            cursor = self._select(view, offset, limit)
            return Rows(self.columns, [self._typed(row) for row in cursor])

    def iterate(self, view: View = View()) -> Iterator[tuple]:
        """Every row of the view, in order, a chunk at a time (an export of any size)."""
        offset = 0
        while True:
            chunk = self.page(view, offset, CHUNK).rows
            yield from chunk
            if len(chunk) < CHUNK:
                return
            offset += CHUNK

    # ------------------------------------------------------------------ SQL

    def _select(self, view: View, offset: int, limit: int | None) -> sqlite3.Cursor:
        cols = ", ".join(f"c{i}" for i in range(len(self.columns))) or "NULL"
        where, args = ("WHERE instr(_find, ?) > 0", [view.search.casefold()]) if view.search else ("", [])
        order = "_seq"
        if view.sort in self.columns:
            c = f"c{self.columns.index(view.sort)}"
            direction = "ASC" if view.ascending else "DESC"
            order = f"({c} IS NULL), {c} {direction}, _seq"
            # an index per sort (built once per column and direction): on 500k rows building it takes less
            # than a top-N scan for the first page, and every later page reads it
            key = (view.sort, view.ascending)
            if key not in self._indexed:
                self._conn.execute(f"CREATE INDEX kept_{c}_{direction} ON kept (({c} IS NULL), {c} {direction}, _seq)")
                self._indexed.add(key)
        return self._conn.execute(f"SELECT {cols} FROM kept {where} ORDER BY {order} LIMIT ? OFFSET ?",
                                  (*args, -1 if limit is None else limit, offset))

    def _typed(self, row: tuple) -> tuple:
        if not self._bools:
            return row
        return tuple(bool(v) if j in self._bools and v is not None else v for j, v in enumerate(row))
