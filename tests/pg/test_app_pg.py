"""The app on a PostgreSQL store: every tab shows the figures the SQLite app shows for the same imports, the
title names the store without its password, `--read-only` writes nothing (its sessions are READ ONLY), an
acknowledgement is written to the primary and seen, and the installed `shopintel tui --db postgresql://...`
runs in a real terminal (tmux)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from shopintel.store.db import connect
from shopintel.store.ingest import IngestOptions, ingest_file
from shopintel.store.pg import connection as pgc
from shopintel.store.pg.url import parse
from shopintel.store.stock import import_stock
from shopintel.tui.app import ShopApp
from shopintel.tui.cmd_app import empty_store_message
from shopintel.tui.widgets.report_table import ReportTable
from tests.app.conftest import drawn, settle, wait_for
from tests.app.test_app import cells
from tests.live.conftest import close_app, fill_live_store, sell
from tests.live.test_panel import alert_panel, rows

pytestmark = pytest.mark.pg

ROOT = Path(__file__).resolve().parents[2]
SECRET = "pw-Secret-7"      # the cluster trusts 127.0.0.1: any password is accepted, and must never show
TABS = "1234567"


def with_password(url: str, user: str) -> str:
    return url.replace(f"://{user}@", f"://{user}:{SECRET}@")


@pytest.fixture(scope="module")
def shops(tmp_path_factory, pg_cluster):
    """The sample orders and stock counts imported into an SQLite file and into a PostgreSQL schema (its URL
    with a password), once for the module: the tests that share them only read them."""
    tmp = tmp_path_factory.mktemp("app_pg")
    db = tmp / "shop.db"
    url = with_password(pg_cluster.url(schema="app_pg"), pg_cluster.user)
    for conn in (connect(db), pgc.connect(url)):
        try:
            ingest_file(conn, str(ROOT / "data" / "sample_orders.csv"), IngestOptions(rejects_path=str(tmp / "r.csv")))
            import_stock(conn, str(ROOT / "data" / "sample_stock.csv"))
        finally:
            conn.close()
    return db, url


def pane_text(app, tab: str) -> dict:
    """What a tab shows: every line of text and every table cell of its pane."""
    pane = app.query_one(f"TabPane#{tab}")
    return {"text": [str(s.render()) for s in pane.query(Static) if s.display],
            "tables": [cells(t) for t in pane.query(ReportTable)]}


async def every_tab(store) -> tuple[dict, str, str]:
    app = ShopApp(store, read_only=True, live_alerts=False)
    shown = {}
    async with app.run_test(size=(120, 40)) as pilot:
        for key, tab in zip(TABS, ("overview", "revenue", "whales", "top-sellers", "categories", "reorder",
                                   "segments")):
            await pilot.press(key)
            await settle(pilot, app)
            shown[tab] = pane_text(app, tab)
        screen = drawn(app)
    close_app(app)
    return shown, app.sub_title, screen


async def test_every_tab_shows_the_sqlite_apps_figures_and_the_title_masks_the_password(shops, pg_cluster):
    db, url = shops
    lite, _, _ = await every_tab(db)
    pg, title, screen = await every_tab(url)
    for tab, seen in lite.items():
        assert seen["tables"] and any(seen["tables"]), f"{tab}: nothing to compare"
        assert pg[tab] == seen, f"the {tab} tab differs on PostgreSQL"
    assert title.startswith(f"{parse(url).name} · ") and title.endswith("read-only")
    assert "app_pg on 127.0.0.1" in screen                          # the header names the store ...
    for shown in (title, screen):
        assert SECRET not in shown and f"{pg_cluster.user}:" not in shown and "@" not in shown   # ... nor user


def test_a_missing_postgresql_store_says_so_with_the_password_masked(pg_url, pg_cluster):
    message = empty_store_message(parse(with_password(pg_url, pg_cluster.user)))
    assert "no store at" in message and "shopintel ingest" in message and "***" in message
    assert SECRET not in message


@pytest.fixture
def live_pg(pg_live):
    """The live store (one fast mover, FAST) on PostgreSQL, with a sale that makes FAST due for reorder."""
    with pgc.connect(pg_live) as conn:
        sell(conn, "FAST", 60)
    return pg_live


def acks(url: str) -> tuple[int, int]:
    """(alerts stored, alerts acknowledged), read on the primary."""
    with pgc.connect_read_only(url) as r:
        return tuple(r.execute("SELECT count(*), count(acknowledged_at) FROM alerts").fetchone())


async def test_read_only_shows_the_alert_and_writes_nothing(live_pg):
    app = ShopApp(live_pg, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started and len(rows(app)) == 1)
        assert "read-only: x disabled" in str(app.query_one(".alerts-title", Static).render())
        await pilot.press("x")
        await wait_for(pilot, lambda: any("Read-only" in n.message for n in app._notifications))
        for reader in (app.store.conn(), panel.monitor.reader):     # the tabs' and the monitor's sessions
            assert reader.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        assert panel.writer is None
    close_app(app, panel)
    assert acks(live_pg) == (0, 0)                                  # the alert lived in memory only


async def test_an_acknowledgement_is_written_and_seen(live_pg):
    app = ShopApp(live_pg)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started and len(rows(app)) == 1)
        assert acks(live_pg) == (1, 0)                              # the monitor stored the alert
        await pilot.press("x")
        await wait_for(pilot, lambda: acks(live_pg) == (1, 1))
        await wait_for(pilot, lambda: panel.active_count == 0 and any(
            n.title == "Alert acknowledged" and "LOW FAST" in n.message for n in app._notifications))
    close_app(app, panel)


def test_the_installed_app_runs_on_postgresql_in_a_real_terminal(shops):
    from tests.e2e.conftest import shopintel_argv
    from tests.e2e.terminal import Terminal, shell_join

    _, url = shops
    with Terminal(shell_join([*shopintel_argv(), "tui", "--db", url, "--read-only"]), width=100, height=30) as t:
        screen = t.wait_for("Net revenue", "1 Overview", "app_pg on 127.0.0.1", timeout=30)
        t.send("3")
        screen += t.wait_for("Top 1% of customers bring", timeout=20)
        t.send("6")
        screen += t.wait_for("fast movers", timeout=20)
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")
        assert SECRET not in screen + t.screen() + t.pane_title()


async def test_on_a_standby_acks_go_to_the_primary_and_the_lag_shows_in_the_title_and_in_report(replicas, pg_standby):
    """The app on a URL that lists the standby first with prefer-standby: its tabs read the standby, its
    monitor and acknowledgement the primary. With the standby's replay paused, the title and `report`'s
    stderr say how far behind it is; resumed, the line goes."""
    from shopintel.store.errors import StoreError
    from tests.conftest import shopintel
    from tests.pg.test_standby import _wait

    primary, both, standby_admin = replicas
    with pgc.connect(primary) as conn:
        fill_live_store(conn)
        sell(conn, "FAST", 60)

    def replayed() -> bool:
        try:
            with pgc.connect_read_only(both) as r:
                return r.execute("SELECT count(*) FROM sales").fetchone()[0] > 0
        except StoreError:   # the shop's schema not replayed yet
            return False

    assert _wait(replayed), "the standby did not replay the store"
    app = ShopApp(both)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await alert_panel(pilot, app)
        await wait_for(pilot, lambda: panel.started and len(rows(app)) == 1)
        assert app.store.conn().execute("SELECT pg_is_in_recovery()").fetchone()[0]      # the tabs: the standby
        await pilot.press("x")
        await wait_for(pilot, lambda: acks(primary) == (1, 1))

        standby_admin.execute("SELECT pg_wal_replay_pause()")
        with pgc.connect(primary) as conn:
            sell(conn, "FAST", 1)
        await wait_for(pilot, lambda: "behind" in app.sub_title, "the lag in the title", timeout=30)
        assert " · standby " in app.sub_title and " s behind" in app.sub_title
        report = shopintel("report", "summary", "--format", "json", "--db", both)
        assert report.returncode == 0 and report.stdout.startswith("{")
        assert "reading from a standby" in report.stderr and "behind the primary" in report.stderr
        standby_admin.execute("SELECT pg_wal_replay_resume()")
        await wait_for(pilot, lambda: "behind" not in app.sub_title, "the lag to leave the title", timeout=30)
        assert "standby" not in shopintel("report", "summary", "--db", both).stderr
    close_app(app, panel)
    # nothing ever tried to write to the standby: it would have refused, and logged the refusal
    assert "read-only transaction" not in pg_standby.log.read_text(errors="replace")
