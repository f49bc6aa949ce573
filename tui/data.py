"""The app's window on the reports layer: read-only connections (one per worker thread), the
chosen period, and the calls the screens make. The app never runs SQL itself."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reports.params import Params, Period, resolve, store_range

# The app keeps a reader open per worker thread (a pool of up to a handful) plus the alert monitor's:
# each gets SQLite's default page cache, not the 64 MiB of a command-line report (the operating system
# caches the file anyway; the app's queries read a few thousand aggregate rows).
READER_CACHE_KIB = 2000

PRESETS = ("7d", "28d", "90d", "12m", "ytd", "all")
PRESET_LABELS = {"7d": "last 7 days", "28d": "last 28 days", "90d": "last 90 days", "12m": "last 12 months",
                 "ytd": "year to date", "all": "all history", "custom": "custom"}


@dataclass(frozen=True)
class PeriodChoice:
    preset: str = "all"
    since: date | None = None     # custom only
    until: date | None = None

    def label(self) -> str:
        if self.preset == "custom":
            return f"{self.since or '…'} .. {self.until or '…'}"
        return PRESET_LABELS[self.preset]


def preset_bounds(preset: str, as_of: date) -> tuple[date | None, date | None]:
    if preset == "all":
        return None, None
    if preset == "ytd":
        return date(as_of.year, 1, 1), as_of
    days = {"7d": 7, "28d": 28, "90d": 90, "12m": 365}[preset]
    return as_of - timedelta(days=days - 1), as_of


class Store:
    """Thread-safe access for workers: each thread gets its own read-only connection."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self.generation = 0     # bump (with a new path) to make every thread reconnect

    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None or getattr(self._local, "generation", -1) != self.generation:
            from store.db import connect_read_only

            c = connect_read_only(self.path, cache_kib=READER_CACHE_KIB)
            self._local.conn, self._local.generation = c, self.generation
        return c

    def switch(self, path: Path) -> None:
        self.path = Path(path)
        self.generation += 1

    def latest_day(self) -> date | None:
        rng = store_range(self.conn())
        return rng[1] if rng else None

    def params(self, choice: PeriodChoice, **extra) -> Params:
        if choice.preset == "custom":
            return Params(since=choice.since, until=choice.until, **extra)
        latest = self.latest_day() or date.today()
        since, until = preset_bounds(choice.preset, latest)
        return Params(since=since, until=until, **extra)

    def period(self, params: Params) -> Period:
        return resolve(self.conn(), params)
