"""The charts, shared by `report --format plot` and the app's Chart widgets.

Bars (categories, top sellers, seasonality profiles, a customer's months, a product's weeks) are drawn
here with rich: one row per bar, its length in eighths of a cell (▏▎▍▌▋▊▉█) so every bar is
proportional to its value within one eighth of a cell at any width, and its value written beside it
(readable without colour). plotext quantises bars to whole rows and columns: at a few rows high,
1,219 and 1,600 drew the same height. Lines over time (revenue and its moving average) stay plotext,
with evenly spaced round ticks written with thousands separators and one marker per series, so the
series can be told apart without colour. Labels from data are plain text (safe_text.plain)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from rich.cells import cell_len
from rich.text import Text

from .safe_text import plain

EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
LABEL_ROOM = 24
MARKERS = ("braille", "•", "+", "x")   # one per series: the legend tells them apart under NO_COLOR too


class Bars(NamedTuple):
    """Horizontal bars, one per label, `column` saying how values are written (format.format_value).
    With `latest` (a time series, oldest first) the last bars are kept when not all fit."""

    labels: list
    values: list
    column: str
    title: str
    latest: bool = False

    def height(self) -> int:
        return len(self.labels) + 1

    def render(self, width: int, height: int, style: str = "") -> Text:
        from .format import format_value

        if not self.labels:
            return Text(f"{self.title}: nothing in this period", style="bold")
        n = max(1, min(len(self.labels), height - 1))
        pairs = list(zip(self.labels, self.values))
        shown = pairs[-n:] if self.latest else pairs[:n]
        title = self.title if n == len(pairs) else (
            f"{self.title} ({'latest' if self.latest else 'first'} {n} of {len(pairs)})")
        labels = [_label(label, LABEL_ROOM) for label, _ in shown]
        values = [None if v is None else float(v) for _, v in shown]
        written = [format_value(self.column, v) for v in values]
        label_w = max(cell_len(x) for x in labels)
        value_w = max(len(x) for x in written)
        room = max(1, width - label_w - value_w - 3)
        top = max([v for v in values if v is not None and v > 0], default=0)
        out = Text(title, style="bold", no_wrap=True, overflow="ellipsis")
        for label, value, text in zip(labels, values, written):
            eighths = round(value / top * room * 8) if top and value and value > 0 else 0
            bar = "█" * (eighths // 8) + EIGHTHS[eighths % 8]
            out.append("\n")
            out.append(label + " " * (label_w - cell_len(label)) + " ")
            out.append(bar, style=style)
            out.append(" " * (room - cell_len(bar)) + " " + text.rjust(value_w))
        return out


def bars_of(chart, rows, title: str | None = None) -> Bars:
    """The registry's bar chart (`spec.Chart`, kind bars or columns) of a report's rows."""
    return Bars(rows.column(chart.x) if len(rows) else [], rows.column(chart.series[0]) if len(rows) else [],
                chart.series[0], title or chart.title)


def line(plt: Any, rows, chart, title: str | None = None) -> None:
    """One line per series over dates (YYYY-MM-DD), labelled with the columns' headers."""
    from .format import header

    title = title or chart.title
    if rows is None or len(rows) == 0:
        plt.title(f"{title}: nothing in this period")
        return
    plt.date_form("Y-m-d")
    x = rows.column(chart.x)
    values = []
    for series, marker in zip((s for s in chart.series if s in rows.columns), MARKERS):
        ys = rows.column(series)
        values += [y for y in ys if y is not None]
        plt.plot(x, ys, label=header(series), marker=marker)
    if values:
        ticks = nice_ticks(min(0.0, min(values)), max(values))
        plt.ylim(ticks[0], ticks[-1])
        plt.yticks(ticks, [f"{t:,.0f}" if max(map(abs, ticks)) >= 100 else f"{t:,.2f}" for t in ticks])
    plt.title(title)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Evenly spaced round ticks (a step of 1, 2, 2.5 or 5 times a power of ten) from at most lo to at least hi."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    n = math.ceil((hi - first) / step - 1e-9)
    return [first + i * step for i in range(n + 1)]


def _label(value: Any, room: int) -> str:
    """Data is text: control characters never reach the terminal through a chart (shown as `\\x1b`, the
    rule of every output)."""
    text = plain(value)
    if cell_len(text) <= room:
        return text
    while cell_len(text) > room - 1:
        text = text[:-1]
    return text + "…"
