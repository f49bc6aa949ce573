"""How report values are shown: one definition of each column's kind, used by the command line's
tables and the app's tables. Every cell is a `rich.text.Text` (data is text, never markup).
Text from data goes through `safe_text.plain` on its way to a person."""

from __future__ import annotations

import math
import numbers
from typing import Any

from rich.text import Text

from ..reports.params import round_cents
from ..reports.registry import column_kinds
from ..reports.spec import Column
from .safe_text import plain

# The reports' columns come from the registry; these are the extra columns of the app's detail screens
# and alert panel (a customer's orders, a product's weeks, the alerts).
SCREEN_COLUMNS = (Column("order_id", "text", "order"), Column("day", "date"), Column("week", "date"),
                  Column("month", "date"), Column("lines", "count"), Column("suggested_value", "money"),
                  Column("alert_id", "count", "alert"), Column("created_at", "date", "raised"),
                  Column("acknowledged_at", "date", "acknowledged"), Column("state", "text"))
COLUMNS: dict[str, Column] = {**{c.name: c for c in SCREEN_COLUMNS}, **column_kinds()}
NUMERIC_KINDS = ("money", "count", "share", "change", "decimal", "ratio")
RIGHT = {name for name, c in COLUMNS.items() if c.kind in NUMERIC_KINDS}


def kind(column: str) -> str:
    c = COLUMNS.get(column)
    return c.kind if c else "text"


def is_missing(value: Any) -> bool:
    t = type(value)
    if value is None:
        return True
    if t is str or t is int:      # the usual cells: no ABC check (they cost a tenth of a second a window)
        return False
    if t is float:
        return value != value
    try:
        return isinstance(value, numbers.Real) and math.isnan(value)
    except TypeError:
        return False


def format_value(column: str, value: Any) -> str:
    if is_missing(value):
        return "-"
    k = kind(column)
    t = type(value)
    if t is str and k in ("text", "date"):   # the usual text cells, straight through the one rule
        return plain(value)
    if k == "money":
        return f"{round_cents(value):,.2f}"
    if k == "share":
        return f"{value * 100:.1f}%"
    if k == "change":
        return f"{value * 100:+.1f}%"
    if k == "decimal":
        return f"{value:,.1f}"
    if k == "ratio":
        return f"{value:,.2f}"
    if k == "flag":
        return "◆ driver" if column == "driver" and value else ("yes" if value else "")
    if t is bool or t.__name__ == "bool_":
        return "yes" if value else ""
    if t is int or isinstance(value, numbers.Integral) or (k == "count" and isinstance(value, numbers.Real)
                                                           and float(value).is_integer()):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.2f}"
    return plain(value)


def cell(column: str, value: Any) -> Text:
    """A table cell: plain text, right-aligned for numbers. Never parsed as markup."""
    text = Text(format_value(column, value), no_wrap=True, overflow="ellipsis")
    if column in RIGHT:
        text.justify = "right"
    return text


def header(column: str, currency: str | None = None) -> str:
    """A column's header; a money column's names the shop's currency when the store knows it."""
    c = COLUMNS.get(column)
    label = c.label if c else column.replace("_", " ")
    if currency and c is not None and c.kind == "money":
        return f"{label} ({plain(currency)})"
    return label


def money_title(title: str, series, currency: str | None) -> str:
    """A chart's title, with the currency when it draws money."""
    if currency and any(kind(s) == "money" for s in series):
        return f"{title} ({plain(currency)})"
    return title


def alert_reason(a: dict, units: bool = False) -> str:
    """Why an alert fired, to be checked by eye: its units on hand against its reorder point (LOW when on
    hand <= reorder point, OUT when on hand <= 0), and its days of cover (`units`: the unit written out,
    for a sentence such as a toast). Alerts stored before the reorder point was kept with them have none."""
    rp = a.get("reorder_point")
    unit, days = (" units", " days") if units else ("", " d")
    on_hand = f"{a['on_hand']:,}{unit}"
    if a["status"] == "OUT":
        why = f"on hand {on_hand} <= 0" + ("" if is_missing(rp) else f" (reorder point {rp:,}{unit})")
    else:
        why = f"on hand {on_hand} <= reorder point " + ("-" if is_missing(rp) else f"{rp:,}{unit}")
    cover = a.get("days_of_cover")
    return why + ("" if is_missing(cover) else f", cover {cover:.1f}{days}")


def stall_reason(a: dict) -> str:
    """A sales-stall alert in words (reports.stall.describe): how few orders against how many usual."""
    from ..reports.stall import describe

    return describe(a)
