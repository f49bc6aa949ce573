"""Browsing over SSH end to end: a real sshd on 127.0.0.1 with a forced, restricted, read-only command;
the client in a real terminal (tmux) at several sizes and TERMs; keys only."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

from tests.e2e.conftest import ROOT, sales_count, shopintel_argv, store_digest
from tests.e2e.terminal import Terminal, shell_join
from tests.procs import alive, cmdline, descendants

pytestmark = pytest.mark.e2e

TABS = [("2", "revenue per day"), ("3", "Top 1% of customers bring"), ("4", "units/week over the 28 days"),
        ("5", "Revenue by category"), ("6", "fast movers"), ("7", "RFM segments"), ("1", "Net revenue")]


def ssh_terminal(server, *, width=80, height=24, term="xterm-256color", no_color=False, remote=()) -> Terminal:
    env = {"TERM": term, "LANG": "C.UTF-8"}
    if no_color:
        env["NO_COLOR"] = "1"
    prefix = "env " + " ".join(f"{k}={v}" for k, v in env.items()) + " "
    return Terminal(prefix + shell_join(server.ssh_command(*remote)), width=width, height=height)


@pytest.mark.parametrize("width,height,term,no_color", [
    (80, 24, "xterm-256color", False),
    (120, 40, "xterm-256color", False),
    (80, 24, "xterm", False),
    (80, 24, "screen", False),
    (80, 24, "xterm-256color", True),
], ids=["80x24-xterm-256color", "120x40-xterm-256color", "80x24-xterm", "80x24-screen", "80x24-NO_COLOR"])
def test_every_tab_over_ssh(ssh_keys, e2e_store, top_whale, width, height, term, no_color):
    before = store_digest(e2e_store)
    with ssh_terminal(ssh_keys["shop"], width=width, height=height, term=term, no_color=no_color) as t:
        t.wait_for("Net revenue", "read-only", timeout=40)
        for key, text in TABS:
            t.send(key)
            t.wait_for(text, timeout=20)
        t.send("3")
        t.wait_for(top_whale)
        if no_color:
            coloured = re.findall(r"\x1b\[[0-9;]*(?:38|48);[25];", t.screen(escapes=True))
            assert coloured == [], "NO_COLOR must mean no colours"
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="ssh to end after q")
    assert store_digest(e2e_store) == before


def test_keys_over_ssh_filter_sort_period_detail_help_export(ssh_keys, e2e_store, top_whale, export_dir):
    before = store_digest(e2e_store)
    with ssh_terminal(ssh_keys["shop"], width=100, height=30) as t:
        t.wait_for("Net revenue", timeout=40)
        t.send("3")
        t.wait_for(top_whale)
        # filter
        t.send("/")
        t.wait_for("Filter rows")
        t.type(top_whale.split()[0].lower())
        t.send("Enter")
        t.wait_for("filter '", timeout=10)
        # sort by the cursor's column
        t.send("s")
        t.wait_for("sorted by", timeout=10)
        # clear the filter (a bare Escape: wait until it is taken, or the next key would read as Alt+key)
        t.send("/")
        t.wait_for("Filter rows")
        t.send("Escape")
        t.wait_until(lambda s: "Filter rows" not in s and "filter '" not in s, what="the filter to clear")
        # open the customer, then back
        t.send("g", "Enter")
        t.wait_for("RFM segment:", timeout=20)
        t.send("Escape")
        t.wait_until(lambda s: "RFM segment:" not in s, what="back to the whales")
        # period
        t.send("d")
        t.wait_for("Date range")
        t.send("Home", "Down", "Down", "Enter")
        t.wait_for("last 90 days", "2026-04-02 .. 2026-06-30", timeout=20)   # the whales reloaded
        # a product from Top Sellers
        t.send("4")
        t.wait_for("units/week over")
        t.type("---")   # literal keys: tmux would read "minus" as five letters
        t.wait_for("more than 0 units/week", timeout=20)
        t.send("Enter")
        t.wait_for("Stock:", "Units per week", timeout=20)
        t.send("Escape")
        t.wait_until(lambda s: "Stock:" not in s, what="back to the top sellers")
        # help
        t.send("?")
        t.wait_for("Keys:", "pick the date range")
        t.send("Escape")
        t.wait_until(lambda s: "Keys:" not in s, what="help to close")
        # export: lands on the server side, the toast says where
        t.send("5")
        t.wait_for("Revenue by category")
        t.send("e")
        screen = t.wait_for("Exported", timeout=20)
        assert str(export_dir)[:20] in screen.replace("\n", "")
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="ssh to end")
    exported = list(export_dir.glob("shopintel-categories-*.csv"))
    assert exported and exported[0].read_text().startswith("category,revenue")
    assert store_digest(e2e_store) == before


def test_a_live_alert_reaches_the_ssh_session(ssh_keys, live_store):
    with ssh_terminal(ssh_keys["live"], width=120, height=40) as t:
        t.wait_for("Net revenue", "Overview", timeout=40)
        assert "Reorder alerts ·" not in t.screen()          # nothing due yet: the panel is hidden
        # server side: a recount leaves 20 of each fast mover, and the checkout sells them down (it sells
        # nothing it does not have; the store's history ended months ago, so what makes them fast
        # movers again is what sells today)
        fast = subprocess.run([*shopintel_argv(), "report", "top-sellers", "--db", str(live_store), "--format",
                               "csv", "--limit", "25", "--min-per-week", "0"], capture_output=True, text=True, cwd=ROOT, check=True)
        for line in fast.stdout.splitlines()[1:]:
            subprocess.run([*shopintel_argv(), "stock", "set", line.split(",")[0], "20", "--db", str(live_store)],
                           check=True, capture_output=True, cwd=ROOT)
        before = sales_count(live_store)
        sim = subprocess.Popen([*shopintel_argv(), "simulate", "--db", str(live_store), "--rate", "10", "--seed", "3",
                                "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            t0 = time.monotonic()
            # the recount alone can raise an alert; the simulator must be selling too (and so past its
            # start-up, with its SIGTERM handler in place) before it is stopped
            t.wait_until(lambda s: "Reorder alert" in s and sales_count(live_store) > before, timeout=60,
                         what="an alert on screen while the simulator sells")
            print(f"alert on the SSH screen {time.monotonic() - t0:.1f}s after the simulator started")
        finally:
            sim.send_signal(signal.SIGTERM)
            assert sim.wait(10) == 0
        t.send("q")


def test_killing_the_client_leaves_no_orphan_and_the_store_unchanged(ssh_keys, e2e_store):
    before = store_digest(e2e_store)
    others = set(_server_pids(e2e_store))
    with ssh_terminal(ssh_keys["shop"], width=80, height=24) as t:
        t.wait_for("Net revenue", timeout=40)
        server_side = set(_server_pids(e2e_store)) - others
        assert server_side, "the app should be running on the server side"
        for pid in descendants(t.pane_pid()):
            if os.path.basename(cmdline(pid).split(" ")[0]) == "ssh":   # the client, not sshd
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(alive(p) for p in server_side):
            time.sleep(0.1)
        left = [(p, cmdline(p)) for p in server_side if alive(p)]
        assert not left, f"the server-side shopintel must exit within 5 seconds: {left}"
    assert store_digest(e2e_store) == before


def test_the_forced_command_cannot_be_escaped(ssh_keys, e2e_store, tmp_path):
    marker = tmp_path / "escaped"
    before = store_digest(e2e_store)
    with ssh_terminal(ssh_keys["shop"], remote=(f"touch {marker}; sh",)) as t:
        t.wait_for("Net revenue", "read-only", timeout=40)   # still only the dashboard
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="ssh to end")
    assert not marker.exists()
    # without a terminal (ssh -T) the forced command still runs only the app, which says it needs one
    no_pty = ["ssh", "-T", *ssh_keys["shop"].ssh_command()[2:], f"touch {marker}"]
    r = subprocess.run(no_pty, capture_output=True, text=True, timeout=30, input="")
    assert r.returncode == 2 and "needs a terminal" in r.stderr
    assert not marker.exists()
    assert _server_pids(e2e_store) == []
    assert store_digest(e2e_store) == before


def _server_pids(store) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"tui --read-only --db {store}"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if alive(int(p))]
