"""Keys typed ahead are kept: what is typed in one go right after the key that opens a box or dialog
goes into it (over SSH the whole line arrives at once, before the box is on screen). The filter box
narrows the table as you type, Enter keeps the filter, Esc clears it."""

from __future__ import annotations

import unicodedata

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.widgets import Input, Static

from tests.app.conftest import settle, wait_for as until
from shopintel.tui.app import ShopApp
from shopintel.tui.screens.modals import FilterScreen
from shopintel.tui.widgets.report_table import ReportTable


def type_ahead(app, *keys: str) -> None:
    """Every key at once, the way a terminal delivers a line typed (or pasted) over SSH: unlike
    pilot.press, which waits for the app to settle after each key. Keys are built as pilot.press does."""
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def whales(app) -> ReportTable:
    return app.query_one("#pane-whales").query(ReportTable).first()


def names(t: ReportTable) -> list[str]:
    j = t.visible_columns().index("customer_name")
    return [str(t.get_row_at(i)[j]) for i in range(t.row_count)]


def status(app) -> str:
    return str(app.query_one("#pane-whales").query_one(".status", Static).render())


async def open_whales(pilot, app) -> tuple[ReportTable, int, str]:
    await pilot.press("3")
    await settle(pilot, app)
    t = whales(app)
    # a name from the middle of the list, typed in lower case (the filter ignores case)
    return t, t.row_count, names(t)[3].lower()


async def test_keys_typed_right_after_slash_go_into_the_filter_box(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        t, all_rows, name = await open_whales(pilot, app)
        type_ahead(app, "/", *name)
        await until(pilot, lambda: isinstance(app.screen, FilterScreen), "the filter box")
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box.value == name, f"the box to hold {name!r} (it holds {box.value!r})")
        await until(pilot, lambda: 0 < t.row_count < all_rows, "the table to narrow")
        assert all(name in n.lower() for n in names(t))


async def test_the_filter_narrows_the_table_as_you_type_and_enter_keeps_it(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        t, all_rows, name = await open_whales(pilot, app)
        await pilot.press("slash", *name)
        # the box is still open and the table behind it has narrowed already
        await until(pilot, lambda: 0 < t.row_count < all_rows, "the table to narrow while typing")
        assert isinstance(app.screen, FilterScreen)
        assert all(name in n.lower() for n in names(t))
        assert f"filter '{name}' matches" in status(app)
        narrowed = t.row_count
        await pilot.press("enter")                     # Enter keeps the filter and closes the box
        await until(pilot, lambda: not isinstance(app.screen, FilterScreen), "the box to close")
        assert t.filter_text == name and t.row_count == narrowed
        assert f"filter '{name}' matches" in status(app)
        await pilot.press("slash")                     # the box opens on the kept filter
        await until(pilot, lambda: isinstance(app.screen, FilterScreen), "the filter box")
        assert app.screen.query_one(Input).value == name


async def test_escape_clears_the_filter(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        t, all_rows, name = await open_whales(pilot, app)
        await pilot.press("slash", *name, "enter")
        await until(pilot, lambda: t.filter_text == name and t.row_count < all_rows, "the kept filter")
        type_ahead(app, "/", "z", "z")                 # typing replaces the kept text: nothing matches 'zz'
        await until(pilot, lambda: t.row_count == 0, "the table to narrow to nothing")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FilterScreen), "the box to close")
        await until(pilot, lambda: t.row_count == all_rows, "every row back")
        assert t.filter_text == "" and "filter" not in status(app)


async def test_custom_dates_typed_ahead_land_in_the_date_boxes(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        type_ahead(app, "d", "end", "enter", *"2026-01-01", "enter", *"2026-03-31", "enter")
        await until(pilot, lambda: app.period_choice.preset == "custom", "the custom period")
        assert (str(app.period_choice.since), str(app.period_choice.until)) == ("2026-01-01", "2026-03-31")
        await settle(pilot, app)


async def test_keys_that_open_boxes_are_plain_text_inside_a_box(shop):
    # /, d and ? open their box the moment they arrive (priority keys): inside a box they are text,
    # in the filter box as in Textual's command palette, typed ahead or not
    from textual.command import CommandPalette

    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await settle(pilot, app)
        type_ahead(app, "/", "d", "/", "?")
        await until(pilot, lambda: isinstance(app.screen, FilterScreen), "the filter box")
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box.value == "d/?", f"the box to hold 'd/?' ({box.value!r})")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, FilterScreen), "the box to close")
        type_ahead(app, "ctrl+p", *"d/segments")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        box = app.screen.query_one(Input)
        await until(pilot, lambda: box.value == "d/segments", f"the palette to hold 'd/segments' ({box.value!r})")


async def test_keys_typed_after_enter_in_the_filter_box_act_on_the_screen_behind(shop):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=(100, 30)) as pilot:
        t, all_rows, name = await open_whales(pilot, app)
        type_ahead(app, "/", *name, "enter", "2")        # filter, keep it, go to the Revenue tab
        await until(pilot, lambda: app.active_tab() == "revenue", "the Revenue tab")
        assert t.filter_text == name and 0 < t.row_count < all_rows
