"""Two writers (`ingest` of overlapping files in a loop, `simulate`) and three readers (`report` in a loop,
`watch`, the app under Pilot) run together for 30 seconds: no error reaches a user, and the final totals
equal what the writers committed."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import ROOT, check_store, shopintel
from tests.hostile.helpers import assert_clean

DURATION = 30.0
SAMPLE = ROOT / "data" / "sample_orders.csv"


def _loop(args_list, stop: threading.Event, results: list) -> None:
    i = 0
    while not stop.is_set():
        r = shopintel(*args_list[i % len(args_list)], timeout=120)
        results.append(r)
        i += 1


@pytest.mark.slow
async def test_writers_and_readers_together_for_30_seconds(db_path, tmp_path):
    from shopintel.tui.app import ShopApp

    assert shopintel("ingest", str(SAMPLE), "--db", str(db_path)).returncode == 0
    assert shopintel("stock", "import", str(ROOT / "data" / "sample_stock.csv"), "--db", str(db_path)).returncode == 0
    # two overlapping exports: whole orders, the middle third in both
    raw = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    ids = raw["order_id"].drop_duplicates().tolist()
    third = len(ids) // 3
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    raw[raw["order_id"].isin(ids[: 2 * third])].to_csv(a, index=False)
    raw[raw["order_id"].isin(ids[third:])].to_csv(b, index=False)

    env = {**os.environ, "NO_COLOR": "1"}
    db = ["--db", str(db_path)]
    sim = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "simulate", "--rate", "10", "--duration", str(DURATION),
                            "--seed", "9", *db], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    watch = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "watch", "--interval", "0.5", "--format", "jsonl", *db],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()
    ingests: list = []
    reports: list = []
    threads = [
        threading.Thread(target=_loop, args=([["ingest", str(a), *db, "--rejects", str(tmp_path / "ra.csv")],
                                              ["ingest", str(b), *db, "--rejects", str(tmp_path / "rb.csv")]],
                                             stop, ingests)),
        threading.Thread(target=_loop, args=([["report", "summary", *db], ["report", "whales", *db],
                                              ["report", "reorder", "--format", "json", *db],
                                              ["report", "revenue", "--grain", "week", *db]], stop, reports)),
    ]
    for t in threads:
        t.start()

    # the third reader: the app, read-only, live alerts on, walking its tabs while the writers write
    app = ShopApp(db_path, read_only=True, live_alerts=True)
    started = time.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        k = 0
        while time.monotonic() - started < DURATION:
            await pilot.press(str(k % 7 + 1))
            await pilot.pause(0.7)
            k += 1
        assert app.is_running
    stop.set()
    for t in threads:
        t.join(timeout=180)
    sim_out, sim_err = sim.communicate(timeout=120)
    watch.send_signal(signal.SIGTERM)
    w_out, w_err = watch.communicate(timeout=30)

    # no error reached a user
    assert sim.returncode == 0 and "Traceback" not in sim_err, sim_err
    assert watch.returncode == 0 and "Traceback" not in w_err, w_err
    assert len(ingests) >= 2 and len(reports) >= 4
    for r in ingests + reports:
        assert_clean(r)
        assert r.returncode == 0, r.stderr

    # final totals equal what the writers committed: every exported order once, plus every simulated order
    check_store(db_path)
    conn = sqlite3.connect(db_path)
    imported = conn.execute("SELECT count(*), sum(net_cents), count(DISTINCT order_id) FROM sales "
                            "WHERE import_id IS NOT NULL").fetchone()
    live = conn.execute("SELECT count(*), coalesce(sum(net_cents), 0), count(DISTINCT order_id) FROM sales "
                        "WHERE import_id IS NULL").fetchone()
    conn.close()
    ref = tmp_path / "ref.db"
    assert shopintel("ingest", str(SAMPLE), "--db", str(ref)).returncode == 0
    rc = sqlite3.connect(ref)
    assert imported == rc.execute("SELECT count(*), sum(net_cents), count(DISTINCT order_id) FROM sales").fetchone()
    rc.close()
    ticks = [re.search(r"(\d+) order\(s\)\s+(\d+) line\(s\)\s+revenue (-?[\d,]+\.\d\d)", ln)
             for ln in sim_out.splitlines()]
    ticks = [m for m in ticks if m]
    assert ticks, sim_out
    assert live[2] == sum(int(m.group(1)) for m in ticks)
    assert live[0] == sum(int(m.group(2)) for m in ticks)
    assert Decimal(live[1]) / 100 == sum(Decimal(m.group(3).replace(",", "")) for m in ticks)
