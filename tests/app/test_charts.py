"""Charts that can be trusted: every bar's length is proportional to its value within an eighth of a
cell, at any width, in the app and in `report --format plot`; line charts have evenly spaced round
ticks with thousands separators and a different marker per series (told apart without colour)."""

from __future__ import annotations

import re

import pytest

from shopintel.tui.app import ShopApp
from shopintel.tui.plots import EIGHTHS, Bars, nice_ticks
from tests.app.conftest import drawn, settle
from tests.conftest import shopintel

FRACTION = {c: i / 8 for i, c in enumerate(EIGHTHS) if c}
BAR = re.compile(r"(█*)([▏▎▍▌▋▊▉]?)( *) ([-\d,.]+)$")


def bar_lengths(lines: list[str]) -> list[tuple[float, float, int]]:
    """(bar length in cells, the value written after it, the bar's room in cells) of each bar line."""
    out = []
    for line in lines:
        m = BAR.search(line.rstrip())
        if m and (m.group(1) or m.group(2)):
            length = len(m.group(1)) + FRACTION.get(m.group(2), 0)
            room = len(m.group(1)) + len(m.group(2)) + len(m.group(3))
            out.append((length, float(m.group(4).replace(",", "")), room))
    return out


def assert_proportional(bars: list[tuple[float, float, int]]) -> None:
    assert len(bars) >= 3
    top = max(v for _, v, _ in bars)
    room = min(r for _, _, r in bars)   # the widest value's row: the others' values are padded to its width
    for length, value, _ in bars:
        # to an eighth of a cell (the values written are rounded to cents: a hair of slack for that)
        assert abs(length - value / top * room) <= 1 / 16 + 1e-3, (length, value, room)


@pytest.mark.parametrize("width", [40, 80, 133])
def test_bars_are_proportional_to_their_values_at_any_width(width):
    # Stationery 213,486 is 77% of Outdoor 276,212, never as long; January 1,219.59 is not February
    values = [276_212.0, 213_486.0, 1_600.0, 1_219.59, 48.0, 41.2, 0.5]
    text = Bars([f"row {i}" for i in range(len(values))], values, "revenue", "t").render(width, 20).plain
    lines = text.splitlines()[1:]
    assert len(lines) == len(values) and all(len(line) <= width for line in lines)
    assert_proportional(bar_lengths(lines))


def test_bars_that_do_not_fit_say_which_are_shown():
    bars = Bars([f"m{i}" for i in range(12)], list(range(1, 13)), "revenue", "Spend per month", latest=True)
    text = bars.render(60, 5).plain.splitlines()
    assert text[0] == "Spend per month (latest 4 of 12)" and text[-1].startswith("m11 ")


def test_round_evenly_spaced_ticks():
    assert nice_ticks(0, 2642.4) == [0, 1000, 2000, 3000]
    assert nice_ticks(0, 95_000) == [0, 25_000, 50_000, 75_000, 100_000]
    ticks = nice_ticks(-130, 870)
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and ticks[0] <= -130 and ticks[-1] >= 870


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_the_categories_chart_in_the_app_is_proportional(shop, size):
    app = ShopApp(shop, read_only=True, live_alerts=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("5")
        await settle(pilot, app)
        await pilot.pause()
        bars = bar_lengths(drawn(app).splitlines())
    assert_proportional(bars)


def test_plot_output_bars_and_distinct_line_markers(shop):
    out = shopintel("report", "categories", "--db", str(shop), "--format", "plot", env={"COLUMNS": "90"}).stdout
    assert_proportional(bar_lengths(out.splitlines()[1:]))
    line = shopintel("report", "revenue", "--grain", "week", "--db", str(shop), "--format", "plot",
                     env={"COLUMNS": "90", "LINES": "30"}).stdout
    legend = [row for row in line.splitlines() if "revenue" in row or "7-period avg" in row]
    marks = {re.search(r"(\S\S) (revenue|7-period avg)", row).group(1) for row in legend}
    assert len(marks) == 2                              # two series, two different marks
    ticks = [int(t.replace(",", "")) for t in re.findall(r"^ *([\d,]+)┤", line, re.M)]
    assert len(ticks) >= 3 and len({b - a for a, b in zip(ticks[::-1], ticks[-2::-1])}) == 1
