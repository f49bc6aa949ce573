"""The charts, drawn with plotext: one function per chart, shared by `report --format plot` and the
app's PlotextPlot widgets (which hand in their own `plt`). Labels from data are plain text to plotext."""

from __future__ import annotations

import math
from typing import Any

from .safe_text import plain


def draw(plt: Any, chart, rows, title: str | None = None) -> None:
    """A report's chart as its registry entry describes it (`spec.Chart`, see `Report.chart_for`), from its rows."""
    if rows is None or len(rows) == 0:
        plt.title(f"{title or chart.title}: nothing in this period")
        return
    if chart.kind == "bars":
        bars(plt, rows.column(chart.x), rows.column(chart.series[0]), title or chart.title, horizontal=True)
    elif chart.kind == "line":
        line(plt, rows, chart, title)
    else:
        bars(plt, rows.column(chart.x), rows.column(chart.series[0]), title or chart.title)


def line(plt: Any, rows, chart, title: str | None = None) -> None:
    """One line per series over dates (YYYY-MM-DD), labelled with the columns' headers."""
    from .format import header

    plt.date_form("Y-m-d")
    x = rows.column(chart.x)
    for series in (s for s in chart.series if s in rows.columns):
        plt.plot(x, rows.column(series), label=header(series), marker="braille")
    plt.title(title or chart.title)


def bars(plt: Any, labels: list, values: list, title: str, horizontal: bool = False, limit: int = 15,
         latest: bool = False) -> None:
    """As many bars as fit (at most `limit`): the first ones, or with `latest` (a time series, oldest
    first) the last ones, so the most recent periods are never the ones left out."""
    if not labels:
        plt.title(f"{title}: nothing in this period")
        return
    width = getattr(plt, "si_width", 100)
    height = getattr(plt, "si_height", 30)
    n = min(limit, len(labels), max(1, (height - 4) if horizontal else (width - 12) // 4))
    if latest:
        labels, values = list(labels)[-n:], list(values)[-n:]
    values = [float(v) for v in values[:n]]
    # numeric positions with explicit tick labels: string x values go through a set inside plotext,
    # whose order changes from run to run
    positions = list(range(1, n + 1))
    # labels must fit: plotext silently drops labels that collide, and which ones it keeps is not
    # stable from run to run
    if horizontal:
        labels = [_label(x, 24) for x in labels[:n]]
        plt.bar(positions, values[::-1], orientation="horizontal", width=0.6)
        plt.yticks(positions, labels[::-1])
    else:
        # label every k-th bar in full rather than every bar cut to nothing ("20…")
        labels = [_label(x, 10) for x in labels[:n]]
        slot = max(1.0, (width - 12) / n)
        step = max(1, math.ceil((max(len(x) for x in labels) + 1) / slot))
        plt.bar(positions, values, width=0.6)
        plt.xticks(positions[::step], labels[::step])
    plt.title(title)


def _label(value: Any, room: int) -> str:
    """Data is text: control characters never reach the terminal through a chart (shown as `\\x1b`, the
    rule of every output)."""
    text = plain(value)
    return text if len(text) <= room else text[: max(1, room - 1)] + "…"
