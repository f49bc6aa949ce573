"""The installed `shopintel` in a real terminal (tmux): every tab by its number key, read off the screen."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import shopintel_argv, store_digest
from tests.e2e.terminal import Terminal, shell_join
from tests.procs import alive, cmdline, descendants

pytestmark = pytest.mark.e2e

TAB_TEXT = {
    "2": "revenue per day",
    "3": "Top 1% of customers bring",
    "4": "units/week over the 28 days",
    "5": "Revenue by category",
    "6": "fast movers",
    "7": "RFM segments",
    "1": "Net revenue",
}


def test_every_tab_in_a_real_terminal(e2e_store, top_whale):
    before = store_digest(e2e_store)
    cmd = shell_join([*shopintel_argv(), "tui", "--db", str(e2e_store), "--read-only"])
    with Terminal(cmd, width=100, height=30) as t:
        t.wait_for("Net revenue", "1 Overview", timeout=30)
        for key, text in TAB_TEXT.items():
            t.send(key)
            t.wait_for(text, timeout=20)
        t.send("3")
        t.wait_for(top_whale)
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")
    assert store_digest(e2e_store) == before


def test_plain_shopintel_opens_the_app_and_a_missing_store_says_how_to_import(tmp_path):
    missing = tmp_path / "nothing.db"
    with Terminal(shell_join([*shopintel_argv(), "--db", str(missing)]), width=90, height=24) as t:
        t.wait_for("No store at", "shopintel ingest orders.csv --db", timeout=30)
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")
    assert not missing.exists()


def test_sighup_ends_the_app(e2e_store):
    import os
    import signal
    import subprocess
    import time

    cmd = shell_join([*shopintel_argv(), "tui", "--db", str(e2e_store), "--read-only"])
    with Terminal(cmd, width=100, height=30) as t:
        t.wait_for("Net revenue", timeout=30)
        pid = t.pane_pid()
        # the pane's process is the app (tmux runs the command through sh -c, which execs it)
        kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        targets = [pid] + [int(k) for k in kids]
        for p in targets:
            try:
                os.kill(p, signal.SIGHUP)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in targets):
            time.sleep(0.1)
        assert not any(alive(p) for p in targets)


def test_closing_the_terminal_leaves_no_orphan(e2e_store):
    import subprocess
    import time

    cmd = shell_join([*shopintel_argv(), "tui", "--db", str(e2e_store), "--read-only"])
    t = Terminal(cmd, width=80, height=24)
    t.wait_for("Net revenue", timeout=30)
    app_pids = [p for p in descendants(t.pane_pid()) if "tui" in cmdline(p)]
    assert app_pids
    subprocess.run(["tmux", "kill-session", "-t", t.name], check=True)   # the terminal goes away
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in app_pids):
        time.sleep(0.1)
    assert not any(alive(p) for p in app_pids), "the app must exit within 5 s when its terminal closes"

