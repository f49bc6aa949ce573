"""The app's alert counts agree across LOW -> OUT -> restock (the Reorder tab's title and line, the
Overview's line, the panel's header); the newest alert is readable at 80x24 and 100x30 without a key
press; x acknowledges from the table that has the focus, and says so; h marks acknowledged alerts. On each
backend (`any_live_store`)."""

from __future__ import annotations

import pytest
from textual.widgets import Static, TabbedContent

from shopintel.store.stock import set_stock
from shopintel.tui.app import ShopApp
from shopintel.tui.widgets.alerts import AlertTable
from tests.app.conftest import drawn
from tests.live.conftest import close_app, sell, stored_acks
from tests.live.test_alert_states import raised_a_minute_ago
from tests.live.test_panel import alert_panel, rows, wait_for


def text(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def counts(app) -> dict:
    """Every place the app counts alerts, as shown."""
    return {"tab": str(app.query_one(TabbedContent).get_tab("reorder").label),
            "reorder": text(app, "#pane-reorder .status"),
            "overview": text(app, "#alert-count"),
            "panel": text(app, ".alerts-title")}


async def agree(pilot, app, active: int, out: int, low: int) -> None:
    """Wait until every count says `active` and the Reorder tab's line says OUT `out` · LOW `low`."""
    def ok() -> bool:
        c = counts(app)
        return ((f"Reorder ({active})" in c["tab"]) if active else ("(" not in c["tab"])) \
            and f"OUT {out} · LOW {low} · OK " in c["reorder"] \
            and f"· {active} active alert" in c["reorder"] \
            and f"Active reorder alerts: {active}" in c["overview"] \
            and f"Reorder alerts · {active} active" in c["panel"]
    try:
        await wait_for(pilot, ok, timeout=20)
    except AssertionError:
        raise AssertionError(f"the counts disagree: {counts(app)}") from None


async def test_low_out_restock_every_count_in_the_app_agrees(any_live_store, store):
    app = ShopApp(any_live_store)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started)
        await pilot.press("6")                              # the Reorder tab, loaded now
        await agree(pilot, app, active=0, out=0, low=0)
        w = store.connect()
        sell(w, "FAST", 60)                                 # LOW
        await wait_for(pilot, lambda: panel.active_count == 1)
        await pilot.press("r")
        await agree(pilot, app, active=1, out=0, low=1)
        sell(w, "FAST", 100)                                # OUT: the LOW alert is superseded, one alert
        await wait_for(pilot, lambda: panel.newest() is not None and panel.newest()["status"] == "OUT")
        await pilot.press("r")
        await agree(pilot, app, active=1, out=1, low=0)
        raised_a_minute_ago(store)
        set_stock(w, "FAST", 500)                           # the restock resolves it
        await wait_for(pilot, lambda: panel.active_count == 0)
        await pilot.press("r")
        await agree(pilot, app, active=0, out=0, low=0)
    close_app(app, panel)
    w.close()


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_newest_alert_is_readable_and_x_from_the_table_acknowledges_it(any_live_store, store, size):
    w = store.connect()
    sell(w, "FAST", 60)                                     # due when the app opens
    w.close()
    app = ShopApp(any_live_store)
    async with app.run_test(size=size) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started and panel.display and len(rows(app)) == 1)
        await pilot.pause(0.2)
        screen = drawn(app)
        assert "LOW FAST Fast: on hand 90 <= reorder point 123" in screen      # the line under the title
        table_row = [line for line in screen.splitlines() if "LOW" in line and "FAST" in line and "123" in line
                     and "Fast:" not in line]
        assert table_row, f"no alert row on screen:\n{screen}"
        await pilot.press("6")                              # the Reorder tab's table has the focus
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "pane-reorder-table")
        await pilot.press("x")
        await wait_for(pilot, lambda: stored_acks(store) == 1)
        await wait_for(pilot, lambda: any(n.title == "Alert acknowledged" and "LOW FAST" in n.message
                                          for n in app._notifications))
        await wait_for(pilot, lambda: panel.active_count == 0)
    close_app(app, panel)


async def test_history_marks_the_acknowledged_and_superseded_alerts(any_live_store, store):
    w = store.connect()
    sell(w, "FAST", 60)
    app = ShopApp(any_live_store)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started and len(rows(app)) == 1)
        await pilot.press("x")                              # from the Overview: the newest
        await wait_for(pilot, lambda: stored_acks(store) == 1 and panel.active_count == 0)
        sell(w, "FAST", 100)                                # OUT: a new alert, which supersedes the LOW one
        await wait_for(pilot, lambda: panel.active_count == 1)
        await pilot.press("h")
        await wait_for(pilot, lambda: len(rows(app)) == 2)
        by_status = {r[1]: r[0] for r in rows(app)}         # state, then status: the panel's first columns
        assert by_status == {"OUT": "active", "LOW": "superseded, acked"}
        app.query_one(AlertTable).focus()
        await pilot.press("x")                              # the OUT alert, under the cursor
        await wait_for(pilot, lambda: stored_acks(store) == 2)
        await wait_for(pilot, lambda: {r[1]: r[0] for r in rows(app)} == {"OUT": "acknowledged",
                                                                                "LOW": "superseded, acked"})
    close_app(app, panel)
    w.close()
