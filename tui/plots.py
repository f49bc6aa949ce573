"""The charts, drawn with plotext: one function per chart, shared by `report --format plot` and the
app's PlotextPlot widgets (which hand in their own `plt`). Labels from data are plain text to plotext."""

from __future__ import annotations

from typing import Any


def draw(plt: Any, name: str, result, params=None) -> None:
    if name == "revenue":
        revenue_chart(plt, result, profile=getattr(params, "profile", None))
    elif name == "categories":
        bars(plt, list(result["category"]), list(result["revenue"]), "Revenue by category")
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
    labels, values = [str(x)[:24] for x in labels[:limit]], [float(v) for v in values[:limit]]
    if horizontal:
        plt.bar(labels[::-1], values[::-1], orientation="horizontal", width=0.6)
    else:
        plt.bar(labels, values, width=0.6)
    plt.title(title)
