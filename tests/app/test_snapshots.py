"""Snapshot tests: every tab at 80x24 and 120x40, with colour and under NO_COLOR, on the fixed shop (its
dates never move). Update after an intended change with:
python -m pytest tests/app/test_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from tests.app.conftest import settle
from shopintel.tui.app import ShopApp

TABS = {"1": "overview", "2": "revenue", "3": "whales", "4": "top-sellers", "5": "categories", "6": "reorder",
        "7": "segments"}


@pytest.mark.parametrize("colour", ["colour", "nocolor"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("key", list(TABS), ids=list(TABS.values()))
def test_tab_snapshot(snap_compare, shop, key, size, colour, monkeypatch):
    if colour == "nocolor":
        monkeypatch.setenv("NO_COLOR", "1")   # read by ShopApp: Textual's ANSI mode, no colours
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = ShopApp(shop, read_only=True, live_alerts=False)

    async def show(pilot):
        await settle(pilot, app)
        await pilot.press(key)
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=size, run_before=show)
