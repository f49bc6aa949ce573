"""The live alert panel in the app: a sale committed by another connection shows up as an alert and
a toast; x acknowledges; the Reorder tab carries the count; read-only cannot acknowledge."""

from __future__ import annotations

import time

from textual.widgets import Static, TabbedContent

from shopintel.store.db import connect
from tests.live.conftest import sell
from shopintel.tui.app import ShopApp
from shopintel.tui.widgets.alerts import AlertPanel, AlertTable


async def wait_for(pilot, predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        if predicate():
            return
    raise AssertionError("condition not met in time")


async def alert_panel(pilot, app) -> AlertPanel:
    """The panel, once mounted: the app mounts it after the Overview's first figures are on screen."""
    await wait_for(pilot, lambda: bool(app.query(AlertPanel)))
    return app.query_one(AlertPanel)


def rows(app):
    t = app.query_one(AlertTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def test_a_sale_from_another_connection_raises_an_alert_in_the_panel(live_store):
    app = ShopApp(live_store)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started)
        assert not panel.display                       # nothing due: the panel starts hidden
        writer = connect(live_store)
        sell(writer, "FAST", 60)                       # another process's checkout
        await wait_for(pilot, lambda: panel.active_count == 1)
        assert any(n.title == "Reorder alert" and "FAST" in n.message for n in app._notifications)
        await pilot.press("a")                         # show the panel
        await wait_for(pilot, lambda: len(rows(app)) == 1)
        assert "LOW" in rows(app)[0] and "FAST" in rows(app)[0]
        tab = app.query_one(TabbedContent).get_tab("reorder")
        assert "(1)" in str(tab.label)
        app.query_one(AlertTable).focus()
        await pilot.press("x")                         # acknowledge: stored
        await wait_for(pilot, lambda: panel.active_count == 0)
        assert writer.execute("SELECT acknowledged_at IS NOT NULL FROM alerts").fetchone() == (1,)
        await pilot.press("h")                         # history shows it again
        await wait_for(pilot, lambda: len(rows(app)) == 1)


async def test_read_only_app_shows_alerts_but_cannot_acknowledge(live_store):
    writer = connect(live_store)
    sell(writer, "FAST", 60)
    app = ShopApp(live_store, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started and panel.display)   # due at start: shown at once
        await wait_for(pilot, lambda: len(rows(app)) == 1)
        # nothing is stored read-only: the Overview's alert line must still count the panel's alert
        line = app.query_one("#alert-count", Static)
        await wait_for(pilot, lambda: "Active reorder alerts: 1" in str(line.render()))
        app.query_one(AlertTable).focus()
        await pilot.press("x")
        await pilot.pause(0.2)
        assert any("Read-only" in n.message for n in app._notifications)
        assert writer.execute("SELECT count(*) FROM alerts").fetchone() == (0,)
