"""What the benchmark reads off the running app: when the Overview shows its numbers, and the
app's peak memory after visiting every tab (VmHWM of the app's process)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from tests.procs import descendants

# The Overview is "ready" when its KPI cards show figures: the net revenue card's label and a
# formatted amount (digits with a thousands separator) are on screen.
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d\d)?")


def overview_ready(screen: str) -> bool:
    return "Net revenue" in screen and bool(_AMOUNT.search(screen))



def _hwm_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def peak_rss_after_tabs(tui_command: str, root: Path, tabs: str = "1234567") -> int:
    """Open the app in tmux, visit every tab (waiting for each to draw), and read its peak RSS."""
    name = f"benchrss{os.getpid()}"
    try:
        open_app(name, f"cd {root} && {tui_command}")
        for key in tabs:
            subprocess.run(["tmux", "send-keys", "-t", name, key], check=True)
            before = screen(name)
            settle = time.monotonic() + 5
            # wait until the screen stops changing (the tab's query has landed)
            while time.monotonic() < settle:
                time.sleep(0.3)
                now = screen(name)
                if now == before and "Loading" not in now:
                    break
                before = now
        pane = int(subprocess.run(["tmux", "display-message", "-p", "-t", name, "#{pane_pid}"],
                                  capture_output=True, text=True).stdout.strip())
        return max(_hwm_mb(p) for p in descendants(pane))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def open_app(name: str, command: str, timeout: float = 120.0) -> None:
    """Start `command` in a new 120x40 tmux session `name` and wait until the Overview shows its figures
    (the caller kills the session, also when this gives up)."""
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command], check=True)
    deadline = time.monotonic() + timeout
    while not overview_ready(screen(name)):
        if time.monotonic() > deadline:
            raise SystemExit(f"the app did not draw the Overview within {timeout:.0f} s:\n{screen(name)}")
        time.sleep(0.05)


def screen(name: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
