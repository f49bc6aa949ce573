"""Readable at 80 columns: status lines made of whole parts (never cut mid-sentence), the period said
once, one rule for the KPI cards, the columns that matter first, and a live refresh that leaves the
cursor where it was."""

from __future__ import annotations

import textwrap
from datetime import date

from shopintel.reports.params import Period
from shopintel.tui.app import ShopApp
from shopintel.tui.data import PeriodChoice
from shopintel.tui.widgets.panes import COUNT, KEYS, PERIOD, STORY, fit_parts, kpi_value, period_line
from shopintel.tui.widgets.report_table import ReportTable
from tests.app.conftest import settle


def test_a_status_line_leaves_out_whole_parts_the_keys_first():
    parts = [("showing 1–500 of 2,795", COUNT), ("Top 1% of customers bring 19.8% of revenue", STORY),
             ("all history: 2024-12-03 .. 2026-12-02, as of 2026-12-02", PERIOD), ("Enter: customer", KEYS)]
    wide = fit_parts(parts, 200)
    assert wide == " · ".join(t for t, _ in parts)
    narrow = fit_parts(parts, 60)
    assert len(textwrap.wrap(narrow, 60)) <= 2
    # the period (55 characters) no longer fits two lines with the rest: left out whole; the keys still fit
    assert narrow == " · ".join(t for t, _ in (parts[0], parts[1], parts[3]))
    narrower = fit_parts(parts, 36)
    assert narrower == " · ".join(t for t, _ in parts[:2]) and len(textwrap.wrap(narrower, 36)) <= 2


def test_the_period_is_said_once():
    period = Period(date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), explicit=True)
    custom = period_line(PeriodChoice("custom", date(2026, 1, 1), date(2026, 3, 31)), period)
    assert custom == "2026-01-01 .. 2026-03-31, as of 2026-03-31"
    assert period_line(PeriodChoice("90d"), period) == "last 90 days: 2026-01-01 .. 2026-03-31, as of 2026-03-31"


def test_every_kpi_card_keeps_its_cents_until_it_no_longer_fits_a_card():
    assert kpi_value("revenue", 1_422_064.27) == "1,422,064.27"
    assert kpi_value("aov", 56.875) == "56.88"
    assert kpi_value("returns", 99_999_999.99) == "99,999,999.99"     # 13 characters: a card at 80 columns
    assert kpi_value("revenue", 123_456_789.0) == "123.46M"
    assert kpi_value("orders", 25_000) == "25,000"


async def test_the_columns_that_matter_come_first_and_fit_80_columns(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    first = {"4": ("top-sellers", ["sku", "product_name", "units_per_week", "trend"]),
             "6": ("reorder", ["status", "sku", "product_name", "on_hand", "days_of_cover", "suggested_qty"]),
             "7": ("segments", ["segment", "customers", "revenue", "median_spend"])}
    async with app.run_test(size=(80, 24)) as pilot:
        for key, (tab, columns) in first.items():
            await pilot.press(key)
            await settle(pilot, app)
            t = app.query_one(f"#pane-{tab}").query(ReportTable).first()
            assert t.visible_columns()[:len(columns)] == columns
            right = sum(c.get_render_width(t) for c in list(t.columns.values())[:len(columns)])
            assert right <= 80, (tab, right)


async def test_a_refresh_with_the_same_rows_updates_cells_in_place(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("6")
        await settle(pilot, app)
        pane = app.query_one("#pane-reorder")
        t = pane.table
        t.focus()
        await pilot.press("j", "j", "j")
        row_before, keys_before = t.cursor_row, list(t.rows)
        pane.load(quiet=True)   # what a live refresh does
        status = str(pane.query_one(".status").render())
        assert "Loading" not in status   # the figures shown stay until the new ones replace them
        await settle(pilot, app)
        assert t.cursor_row == row_before and list(t.rows) == keys_before   # the same rows, not rebuilt
