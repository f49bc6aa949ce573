"""The live reorder monitor: watches new sales and raises edge-triggered reorder alerts.

- A watermark (the highest sale_id seen) means each tick reads only the sales added since, and
  evaluates the reorder rule (reports.reorder.evaluate) for just the products they touched: the cost
  of a tick grows with the new rows, not with the store.
- Edge-triggered: a product alerts once when it crosses into LOW or OUT, once more if LOW becomes
  OUT, and re-arms only after it recovers through a new stock count (`stock set`/`stock import`,
  i.e. inventory.counted_at after its last alert). A per-product cooldown stops flapping.
- Only high-velocity (more than `min_per_week` units a week), stock-counted merchandise alerts.
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

from .params import Params, resolve
from .result import Rows

if TYPE_CHECKING:
    from ..store.writer import WriterThread

DEFAULT_COOLDOWN_S = 60.0
ALERT_COLUMNS = ["alert_id", "created_at", "sku", "product_name", "status", "on_hand", "days_of_cover",
                 "suggested_qty", "acknowledged_at"]


@dataclass
class Alert:
    alert_id: int | None
    created_at: str
    product_id: int
    sku: str
    product_name: str
    status: str
    on_hand: int
    days_of_cover: float | None
    suggested_qty: int
    acknowledged_at: str | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("product_id")
        return d


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def retrying(fn, *args, attempts: int = 50, **kw):
    """A store locked for a moment by a writer is retried, never reported as an error."""
    for i in range(attempts):
        try:
            return fn(*args, **kw)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            time.sleep(min(0.05 * (i + 1), 0.5))
    return fn(*args, **kw)


class Monitor:
    def __init__(self, reader: sqlite3.Connection, writer: sqlite3.Connection | WriterThread | None = None, *,
                 params: Params = Params(), cooldown_s: float = DEFAULT_COOLDOWN_S):
        self.reader = reader
        self.writer = writer
        self.params = params
        self.cooldown_s = cooldown_s
        self.watermark = 0
        self.last_check: datetime | None = None
        self.sales_seen = 0            # new sales lines noticed by the last tick
        self._memory: dict[int, Alert] = {}   # read-only mode: the last alert per product

    # ------------------------------------------------------------------ ticks

    def start(self) -> list[Alert]:
        """Evaluate every tracked product once (alerts already due appear at once) and set the watermark."""
        self.watermark = retrying(lambda: self.reader.execute(
            "SELECT coalesce(max(sale_id), 0) FROM sales").fetchone()[0])
        ids = [r[0] for r in self.reader.execute("SELECT product_id FROM inventory")]
        return self._evaluate(ids)

    def tick(self) -> list[Alert]:
        """Process the sales added since the last tick; return the alerts raised now."""
        rows = retrying(lambda: self.reader.execute(
            "SELECT sale_id, product_id FROM sales WHERE sale_id > ?", (self.watermark,)).fetchall())
        self.sales_seen = len(rows)
        if not rows:
            self.last_check = datetime.now()
            return []
        self.watermark = max(r[0] for r in rows)
        return self._evaluate(sorted({r[1] for r in rows}))

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

    def _should_raise(self, status: str, last: tuple | None, counted_at: str | None) -> bool:
        """last = (status, created_at) of the product's latest alert, or None."""
        if last is None:
            return True
        last_status, last_at = last
        if last_status == "LOW" and status == "OUT":
            return True                                 # one more step: LOW became OUT
        rearmed = counted_at is not None and counted_at > last_at
        if not rearmed:
            return False
        age = (datetime.now() - datetime.fromisoformat(last_at)).total_seconds()
        return age >= self.cooldown_s

    def _maybe_raise(self, row: dict) -> Alert | None:
        alert = Alert(None, _now(), row["product_id"], row["sku"], row["product_name"], row["status"], row["on_hand"],
                      row["days_of_cover"], row["suggested_qty"])
        if self.writer is None:
            counted = self.reader.execute("SELECT counted_at FROM inventory WHERE product_id = ?",
                                          (alert.product_id,)).fetchone()
            last = self._memory.get(alert.product_id)
            if last is None:
                stored = self._last_stored(self.reader, alert.product_id)
                last_t = stored
            else:
                last_t = (last.status, last.created_at)
            if not self._should_raise(alert.status, last_t, counted[0] if counted else None):
                return None
            self._memory[alert.product_id] = alert
            return alert
        if isinstance(self.writer, sqlite3.Connection):
            return retrying(self._store_alert, self.writer, alert)
        # the writer thread tries again while the store is locked; this (worker) thread waits for it
        return self.writer.call(self._store_alert, alert)

    @staticmethod
    def _last_stored(conn: sqlite3.Connection, product_id: int) -> tuple | None:
        row = conn.execute("SELECT status, created_at FROM alerts WHERE product_id = ? ORDER BY alert_id DESC LIMIT 1",
                           (product_id,)).fetchone()
        return tuple(row) if row else None

    def _store_alert(self, w: sqlite3.Connection, alert: Alert) -> Alert | None:
        from ..store.sql import atomic

        with atomic(w):
            counted = w.execute("SELECT counted_at FROM inventory WHERE product_id = ?", (alert.product_id,)).fetchone()
            if not self._should_raise(alert.status, self._last_stored(w, alert.product_id),
                                      counted[0] if counted else None):
                return None
            cur = w.execute(
                """INSERT INTO alerts (created_at, product_id, sku, product_name, status, on_hand, days_of_cover,
                                       suggested_qty) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (alert.created_at, alert.product_id, alert.sku, alert.product_name, alert.status, alert.on_hand,
                 alert.days_of_cover, alert.suggested_qty))
        alert.alert_id = cur.lastrowid
        return alert

    # ------------------------------------------------------------------ the panel's views

    def active(self, include_acknowledged: bool = False) -> Rows:
        """Alerts newest first: stored ones plus (read-only mode) the ones raised in memory."""
        stored = alerts_rows(self.reader, include_acknowledged)
        if not self._memory:
            return stored
        mem = [tuple(a.as_dict()[c] for c in ALERT_COLUMNS) for a in self._memory.values()]
        at = ALERT_COLUMNS.index("created_at")
        both = sorted(mem + stored.rows, key=lambda r: r[at], reverse=True)   # stable: memory first on ties
        return Rows(tuple(ALERT_COLUMNS), both)


def alerts_rows(conn: sqlite3.Connection, include_acknowledged: bool = False) -> Rows:
    where = "" if include_acknowledged else "WHERE acknowledged_at IS NULL"
    rows = retrying(lambda: conn.execute(
        f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts {where} ORDER BY alert_id DESC LIMIT 500").fetchall())
    return Rows(tuple(ALERT_COLUMNS), rows)


def active_alert_count(conn: sqlite3.Connection) -> int:
    return retrying(lambda: conn.execute("SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL").fetchone()[0])


def mark_acknowledged(writer: sqlite3.Connection, alert_id: int) -> bool:
    """Mark an alert seen, in one try (a locked store raises); it leaves the active list but stays in
    history. True when it changed, False when it was acknowledged already."""
    cur = writer.execute("UPDATE alerts SET acknowledged_at = ? WHERE alert_id = ? AND acknowledged_at IS NULL",
                         (_now(), int(alert_id)))
    return cur.rowcount == 1


def acknowledge(writer: sqlite3.Connection, alert_id: int) -> bool:
    """mark_acknowledged, retried while the store is locked for a moment."""
    return retrying(mark_acknowledged, writer, alert_id)
