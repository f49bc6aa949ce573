"""The monitor's edge rule: crossing, LOW to OUT, re-arm by recount, cooldown, restart without repeats,
only fast movers; and the two-process path through `shopintel watch`."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from shopintel.reports.monitor import Monitor, acknowledge, active_alert_count
from shopintel.store.db import connect
from shopintel.store.stock import set_stock
from tests.live.conftest import open_reader, open_writer, sell

ROOT = Path(__file__).resolve().parents[2]


def monitor(store, cooldown=60.0):
    return Monitor(open_reader(store), open_writer(store), cooldown_s=cooldown)


def test_nothing_due_at_start_then_a_crossing_alerts_once(any_live_store):
    m = monitor(any_live_store)
    assert m.start() == []                       # FAST has 150 on hand, reorder point 70; SLOW is slow
    w = open_writer(any_live_store)
    sell(w, "FAST", 20)                          # 130 on hand, reorder point now 81: still OK
    assert m.tick() == []
    sell(w, "FAST", 40)                          # 90 on hand, reorder point now 123: LOW
    [alert] = m.tick()
    assert (alert.sku, alert.status, alert.on_hand) == ("FAST", "LOW", 90)
    assert alert.suggested_qty > 0 and alert.alert_id is not None
    sell(w, "FAST", 5)                           # still LOW: no repeat
    assert m.tick() == []
    assert m.tick() == []                        # no new sales: nothing read, nothing raised


def test_low_becoming_out_alerts_once_more(any_live_store):
    m = monitor(any_live_store)
    m.start()
    w = open_writer(any_live_store)
    sell(w, "FAST", 60)
    assert [a.status for a in m.tick()] == ["LOW"]
    sell(w, "FAST", 100)
    assert [a.status for a in m.tick()] == ["OUT"]
    sell(w, "FAST", 1)
    assert m.tick() == []


def test_recount_rearms_and_cooldown_stops_flapping(any_live_store):
    w = open_writer(any_live_store)
    m = monitor(any_live_store, cooldown=0)
    m.start()
    sell(w, "FAST", 60)
    assert len(m.tick()) == 1
    time.sleep(1.1)                              # timestamps are per second: the count must be later
    set_stock(w, "FAST", 300)                    # a recount: recovered well above the reorder point
    later = datetime.now() + timedelta(seconds=2)   # a sale after the count (timestamps are per second)
    sell(w, "FAST", 90, later)                   # 210 on hand, reorder point now 218: crosses again
    assert [a.status for a in m.tick()] == ["LOW"]
    # with a long cooldown, the same recount-and-cross does not alert again
    slow = monitor(any_live_store, cooldown=3600)
    slow.start()
    time.sleep(1.1)
    set_stock(w, "FAST", 300)
    sell(w, "FAST", 90, datetime.now() + timedelta(seconds=2))
    assert slow.tick() == []


def test_a_count_alone_is_noticed_by_the_next_tick_even_when_dated_before_other_counts(any_live_store):
    """A tick reads only the counts changed since the last one (inventory.count_seq, kept by triggers),
    never by date: a count entered late, dated before every other, is still a change."""
    w = open_writer(any_live_store)
    m = monitor(any_live_store)
    m.start()
    assert m.tick() == [] and m.counts_seen == 0
    newest = w.execute("SELECT min(counted_at) FROM inventory").fetchone()[0]
    set_stock(w, "FAST", 0, counted_at=newest[:10])   # no sale: the count alone makes FAST run out
    [alert] = m.tick()
    assert (alert.sku, alert.status, m.counts_seen, m.sales_seen) == ("FAST", "OUT", 1, 0)
    set_stock(w, "SLOW", 5)                           # counted again: read, and SLOW never alerts
    assert m.tick() == [] and m.counts_seen == 1
    assert m.tick() == [] and m.counts_seen == 0      # nothing changed since


def test_restart_and_second_watcher_never_repeat(any_live_store):
    w = open_writer(any_live_store)
    sell(w, "FAST", 60)
    first = monitor(any_live_store)
    assert len(first.start()) == 1               # due at start: raised at once
    second = monitor(any_live_store)
    assert second.start() == []                  # stored: a restarted or second watcher does not repeat it
    assert active_alert_count(open_reader(any_live_store)) == 1


def test_slow_products_never_alert(any_live_store):
    w = open_writer(any_live_store)
    sell(w, "SLOW", 5)                           # out of stock, but it sells a unit a fortnight
    m = monitor(any_live_store)
    assert m.start() == []
    assert m.tick() == []


def test_acknowledged_alerts_leave_the_active_list_but_stay_in_history(any_live_store):
    w = open_writer(any_live_store)
    sell(w, "FAST", 60)
    m = monitor(any_live_store)
    [alert] = m.start()
    assert acknowledge(w, alert.alert_id)
    assert m.active().empty
    assert len(m.active(include_history=True)) == 1


def test_read_only_monitor_keeps_alerts_in_memory(any_live_store):
    w = open_writer(any_live_store)
    sell(w, "FAST", 60)
    m = Monitor(open_reader(any_live_store), None)
    assert [a.sku for a in m.start()] == ["FAST"]
    assert active_alert_count(open_reader(any_live_store)) == 0     # nothing written
    assert len(m.active()) == 1


def _read_lines(proc, want: int, timeout: float) -> list[str]:
    lines, deadline, buf = [], time.monotonic() + timeout, b""
    fd = proc.stdout.fileno()
    while len(lines) < want and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            lines += [d.decode() for d in done if d.strip()]
    return lines


def test_watch_in_another_process_sees_each_alert_exactly_once(live_store):
    proc = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "watch", "--db", str(live_store), "--format", "jsonl",
                             "--interval", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        w = connect(live_store)
        time.sleep(0.5)   # let it take its watermark: the sale below must be news to it
        t0 = time.monotonic()
        sell(w, "FAST", 60)
        [line] = _read_lines(proc, 1, timeout=15)
        latency = time.monotonic() - t0
        alert = json.loads(line)
        assert (alert["sku"], alert["status"]) == ("FAST", "LOW")
        assert set(alert) == {"kind", "alert_id", "created_at", "sku", "product_name", "status", "on_hand", "reorder_point",
                              "days_of_cover", "suggested_qty", "acknowledged_at"}
        assert alert["on_hand"] <= alert["reorder_point"]          # why it fired, in the alert itself
        sell(w, "FAST", 5)    # still LOW: nothing more
        sell(w, "FAST", 100)  # OUT: one more
        [line2] = _read_lines(proc, 1, timeout=15)
        assert json.loads(line2)["status"] == "OUT"
        assert _read_lines(proc, 1, timeout=1.5) == []       # and nothing else
        print(f"alert latency {latency:.2f}s")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0                             # SIGTERM is a clean exit


def test_watch_exec_gets_the_alert_on_stdin_never_through_a_shell(live_store, tmp_path):
    w = connect(live_store)
    sell(w, "FAST", 60)
    w.execute("UPDATE products SET name = '$(touch {}) ; `id` | rm -rf /' WHERE sku = 'FAST'".format(tmp_path / "pwned"))
    out = tmp_path / "got.json"
    script = tmp_path / "hook.py"
    script.write_text(f"import sys; open({str(out)!r}, 'a').write(sys.stdin.read() + '\\n')\n")
    r = subprocess.run([sys.executable, "-m", "shopintel.tui.cli", "watch", "--db", str(live_store), "--once", "--exec",
                        f"{sys.executable} {script}"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    # --once prints the active alerts; the hook ran for the alert raised on start
    [got] = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert got["sku"] == "FAST" and got["product_name"].startswith("$(touch")
    assert not (tmp_path / "pwned").exists()


def test_watch_exec_failure_is_reported_and_the_loop_goes_on(live_store):
    w = connect(live_store)
    sell(w, "FAST", 60)
    r = subprocess.run([sys.executable, "-m", "shopintel.tui.cli", "watch", "--db", str(live_store), "--once", "--exec",
                        "false"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0
    assert "exited 1" in r.stderr and "FAST" in r.stdout
