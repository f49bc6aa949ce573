"""How report values are shown: one definition of each column's kind, used by the command line's
tables and the app's tables. Every cell is a `rich.text.Text` (data is text, never markup).

Also the one rule for text from data on its way to a person (`plain`): control characters are spelled
out, never sent, in every human-facing output (tables, charts, captions, summaries, messages, the app).
JSON (`json_text`) and CSV keep the exact text for programs; the app's spreadsheet export neutralises
formulas (`for_spreadsheet`)."""

from __future__ import annotations

import json
import math
import numbers
import re
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
    return plain(value)


def cell(column: str, value: Any) -> Text:
    """A table cell: plain text, right-aligned for numbers. Never parsed as markup."""
    text = Text(format_value(column, value), no_wrap=True, overflow="ellipsis")
    if column in RIGHT:
        text.justify = "right"
    return text


def header(column: str) -> str:
    return HEADERS.get(column, column.replace("_", " "))


# C0 (tab and newline too: a cell, a label or a message is one line), DEL, and C1 (U+0080-U+009F:
# U+009B is CSI on terminals that honour 8-bit controls). A web shop's sign-up form lets anyone put
# ESC ] 52 (write the clipboard), ESC ] 2 (set the title) or ESC [ 2 J (clear the screen) in a name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# what json.dumps(ensure_ascii=False) leaves raw: it escapes C0 itself, not DEL and C1
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")


def plain(value: Any) -> str:
    """Text from data as a terminal may show it: each control character becomes `\\x` and two hex
    digits (ESC is shown as `\\x1b`, BEL as `\\x07`, U+009B as `\\x9b`), so it is seen, never obeyed."""
    text = str(value)
    if _CONTROL.search(text) is None:   # the usual case: no copy
        return text
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def json_text(obj: Any, **kw: Any) -> str:
    """JSON holding the exact text of the data that no terminal acts on: DEL and C1 are written as
    `\\u007f`..`\\u009f` like JSON already writes C0, and read back as the same characters."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False, **kw))


# OWASP's CSV-injection rule: a cell a spreadsheet would read as a formula starts with one of these
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?")


def spreadsheet_cell(value: Any) -> Any:
    """A cell from data for a CSV meant for spreadsheets: text that a spreadsheet would run as a formula
    gets a leading single quote (shown as text); a negative number such as -12.5 stays a number."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def for_spreadsheet(frame):
    """The frame with every text column's cells passed through spreadsheet_cell (numbers are left alone)."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(spreadsheet_cell)
    return out
