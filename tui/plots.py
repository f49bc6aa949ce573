"""The charts, drawn with plotext: one function per chart, shared by `report --format plot` and the
app's PlotextPlot widgets (which hand in their own `plt`). Labels from data are plain text to plotext."""

from __future__ import annotations

import math
from typing import Any

from .format import plain


def draw(plt: Any, name: str, result, params=None) -> None:
    if name == "revenue":
        revenue_chart(plt, result, profile=getattr(params, "profile", None))
    elif name == "categories":
        bars(plt, list(result["category"]), list(result["revenue"]), "Revenue by category", horizontal=True)
    elif name == "top-sellers":
        bars(plt, list(result["sku"]), list(result["units_per_week"]), "Units per week", horizontal=True)
    else:
        raise ValueError(f"no chart for {name}")


def revenue_chart(plt: Any, df, profile: str | None = None, title: str = "Revenue") -> None:
    if df is None or len(df) == 0:
        plt.title("No sales in this period")
        return
    if profile:
        plt.bar(list(df["period"]), list(df["revenue"]))
        plt.title(f"Average revenue per {'weekday' if profile == 'weekday' else 'month'}")
        return
    plt.date_form("Y-m-d")
    x = list(df["period"])
    plt.plot(x, list(df["revenue"]), label="revenue", marker="braille")
    if "moving_average" in df:
        plt.plot(x, list(df["moving_average"]), label="7-period average", marker="braille")
    plt.title(title)


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
