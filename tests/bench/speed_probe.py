"""The benchmark's speed figures a user feels (issue 15): each tab after a period change, each drill-down
(Enter on a tab's first row), in the app itself (headless, Textual's Pilot: from the key to the figures on
screen), and `q` in a real terminal (tmux: from the key to the process gone) in several states.

    python tests/bench/speed_probe.py STORE          # prints the figures
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TAB_KEYS = {"2": "revenue", "3": "whales", "4": "top-sellers", "5": "categories", "6": "reorder", "7": "segments"}
PERIODS = ("28d", "90d", "12m", "all")   # each visit follows a change to the next one


def _drawn(app, node) -> bool:
    """`node` shows its figures: no loading indicator, no 'Loading…' status, and its tables hold rows of
    a result (a first window counts: Whales shows its first 500 while it keeps the rest)."""
    loading = any(getattr(n, "loading", False) for n in node.query("*"))
    waiting = any("Loading…" in str(n.render()) or str(n.render()).startswith("loading") for n in node.query(".status"))
    tables = node.query("ReportTable")
    return not loading and not waiting and all(t.matches is not None for t in tables)


def _idle(app) -> bool:
    """Every load of the app finished (before the next step of the probe)."""
    return _drawn(app, app.screen) and not any(w.is_running for w in app.workers if w.group != "alerts")


async def _press_until(pilot, key: str, predicate, timeout: float = 60.0) -> float:
    """Seconds from the key to `predicate`, watched while the key is handled: Pilot's press returns only
    once the app is idle, which a worker busy after the figures are on screen (Whales' p alive fit)
    delays."""
    t = time.perf_counter()
    press = asyncio.ensure_future(pilot.press(key))
    while not predicate():
        if time.perf_counter() - t > timeout:
            raise SystemExit("speed probe: the app did not draw in time")
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - t
    await press
    return seconds


async def _until(pilot, predicate, timeout: float = 60.0) -> float:
    t = time.perf_counter()
    while not predicate():
        if time.perf_counter() - t > timeout:
            raise SystemExit("speed probe: the app did not draw in time")
        await pilot.pause(0.005)
    return time.perf_counter() - t


async def _tabs_and_drills(store: Path) -> dict:
    from shopintel.tui.app import ShopApp
    from shopintel.tui.data import PeriodChoice
    from shopintel.tui.screens.detail import DetailScreen

    app = ShopApp(store, read_only=True, live_alerts=False)
    tabs, drills = {}, {}
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: _idle(app))
        for i, (key, tab) in enumerate(TAB_KEYS.items()):
            await pilot.press("1")
            await _until(pilot, lambda: _idle(app))
            # a period change as the picker makes it (tui.app.action_pick_period's callback)
            app.period_choice = PeriodChoice(PERIODS[i % len(PERIODS)])
            app.set_sub_title(app.period_choice)
            app.reload()
            await _until(pilot, lambda: _idle(app))
            pane = app.pane(tab)
            tabs[tab] = await _press_until(pilot, key, lambda: app.active_tab() == tab and not pane.stale
                                           and _drawn(app, pane))
            await _until(pilot, lambda: _idle(app))
            table = pane.query("ReportTable")
            if pane.spec.drill and table and table.first().row_count:
                table.first().focus()
                drills[f"{tab} -> {pane.spec.drill.target}"] = await _press_until(
                    pilot, "enter", lambda: isinstance(app.screen, DetailScreen) and _drawn(app, app.screen))
                await _until(pilot, lambda: _idle(app))
                await pilot.press("escape")
    return {"tab_after_period_change_s": tabs, "drill_down_s": drills}


def tabs_and_drills(store: Path) -> dict:
    return asyncio.run(_tabs_and_drills(store))


def quit_seconds(store: Path, state: str, timeout: float = 30.0) -> float:
    """`q` in a real terminal until the process is gone, in `state`: start (the moment the Overview's
    first figures show, its chart and tables still loading), idle (all of it drawn), live (a simulator
    selling and the alert panel checking), query (a tab's query still running: a period change on
    Whales, q at once)."""
    from app_probe import open_app, screen

    name = f"benchquit{os.getpid()}"
    simulator = None
    if state == "live":   # a checkout selling beside the app (which writes its alerts: not read-only)
        simulator = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "simulate", "--db", str(store),
                                      "--quiet", "--rate", "5", "--duration", "120"], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tui = f"{sys.executable} -m shopintel.tui.cli tui --db {store}"
    else:
        tui = f"{sys.executable} -m shopintel.tui.cli tui --db {store} --read-only"
    try:
        open_app(name, f"cd {ROOT} && {tui}; echo SHOPINTEL-EXITED; sleep 60")
        if state == "idle":
            time.sleep(3)    # the Overview's chart and tables drawn, the alert panel's first check done
        if state == "live":
            time.sleep(8)    # the simulator selling, the panel checking every second, tabs refreshing
        if state == "query":
            subprocess.run(["tmux", "send-keys", "-t", name, "3"], check=True)
            time.sleep(1.0)
            subprocess.run(["tmux", "send-keys", "-t", name, "d"], check=True)
            time.sleep(0.5)
            subprocess.run(["tmux", "send-keys", "-t", name, "Up", "Enter"], check=True)   # year to date
            time.sleep(0.05)
        t = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", name, "q"], check=True)
        while "SHOPINTEL-EXITED" not in screen(name):
            if time.perf_counter() - t > timeout:
                raise SystemExit(f"speed probe: q did not exit ({state})")
            time.sleep(0.005)
        return time.perf_counter() - t
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        if simulator is not None:
            simulator.terminate()
            simulator.wait()


def quit_figures(store: Path, work: Path, runs: int = 3) -> dict:
    import shutil
    import statistics

    live_copy = work / "quit-live.db"
    out = {}
    for state in ("start", "idle", "query", "live"):
        times = []
        for _ in range(runs):
            target = store
            if state == "live":   # the demo writes: a copy of the store each time
                for suffix in ("", "-wal", "-shm"):
                    Path(str(live_copy) + suffix).unlink(missing_ok=True)
                shutil.copy(store, live_copy)
                target = live_copy
            times.append(quit_seconds(target, state))
        out[state] = statistics.median(times)
    return out


if __name__ == "__main__":
    import json
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    db = Path(sys.argv[1])
    figures = tabs_and_drills(db)
    figures["quit_s"] = quit_figures(db, Path(tempfile.mkdtemp()))
    print(json.dumps(figures, indent=2))
