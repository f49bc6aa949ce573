"""One current alert state per product, the same count everywhere: across LOW -> OUT -> restock the
monitor, `shopintel watch --once` and the store's count agree (the app's parts: tests/live/test_panel.py).
LOW superseded by OUT is one alert; a stock count after the alert resolves it; both stay in history.
On each backend (`any_live_store`, whose `store` the tests also take to open and ask it)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from shopintel.reports.monitor import Monitor, active_alert_count, alerts_rows
from shopintel.store.stock import set_stock
from tests.live.conftest import open_reader, sell

ROOT = Path(__file__).resolve().parents[2]


def watch_once(store) -> list[dict]:
    r = subprocess.run([sys.executable, "-m", "shopintel.tui.cli", "watch", *store.db, "--once",
                        "--format", "jsonl"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def states(store) -> list[tuple[str, str]]:
    """(status, state) of every alert, oldest first."""
    return [(r["status"], r["state"]) for r in reversed(_read(store, alerts_rows, include_history=True).records())]


def active(store) -> int:
    return _read(store, active_alert_count)


def _read(store, what, **kw):
    """`what(reader, **kw)` on a reader of the store, closed after."""
    reader = store.read_only()
    try:
        return what(reader, **kw)
    finally:
        reader.close()


def raised_a_minute_ago(store) -> None:
    """Timestamps are per second: a count made in the second of the alert would not be after it. Moving
    the alerts back a minute, as if raised then, stands in for waiting (no sleep). In Python, so that
    one statement serves both backends (created_at is ISO text on each)."""
    w = store.connect()
    try:
        for alert_id, created_at in w.execute("SELECT alert_id, created_at FROM alerts").fetchall():
            earlier = (datetime.fromisoformat(created_at) - timedelta(seconds=60)).isoformat()
            w.execute("UPDATE alerts SET created_at = ? WHERE alert_id = ?", (earlier, alert_id))
    finally:
        w.close()


def monitor(store, writer: bool = True, **kw) -> Monitor:
    """A monitor of the store, reading as the app's does (the primary, on PostgreSQL)."""
    return Monitor(open_reader(store.target), store.connect() if writer else None, **kw)


def test_low_then_out_then_restock_is_one_alert_at_a_time_everywhere(any_live_store, store):
    w = store.connect()
    m = monitor(store, cooldown_s=0)
    assert m.start() == []
    sell(w, "FAST", 60)                                   # 90 on hand, reorder point 123: LOW
    [low] = m.tick()
    assert (low.status, low.on_hand, low.reorder_point) == ("LOW", 90, 123)
    assert active(store) == 1
    assert [(a["status"], a["on_hand"], a["reorder_point"]) for a in watch_once(store)] == [("LOW", 90, 123)]

    sell(w, "FAST", 100)                                  # -10 on hand: OUT, which supersedes the LOW alert
    [out] = m.tick()
    assert out.status == "OUT"
    assert active(store) == 1
    assert [a["status"] for a in m.active().records()] == ["OUT"]
    assert [a["status"] for a in watch_once(store)] == ["OUT"]
    assert states(store) == [("LOW", "superseded"), ("OUT", "active")]

    raised_a_minute_ago(store)
    set_stock(w, "FAST", 500)                             # the restock, counted now
    assert m.tick() == []                                 # recovered: nothing new to say
    assert active(store) == 0
    assert m.active().empty and watch_once(store) == []
    assert states(store) == [("LOW", "superseded"), ("OUT", "resolved")]   # history keeps both


def test_a_recount_that_leaves_the_product_short_alerts_again_without_a_sale(any_live_store, store):
    w = store.connect()
    sell(w, "FAST", 60)
    m = monitor(store, cooldown_s=0)
    [first] = m.start()
    raised_a_minute_ago(store)
    set_stock(w, "FAST", 20)                              # counted now: only 20 there
    [again] = m.tick()                                    # no sale came: the recount alone is news
    assert (again.status, again.on_hand) == ("LOW", 20)
    assert [(a["alert_id"], a["state"]) for a in m.active().records()] == [(again.alert_id, "active")]
    assert states(store) == [("LOW", "superseded"), ("LOW", "active")]


def test_a_store_holding_a_low_and_an_out_alert_for_one_product_counts_one(any_live_store, store):
    # as the monitor before the one-state rule left them: both unacknowledged
    w = store.connect()
    pid = w.execute("SELECT product_id FROM products WHERE sku = 'FAST'").fetchone()[0]
    now = datetime.now().replace(microsecond=0)
    for status, on_hand, at in (("LOW", 90, now), ("OUT", -10, now + timedelta(seconds=5))):
        w.execute("INSERT INTO alerts (created_at, product_id, sku, product_name, status, on_hand, days_of_cover, "
                  "suggested_qty) VALUES (?, ?, 'FAST', 'Fast', ?, ?, NULL, 100)", (at.isoformat(), pid, status, on_hand))
    assert active(store) == 1
    assert [a["status"] for a in watch_once(store)] == ["OUT"]


def test_acknowledged_alerts_are_marked_in_history(any_live_store, store):
    from shopintel.reports.monitor import acknowledge

    w = store.connect()
    sell(w, "FAST", 60)
    m = monitor(store)
    [alert] = m.start()
    acknowledge(w, alert.alert_id)
    assert m.active().empty and active(store) == 0
    assert states(store) == [("LOW", "acknowledged")]


def test_read_only_monitor_supersedes_and_resolves_in_memory(any_live_store, store):
    w = store.connect()
    m = monitor(store, writer=False, cooldown_s=0)
    m.start()
    sell(w, "FAST", 60)
    assert [a.status for a in m.tick()] == ["LOW"]
    sell(w, "FAST", 100)
    assert [a.status for a in m.tick()] == ["OUT"]
    assert [a["status"] for a in m.active().records()] == ["OUT"]
    set_stock(w, "FAST", 500, counted_at=(datetime.now() + timedelta(seconds=2)).replace(microsecond=0).isoformat())
    assert m.tick() == [] and m.active().empty
    assert [(r["status"], r["state"]) for r in m.active(include_history=True).records()] == [
        ("OUT", "resolved"), ("LOW", "superseded")]
    assert active(store) == 0     # nothing was written


def test_a_product_held_back_by_its_cooldown_alerts_when_it_ends_without_another_sale(any_live_store, store):
    w = store.connect()
    sell(w, "FAST", 60)
    m = monitor(store, cooldown_s=3600)
    [first] = m.start()
    raised_a_minute_ago(store)
    set_stock(w, "FAST", 20)                              # still short, but it alerted a minute ago
    assert m.tick() == [] and m.active().empty            # the recount resolved it; the cooldown holds the next
    m.cooldown_s = 30                                     # the minute since is past a 30 s cooldown
    [again] = m.tick()                                    # nothing new in the store: the held-back product
    assert (again.status, again.on_hand) == ("LOW", 20)
