"""`shopintel watch` and `shopintel simulate` on a PostgreSQL store, as real processes: watch prints the
alert a sale written by another process raises (once), and stores it; simulate appends orders whose kept
totals agree with the lines."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from shopintel.store.pg import aggregates
from shopintel.store.pg import connection as pgc
from tests.conftest import ROOT, shopintel
from tests.live.conftest import sell
from tests.live.test_monitor import _read_lines

pytestmark = pytest.mark.pg


def _connections(admin, name: str) -> int:
    return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (name,)).fetchone()[0]


def test_watch_prints_the_alert_a_sale_from_another_process_raises(pg_live, pg_admin):
    url = f"{pg_live}&application_name=watch_test"   # passed to libpq: its connections can be told apart
    proc = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "watch", "--db", url, "--format", "jsonl",
                             "--interval", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while _connections(pg_admin, "watch_test") < 2 and time.monotonic() < deadline:   # its reader and writer
            time.sleep(0.05)
        assert _connections(pg_admin, "watch_test") == 2, proc.stderr.read1().decode() if proc.poll() else ""
        with pgc.connect(pg_live) as w:
            sell(w, "FAST", 60)
            [line] = _read_lines(proc, 1, timeout=15)
            alert = json.loads(line)
            assert (alert["kind"], alert["sku"], alert["status"]) == ("reorder", "FAST", "LOW")
            assert alert["on_hand"] <= alert["reorder_point"]
            sell(w, "FAST", 100)                                  # OUT: one more alert
            [line2] = _read_lines(proc, 1, timeout=15)
            assert json.loads(line2)["status"] == "OUT"
            stored = w.execute("SELECT alert_id, status FROM alerts ORDER BY alert_id").fetchall()
        assert [s for _, s in stored] == ["LOW", "OUT"]
        assert [a for a, _ in stored] == [alert["alert_id"], json.loads(line2)["alert_id"]]
        assert _read_lines(proc, 1, timeout=1.0) == []            # and nothing else
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0                                 # SIGTERM is a clean exit


def test_simulate_appends_orders_and_the_kept_totals_follow(pg_live):
    with pgc.connect_read_only(pg_live) as r:
        before = r.execute("SELECT count(*) FROM sales").fetchone()[0]
    sim = shopintel("simulate", "--db", pg_live, "--rate", "5", "--duration", "2", "--seed", "1")
    assert sim.returncode == 0, sim.stderr
    assert "order(s)" in sim.stdout and not sim.stderr
    with pgc.connect(pg_live) as conn:
        after = conn.execute("SELECT count(*) FROM sales").fetchone()[0]
        assert after > before
        assert set(aggregates.mismatches(conn.raw).values()) == {0}
