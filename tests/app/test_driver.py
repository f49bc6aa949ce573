"""The Categories tab names the driver the way the shop moved: `drove the decline` when it fell."""

from __future__ import annotations

from textual.widgets import Static

from tests.app.conftest import settle
from tests.reports.test_driver import shop_csv
from tests.store.helpers import load
from shopintel.tui.app import ShopApp


async def categories_status(path, since: str, until: str) -> str:
    app = ShopApp(path, read_only=True, live_alerts=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("end", "enter")             # custom dates…
        await pilot.press(*since, "enter", *until, "enter")
        await pilot.press("5")
        await settle(pilot, app)
        return str(app.query_one("#pane-categories").query_one(".status", Static).render())


async def test_the_largest_fall_drove_the_decline(tmp_path, write_csv):
    # previous 1000: Beauty 100 -> 97 (-0.3 points), Lighting 200 -> 181 (-1.9), Kitchen 700 -> 690 (-1.0)
    path = tmp_path / "fell.db"
    load(path, write_csv(shop_csv({"Beauty": 100, "Lighting": 200, "Kitchen": 700},
                                  {"Beauty": 97, "Lighting": 181, "Kitchen": 690})))
    status = await categories_status(path, "2026-01-01", "2026-01-10")
    assert "· Lighting drove the decline (-1.9 points) · " in status
    assert "Beauty" not in status and "growth" not in status


async def test_the_largest_rise_drove_the_growth_and_a_flat_shop_has_no_driver(tmp_path, write_csv):
    # previous 1000: Kitchen 700 -> 750 (+5.0 points), Lighting 200 -> 181 (-1.9), Beauty 100 -> 103 (+0.3)
    grew = tmp_path / "grew.db"
    load(grew, write_csv(shop_csv({"Beauty": 100, "Lighting": 200, "Kitchen": 700},
                                  {"Beauty": 103, "Lighting": 181, "Kitchen": 750}), "grew.csv"))
    assert "· Kitchen drove the growth (+5.0 points) · " in await categories_status(grew, "2026-01-01", "2026-01-10")
    flat = tmp_path / "flat.db"
    load(flat, write_csv(shop_csv({"Lighting": 200, "Kitchen": 800}, {"Lighting": 190, "Kitchen": 810}), "flat.csv"))
    assert "drove the" not in await categories_status(flat, "2026-01-01", "2026-01-10")
