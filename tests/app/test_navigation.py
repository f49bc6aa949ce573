"""Keys a newcomer uses without reading the code: picking the column to sort with the arrows, the
help fitting a small terminal, charts keeping the latest periods."""

from __future__ import annotations

from textual.widgets import Static

from tests.app.conftest import settle
from shopintel.tui.app import ShopApp
from shopintel.tui.screens.detail import ProductScreen
from shopintel.tui.screens.modals import HelpScreen
from shopintel.tui.widgets.chart import Chart
from shopintel.tui.widgets.report_table import ReportTable


def whales_table(app) -> ReportTable:
    return app.query_one("#pane-whales").query(ReportTable).first()


async def test_arrows_pick_the_column_that_s_sorts_by(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        t = whales_table(app)
        spend = t.visible_columns().index("spend")
        await pilot.press(*["right"] * spend)
        assert t.cursor_column == spend
        # the picked column's header is underlined (readable without colour)
        assert "underline" in str(t.ordered_columns[spend].label.style)
        await pilot.press("s")
        await pilot.pause()
        assert t.sort_column == "spend" and not t.sort_ascending
        values = [float(str(t.get_row_at(i)[spend]).replace(",", "")) for i in range(t.row_count)]
        assert values == sorted(values, reverse=True)
        await pilot.press("left")
        assert t.cursor_column == spend - 1
        await pilot.press(*["right"] * 40)        # stops at the last column, no crash
        assert t.cursor_column == len(t.columns) - 1


async def test_table_cells_are_not_cut_to_the_header_width(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await settle(pilot, app)
        t = app.query_one("#pane-categories").query(ReportTable).first()
        for key, column in t.columns.items():
            widest = max(t.get_cell(row, key).cell_len for row in t.rows)
            assert column.get_render_width(t) >= min(widest, 40) + 2 * t.cell_padding


async def test_help_fits_80x24_and_scrolls_when_shorter(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys", Static)
        text = str(keys.render())
        assert "1-7" in text and "Top Sellers" in text and "G" in text
        scroll = app.screen.query_one("#help-scroll")
        # the box stays on screen, its title and its last line (how to scroll, how to close) with it;
        # the keys scroll between them when they are more than the screen holds
        box, foot = app.screen.query_one("#help-box"), app.screen.query_one("#help-foot")
        assert box.region.y >= 0 and box.region.bottom <= 24 and foot.region.bottom <= box.region.bottom
        assert "scroll" in str(foot.render()) and "Esc" in str(foot.render())
        assert scroll.region.height >= keys.region.height or scroll.max_scroll_y > 0   # what is below scrolls
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")                                  # Top Sellers: the most keys
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        box, foot = app.screen.query_one("#help-box"), app.screen.query_one("#help-foot")
        assert box.region.bottom <= 24 and foot.region.bottom <= box.region.bottom
        assert app.screen.query_one("#help-scroll").max_scroll_y > 0
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 14)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        scroll = app.screen.query_one("#help-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("j", "j")
        await pilot.pause()
        assert scroll.scroll_y > 0


async def test_product_chart_ends_with_the_latest_week(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ProductScreen)
        table = app.screen.query_one(ReportTable)
        latest_week = str(table.get_row_at(0)[0])              # newest first in the table
        chart = app.screen.query_one(Chart)
        assert latest_week[5:] in str(chart.render())          # and last on the chart


async def test_top_sellers_tab_lists_the_products_above_the_threshold(shop):
    import sqlite3
    from datetime import timedelta

    from tests.app.conftest import END

    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        await settle(pilot, app)
        pane = app.query_one("#pane-top-sellers")
        start = END - timedelta(days=pane.options['window_days'] - 1)
        conn = sqlite3.connect(shop)
        expected = {sku for sku, in conn.execute(
            "SELECT p.sku FROM agg_product_day a JOIN products p USING (product_id) "
            "WHERE a.day BETWEEN ? AND ? AND p.is_merch = 1 GROUP BY a.product_id HAVING sum(a.units) > ?",
            (start.isoformat(), END.isoformat(), pane.options['min_per_week'] * pane.options['window_days'] / 7))}
        shown = set(pane.table.kept.page().column("sku"))
        assert expected and shown == expected
