"""Tables act on the whole result, not on the rows the widget holds (issue: the app shows the whole
truth). A shop with 1,200 customers (customer Cnnnn spent exactly nnnn.00, so rank r is C(1201 - r))
and 600 days of sales: more than a table's window of 500 rows on both Whales and Revenue."""

from __future__ import annotations

import csv
from contextlib import asynccontextmanager
from datetime import date, timedelta

import pytest

from shopintel.tui.app import ShopApp
from shopintel.tui.widgets.report_table import PAGE, ReportTable
from tests.app.conftest import settle, wait_for
from tests.store.helpers import load

N, DAYS, FIRST = 1_200, 600, date(2025, 1, 1)
WITT = 500   # the 701st customer by spend


@pytest.fixture(scope="module")
def big_shop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole")
    path = folder / "orders.csv"
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["order_id", "ordered_at", "customer_id", "customer_name", "sku", "product_name", "category",
                      "quantity", "unit_price"])
        for i in range(1, N + 1):
            day = FIRST + timedelta(days=i % DAYS)
            name = "Anthony Witt" if i == WITT else f"Customer {i:04d}"
            out.writerow([f"O{i:05d}", f"{day} 10:00:00", f"C{i:04d}", name, f"SKU-{i % 7}", f"Thing {i % 7}",
                          "Things", 1, f"{i}.00"])
    db = folder / "shop.db"
    load(db, path)
    assert N + 500 > PAGE * 2 and DAYS > PAGE   # both tables are bigger than a window
    return db


@asynccontextmanager
async def on_tab(shop, key: str):
    """The app at 120x40 on the tab of that number key, its first load done."""
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        await settle(pilot, app)
        yield app, pilot


def whales(app) -> ReportTable:
    return app.query_one("#pane-whales").query(ReportTable).first()


def status(app, tab: str) -> str:
    return str(app.query_one(f"#pane-{tab}").query_one(".status").render())


async def test_filter_finds_a_customer_past_the_first_window_and_status_counts_every_row(big_shop):
    async with on_tab(big_shop, "3") as (app, pilot):
        t = whales(app)
        assert t.row_count == PAGE and "showing 1–500 of 1,200" in status(app, "whales")
        await pilot.press("slash", *"anthony witt", "enter")
        await wait_for(pilot, lambda: t.filter_text == "anthony witt" and t.row_count == 1)
        record = t.current_record()
        assert (record["rank"], record["customer_id"], record["spend"]) == (701, f"C{WITT:04d}", float(WITT))
        assert "filter 'anthony witt' matches 1 of 1,200" in status(app, "whales")


async def test_sort_and_jump_to_end_reach_the_real_ends(big_shop):
    async with on_tab(big_shop, "3") as (app, pilot):
        t = whales(app)
        await pilot.press("G")                          # the last rank, not the 500th
        assert (t.current_record()["rank"], t.current_record()["customer_id"]) == (N, "C0001")
        assert f"showing {N - PAGE + 1}–1,200 of 1,200" in status(app, "whales")
        await pilot.press("g")
        assert t.current_record()["rank"] == 1
        t.move_cursor(column=t.visible_columns().index("spend"))
        await pilot.press("s", "s")                     # spend: highest first, then lowest first
        assert t.sort_column == "spend" and t.sort_ascending
        assert t.current_record()["customer_id"] == "C0001"   # the real lowest spender, not rank 500
        await pilot.press("G")
        assert t.current_record()["customer_id"] == "C1200"


async def test_the_window_follows_the_cursor_down_and_up(big_shop):
    async with on_tab(big_shop, "3") as (app, pilot):
        t = whales(app)
        t.move_cursor(row=PAGE - 1)                     # the last row held: the window moves on, the cursor stays
        await wait_for(pilot, lambda: t.window_start == PAGE - 1 - PAGE // 2)
        assert t.current_record()["rank"] == PAGE
        await pilot.press("j")
        assert t.current_record()["rank"] == PAGE + 1
        assert "showing 250–749 of 1,200" in status(app, "whales")
        t.move_cursor(row=0)                            # the first row held, rank 250: the window moves back
        await wait_for(pilot, lambda: t.window_start == 0)
        assert t.current_record()["rank"] == 250 and "showing 1–500 of 1,200" in status(app, "whales")


async def test_revenue_by_day_reaches_the_latest_day(big_shop):
    async with on_tab(big_shop, "2") as (app, pilot):
        t = app.query_one("#pane-revenue").query(ReportTable).first()
        t.focus()
        await pilot.press("G")
        latest = FIRST + timedelta(days=DAYS - 1)
        assert t.current_record()["period"] == latest.isoformat()
        assert f"of {DAYS}" in status(app, "revenue")


async def test_export_writes_every_row_of_the_view_and_says_how_many(big_shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with on_tab(big_shop, "3") as (app, pilot):
        t = whales(app)
        t.move_cursor(column=t.visible_columns().index("spend"))
        await pilot.press("s", "s", "e")                # lowest spend first, then export
        await wait_for(pilot, lambda: list(tmp_path.glob("shopintel-whales-*.csv")))
        toasts = [str(n.message) for n in app._notifications]
        assert any(m.startswith(f"Exported {N:,} rows to ") for m in toasts), toasts
        (path,) = tmp_path.glob("shopintel-whales-*.csv")
        with open(path, newline="") as f:
            ids = [row["customer_id"] for row in csv.DictReader(f)]
        assert ids == [f"C{i:04d}" for i in range(1, N + 1)]   # every row, in the view's order
        path.unlink()
        await pilot.press("slash", *"customer 11", "enter")   # Customer 1100 .. Customer 1199
        await wait_for(pilot, lambda: t.filter_text == "customer 11")
        await pilot.press("e")
        await wait_for(pilot, lambda: list(tmp_path.glob("shopintel-whales-*.csv")))
        (path,) = tmp_path.glob("shopintel-whales-*.csv")
        with open(path, newline="") as f:
            ids = [row["customer_id"] for row in csv.DictReader(f)]
        assert ids == [f"C{i}" for i in range(1100, 1200)]    # the filter and the sort applied
        await wait_for(pilot, lambda: any(str(n.message).startswith("Exported 100 rows")
                                          for n in app._notifications))


async def test_a_reorder_tab_without_stock_counts_says_where_they_come_from(big_shop):
    async with on_tab(big_shop, "6") as (app, pilot):
        assert "stock counts come from 'shopintel stock import FILE'" in status(app, "reorder")
