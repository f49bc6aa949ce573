"""Parsing the values of raw exports: missing-value markers, numbers (with currency
symbols and thousands separators), quantities, discounts and dates.

Every parser is vectorised over a pandas Series of strings and returns the
parsed values plus a per-row reason (empty string when the value is good), so
a bad value becomes a rejected row with an explanation, never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

MAX_QUANTITY = 1_000_000          # units on one order line
MAX_PRICE = 10_000_000            # currency units per unit
MAX_LINE_CENTS = 10**13           # 100 billion per line: beyond it, a typo

_CURRENCY = re.compile(r"[£$€¥₹₩₽¢]|\b(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|SEK|NOK|DKK)\b", re.IGNORECASE)


def _clean_number(text: str) -> float | None:
    """The slow path for values `pd.to_numeric` refused: `£1,234.50`, `1.234,50`, `$ 12`, `(3.20)`, `12%`."""
    s = _CURRENCY.sub("", text).strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.endswith("-") and s[:-1].replace(".", "").replace(",", "").isdigit():
        negative, s = True, s[:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s or not re.fullmatch(r"[0-9.,]+", s):
        return None
    if "," in s and "." in s:
        # the separator that comes last is the decimal one
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] not in ("", "0")):
            if not all(len(p) == 3 for p in parts[1:]):
                return None
            s = s.replace(",", "")          # 1,234 / 1,234,567: thousands
        else:
            s = s.replace(",", ".")          # 12,5 / 0,99: decimal comma
    elif s.count(".") > 1:
        parts = s.split(".")
        if not all(len(p) == 3 for p in parts[1:]):
            return None
        s = s.replace(".", "")              # 1.234.567: thousands
    try:
        value = float(s)
    except ValueError:
        return None
    return -value if negative else value


# What other tools write for an empty cell: R's write.csv `NA`, Excel `#N/A`, pandas `nan`/`NaN`, SQL tools
# `NULL`/`null`, Python `None`, and `N/A` typed by hand. Matched whole, case-insensitively, after the
# surrounding spaces are stripped (the validator strips every field first).
MISSING_TOKENS = ("NA", "N/A", "#N/A", "null", "NULL", "None", "nan", "NaN")


def _every_case(word: str) -> list[str]:
    out = [""]
    for ch in word:
        out = [o + c for o in out for c in {ch.lower(), ch.upper()}]
    return out


# Every ASCII casing of every token (52 strings): `isin` on them is an exact hash lookup, far cheaper
# than lower-casing each column of a million-line file.
_MISSING_SPELLINGS = sorted({s for t in MISSING_TOKENS for s in _every_case(t)})


def is_missing_marker(stripped: pd.Series) -> pd.Series:
    """True where an (already stripped) value is one of MISSING_TOKENS, in any case."""
    return stripped.isin(_MISSING_SPELLINGS)


def parse_numbers(raw: pd.Series) -> pd.Series:
    """Floats, NaN where the text is empty or not a number."""
    stripped = raw.str.strip()
    values = pd.to_numeric(stripped, errors="coerce")
    retry = values.isna() & (stripped != "")
    if retry.any():
        values = values.astype("float64")
        cleaned = [_clean_number(v) for v in stripped[retry]]
        values[retry] = [np.nan if v is None else v for v in cleaned]
    return values.astype("float64")


@dataclass
class Parsed:
    values: pd.Series
    reason: pd.Series  # "" when good


def _reasons(index: pd.Index) -> pd.Series:
    return pd.Series("", index=index, dtype=object)


def parse_quantity(raw: pd.Series) -> Parsed:
    nums = parse_numbers(raw)
    reason = _reasons(raw.index)
    empty = raw.str.strip() == ""
    bad = nums.isna() & ~empty
    reason[empty] = "quantity is empty"
    reason[bad] = "quantity '" + raw[bad].str.slice(0, 40) + "' is not a number"
    ok = nums.notna()
    frac = ok & (nums != np.round(nums))
    reason[frac] = "quantity '" + raw[frac].str.slice(0, 40) + "' is not a whole number of units"
    zero = ok & (nums == 0)
    reason[zero] = "quantity is zero"
    huge = ok & (nums.abs() > MAX_QUANTITY)
    reason[huge] = "quantity '" + raw[huge].str.slice(0, 40) + f"' is implausibly large (over {MAX_QUANTITY:,})"
    values = nums.where(reason == "", 0).round().astype("int64")
    return Parsed(values, reason)


def parse_money_micros(raw: pd.Series, label: str) -> Parsed:
    """Money in integer micro-units (1e-6), exact for up to six decimals."""
    nums = parse_numbers(raw)
    reason = _reasons(raw.index)
    empty = raw.str.strip() == ""
    bad = nums.isna() & ~empty
    reason[empty] = f"{label} is empty"
    reason[bad] = f"{label} '" + raw[bad].str.slice(0, 40) + "' is not a number"
    huge = nums.notna() & (nums.abs() > MAX_PRICE)
    reason[huge] = f"{label} '" + raw[huge].str.slice(0, 40) + "' is implausibly large"
    values = (nums.where(reason == "", 0) * 1_000_000).round().astype("int64")
    return Parsed(values, reason)


def parse_discount_fraction(raw: pd.Series) -> Parsed:
    """A fraction 0..1 of the line; `15%` is read as 0.15. Empty means no discount."""
    text = raw.str.strip()
    pct = text.str.endswith("%")
    nums = parse_numbers(text.str.rstrip("%"))
    nums[pct] = nums[pct] / 100
    reason = _reasons(raw.index)
    empty = text == ""
    bad = nums.isna() & ~empty
    reason[bad] = "discount '" + raw[bad].str.slice(0, 40) + "' is not a number"
    out = nums.notna() & ((nums < 0) | (nums > 1))
    reason[out] = "discount '" + raw[out].str.slice(0, 40) + "' must be a fraction between 0 and 1 (e.g. 0.15 or 15%)"
    return Parsed(nums.where(reason == "", 0).fillna(0.0), reason)


def round_half_away(micros: np.ndarray | pd.Series, unit: int = 10_000) -> np.ndarray:
    """Integer division of micro-units into cents, rounding halves away from zero (exact)."""
    m = np.asarray(micros, dtype="int64")
    sign = np.where(m < 0, -1, 1)
    return sign * ((np.abs(m) + unit // 2) // unit)


# ---------------------------------------------------------------- dates

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?$")
_OFFSET = r"\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)$"
_SLASHED = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?$")


class DateFormatUnknown(Exception):
    """The file's dates are ambiguous (d/m vs m/d) or in a layout we cannot guess."""


@dataclass(frozen=True)
class DateRule:
    """How the dates of one file are read, decided once from a sample."""

    kind: str            # "iso" | "strptime"
    fmt: str = ""
    has_offset: bool = False

    def describe(self) -> str:
        return "ISO 8601" if self.kind == "iso" else self.fmt


def _check_format(fmt: str) -> None:
    """A format strptime cannot use is the user's typo: say so before reading a row."""
    from datetime import datetime

    if "%" not in fmt:
        raise DateFormatUnknown(f"--date-format {fmt!r} has no % directives; it should look like "
                                "'%d/%m/%Y' or '%Y-%m-%d %H:%M'.")
    try:
        datetime.strptime("", fmt)
    except ValueError as exc:
        if "bad directive" in str(exc) or "stray %" in str(exc):
            raise DateFormatUnknown(f"--date-format {fmt!r} is not a valid date format ({exc}); it should look "
                                    "like '%d/%m/%Y' or '%Y-%m-%d %H:%M'.") from None


def detect_date_rule(sample: pd.Series, *, date_format: str | None, dayfirst: bool,
                     layout_format: str | None = None) -> DateRule:
    """How to read the file's dates: `--date-format`, else ISO 8601 when most of the sample is, else the
    layout's own format (Etsy's MM/DD/YY), else guessed from slashed values."""
    # a sample of the first values (the first chunk has 50,000: stripping them all cost 0.4 s)
    values = [v.strip() for v in sample.iloc[:10_000].tolist() if isinstance(v, str) and v.strip()][:2000]
    if date_format:
        _check_format(date_format)
        return DateRule("strptime", date_format)
    if not values:
        return DateRule("iso")
    iso = [v for v in values if _ISO.match(v)]
    if len(iso) >= len(values) / 2:
        return DateRule("iso", has_offset=any(re.search(_OFFSET, v) for v in iso))
    if layout_format:
        return DateRule("strptime", layout_format)
    matches = [m for m in (_SLASHED.match(v) for v in values) if m]
    if len(matches) < len(values) / 2:
        raise DateFormatUnknown(
            f"dates like '{values[0][:40]}' are in a layout shopintel cannot guess. "
            "Give it with --date-format, e.g. --date-format '%d %b %Y %H:%M'."
        )
    first_big = any(int(m.group(1)) > 12 for m in matches)
    second_big = any(int(m.group(3)) > 12 for m in matches)
    if first_big and second_big:
        raise DateFormatUnknown(
            "the dates mix day/month and month/day order (both '13/..' and '../13' appear). "
            "Give the layout with --date-format, e.g. --date-format '%d/%m/%Y'."
        )
    if dayfirst or first_big:
        order = "%d{s}%m"
    elif second_big:
        order = "%m{s}%d"
    else:
        raise DateFormatUnknown(
            f"the dates are ambiguous: '{matches[0].group(0)}' could be day/month or month/day, and no value "
            "above 12 settles it. Say which: --dayfirst for d/m/y, or --date-format '%m/%d/%Y' for m/d/y."
        )
    m = matches[0]
    sep = m.group(2)
    fmt = order.format(s=sep) + sep + ("%Y" if len(m.group(4)) == 4 else "%y")
    if m.group(5):
        fmt += " %I:%M" if m.group(8) else " %H:%M"
        if m.group(7):
            fmt += ":%S"
        if m.group(8):
            fmt += " %p"
    return DateRule("strptime", fmt)


@dataclass
class ParsedDates(Parsed):
    utc: pd.Series    # True where the time was written in UTC (Z, +00:00, UTC) and kept as such


_UTC = r"(?:Z|[+-]00:?00|\s*UTC)$"


def parse_dates(raw: pd.Series, rule: DateRule, tz: str | None = None) -> ParsedDates:
    """Timestamps as `YYYY-MM-DDTHH:MM:SS` strings. A time with an offset (`-0400`, `+02:00`, `Z`) is read
    in the file's own wall time, its offset dropped (a shop's day is its local day), unless `tz` names the
    shop's zone: then it is converted to that zone's local time. A time without one is local already."""
    text = raw.str.strip()
    utc = pd.Series(False, index=raw.index)
    if rule.kind == "iso":
        if rule.has_offset:
            has = text.str.contains(_OFFSET, regex=True)
            utc = text.str.contains(_UTC, regex=True) & has
            parsed = pd.to_datetime(text.str.replace(_OFFSET, "", regex=True), format="ISO8601", errors="coerce")
            if tz and has.any():
                written = (text[has].str.replace(r"\s*UTC$", "+00:00", regex=True)
                           .str.replace(r"\s+(?=[+-]\d{2}:?\d{2}$)", "", regex=True))
                instant = pd.to_datetime(written, format="ISO8601", utc=True, errors="coerce")
                parsed = parsed.astype("datetime64[ns]")
                parsed[has] = instant.dt.tz_convert(tz).dt.tz_localize(None).astype("datetime64[ns]")
                utc = pd.Series(False, index=raw.index)
        else:
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    else:
        normalised = text.str.replace(r"\s+", " ", regex=True)
        if "%p" in rule.fmt:
            normalised = normalised.str.upper()
        parsed = pd.to_datetime(normalised, format=rule.fmt, errors="coerce")
    reason = _reasons(raw.index)
    empty = text == ""
    bad = parsed.isna() & ~empty
    reason[empty] = "date is empty"
    reason[bad] = "date '" + raw[bad].str.slice(0, 40) + f"' does not match the file's date format ({rule.describe()}); use --date-format"
    out_of_range = parsed.notna() & ((parsed.dt.year < 1900) | (parsed.dt.year > 2200))
    reason[out_of_range] = "date '" + raw[out_of_range].str.slice(0, 40) + "' is out of range"
    good = reason == ""
    stamps = pd.Series("", index=raw.index, dtype=object)
    if good.any():
        as_seconds = parsed[good].to_numpy(dtype="datetime64[ns]").astype("datetime64[s]")
        stamps[good] = np.datetime_as_string(as_seconds, unit="s")
    return ParsedDates(stamps, reason, utc & good)
