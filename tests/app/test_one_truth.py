"""One count, one meaning in the app. Stock and alerts are about now: with a past custom period the
Reorder tab still shows the on-hand units the product screen and the alerts show (as of the latest
sale), and says the period does not apply. The Whales tab counts the customers it can rank and says
how many of the Overview's customers it leaves out."""

from __future__ import annotations

from datetime import date

from textual.widgets import Static

from shopintel.reports.params import Params
from shopintel.reports.reorder import reorder
from shopintel.store.db import connect_read_only
from shopintel.tui.app import ShopApp
from tests.app.conftest import END, settle
from tests.app.test_app import cells, table


async def test_a_past_period_leaves_the_reorder_tab_about_now_and_says_so(shop):
    conn = connect_read_only(shop)
    now = {r["sku"]: r["on_hand"] for r in reorder(conn, Params(show_all=True)).records()}
    then = {r["sku"]: r["on_hand"] for r in reorder(conn, Params(show_all=True, until=date(2026, 3, 31))).records()}
    assert now != then                     # the period would change the stock: the test can tell them apart
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("end", "enter")   # custom dates: the first quarter
        await pilot.press(*"2026-01-01", "enter", *"2026-03-31", "enter")
        await settle(pilot, app)
        await pilot.press("6")
        await settle(pilot, app)
        t = table(app, "reorder")
        sku, on_hand = t.get_column_index("sku"), t.get_column_index("on_hand")
        shown = {row[sku]: int(row[on_hand].replace(",", "")) for row in cells(t)}
        assert shown and all(now[s] == n for s, n in shown.items())
        status = str(app.query_one("#pane-reorder .status", Static).render())
        assert f"stock and alerts are as of now ({END})" in status and "does not apply" in status


async def test_whales_counts_the_customers_it_ranks_and_says_who_it_leaves_out(db_path, write_csv):
    from shopintel.store.db import connect
    from shopintel.store.ingest import IngestOptions, ingest_file
    from shopintel.tui.data import PeriodChoice
    from tests.reports.conftest import TINY

    conn = connect(db_path)
    # Dan buys a mug in these days and, in the same order, returns a tent bought before: he bought a line
    # (a customer of the period) but returned more than he bought (not one to rank). Bob only returned
    # his tent: a return-only order is no order, so he is no customer of these days at all.
    dan = ("D0,2024-03-01 09:00,C4,Dan,TENT,Tent,Outdoor,1,100.00,\n"
           "D1,2024-03-06 10:00,C4,Dan,MUG,Mug,Kitchen,1,5.00,\nD1,2024-03-06 10:00,C4,Dan,TENT,Tent,Outdoor,-1,100.00,\n")
    ingest_file(conn, str(write_csv(TINY + dan, "tiny.csv")), IngestOptions())
    conn.close()
    app = ShopApp(db_path, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.period_choice = PeriodChoice("custom", date(2024, 3, 5), date(2024, 3, 10))
        await pilot.press("3")
        await settle(pilot, app)
        status = str(app.query_one("#pane-whales .status", Static).render())
        assert "showing 2 of 2" in status
        assert "1 of the 3 customers returned more than they bought: not ranked" in status
