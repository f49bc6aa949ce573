"""The live reorder monitor: watches new sales and stock counts and raises edge-triggered reorder alerts.

- A watermark means each tick reads only the sales added since (reports.feed: by sale_id, each sale
  once even when PostgreSQL's writers commit ids out of order), and evaluates the reorder rule
  (reports.reorder.evaluate) for just the products they touched, and for the products counted again
  since the last tick: the cost of a tick grows with the changes, not the store.
- Edge-triggered: a product alerts once when it crosses into LOW or OUT, once more if LOW becomes
  OUT, and re-arms only after a new stock count (`stock set`/`stock import`, i.e. inventory.counted_at
  after its last alert). A per-product cooldown stops flapping: a product still short when its
  cooldown ends alerts then.
- Only high-velocity (more than `min_per_week` units a week), stock-counted merchandise alerts.
- One current alert state per product (ALERT_STATES): its latest alert is the one that counts.
  A LOW alert followed by OUT is one alert, superseded and kept in history; a stock count after
  the alert (the restock) resolves it; x acknowledges it. "Active" (the panel, the Reorder tab's
  count, the Overview, `watch --once`) = the product's latest alert, neither resolved nor
  acknowledged: one query (`alerts_rows`) defines it, so stores written before this rule read right.
- Alerts are stored in the `alerts` table, so a restarted app or a second watcher sees the same
  active alerts and never repeats one (the check and the insert share one write transaction).
  Without a writer (a read-only store) alerts are kept in memory for this process only.
- The writer is a connection (`shopintel watch`: it may wait for a lock, retrying), or a program's one
  writer thread (store.writer.WriterThread: the app, whose writes must never hold up its screen).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..store.errors import is_lock_error
from .feed import Changes
from .params import Params, resolve
from .result import Rows
from .stall import DEFAULT_WINDOW_MINUTES, StallWatch

if TYPE_CHECKING:
    from ..store.writer import WriterThread


DEFAULT_COOLDOWN_S = 60.0
ALERT_COLUMNS = ["alert_id", "created_at", "sku", "product_name", "status", "on_hand", "reorder_point",
                 "days_of_cover", "suggested_qty", "acknowledged_at"]
VIEW_COLUMNS = [*ALERT_COLUMNS, "state"]
# An alert's state, from the store alone (so every reader agrees, whoever wrote the alerts):
ALERT_STATES = {
    "active": "the product's current alert: still to be dealt with",
    "acknowledged": "the product's current alert, seen (x): out of the active count, kept in history",
    "superseded": "a later alert for the product replaced it (LOW became OUT, or it alerted again after a "
                  "recount): kept in history",
    "resolved": "the product was counted again after it (stock set / stock import: the restock); if it is "
                "still short, a new alert follows",
}
# The latest alert of each product decides; a count after it resolves it. Superseded is checked first: a
# count after an old alert may have come after the alert that replaced it too.
_CURRENT_STATE = """CASE WHEN i.counted_at > a.created_at THEN 'resolved'
                         WHEN a.acknowledged_at IS NOT NULL THEN 'acknowledged'
                         ELSE 'active' END"""
_COLUMNS_SQL = ", ".join("a." + c for c in ALERT_COLUMNS)
_LATEST = "SELECT product_id, max(alert_id) AS latest FROM alerts GROUP BY product_id"   # the alerts_product index
# every alert with its state (the history)
_VIEW_SQL = f"""SELECT {_COLUMNS_SQL},
                       CASE WHEN a.alert_id <> l.latest THEN 'superseded' ELSE {_CURRENT_STATE} END AS state
                FROM alerts a JOIN ({_LATEST}) l ON l.product_id = a.product_id
                LEFT JOIN inventory i ON i.product_id = a.product_id"""
# the products' current alerts only: what "active" is read from, without a look at the superseded ones
_CURRENT_SQL = f"""SELECT {_COLUMNS_SQL}, {_CURRENT_STATE} AS state
                   FROM ({_LATEST}) l JOIN alerts a ON a.alert_id = l.latest
                   LEFT JOIN inventory i ON i.product_id = a.product_id"""


@dataclass
class Alert:
    alert_id: int | None
    created_at: str
    product_id: int
    sku: str
    product_name: str
    status: str
    on_hand: int
    reorder_point: int | None
    days_of_cover: float | None
    suggested_qty: int
    acknowledged_at: str | None = None
    kind: str = "reorder"     # beside the sales-stall alert (reports.stall.Stall: kind "stall")

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("product_id")
        return {"kind": d.pop("kind"), **d}


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def retrying(fn, *args, attempts: int = 50, **kw):
    """A store locked for a moment by a writer is retried, never reported as an error."""
    for i in range(attempts):
        try:
            return fn(*args, **kw)
        except Exception as exc:
            if not is_lock_error(exc):
                raise
            time.sleep(min(0.05 * (i + 1), 0.5))
    return fn(*args, **kw)


class Monitor:
    def __init__(self, reader: sqlite3.Connection, writer: sqlite3.Connection | WriterThread | None = None, *,
                 params: Params = Params(), cooldown_s: float = DEFAULT_COOLDOWN_S,
                 stall_minutes: int | None = DEFAULT_WINDOW_MINUTES):
        self.reader = reader
        # the sales-stall rule (reports.stall), checked on every tick: time passing is its news
        self.stall = None if stall_minutes is None else StallWatch(reader, writer, stall_minutes)
        self.writer = writer
        self.params = params
        self.cooldown_s = cooldown_s
        self.changes = Changes(reader)      # the sales and stock counts committed since the last tick
        self.last_check: datetime | None = None
        self.sales_seen = 0            # new sales lines noticed by the last tick
        self.counts_seen = 0           # products counted again (stock set / import) since the tick before
        self._memory: dict[int, Alert] = {}   # read-only mode: the last alert per product
        self._memory_history: list[Alert] = []  # read-only mode: every alert raised, oldest first
        self._deferred: set[int] = set()      # short products held back by their cooldown: evaluated again

    # ------------------------------------------------------------------ ticks

    def start(self) -> list[Alert]:
        """Evaluate every tracked product once (alerts already due appear at once) and set the watermark."""
        counted = retrying(self.changes.start)
        return self._stalls() + self._evaluate(sorted(counted))

    def _stalls(self) -> list:
        """A new sales-stall alert (first: it is the one that costs most), else nothing."""
        return [] if self.stall is None else retrying(self.stall.check)

    def current_stall(self):
        """The stall going on now (reports.stall.Stall), or None."""
        return None if self.stall is None else retrying(self.stall.current)

    def tick(self) -> list:
        """Process the sales and stock counts added since the last tick; return the alerts raised now: a
        sales stall (reports.stall.Stall) first, then reorder alerts."""
        stalls = self._stalls()
        if retrying(self.changes.quiet) and not self._deferred:
            self.sales_seen = self.counts_seen = 0   # nobody committed anything since: nothing to read
            self.last_check = datetime.now()
            return stalls
        # a recount resolves the product's alert; if it is still short, it alerts again now
        rows, recounted = retrying(self.changes.read)
        self.sales_seen = len(rows)
        self.counts_seen = len(recounted)
        due, self._deferred = self._deferred, set()
        return stalls + self._evaluate(sorted({r[1] for r in rows} | recounted | due))

    def _counted_now(self) -> dict[int, str]:
        return dict(retrying(lambda: self.reader.execute("SELECT product_id, counted_at FROM inventory").fetchall()))

    def _evaluate(self, product_ids: list[int]) -> list[Alert]:
        from .reorder import evaluate

        self.last_check = datetime.now()
        if not product_ids:
            return []
        period = retrying(resolve, self.reader, self.params)
        rows = retrying(evaluate, self.reader, self.params, period, product_ids)
        raised = []
        for row in rows.records():
            if row["status"] == "OK" or not row["units_per_week"] > self.params.min_per_week:
                continue
            alert = self._maybe_raise(row)
            if alert is not None:
                raised.append(alert)
        return raised

    # ------------------------------------------------------------------ the edge rule

    def _decide(self, status: str, last: tuple | None, counted_at: str | None) -> str:
        """'raise', 'no' or 'later' (held back by the cooldown). last = (status, created_at) of the
        product's latest alert, or None."""
        if last is None:
            return "raise"
        last_status, last_at = last
        if last_status == "LOW" and status == "OUT":
            return "raise"                              # one more step: LOW became OUT (it supersedes LOW)
        rearmed = counted_at is not None and counted_at > last_at
        if not rearmed:
            return "no"
        age = (datetime.now() - datetime.fromisoformat(last_at)).total_seconds()
        return "raise" if age >= self.cooldown_s else "later"

    def _should_raise(self, product_id: int, status: str, last: tuple | None, counted_at: str | None) -> bool:
        decision = self._decide(status, last, counted_at)
        if decision == "later":
            self._deferred.add(product_id)
        return decision == "raise"

    def _maybe_raise(self, row: dict) -> Alert | None:
        alert = Alert(None, _now(), row["product_id"], row["sku"], row["product_name"], row["status"], row["on_hand"],
                      row["reorder_point"], row["days_of_cover"], row["suggested_qty"])
        if self.writer is None:
            last = self._memory.get(alert.product_id)
            last_t = self._last_stored(self.reader, alert.product_id) if last is None else (last.status, last.created_at)
            if not self._should_raise(alert.product_id, alert.status, last_t, self._counted_at(self.reader, alert)):
                return None
            self._memory[alert.product_id] = alert
            self._memory_history.append(alert)
            return alert
        from ..store.writer import WriterThread

        if not isinstance(self.writer, WriterThread):   # a connection of its own (shopintel watch)
            return retrying(self._store_alert, self.writer, alert)
        # the writer thread tries again while the store is locked; this (worker) thread waits for it
        return self.writer.call(self._store_alert, alert)

    @staticmethod
    def _counted_at(conn: sqlite3.Connection, alert: Alert) -> str | None:
        row = conn.execute("SELECT counted_at FROM inventory WHERE product_id = ?", (alert.product_id,)).fetchone()
        return row[0] if row else None

    @staticmethod
    def _last_stored(conn: sqlite3.Connection, product_id: int) -> tuple | None:
        row = conn.execute("SELECT status, created_at FROM alerts WHERE product_id = ? ORDER BY alert_id DESC LIMIT 1",
                           (product_id,)).fetchone()
        return tuple(row) if row else None

    def _store_alert(self, w: sqlite3.Connection, alert: Alert) -> Alert | None:
        from ..store.sql import atomic, one_at_a_time

        with atomic(w):
            one_at_a_time(w, "alerts")   # two monitors never both raise the alert: check and insert as one
            if not self._should_raise(alert.product_id, alert.status, self._last_stored(w, alert.product_id),
                                      self._counted_at(w, alert)):
                return None
            cur = w.execute(
                """INSERT INTO alerts (created_at, product_id, sku, product_name, status, on_hand, reorder_point,
                                       days_of_cover, suggested_qty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   RETURNING alert_id""",
                (alert.created_at, alert.product_id, alert.sku, alert.product_name, alert.status, alert.on_hand,
                 alert.reorder_point, alert.days_of_cover, alert.suggested_qty))
            alert.alert_id = cur.fetchone()[0]
        return alert

    # ------------------------------------------------------------------ the panel's views

    def active(self, include_history: bool = False) -> Rows:
        """Alerts newest first, with their state (ALERT_STATES): the active ones, or (include_history)
        every alert. Read-only mode: the stored ones plus the ones raised in memory, which supersede
        the stored alerts of their products."""
        if not self._memory:
            return alerts_rows(self.reader, include_history)
        stored = alerts_rows(self.reader, include_history=True)
        counted = self._counted_now()
        state_at = VIEW_COLUMNS.index("state")
        pid_of = dict(self.reader.execute("SELECT sku, product_id FROM products"))
        rows = []   # newest first: the memory's (raised after the stored ones), then the stored
        for a in reversed(self._memory_history):
            if self._memory[a.product_id] is not a:
                state = "superseded"
            else:
                state = "resolved" if (counted.get(a.product_id) or "") > a.created_at else "active"
            rows.append((*(a.as_dict()[c] for c in ALERT_COLUMNS), state))
        for r in stored.rows:
            if pid_of.get(r[ALERT_COLUMNS.index("sku")]) in self._memory and r[state_at] != "superseded":
                r = (*r[:state_at], "superseded")
            rows.append(r)
        at = VIEW_COLUMNS.index("created_at")
        rows.sort(key=lambda r: r[at], reverse=True)   # stable: a tie keeps the newer first
        if not include_history:
            rows = [r for r in rows if r[state_at] == "active"]
        return Rows(tuple(VIEW_COLUMNS), rows)


def alerts_rows(conn: sqlite3.Connection, include_history: bool = False) -> Rows:
    """The active alerts (or every alert), newest first, with their state: the one definition of active."""
    sql = f"SELECT * FROM ({_VIEW_SQL}) v" if include_history else f"SELECT * FROM ({_CURRENT_SQL}) v WHERE state = 'active'"
    rows = retrying(lambda: conn.execute(f"{sql} ORDER BY alert_id DESC LIMIT 500").fetchall())
    return Rows(tuple(VIEW_COLUMNS), rows)


def active_alert_count(conn: sqlite3.Connection) -> int:
    return alert_counts(conn)["active"]


def alert_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many alerts are in each state (ALERT_STATES), every state present."""
    def read():
        current = dict(conn.execute(f"SELECT state, count(*) FROM ({_CURRENT_SQL}) v GROUP BY state").fetchall())
        alerts = conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
        return current | {"superseded": alerts - sum(current.values())}   # all but one a product
    return {state: 0 for state in ALERT_STATES} | retrying(read)


def mark_acknowledged(writer: sqlite3.Connection, alert_id: int) -> bool:
    """Mark an alert seen, in one try (a locked store raises); it leaves the active list but stays in
    history. True when it changed, False when it was acknowledged already."""
    cur = writer.execute("UPDATE alerts SET acknowledged_at = ? WHERE alert_id = ? AND acknowledged_at IS NULL",
                         (_now(), int(alert_id)))
    return cur.rowcount == 1


def acknowledge(writer: sqlite3.Connection, alert_id: int) -> bool:
    """mark_acknowledged, retried while the store is locked for a moment."""
    return retrying(mark_acknowledged, writer, alert_id)
