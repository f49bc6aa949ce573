"""How report values are shown: one definition of each column's kind, used by the command line's
tables and the app's tables. Every cell is a `rich.text.Text` (data is text, never markup)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from rich.text import Text

MONEY = {"revenue", "gross_revenue", "returns", "spend", "aov", "previous_revenue", "moving_average",
         "median_spend", "suggested_value"}
SHARE = {"share", "cumulative_share", "growth", "growth_contribution", "trend", "top_1pct_share",
         "top_20pct_share"}
DECIMAL1 = {"units_per_week", "days_of_cover", "median_recency_days", "median_orders", "index"}
RIGHT = MONEY | SHARE | DECIMAL1 | {"rank", "orders", "units", "customers", "guest_orders", "previous_units",
                                    "on_hand", "lead_time_days", "reorder_point", "suggested_qty", "recency_days",
                                    "lines", "r", "f", "m"}
HEADERS = {"units_per_week": "units/wk", "days_of_cover": "cover (d)", "lead_time_days": "lead (d)",
           "reorder_point": "reorder pt", "suggested_qty": "suggested", "cumulative_share": "cum. share",
           "growth_contribution": "contribution", "previous_revenue": "prev. revenue",
           "previous_units": "prev. units", "moving_average": "7-period avg", "median_recency_days": "med. recency",
           "median_orders": "med. orders", "median_spend": "med. spend", "customer_name": "name",
           "customer_id": "customer", "product_name": "product", "first_order": "first", "last_order": "last",
           "recency_days": "recency (d)"}


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, numbers.Real) and math.isnan(value)
    except TypeError:
        return False


def format_value(column: str, value: Any) -> str:
    if is_missing(value):
        return "-"
    if column in MONEY:
        return f"{value:,.2f}"
    if column in SHARE:
        return f"{value * 100:+.1f}%" if column in ("growth", "trend", "growth_contribution") else f"{value * 100:.1f}%"
    if column in DECIMAL1:
        return f"{value:,.1f}"
    if column == "driver":
        return "◆ driver" if value else ""
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "yes" if value else ""
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer()
                                               and column in RIGHT):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.2f}"
    return str(value)


def cell(column: str, value: Any) -> Text:
    """A table cell: plain text, right-aligned for numbers. Never parsed as markup."""
    text = Text(format_value(column, value), no_wrap=True, overflow="ellipsis")
    if column in RIGHT:
        text.justify = "right"
    return text


def header(column: str) -> str:
    return HEADERS.get(column, column.replace("_", " "))
