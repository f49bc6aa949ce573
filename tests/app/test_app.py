"""Pilot tests: every tab and every key, asserting on what is shown."""

from __future__ import annotations

import re
import sqlite3

import pytest
from textual.widgets import Static, TabbedContent

from tests.app.conftest import drawn, settle
from shopintel.tui.app import EmptyScreen, ShopApp
from shopintel.tui.cmd_app import empty_store_message
from shopintel.tui.data import Store
from shopintel.tui.screens.detail import CategoryScreen, CustomerScreen, ProductScreen, SegmentScreen
from shopintel.tui.screens.modals import HelpScreen
from shopintel.tui.widgets.report_table import ReportTable

TABS = ["overview", "revenue", "whales", "top-sellers", "categories", "reorder", "segments"]


def text_of(widget) -> str:
    return str(widget.render())


def table(app, tab) -> ReportTable:
    return app.query_one(f"#pane-{tab}").query(ReportTable).first()


def cells(t: ReportTable) -> list[list[str]]:
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def test_overview_shows_kpis_chart_and_tops(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        revenue_card = text_of(app.query_one("#kpi-revenue", Static))
        assert "Net revenue" in revenue_card and "," in revenue_card
        assert "28d" in revenue_card and ("▲" in revenue_card or "▼" in revenue_card)
        top = app.query_one("#top-whales", ReportTable)
        assert top.row_count == 5
        conn = sqlite3.connect(shop)
        whale = conn.execute("SELECT c.name FROM agg_customer a JOIN customers c USING (customer_id) "
                             "ORDER BY a.net_cents DESC, a.customer_id LIMIT 1").fetchone()[0]
        assert whale in cells(top)[0]
        assert "Active reorder alerts" in text_of(app.query_one("#alert-count", Static))


@pytest.mark.parametrize("key,tab", list(zip("2345671", TABS[1:] + TABS[:1])))
async def test_number_keys_jump_to_each_tab_and_load_it(shop, key, tab):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press(key)
        await settle(pilot, app)
        assert app.query_one(TabbedContent).active == tab
        if tab != "overview":
            t = table(app, tab)
            assert t.row_count > 0
            status = text_of(app.query_one(f"#pane-{tab}").query_one(".status", Static))
            assert "showing" in status


async def test_tab_and_arrows_move_and_jk_g_G_walk_the_table(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        t = table(app, "whales")
        assert app.focused is t
        await pilot.press("j", "j")
        assert t.cursor_row == 2
        await pilot.press("k")
        assert t.cursor_row == 1
        await pilot.press("G")
        assert t.cursor_row == t.row_count - 1
        await pilot.press("g")
        assert t.cursor_row == 0


async def test_whales_concentration_line_and_customer_detail(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        status = text_of(app.query_one("#pane-whales").query_one(".status", Static))
        assert "Top 1% of customers bring" in status
        assert re.search(r"showing [\d,]+ of [\d,]+", status)
        name = cells(table(app, "whales"))[0][table(app, "whales").visible_columns().index("customer_name")]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, CustomerScreen)
        assert name in text_of(app.screen.query_one(".detail-title", Static))
        assert "RFM segment:" in text_of(app.screen.query_one(".status", Static))
        assert app.screen.query_one(ReportTable).row_count > 0
        await pilot.press("escape")
        assert not isinstance(app.screen, CustomerScreen)


async def test_top_sellers_threshold_window_and_product_detail(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        pane = app.query_one("#pane-top-sellers")
        before = table(app, "top-sellers").row_count
        await pilot.press("plus", "plus")
        await settle(pilot, app)
        assert pane.options['min_per_week'] == 5.0
        assert "more than 5 units/week" in text_of(pane.query_one(".status", Static))
        assert table(app, "top-sellers").row_count <= before
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert pane.options['window_days'] == 14
        await pilot.press("minus", "minus", "minus", "minus", "minus")
        await settle(pilot, app)
        assert pane.options['min_per_week'] == 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ProductScreen)
        assert "Stock:" in text_of(app.screen.query_one(".status", Static))


async def test_option_keys_act_only_on_the_tab_that_has_them(shop):
    """The threshold has no ceiling; the Reorder tab (whose rule is the live monitor's) takes no option
    keys, so its table and the alerts never disagree."""
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        pane = app.query_one("#pane-top-sellers")
        pane.options["min_per_week"] = 60.0
        await pilot.press("plus")
        await settle(pilot, app)
        assert pane.options["min_per_week"] == 61.0
        await pilot.press("6")
        await settle(pilot, app)
        reorder = app.query_one("#pane-reorder")
        rows = table(app, "reorder").row_count
        await pilot.press("minus", "minus", "left_square_bracket")
        await settle(pilot, app)
        assert reorder.options == {} and table(app, "reorder").row_count == rows


async def test_categories_driver_and_drill_down(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("home", "down", "enter")    # last 28 days
        await settle(pilot, app)
        assert "last 28 days" in app.sub_title
        await pilot.press("5")
        await settle(pilot, app)
        status = text_of(app.query_one("#pane-categories").query_one(".status", Static))
        assert re.search(r"· \S+ drove the (growth|decline) \([+-]\d+\.\d points\) ·", status)
        assert any("◆ driver" in row for row in map(" ".join, cells(table(app, "categories"))))
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, CategoryScreen)
        assert app.screen.query_one(ReportTable).row_count > 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ProductScreen)


async def test_reorder_statuses_are_words(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        rows = cells(table(app, "reorder"))
        assert rows and {r[0] for r in rows} <= {"OUT", "LOW", "OK"}
        assert "LOW" in {r[0] for r in rows} or "OUT" in {r[0] for r in rows}


async def test_segments_enter_lists_customers(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("7")
        await settle(pilot, app)
        segment = cells(table(app, "segments"))[0][0]
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, SegmentScreen) and app.screen.segment == segment
        assert app.screen.query_one(ReportTable).row_count > 0


async def test_revenue_grain_profile_and_table_toggle(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await settle(pilot, app)
        pane = app.query_one("#pane-revenue")
        await pilot.press("w")
        await settle(pilot, app)
        assert pane.options['grain'] == "week" and "revenue per week" in text_of(pane.query_one(".status", Static))
        await pilot.press("p")
        await settle(pilot, app)
        assert [r[0] for r in cells(table(app, "revenue"))] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        await pilot.press("p")
        await settle(pilot, app)
        assert [r[0] for r in cells(table(app, "revenue"))][:2] == ["Jan", "Feb"]
        await pilot.press("t")
        assert pane.has_class("table-mode")


async def test_filter_sort_export_copy(shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        t = table(app, "whales")
        all_rows = t.row_count
        name = cells(t)[3][t.visible_columns().index("customer_name")]
        await pilot.press("slash")
        await pilot.press(*name.lower())
        await pilot.press("enter")
        await pilot.pause()
        rows = cells(t)
        assert rows and all(name.lower() in " ".join(r).lower() for r in rows)
        assert "filter" in text_of(app.query_one("#pane-whales").query_one(".status", Static))
        await pilot.press("slash", "escape")          # Esc clears the filter
        await pilot.pause()
        assert t.row_count == all_rows
        t.move_cursor(column=t.visible_columns().index("spend"))
        await pilot.press("s")
        await pilot.pause()
        assert t.sort_column == "spend" and not t.sort_ascending
        await pilot.press("s")
        await pilot.pause()
        assert t.sort_column == "spend" and t.sort_ascending
        await pilot.press("e")
        await pilot.pause()
        exported = list(tmp_path.glob("shopintel-whales-*.csv"))
        assert len(exported) == 1 and exported[0].read_text().startswith("rank,customer_id")
        await pilot.press("y")
        assert "\t" in app.clipboard


async def test_help_lists_every_key_of_the_screen(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = text_of(app.screen.query_one("#help-keys", Static))
        for needle in ("pick the date range", "filter the rows", "export the current table", "raise the units",
                       "quit shopintel", "first row"):
            assert needle in shown
        await pilot.press("escape")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_command_palette_lists_reports(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"segments")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.query_one(TabbedContent).active == "segments"


async def test_custom_period(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("end", "enter")             # custom dates…
        await pilot.press(*"2026-01-01", "enter", *"2026-03-31", "enter")
        await settle(pilot, app)
        assert "2026-01-01 .. 2026-03-31" in app.sub_title
        assert "2026-01-01 .. 2026-03-31" in text_of(app.query_one("#pane-overview").query_one(".status", Static))


async def test_missing_and_empty_store_say_how_to_import(tmp_path):
    missing = tmp_path / "none.db"
    msg = empty_store_message(missing)
    assert f"shopintel ingest orders.csv --db {missing}" in msg
    app = ShopApp(missing, read_only=True, empty_message=msg)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, EmptyScreen)
        await pilot.press("q")
    from shopintel.store.db import connect

    connect(tmp_path / "empty.db").close()
    assert "has no sales yet" in empty_store_message(tmp_path / "empty.db")


async def test_hostile_names_display_as_themselves_on_every_tab(hostile_shop):
    app = ShopApp(hostile_shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        for key in "234567":
            await pilot.press(key)
            await settle(pilot, app)
        whales = " ".join(" ".join(r) for r in cells(table(app, "whales")))
        for name in ("[/b]", "[red]x[/]", "🦈 Whale Inc 🐳", "東京の顧客様", "[link=x]y[/link]", "$(rm -rf ~)"):
            assert name in whales
        assert "\x1b" not in whales and "\\x1b[31mred" in whales     # escapes are shown, not obeyed
        categories = " ".join(" ".join(r) for r in cells(table(app, "categories")))
        assert "[bold]Outdoor[/bold]" in categories
        await pilot.press("3", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, CustomerScreen)


async def test_small_terminal_shows_a_hint_not_a_crash(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot, app)
        hint = app.query_one("#too-small", Static)
        assert hint.has_class("shown") and "too small" in text_of(hint)
        for key in "2345671":
            await pilot.press(key)
        await settle(pilot, app)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert not hint.has_class("shown")


async def test_a_failing_query_is_a_toast_and_the_app_keeps_running(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        # the store is replaced under the app by a file that is not SQLite: the next query fails
        garbage = shop.parent / "garbage.db"
        garbage.write_bytes(b"this is not a database" * 100)
        app.store = Store(garbage)
        await pilot.press("3")
        await settle(pilot, app)
        assert any("Could not load" in (n.title or "") for n in app._notifications)
        assert app.is_running
        app.store = Store(shop)
        await pilot.press("r")
        await settle(pilot, app)
        assert table(app, "whales").row_count > 0


def test_a_filter_typed_before_the_first_rows_is_kept_for_them():
    """`/` and a name typed while a tab's first load is still running: nothing to narrow yet, no error."""
    from shopintel.tui.widgets.report_table import ReportTable

    t = ReportTable()
    t.set_filter("tamara")
    assert t.filter_text == "tamara" and t.matches is None and t.status_line() == "loading"


@pytest.mark.parametrize("width,names", [
    (80, ["1 Overview", "2 Revenue", "3 Whales", "4 Sellers", "5 Categories", "6 Reorder", "7 RFM"]),
    (100, ["1 Overview", "2 Revenue", "3 Whales", "4 Top Sellers", "5 Categories", "6 Reorder", "7 Segments"]),
])
async def test_every_tab_key_and_a_whole_name_are_on_the_tab_bar(shop, width, names):
    """At 80 columns the registry's short titles keep every tab readable (no '7 Segme'); wider, the full ones."""
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot, app)
        bar = next(line for line in drawn(app).splitlines() if "1 Overview" in line)
        assert all(name in bar for name in names), bar
        assert bar.rstrip().endswith(names[-1])   # the last tab is whole, not cut at the edge


async def test_a_period_after_the_latest_sale_says_so_on_every_period_tab(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("end", "enter")             # custom dates: a start after the latest sale, no end
        await pilot.press(*"2030-01-01", "enter", "enter")
        await settle(pilot, app)
        line = "no sales after 2026-06-30 (the latest sale); pick an earlier start"
        assert line in text_of(app.query_one("#pane-overview").query_one(".status", Static))
        for key, tab in (("3", "whales"), ("5", "categories"), ("7", "segments")):
            await pilot.press(key)
            await settle(pilot, app)
            status = text_of(app.query_one(f"#pane-{tab}").query_one(".status", Static))
            assert line in status and "2030-01-01 .. 2030-01-01" not in status
