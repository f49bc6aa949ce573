"""The installed `shopintel` in a real terminal (tmux), as people use it over SSH: a filter typed in one
go right after `/` is kept whole, and the app neither freezes nor hangs on quitting while another program
holds the store's write lock."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests.e2e.conftest import shopintel_argv
from tests.e2e.terminal import Terminal, shell_join
from tests.live.conftest import HeldWriteLock, build_live_store, sell
from shopintel.store.db import connect

pytestmark = pytest.mark.e2e


def terminal(cmd: str, width: int, height: int) -> Terminal:
    # COLUMNS and LINES as a login shell sets them: a tmux server started by another test run may hand
    # its own (80x24) to the app, which Textual would believe over the real size
    return Terminal(cmd, width=width, height=height, env={"COLUMNS": str(width), "LINES": str(height)})


def whale_names(store) -> list[str]:
    conn = sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT c.name FROM agg_customer a JOIN customers c USING (customer_id) "
                                           "ORDER BY a.net_cents DESC, a.customer_id LIMIT 2")]
    finally:
        conn.close()


def test_slash_and_a_name_typed_in_one_go_filter_the_whales(e2e_store):
    first, second = whale_names(e2e_store)
    text = first.lower()
    cmd = shell_join([*shopintel_argv(), "tui", "--db", str(e2e_store), "--read-only"])
    with terminal(cmd, 100, 30) as t:
        t.wait_for("Net revenue", timeout=30)
        t.send("3")
        t.wait_for("Top 1% of customers bring", first, second)
        t.type("/" + text)                           # one write to the terminal, like a line typed over SSH
        # the box holds the whole text, and the table behind it has narrowed as it was typed
        screen = t.wait_for(f"filter '{text}' matches", timeout=20)
        box = [line for line in screen.splitlines() if "Filter rows" in line or text in line]
        assert any(text in line for line in box)
        assert second not in screen or second.lower().find(text) >= 0
        t.send("Enter")
        t.wait_until(lambda s: "Filter rows as you type" not in s, what="the box to close")
        t.wait_for(f"filter '{text}' matches", first)
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")


@pytest.fixture
def alerting_store(tmp_path):
    """The small live shop with one alert due (FAST sold down to LOW)."""
    path = build_live_store(tmp_path / "live.db")
    writer = connect(path)
    sell(writer, "FAST", 60)
    writer.close()
    return path


def test_the_app_answers_and_quits_while_another_program_holds_the_write_lock(alerting_store):
    cmd = shell_join([*shopintel_argv(), "tui", "--db", str(alerting_store)])
    lock = None
    with terminal(cmd, 120, 40) as t:
        try:
            t.wait_for("Reorder alerts · 1 active", "FAST", timeout=30)   # due at start: the panel shows it
            t.send("a")                                  # hide the panel...
            t.wait_until(lambda s: "Reorder alerts ·" not in s, what="the panel to hide")
            t.send("a")                                  # ...and show it again, its table focused
            t.wait_for("Reorder alerts · 1 active")
            # a checkout sells FAST out, and an import takes the write lock at once: the monitor's next
            # check raises an OUT alert and must wait to store it
            writer = connect(alerting_store)
            sell(writer, "FAST", 100)
            writer.close()
            lock = HeldWriteLock(alerting_store, valve_s=60)
            t.wait_for("locked by another program: waiting to write", timeout=20)
            t.send("x")                                  # acknowledge the LOW alert while the lock is held
            t.wait_for("pending…", "1 ack pending", timeout=20)
            assert lock.held
            t.send("q")
            t.wait_until(lambda s: t.pane_dead(), timeout=20, what="the app to exit while the lock is held")
            assert lock.held, "the app exited only once the test's safety valve had let go of the lock"
            # what was not written is said once the app has gone (read with the lines scrolled off screen)
            printed = subprocess.run(["tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", t.name],
                                     capture_output=True, text=True).stdout
            assert "1 alert acknowledgement(s) not saved" in printed
        finally:
            if lock is not None:
                lock.release()
