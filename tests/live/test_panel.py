"""The live alert panel in the app: a sale committed by another connection shows up as an alert and
a toast; x acknowledges; the Reorder tab carries the count; read-only cannot acknowledge. Those on each
backend (`any_live_store`); another program holding SQLite's write lock, on SQLite (`live_store`), and its
PostgreSQL counterpart, an import in flight, which an acknowledgement does not wait for (`pg_live`)."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Static, TabbedContent

from shopintel.store.db import connect
from tests.live.conftest import HeldWriteLock, close_app, frame, sell, stored_acks
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


async def test_a_sale_from_another_connection_raises_an_alert_in_the_panel(any_live_store, store):
    app = ShopApp(any_live_store)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started)
        assert not panel.display                       # nothing due: the panel starts hidden
        writer = store.connect()
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
    close_app(app, panel)
    writer.close()


async def test_read_only_app_shows_alerts_but_cannot_acknowledge(any_live_store, store):
    writer = store.connect()
    sell(writer, "FAST", 60)
    app = ShopApp(any_live_store, read_only=True)
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
    close_app(app, panel)
    writer.close()


async def _app_with_one_alert_shown(pilot, app):
    panel = await alert_panel(pilot, app)
    await wait_for(pilot, lambda: panel.started and panel.display and len(rows(app)) == 1)
    app.query_one(AlertTable).focus()
    await pilot.pause()
    return panel


async def test_acknowledging_while_another_program_holds_the_write_lock_keeps_the_app_responsive(live_store):
    sell(connect(live_store), "FAST", 60)               # due when the app opens: the panel shows it
    app = ShopApp(live_store)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _app_with_one_alert_shown(pilot, app)
        lock = HeldWriteLock(live_store)
        try:
            await pilot.press("x")
            # the app answers while the lock is held: the row says its acknowledgement is pending...
            await wait_for(pilot, lambda: any("pending" in cell for row in rows(app) for cell in row))
            assert lock.held
            # ...and other keys still work: h switches to the history view at once
            await pilot.press("h")
            assert panel.show_history and lock.held
            await pilot.press("h")
            assert not panel.show_history and lock.held
            assert stored_acks(live_store) == 0
        finally:
            lock.release()
        assert not lock.valve_fired, "the app waited on the lock until the test's safety valve let go"
        # the lock is gone: the pending acknowledgement is written, and the row leaves the active list
        await wait_for(pilot, lambda: stored_acks(live_store) == 1)
        await wait_for(pilot, lambda: panel.active_count == 0 and not rows(app))
        assert any(n.message.startswith("Acknowledged LOW FAST") for n in app._notifications)


@pytest.mark.pg
async def test_on_postgresql_acknowledging_during_an_import_is_stored_at_once(pg_live):
    """An import holds the shop's write lock (an advisory lock, store/pg/load.py) until it commits; the
    acknowledgement is one UPDATE of the alert, which must not wait for it, and the app stays responsive."""
    from tests.stores import Store

    store = Store("postgresql", pg_live)
    writer = store.connect()
    sell(writer, "FAST", 60)                            # due when the app opens
    app = ShopApp(pg_live)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _app_with_one_alert_shown(pilot, app)
        with writer.loader_class(writer, file_name="big.csv") as load:   # an import, not yet committed
            load.add(frame([("2026-01-05T10:00:00", "SLOW", 1)]))
            await pilot.press("x")
            await wait_for(pilot, lambda: stored_acks(store) == 1)
            await pilot.press("h")
            assert panel.show_history and writer.in_transaction
        await wait_for(pilot, lambda: panel.active_count == 0)
    close_app(app, panel)
    writer.close()


async def test_an_acknowledgement_that_cannot_be_written_says_so(live_store, monkeypatch):
    # the app stops retrying an acknowledgement after ACK_PATIENCE_S; here it may try only once
    monkeypatch.setattr(AlertPanel, "ACK_PATIENCE_S", 0.0)
    sell(connect(live_store), "FAST", 60)
    app = ShopApp(live_store)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _app_with_one_alert_shown(pilot, app)
        lock = HeldWriteLock(live_store)
        try:
            await pilot.press("x")
            await wait_for(pilot, lambda: any(n.title == "Acknowledgement not saved" for n in app._notifications))
            assert lock.held
            assert any("not saved" in cell for row in rows(app) for cell in row)    # the row says so too
            assert panel.active_count == 1
        finally:
            lock.release()
        assert not lock.valve_fired
        assert stored_acks(live_store) == 0
        await pilot.press("x")                           # the lock is gone: pressing x again stores it
        await wait_for(pilot, lambda: stored_acks(live_store) == 1)


async def test_quitting_while_another_program_holds_the_write_lock_does_not_wait_for_it(live_store):
    sell(connect(live_store), "FAST", 60)
    app = ShopApp(live_store)
    lock = None
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await _app_with_one_alert_shown(pilot, app)
            lock = HeldWriteLock(live_store)
            await pilot.press("x")                       # an acknowledgement waiting for the lock
            await pilot.press("q")
        # the app is gone while the lock is still held: quitting did not wait for it
        assert lock.held
        assert app.return_code == 0
    finally:
        if lock is not None:
            lock.release()
    assert not lock.valve_fired
