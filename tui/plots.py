"""The charts, drawn with plotext: one function per chart, shared by `report --format plot` and the
app's PlotextPlot widgets (which hand in their own `plt`). Labels from data are plain text to plotext."""

from __future__ import annotations

from typing import Any


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


def bars(plt: Any, labels: list, values: list, title: str, horizontal: bool = False, limit: int = 15) -> None:
    if not labels:
        plt.title(f"{title}: nothing in this period")
        return
    width = getattr(plt, "si_width", 100)
    height = getattr(plt, "si_height", 30)
    n = min(limit, len(labels), max(1, (height - 4) if horizontal else (width - 12) // 4))
    # labels must fit their bar: plotext silently drops labels that collide, and which ones it keeps
    # is not stable from run to run
    room = 24 if horizontal else max(3, (width - 12) // n - 1)
    labels = [_label(x, room) for x in labels[:n]]
    values = [float(v) for v in values[:n]]
    # numeric positions with explicit tick labels: string x values go through a set inside plotext,
    # whose order changes from run to run
    positions = list(range(1, n + 1))
    if horizontal:
        plt.bar(positions, values[::-1], orientation="horizontal", width=0.6)
        plt.yticks(positions, labels[::-1])
    else:
        plt.bar(positions, values, width=0.6)
        plt.xticks(positions, labels)
    plt.title(title)


def _label(value: Any, room: int) -> str:
    """Data is text: control characters never reach the terminal through a chart."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= room else text[: max(1, room - 1)] + "…"
