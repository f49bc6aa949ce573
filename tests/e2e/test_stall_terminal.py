"""The sales-stall alert end to end: the app in a real terminal (tmux) at 80x24 beside a real `shopintel
simulate --pause` process. The checkout sells at the shop's usual 12 orders an hour, breaks, sells again
and breaks again: the panel shows one stall alert per break, says when orders resume, and the next break
alerts again (re-armed)."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import datetime, timedelta

import pytest

from shopintel.store.db import connect
from shopintel.store.load import Loader
from tests.e2e.conftest import shopintel_argv
from tests.e2e.terminal import Terminal, shell_join
from tests.live.conftest import frame

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def stalls(path) -> list[tuple]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT alert_id, resumed_at FROM stall_alerts ORDER BY alert_id").fetchall()
    finally:
        conn.close()


@pytest.fixture
def steady_shop(db_path):
    """Five weeks of one order every 5 minutes, around the clock, up to now: 12 an hour, 288 a day."""
    now = datetime.now().replace(microsecond=0, second=0)
    times = [now - timedelta(minutes=5 * i) for i in range(35 * 288)]
    conn = connect(db_path)
    with Loader(conn, file_name="history") as loader:
        loader.add(frame([(t.isoformat(), "MUG", 1) for t in reversed(times)]))
    conn.close()
    return db_path


def test_a_stall_alerts_once_per_break_in_the_app_and_re_arms_when_orders_resume(steady_shop):
    # 600x: 10 simulated minutes a second, 2 orders a second (the shop's 288 a day); 30 minutes of sales
    # (3 s), then a 90-minute break (9 s): about 50 minutes into it the hour holds 2 orders or fewer against
    # 12 usual (P <= 0.0005) and the stall alert fires
    sim = subprocess.Popen([*shopintel_argv(), "simulate", "--db", str(steady_shop), "--speed", "600", "--quiet",
                            "--pause", "90", "--pause-after", "30", "--seed", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        cmd = shell_join([*shopintel_argv(), "tui", "--db", str(steady_shop)])
        with Terminal(cmd, width=80, height=24) as t:
            t.wait_for("Net revenue", timeout=30)
            screen = t.wait_for("SALES STALL:", "in the 60 minutes to", timeout=60)
            assert "usually 12.0" in screen
            assert len(stalls(steady_shop)) == 1
            t.wait_until(lambda s: "SALES STALL" not in s, timeout=60, what="orders to resume")
            [(first, resumed)] = stalls(steady_shop)
            assert resumed is not None                      # over: re-armed, one alert for the whole break
            t.wait_for("SALES STALL:", timeout=60)          # the next break: a new alert
            assert [a for a, _ in stalls(steady_shop)][:2] == [first, first + 1]
            assert stalls(steady_shop)[0][1] == resumed
            t.send("q")
            t.wait_until(lambda s: t.pane_dead(), what="the app to exit")
    finally:
        sim.terminate()
        assert sim.wait(10) == 0, sim.stderr.read().decode()
