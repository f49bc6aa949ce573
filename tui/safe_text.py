"""The one rule for text from data on its way out (no rich, no pandas: every command's error path uses it).

`plain`: control characters are spelled out, never sent, in every human-facing output (tables, charts,
captions, summaries, messages, the app). JSON (`json_text`) and CSV keep the exact text for programs;
the app's spreadsheet export neutralises formulas (`for_spreadsheet`)."""

from __future__ import annotations

import json
import re
from typing import Any


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


# one encoder for calls without options: json.dumps(ensure_ascii=False) builds a new one per call
json_record = json.JSONEncoder(ensure_ascii=False).encode


def json_text(obj: Any, **kw: Any) -> str:
    """JSON holding the exact text of the data that no terminal acts on: DEL and C1 are written as
    `\\u007f`..`\\u009f` like JSON already writes C0, and read back as the same characters."""
    return raw_escaped(json.dumps(obj, ensure_ascii=False, **kw) if kw else json_record(obj))


def raw_escaped(text: str) -> str:
    """JSON text with DEL and C1 written as escapes (JSON leaves them raw); done once on a whole document
    rather than per record."""
    if _RAW_IN_JSON.search(text) is None:   # the usual case: no copy
        return text
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
    """The rows (any iterable of tuples, read lazily) with every text cell passed through spreadsheet_cell
    (numbers are left alone)."""
    return (tuple(spreadsheet_cell(v) for v in row) for row in rows)
