"""The views inside a tab (registry `view_of`): the Whales tab shows cohorts and CLV, Top Sellers baskets
and ABC-XYZ; `v` steps through them, the palette and help name them, each is readable at 80x24."""

from __future__ import annotations

from textual.widgets import ContentSwitcher, DataTable, Static

from shopintel.reports.abc_xyz import abc_xyz
from shopintel.reports.params import Params, resolve
from shopintel.store.db import connect_read_only
from shopintel.tui.actions import help_rows
from shopintel.tui.app import ShopApp, ShopCommands
from shopintel.tui.screens.detail import ProductListScreen
from shopintel.tui.widgets.report_table import ReportTable
from tests.app.conftest import drawn, settle, wait_for


def _current(app, tab: str) -> str:
    return app.query_one(f"#views-{tab}", ContentSwitcher).current


async def test_v_steps_through_the_views_of_a_tab_and_each_loads(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        assert "views: [Whales] · Cohorts · CLV" in str(app.query_one("#viewbar-whales", Static).render())
        whales = app.query_one("#pane-whales").table
        assert "p_alive" in whales.visible_columns()          # beside each whale
        # the fit is a second step (seconds on a big store): it fills the column once done
        at = whales.kept.columns.index("p_alive")
        await wait_for(pilot, lambda: all(r[at] is not None for r in whales.window.rows), "p alive filled in")
        assert "fitting" not in str(app.query_one("#pane-whales .status", Static).render())
        for name, text in (("cohorts", "[Cohorts]"), ("clv", "[CLV]"), ("whales", "[Whales]")):
            await pilot.press("v")
            await settle(pilot, app)
            assert _current(app, "whales") == f"pane-{name}" and app.shown() == name
            assert text in str(app.query_one("#viewbar-whales", Static).render())
            assert app.focused is not None and app.pane(name) in app.focused.ancestors
        await pilot.press("v", "v")
        await settle(pilot, app)
        screen = drawn(app)
        assert "BG/NBD fit on" in screen and "p alive" in screen
        await pilot.press("4", "v")                          # each tab keeps its own view
        await settle(pilot, app)
        assert app.shown() == "basket" and "sku a" in drawn(app)
        await pilot.press("3")
        await settle(pilot, app)
        assert app.shown() == "clv"
        await pilot.press("2", "v")                          # a tab of one view says which have more
        await pilot.pause()
        assert any("Whales, Top Sellers" in n.message for n in app._notifications)


async def test_the_palette_and_the_help_name_every_view(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        provider = ShopCommands(app.screen)
        names = [text for text, _, _ in provider._commands()]
        for title in ("Cohorts", "CLV", "Baskets", "ABC-XYZ"):
            assert f"Report: {title}" in names
        await app.run_action("show_view('abc-xyz')")
        await settle(pilot, app)
        assert app.active_tab() == "top-sellers" and app.shown() == "abc-xyz"
    [v] = [text for key, text in help_rows(("global",)) if key == "v"]
    assert "3: Cohorts, CLV" in v and "4: Baskets, ABC-XYZ" in v


async def test_the_cohort_triangle_writes_its_percentages_and_labels_its_scale(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("show_view('cohorts')")
        await settle(pilot, app)
        grid = app.query_one(".cohort-grid-text", Static).render().plain
        lines = grid.splitlines()
        assert lines[0].startswith("cohort   size    m0   m1")
        rows = lines[1:]
        # newest cohort first with the fewest months: a triangle, every cell's value written
        assert [len(r.split()) for r in rows] == sorted(len(r.split()) for r in rows)
        assert all(r.split()[2] == "100%" for r in rows)       # month 0: every customer of the cohort
        scale = app.query_one(".cohort-scale", Static).render().plain
        assert "0-9%" in scale and "75-100%" in scale


async def test_the_abc_xyz_matrix_counts_each_cell_and_enter_lists_its_products(shop):
    ro = connect_read_only(shop)
    p = Params()
    result = abc_xyz(ro, p, resolve(ro, p, 364)).records()
    ro.close()
    ay = [r["sku"] for r in result if r["abc"] == "A" and r["xyz"] == "Y"]
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4", "v", "v")
        await settle(pilot, app)
        matrix = app.query_one(".abc-matrix", DataTable)
        assert matrix.has_focus
        assert str(matrix.get_cell("A", "Y")).startswith(f"{len(ay):,} · ")
        await pilot.press("right", "enter")                  # from AX to AY
        await wait_for(pilot, lambda: isinstance(app.screen, ProductListScreen))
        await settle(pilot, app)
        table = app.screen.query_one(ReportTable)
        assert table.matches == len(ay)
        assert f"ABC-XYZ class AY" in drawn(app)
