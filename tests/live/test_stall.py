"""The sales-stall alert (reports.stall), worked out by hand on small live stores: the shop's "now" is moved
on the way `shopintel simulate` moves it (its clock in the meta table), so no test waits for time to pass.

The `shop` sells one order every 5 minutes (12 an hour) for 4 hours either side of `T0` on the same weekday
of the 5 weeks before (the previous 4 weeks are what "usual" means), and on the day itself from 3 hours
before T0 up to T0."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from shopintel.reports.monitor import Monitor
from shopintel.reports.stall import StallWatch, poisson_cdf, read, stall_history
from shopintel.store.load import Loader
from shopintel.store.schema import CHECKOUT_CLOCK
from tests.live.conftest import close_app, frame, open_reader

ROOT = Path(__file__).resolve().parents[2]
# ahead of this machine's clock by more than any clock a test sets before it (T0 - 1 h included): the
# shop's clock is the later of the two, so every test's window is the one it set, however slow the run
T0 = (datetime.now() + timedelta(hours=3)).replace(microsecond=0, second=0)


def orders(times: list[datetime]) -> list[tuple[str, str, int]]:
    return [(t.isoformat(), "MUG", 1) for t in times]


def every(start: datetime, end: datetime, minutes: float = 5) -> list[datetime]:
    out, t = [], start
    while t <= end:
        out.append(t)
        t += timedelta(minutes=minutes)
    return out


def add(conn, times: list[datetime]) -> None:
    with getattr(conn, "loader_class", Loader)(conn, file_name=None) as loader:   # SQLite's or PostgreSQL's
        loader.add(frame(orders(times)))


def set_clock(conn, t: datetime) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (CHECKOUT_CLOCK, t.isoformat()))


@pytest.fixture
def shop(store):
    """A writer of the shop, on each backend."""
    conn = store.connect()
    yield fill(conn)
    conn.close()


def fill(conn):
    times = []
    for week in range(1, 6):     # 4 hours either side of T0, the same weekday 1..5 weeks back
        times += every(T0 - timedelta(days=7 * week, hours=4), T0 - timedelta(days=7 * week) + timedelta(hours=4))
    times += every(T0 - timedelta(hours=3), T0)   # today, up to T0
    add(conn, times)
    set_clock(conn, T0)
    return conn


def test_poisson_cdf_by_hand():
    assert poisson_cdf(0, 7.0) == pytest.approx(0.000911882, rel=1e-6)        # e^-7
    assert poisson_cdf(2, 12.0) == pytest.approx(0.000522, abs=1e-6)           # e^-12 (1 + 12 + 72)
    assert poisson_cdf(5, 0.0) == 1.0


def test_a_shop_selling_as_usual_raises_nothing(shop):
    r = read(shop, 60)
    assert r.live and r.observed == 12 and r.expected == 12.0 and not r.stalled
    assert StallWatch(shop, shop).check() == []


def test_a_stall_alerts_once_and_rearms_once_orders_resume(shop):
    watch = StallWatch(shop, shop, 60)
    set_clock(shop, T0 + timedelta(minutes=45))          # 3 orders in the hour (P(X <= 3; 12) = 0.0023): not yet
    assert watch.check() == [] and watch.last.observed == 3
    set_clock(shop, T0 + timedelta(minutes=55))          # 1 order in the hour: P = 8e-5
    [stall] = watch.check()
    assert (stall.observed_orders, stall.expected_orders, stall.window_minutes) == (1, 12.0, 60)
    assert stall.since == (T0 - timedelta(minutes=5)).isoformat() and stall.until == (T0 + timedelta(minutes=55)).isoformat()
    assert stall.last_order_at == T0.isoformat() and stall.p_value == pytest.approx(poisson_cdf(1, 12.0))
    set_clock(shop, T0 + timedelta(minutes=90))
    assert watch.check() == []                            # the same stall: no second alert
    add(shop, [T0 + timedelta(minutes=91)])                # one order: still far below usual (1 in the hour)
    set_clock(shop, T0 + timedelta(minutes=92))
    assert watch.check() == [] and watch.current() is not None
    add(shop, every(T0 + timedelta(minutes=95), T0 + timedelta(minutes=150)))   # the shop sells again
    set_clock(shop, T0 + timedelta(minutes=150))
    assert watch.check() == [] and watch.current() is None                       # over: re-armed
    assert stall_history(shop)[0].resumed_at == (T0 + timedelta(minutes=150)).isoformat()
    set_clock(shop, T0 + timedelta(minutes=240))          # silent again: a new stall, a new alert
    [again] = watch.check()
    assert again.alert_id != stall.alert_id and again.observed_orders == 0


def test_five_expected_orders_are_the_least_that_can_alert(store):
    conn = store.connect()
    # the previous 4 weeks hold 7, 7, 7, 7 orders in the hour before T0 (expected 7: P(0) = e^-7 <= 0.001) and
    # 6, 6, 6, 6 in the hour before that (expected 6: P(0) = e^-6 = 0.0025, no alert); today: one order 3 hours ago
    times = [T0 - timedelta(hours=3)]
    for week in range(1, 5):
        end = T0 - timedelta(days=7 * week)
        times += [end - timedelta(minutes=8 * i) for i in range(7)]
        times += [end - timedelta(minutes=61 + 9 * i) for i in range(6)]
    add(conn, times)
    set_clock(conn, T0 - timedelta(hours=1))
    r = read(conn, 60)
    assert (r.observed, r.expected, r.stalled) == (0, 6.0, False)
    set_clock(conn, T0)
    r = read(conn, 60)
    assert (r.observed, r.expected, r.stalled) == (0, 7.0, True)
    assert StallWatch(conn, conn, 60).check()[0].expected_orders == 7.0


def test_a_historical_export_never_raises_one(store):
    conn = store.connect()
    add(conn, every(datetime(2010, 12, 1, 8), datetime(2010, 12, 13, 20), minutes=2))
    r = read(conn, 60)
    assert not r.live and not r.stalled
    assert Monitor(open_reader(store.target), conn).start() == []


def test_sales_ahead_of_this_machines_clock_are_the_shops_own_time_not_a_stall(shop):
    # a store whose sales run to T0, three hours past this machine's clock, with no checkout clock (a demo
    # store built to the end of today and opened without its checkout): by this machine's clock the last
    # hour holds one order of the usual twelve, but the shop is selling in its own time
    shop.execute("DELETE FROM meta WHERE key = ?", (CHECKOUT_CLOCK,))
    r = read(shop, 60)
    assert r.now == T0 and r.observed == 12 and not r.stalled
    assert StallWatch(shop, shop).check() == []


def test_a_second_monitor_shows_the_stall_raised_and_never_repeats_it(shop, store):
    set_clock(shop, T0 + timedelta(minutes=70))
    first = Monitor(open_reader(store.target), store.connect())
    [stall] = [a for a in first.start() if a.kind == "stall"]
    second = Monitor(open_reader(store.target), store.connect())
    assert [a for a in second.start() if a.kind == "stall"] == []
    assert second.current_stall().alert_id == stall.alert_id


def test_read_only_keeps_the_stall_in_memory(shop, store):
    set_clock(shop, T0 + timedelta(minutes=70))
    m = Monitor(open_reader(store.target), None)
    [stall] = m.start()
    assert stall.alert_id is None and m.current_stall() is stall
    assert m.tick() == []
    assert stall_history(shop) == []                      # nothing written


def _watch(store, *extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shopintel.tui.cli", "watch", *store.db, "--once", *extra],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_watch_prints_the_stall_with_its_fields(shop, store):
    set_clock(shop, T0 + timedelta(minutes=70))
    r = _watch(store, "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    [line] = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert line["kind"] == "stall"
    assert (line["observed_orders"], line["expected_orders"], line["window_minutes"]) == (0, 12.0, 60)
    assert line["since"] == (T0 + timedelta(minutes=10)).isoformat()
    text = _watch(store)
    assert "STALL  no orders in the 60 minutes to" in text.stdout and "usually 12.0" in text.stdout
    assert _watch(store, "--stall-minutes", "0").returncode == 2


async def test_the_app_shows_the_stall_above_the_stock_alerts_and_says_when_orders_resume(shop, store):
    from textual.widgets import Static

    from shopintel.tui.app import ShopApp
    from tests.live.test_panel import alert_panel, wait_for

    app = ShopApp(str(store))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started)
        assert not panel.display and panel.stall is None          # selling as usual: nothing to show
        set_clock(shop, T0 + timedelta(minutes=70))                # an hour without an order
        await wait_for(pilot, lambda: panel.stall is not None)
        line = panel.query_one(".alerts-stall", Static)
        assert panel.display and line.display
        assert "SALES STALL: no orders in the 60 minutes to" in str(line.render())
        # the stall line is the panel's first: above the reorder alerts' title
        assert line.region.y < panel.query_one(".alerts-title", Static).region.y
        assert [n.title for n in app._notifications].count("Sales stall") == 1
        add(shop, every(T0 + timedelta(minutes=75), T0 + timedelta(minutes=130)))
        set_clock(shop, T0 + timedelta(minutes=130))
        await wait_for(pilot, lambda: panel.stall is None)
        assert not line.display
        assert any("Orders resumed" in n.message for n in app._notifications)
        assert [n.title for n in app._notifications].count("Sales stall") == 2   # began, ended: no repeat
    close_app(app, panel)


async def test_a_stall_needs_no_toast_while_the_panel_shows_it(shop, store):
    from textual.widgets import Static

    from shopintel.tui.app import ShopApp
    from tests.live.test_panel import alert_panel, wait_for

    app = ShopApp(str(store))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started)
        await pilot.press("a")                                     # the panel on screen, nothing due yet
        await wait_for(pilot, lambda: panel.display)
        set_clock(shop, T0 + timedelta(minutes=70))
        await wait_for(pilot, lambda: panel.stall is not None)
        assert panel.query_one(".alerts-stall", Static).display
        assert [n.title for n in app._notifications].count("Sales stall") == 0
    close_app(app, panel)
