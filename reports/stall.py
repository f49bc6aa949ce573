"""The sales-stall alert: a live shop that has stopped selling (a broken checkout costs more than any stock-out).

The rule, checked by the live monitor on every tick:
- The shop is live when its latest sale is within the last LIVE_HOURS (48) hours of the shop's clock: a
  historical export (its latest sale long past) never raises one.
- observed = the orders placed in the trailing window (default 60 minutes: `watch --stall-minutes`), i.e.
  with an order time in (now - window, now]; expected = the mean count of the same clock window on the same
  weekday over the previous 4 weeks (now - 7, 14, 21, 28 days). An order is an order id with a bought line
  (a return-only order is not one), counted at its lines' time.
- Alert when expected >= 5 and P(X <= observed) under Poisson(expected) is <= 0.001.
- One alert per stall: it lasts, and nothing more is raised, until orders resume: an order placed after the
  alert and a window no longer far below usual (both: a single order after an hour's silence is not the
  shop back). Then it re-arms.

The shop's clock is this machine's time, or the simulated checkout's clock when that is ahead (`shopintel
simulate` runs a day a minute and writes its clock to the store's meta table each second), so the demo's
stall is measured in the demo's time.

Stall alerts are stored (`stall_alerts`, schema 7) like reorder alerts: a restarted app or a second watcher
shows the stall already raised and never raises it again. Without a writer (a read-only store) they are kept
in memory for this process.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from ..store.schema import CHECKOUT_CLOCK

DEFAULT_WINDOW_MINUTES = 60
LIVE_HOURS = 48
WEEKS = 4
MIN_EXPECTED = 5.0
MAX_P = 0.001

STALL_COLUMNS = ["alert_id", "created_at", "since", "until", "window_minutes", "observed_orders",
                 "expected_orders", "p_value", "last_order_at", "resumed_at"]
_ORDERS = """SELECT count(DISTINCT order_id) FROM sales INDEXED BY sales_ordered_at
             WHERE ordered_at > ? AND ordered_at <= ? AND quantity > 0"""
_LATEST = "SELECT max(ordered_at) FROM sales INDEXED BY sales_ordered_at WHERE quantity > 0"


@dataclass
class Stall:
    alert_id: int | None
    created_at: str
    since: str
    until: str
    window_minutes: int
    observed_orders: int
    expected_orders: float
    p_value: float
    last_order_at: str | None
    resumed_at: str | None = None
    kind: str = "stall"

    def as_dict(self) -> dict:
        d = asdict(self)
        return {"kind": d.pop("kind"), **d}

    def describe(self) -> str:
        return describe(self.as_dict())


def describe(d: dict) -> str:
    """A stall alert in words: `no orders in the 60 minutes to 14:05 (usually 12.3 on a Tuesday, P = 2e-06);
    last order 13:02`."""
    until = datetime.fromisoformat(d["until"])
    n = d["observed_orders"]
    seen = "no orders" if n == 0 else f"{n} order{'s' * (n != 1)}"
    last = f"; last order {_short(d['last_order_at'], until)}" if d.get("last_order_at") else ""
    return (f"{seen} in the {d['window_minutes']} minutes to {_short(d['until'], until)} (usually "
            f"{d['expected_orders']:.1f} on a {until:%A}, P = {d['p_value']:.1g}){last}")


def _short(stamp: str, now: datetime) -> str:
    return stamp[11:16] if stamp[:10] == now.date().isoformat() else f"{stamp[:10]} {stamp[11:16]}"


def _text(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean), summed in logs (no scipy in the live monitor)."""
    if mean <= 0:
        return 1.0
    return min(1.0, sum(math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1)) for i in range(k + 1)))


def shop_clock(conn: sqlite3.Connection, latest: str | None = None) -> datetime:
    """Now for the shop: this machine's time, or the simulated checkout's clock when it is ahead, and never
    before the shop's latest sale (`latest`): a shop whose sales run ahead of this machine's clock (a demo
    store built to the end of today and opened without its checkout, an export in a time zone east of
    ours) is selling in its own time, not stalled."""
    now = datetime.now().replace(microsecond=0)
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CHECKOUT_CLOCK,)).fetchone()
    for stamp in (row[0] if row else None, latest):
        try:
            now = max(now, datetime.fromisoformat(stamp)) if stamp else now
        except ValueError:
            pass
    return now


def orders_between(conn: sqlite3.Connection, start: datetime, end: datetime) -> int:
    """Orders with a bought line placed in (start, end]."""
    return conn.execute(_ORDERS, (_text(start), _text(end))).fetchone()[0]


@dataclass
class Reading:
    """One look at the shop: what the rule sees now."""

    now: datetime
    live: bool
    last_order_at: str | None
    observed: int
    expected: float
    p_value: float

    @property
    def stalled(self) -> bool:
        return self.live and self.expected >= MIN_EXPECTED and self.p_value <= MAX_P


def read(conn: sqlite3.Connection, window_minutes: int, now: datetime | None = None) -> Reading:
    latest = conn.execute(_LATEST).fetchone()[0]
    now = now or shop_clock(conn, latest)
    live = latest is not None and datetime.fromisoformat(latest) >= now - timedelta(hours=LIVE_HOURS)
    if not live:   # a historical export: nothing to count
        return Reading(now, False, latest, 0, 0.0, 1.0)
    window = timedelta(minutes=window_minutes)
    observed = orders_between(conn, now - window, now)
    weeks = [orders_between(conn, now - window - timedelta(days=7 * k), now - timedelta(days=7 * k))
             for k in range(1, WEEKS + 1)]
    expected = sum(weeks) / WEEKS
    return Reading(now, True, latest, observed, expected, poisson_cdf(observed, expected))


class StallWatch:
    """The stall rule over time for one monitor: raises an alert once per stall, re-arms when orders resume."""

    def __init__(self, reader: sqlite3.Connection, writer=None, window_minutes: int = DEFAULT_WINDOW_MINUTES):
        if window_minutes <= 0:
            raise ValueError("the stall window must be at least a minute")
        self.reader = reader
        self.writer = writer          # a connection, a store.writer.WriterThread, or None (kept in memory)
        self.window_minutes = int(window_minutes)
        self.memory: Stall | None = None     # read-only: the current stall of this process
        self.last: Reading | None = None

    def current(self) -> Stall | None:
        """The stall going on now (raised by this or another process and not yet over), or None."""
        if self.writer is None:
            return self.memory if self.memory is not None and self.memory.resumed_at is None else None
        return stored_current(self.reader)

    def check(self) -> list[Stall]:
        """Look once; the new stall alert raised now, if any (a list, like the monitor's other alerts)."""
        reading = self.last = read(self.reader, self.window_minutes)
        ongoing = self.current()
        if ongoing is not None:
            resumed = reading.last_order_at is not None and reading.last_order_at > ongoing.until
            if resumed and not reading.stalled:
                self._resume(ongoing, _text(reading.now))
            return []
        if not reading.stalled:
            return []
        window = timedelta(minutes=self.window_minutes)
        stall = Stall(None, datetime.now().isoformat(timespec="seconds"), _text(reading.now - window),
                      _text(reading.now), self.window_minutes, reading.observed, round(reading.expected, 6),
                      reading.p_value, reading.last_order_at)
        if self.writer is None:
            self.memory = stall
            return [stall]
        raised = self._write(_store, stall)
        return [raised] if raised is not None else []

    def _resume(self, stall: Stall, at: str) -> None:
        stall.resumed_at = at
        if self.writer is not None and stall.alert_id is not None:
            self._write(_mark_resumed, stall.alert_id, at)

    def _write(self, fn, *args):
        from .monitor import retrying

        from ..store.writer import WriterThread

        if not isinstance(self.writer, WriterThread):   # a connection of its own (shopintel watch)
            return retrying(fn, self.writer, *args)
        return self.writer.call(fn, *args)     # the app's writer thread (store.writer.WriterThread)


def _store(w: sqlite3.Connection, stall: Stall) -> Stall | None:
    """Insert the alert unless another process raised this stall already (one alert per stall)."""
    from ..store.sql import atomic, one_at_a_time

    with atomic(w):
        one_at_a_time(w, "alerts")
        if stored_current(w) is not None:
            return None
        cur = w.execute(f"INSERT INTO stall_alerts ({', '.join(STALL_COLUMNS[1:])}) VALUES ({', '.join('?' * 9)}) "
                        "RETURNING alert_id", tuple(getattr(stall, c) for c in STALL_COLUMNS[1:]))
        stall.alert_id = cur.fetchone()[0]
    return stall


def _mark_resumed(w: sqlite3.Connection, alert_id: int, at: str) -> None:
    w.execute("UPDATE stall_alerts SET resumed_at = ? WHERE alert_id = ? AND resumed_at IS NULL", (at, alert_id))


def _row(row) -> Stall:
    return Stall(*row)


def stored_current(conn: sqlite3.Connection) -> Stall | None:
    """The latest stored stall alert if it is still going on (orders have not resumed)."""
    row = conn.execute(f"SELECT {', '.join(STALL_COLUMNS)} FROM stall_alerts ORDER BY alert_id DESC LIMIT 1").fetchone()
    return _row(row) if row is not None and row[STALL_COLUMNS.index("resumed_at")] is None else None


def stall_history(conn: sqlite3.Connection, limit: int = 100) -> list[Stall]:
    """Stall alerts, newest first (the panel's history)."""
    return [_row(r) for r in conn.execute(
        f"SELECT {', '.join(STALL_COLUMNS)} FROM stall_alerts ORDER BY alert_id DESC LIMIT ?", (limit,))]
