"""One current alert state per product, the same count everywhere: across LOW -> OUT -> restock the
monitor, `shopintel watch --once` and the store's count agree (the app's parts: tests/live/test_panel.py).
LOW superseded by OUT is one alert; a stock count after the alert resolves it; both stay in history."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from shopintel.reports.monitor import Monitor, active_alert_count, alerts_rows
from shopintel.store.db import connect, connect_read_only
from shopintel.store.stock import set_stock
from tests.live.conftest import sell

ROOT = Path(__file__).resolve().parents[2]


def watch_once(path) -> list[dict]:
    r = subprocess.run([sys.executable, "-m", "shopintel.tui.cli", "watch", "--db", str(path), "--once",
                        "--format", "jsonl"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def states(path) -> list[tuple[str, str]]:
    """(status, state) of every alert, oldest first."""
    rows = alerts_rows(connect_read_only(path), include_history=True).records()
    return [(r["status"], r["state"]) for r in reversed(rows)]


def raised_a_minute_ago(path) -> None:
    """Timestamps are per second: a count made in the second of the alert would not be after it. Moving
    the alerts back a minute, as if raised then, stands in for waiting (no sleep)."""
    w = connect(path)
    w.execute("UPDATE alerts SET created_at = datetime(created_at, '-60 seconds')")
    w.execute("UPDATE alerts SET created_at = replace(created_at, ' ', 'T')")
    w.close()


def test_low_then_out_then_restock_is_one_alert_at_a_time_everywhere(live_store):
    w = connect(live_store)
    m = Monitor(connect_read_only(live_store), connect(live_store), cooldown_s=0)
    assert m.start() == []
    sell(w, "FAST", 60)                                   # 90 on hand, reorder point 123: LOW
    [low] = m.tick()
    assert (low.status, low.on_hand, low.reorder_point) == ("LOW", 90, 123)
    assert active_alert_count(connect_read_only(live_store)) == 1
    assert [(a["status"], a["on_hand"], a["reorder_point"]) for a in watch_once(live_store)] == [("LOW", 90, 123)]

    sell(w, "FAST", 100)                                  # -10 on hand: OUT, which supersedes the LOW alert
    [out] = m.tick()
    assert out.status == "OUT"
    assert active_alert_count(connect_read_only(live_store)) == 1
    assert [a["status"] for a in m.active().records()] == ["OUT"]
    assert [a["status"] for a in watch_once(live_store)] == ["OUT"]
    assert states(live_store) == [("LOW", "superseded"), ("OUT", "active")]

    raised_a_minute_ago(live_store)
    set_stock(w, "FAST", 500)                             # the restock, counted now
    assert m.tick() == []                                 # recovered: nothing new to say
    assert active_alert_count(connect_read_only(live_store)) == 0
    assert m.active().empty and watch_once(live_store) == []
    assert states(live_store) == [("LOW", "superseded"), ("OUT", "resolved")]   # history keeps both


def test_a_recount_that_leaves_the_product_short_alerts_again_without_a_sale(live_store):
    w = connect(live_store)
    sell(w, "FAST", 60)
    m = Monitor(connect_read_only(live_store), connect(live_store), cooldown_s=0)
    [first] = m.start()
    raised_a_minute_ago(live_store)
    set_stock(w, "FAST", 20)                              # counted now: only 20 there
    [again] = m.tick()                                    # no sale came: the recount alone is news
    assert (again.status, again.on_hand) == ("LOW", 20)
    assert [(a["alert_id"], a["state"]) for a in m.active().records()] == [(again.alert_id, "active")]
    assert states(live_store) == [("LOW", "superseded"), ("LOW", "active")]


def test_a_store_holding_a_low_and_an_out_alert_for_one_product_counts_one(live_store):
    # as the monitor before the one-state rule left them: both unacknowledged
    w = connect(live_store)
    pid = w.execute("SELECT product_id FROM products WHERE sku = 'FAST'").fetchone()[0]
    now = datetime.now().replace(microsecond=0)
    for status, on_hand, at in (("LOW", 90, now), ("OUT", -10, now + timedelta(seconds=5))):
        w.execute("INSERT INTO alerts (created_at, product_id, sku, product_name, status, on_hand, days_of_cover, "
                  "suggested_qty) VALUES (?, ?, 'FAST', 'Fast', ?, ?, NULL, 100)", (at.isoformat(), pid, status, on_hand))
    assert active_alert_count(connect_read_only(live_store)) == 1
    assert [a["status"] for a in watch_once(live_store)] == ["OUT"]


def test_acknowledged_alerts_are_marked_in_history(live_store):
    from shopintel.reports.monitor import acknowledge

    w = connect(live_store)
    sell(w, "FAST", 60)
    m = Monitor(connect_read_only(live_store), connect(live_store))
    [alert] = m.start()
    acknowledge(w, alert.alert_id)
    assert m.active().empty and active_alert_count(connect_read_only(live_store)) == 0
    assert states(live_store) == [("LOW", "acknowledged")]


def test_read_only_monitor_supersedes_and_resolves_in_memory(live_store):
    w = connect(live_store)
    m = Monitor(connect_read_only(live_store), None, cooldown_s=0)
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
    assert active_alert_count(connect_read_only(live_store)) == 0     # nothing was written


def test_a_product_held_back_by_its_cooldown_alerts_when_it_ends_without_another_sale(live_store):
    w = connect(live_store)
    sell(w, "FAST", 60)
    m = Monitor(connect_read_only(live_store), connect(live_store), cooldown_s=3600)
    [first] = m.start()
    raised_a_minute_ago(live_store)
    set_stock(w, "FAST", 20)                              # still short, but it alerted a minute ago
    assert m.tick() == [] and m.active().empty            # the recount resolved it; the cooldown holds the next
    m.cooldown_s = 30                                     # the minute since is past a 30 s cooldown
    [again] = m.tick()                                    # nothing new in the store: the held-back product
    assert (again.status, again.on_hand) == ("LOW", 20)
