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

from ..reports.registry import column_kinds
from ..reports.spec import Column

# The reports' columns come from the registry; these are the extra columns of the app's detail screens
# and alert panel (a customer's orders, a product's weeks, the alerts).
SCREEN_COLUMNS = (Column("order_id", "text", "order"), Column("day", "date"), Column("week", "date"),
                  Column("month", "date"), Column("lines", "count"), Column("suggested_value", "money"),
                  Column("alert_id", "count", "alert"), Column("created_at", "date", "raised"),
                  Column("acknowledged_at", "date", "acknowledged"))
COLUMNS: dict[str, Column] = {**{c.name: c for c in SCREEN_COLUMNS}, **column_kinds()}
NUMERIC_KINDS = ("money", "count", "share", "change", "decimal")
RIGHT = {name for name, c in COLUMNS.items() if c.kind in NUMERIC_KINDS}


def kind(column: str) -> str:
    c = COLUMNS.get(column)
    return c.kind if c else "text"


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
    k = kind(column)
    if k == "money":
        return f"{value:,.2f}"
    if k == "share":
        return f"{value * 100:.1f}%"
    if k == "change":
        return f"{value * 100:+.1f}%"
    if k == "decimal":
        return f"{value:,.1f}"
    if k == "flag":
        return "◆ driver" if column == "driver" and value else ("yes" if value else "")
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else ""
    if isinstance(value, numbers.Integral) or (k == "count" and isinstance(value, numbers.Real)
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


def header(column: str) -> str:
    c = COLUMNS.get(column)
    return c.label if c else column.replace("_", " ")


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


def for_spreadsheet(rows):
    """The Rows with every text cell passed through spreadsheet_cell (numbers are left alone)."""
    from ..reports.result import Rows

    return Rows(rows.columns, [tuple(spreadsheet_cell(v) for v in row) for row in rows.rows])
