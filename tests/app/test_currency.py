"""The shop's currency on screen: money headers, the Overview's money cards and chart titles name it, in
the app and in `report`'s tables and charts; JSON and CSV stay plain numbers. A store that never had a
currency named shows none."""

from __future__ import annotations

import json

from textual.widgets import Static

from shopintel.store import settings
from shopintel.store.db import connect
from shopintel.tui.app import ShopApp
from shopintel.tui.widgets.report_table import ReportTable
from tests.app.conftest import settle


def with_currency(path, code: str):
    conn = connect(path)
    settings.put(conn, settings.CURRENCY, code)
    conn.commit()
    conn.close()
    return path


def headers(t: ReportTable) -> list[str]:
    return [str(c.label) for c in t.ordered_columns]


async def test_the_app_names_the_currency_on_money_cards_and_headers(shop):
    with_currency(shop, "EUR")
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        revenue = str(app.query_one("#kpi-revenue", Static).render()).splitlines()
        assert revenue[0] == "Net revenue" and revenue[1].endswith(" EUR")    # one line each, at any width
        assert str(app.query_one("#kpi-aov", Static).render()).splitlines()[1].endswith(" EUR")
        assert "EUR" not in str(app.query_one("#kpi-orders", Static).render())
        top = headers(app.query_one("#top-whales", ReportTable))
        assert [h.split(" ▲")[0].split(" ▼")[0] for h in top if "(EUR)" in h] == ["spend (EUR)"]   # money only
        await pilot.press("3")
        await settle(pilot, app)
        whales = headers(app.query_one("#pane-whales").query(ReportTable).first())
        assert any("spend (EUR)" in h for h in whales) and any("aov (EUR)" in h for h in whales)


async def test_the_app_started_by_the_command_line_learns_it_from_the_prefetched_cards(shop):
    """`shopintel tui` computes the first cards before the app runs, with a Store of its own."""
    from shopintel.tui.data import PeriodChoice, Store, in_background

    with_currency(shop, "SEK")
    cards = in_background(Store(shop).overview_cards, PeriodChoice())
    cards.result()
    app = ShopApp(shop, read_only=True, live_alerts=False, first_cards=cards)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.store.currency == "SEK"
        assert [h for h in headers(app.query_one("#top-whales", ReportTable)) if "SEK" in h]


async def test_a_store_without_a_currency_shows_none(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        card = str(app.query_one("#kpi-revenue", Static).render())
        assert "Net revenue" in card and "(" not in card.splitlines()[0]
        assert not any("(" in h for h in headers(app.query_one("#top-whales", ReportTable)))


def test_report_tables_and_charts_name_it_and_json_does_not(shop, cli):
    with_currency(shop, "GBP")
    r = cli("report", "whales", "--limit", "3", "--db", str(shop))
    assert r.returncode == 0, r.stderr
    assert "spend (GBP)" in r.stdout and "aov (GBP)" in r.stdout and "orders (GBP)" not in r.stdout
    r = cli("report", "summary", "--db", str(shop))
    assert "revenue (GBP)" in r.stdout and "orders (GBP)" not in r.stdout
    r = cli("report", "categories", "--format", "plot", "--db", str(shop))
    assert "Revenue by category (GBP)" in r.stdout
    r = cli("report", "whales", "--limit", "1", "--format", "json", "--db", str(shop))
    assert set(json.loads(r.stdout)[0]) >= {"spend", "aov"} and "GBP" not in r.stdout
