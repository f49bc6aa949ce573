"""The app's window on the reports layer: read-only connections (one per worker thread), the
chosen period, and the calls the screens make. The app never runs SQL itself."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..reports.params import Params, Period, resolve, store_range

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
    """Thread-safe access for workers: each thread gets its own read-only connection. `path` names the
    store as `--db` does (store.db.locate): an SQLite file, or a PostgreSQL URL (its PgUrl, whose `name`
    and `shown` never hold the password)."""

    def __init__(self, path: "Path | str"):
        from ..store.db import locate

        self.path = locate(path)
        self.is_file = isinstance(self.path, Path)
        self._local = threading.local()
        self.currency: str | None = None   # the shop's currency, read with the Overview's cards
        self._opened: list[sqlite3.Connection] = []   # every thread's, to interrupt them all on quitting
        self._lock = threading.Lock()

    def conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            from ..store.db import connect_read_only

            c = self._local.conn = connect_read_only(self.path, cache_kib=READER_CACHE_KIB)
            with self._lock:
                self._opened.append(c)
        return c

    def interrupt_all(self) -> None:
        """Stop every query still running (quitting: a worker's query must not hold the exit back).
        Safe from any thread: sqlite3_interrupt is, and a PostgreSQL cancel request."""
        with self._lock:
            opened = list(self._opened)
        for c in opened:
            try:
                c.interrupt()
            except Exception:   # closed meanwhile
                pass

    def lag_span(self) -> str | None:
        """How far behind the primary this store's reads are ("12 s") when they come from a standby more
        than a few seconds behind (store.pg.replica), else None."""
        if self.is_file:   # an SQLite file is never behind: no reader opened to ask
            return None
        from ..store.pg.replica import lag_span

        return lag_span(self.conn())

    def latest_day(self) -> date | None:
        rng = store_range(self.conn())
        return rng[1] if rng else None

    def params(self, choice: PeriodChoice, **extra) -> Params:
        if choice.preset == "custom":
            return Params(since=choice.since, until=choice.until, **extra)
        latest = self.latest_day() or date.today()
        since, until = preset_bounds(choice.preset, latest)
        return Params(since=since, until=until, **extra)

    def period(self, params: Params, default_days: int | None = None) -> Period:
        return resolve(self.conn(), params, default_days)

    def overview_cards(self, choice: PeriodChoice) -> dict:
        """The Overview's KPI cards: the period's figures, the two spans its change line compares, and the
        active alert count. Plain SQL, no pandas: these are the first numbers the app shows."""
        from ..reports.monitor import active_alert_count
        from ..reports.params import shop_currency
        from ..reports.summary import summary

        conn = self.conn()
        self.currency = shop_currency(conn)
        params = self.params(choice)
        period = self.period(params)
        if period.explicit:
            label = "vs prev."
            before_params = Params(since=period.first - timedelta(days=period.days),
                                   until=period.first - timedelta(days=1))
            recent_params = None
        else:   # all history: the cards show totals; the change line compares the last 28 days
            label = "28d"
            recent_params = Params(since=period.as_of - timedelta(days=27), until=period.as_of)
            before_params = Params(since=period.as_of - timedelta(days=55), until=period.as_of - timedelta(days=28))
        # the cards show no concentration shares: leave them out, they cost most of the time
        now = summary(conn, params, period, shares=False)
        recent = now if recent_params is None else summary(conn, recent_params, shares=False)
        before = summary(conn, before_params, shares=False)
        return {"period": period, "now": now, "recent": recent, "before": before, "label": label,
                "alerts": active_alert_count(conn), "currency": self.currency}


def in_background(fn, *args) -> Future:
    """fn(*args) in a daemon thread, started now; its result (or exception) waits in the Future."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(fn(*args))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True, name="shopintel-prefetch").start()
    return future
