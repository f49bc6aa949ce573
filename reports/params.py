"""Parameters shared by every report, and how a period is resolved against a store.

"Now" for a report is the as-of date: by default the date of the latest sale in the store, so a
historical export reads the same as a live store.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import NamedTuple


class ReportError(ValueError):
    """A parameter the user can fix (bad date, unknown category, ...)."""


class Params(NamedTuple):
    """Every report's parameters (a named tuple: cheap to define on every command's way in)."""

    since: date | None = None          # inclusive
    until: date | None = None          # inclusive
    as_of: date | None = None          # default: latest sale
    limit: int | None = None
    category: str | None = None
    # whales
    top_percent: float | None = None
    min_spend: float | None = None
    # top sellers and reorder
    window_days: int = 28
    min_per_week: float = 3.0
    # categories
    compare: str = "previous"          # previous | year
    # revenue
    grain: str = "day"                 # day | week | month
    profile: str | None = None         # weekday | month
    # reorder
    show_all: bool = False
    service_level: float = 0.95
    review_days: int = 14
    # segments
    segment: str | None = None
    # basket
    min_orders: int = 2

    def with_(self, **changes) -> "Params":
        return self._replace(**changes)


class Period(NamedTuple):
    """A resolved period: concrete first and last day (inclusive) and the as-of date."""

    first: date
    last: date
    as_of: date
    explicit: bool = False               # the user gave --since
    empty_store: bool = False
    category_id: int | None = None
    notes: tuple[str, ...] = ()
    after_latest: date | None = None     # the period starts after the latest sale (this date): nothing to show
    as_of_given: bool = False            # the user chose "now" (--as-of, or --until): not the latest sale

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def describe(self) -> str:
        if self.empty_store:
            return "no sales in the store"
        if self.after_latest:
            return f"{no_sales_after(self.after_latest)}; pick an earlier start"
        return " · ".join((f"{self.first.isoformat()} .. {self.last.isoformat()}, as of {self.as_of.isoformat()}",
                           *self.notes))


def no_sales_after(latest: date) -> str:
    return f"no sales after {latest.isoformat()} (the latest sale)"


def parse_date(text: str | date | None, option: str = "date") -> date | None:
    if text is None or isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReportError(f"{option} {text!r} is not a date; use YYYY-MM-DD, e.g. 2024-03-31") from None


def store_range(conn: sqlite3.Connection) -> tuple[date, date] | None:
    lo, hi = conn.execute("SELECT min(day), max(day) FROM agg_day").fetchone()
    if lo is None:
        return None
    return date.fromisoformat(lo), date.fromisoformat(hi)


def category_id(conn: sqlite3.Connection, name: str | None) -> int | None:
    if name is None:
        return None
    row = conn.execute("SELECT category_id FROM categories WHERE name = ?", (name,)).fetchone()
    if row is None:
        row = conn.execute("SELECT category_id FROM categories WHERE lower(name) = lower(?)", (name,)).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT name FROM categories ORDER BY name LIMIT 30")]
        raise ReportError(f"unknown category {name!r}. Categories: {', '.join(known) or '(none yet)'}")
    return row[0]


def resolve(conn: sqlite3.Connection, p: Params, default_days: int | None = None) -> Period:
    """Concrete first/last/as-of days: since defaults to the first sale (or, for a report with
    `default_days`, to the first of that many days ending at the last day), until and as-of to the latest."""
    period = _resolve(conn, p, default_days)
    # "now" chosen by the user (--as-of, or --until before the latest sale), not the latest sale
    return period._replace(as_of_given=p.as_of is not None or (p.until is not None and period.as_of == p.until))


def _resolve(conn: sqlite3.Connection, p: Params, default_days: int | None) -> Period:
    cat = category_id(conn, p.category)
    rng = store_range(conn)
    today = date.today()
    if rng is None:
        as_of = p.as_of or today
        return Period(p.since or as_of, p.until or as_of, as_of, p.since is not None, True, cat)
    lo, hi = rng
    as_of = p.as_of or (min(p.until, hi) if p.until and p.until < hi else hi)
    if as_of < lo:
        # "Now" is before the first sale: nothing has happened yet, so every report is empty (the period
        # ends at the as-of day, before any sale), never the first sale's day as before.
        first = p.since if p.since is not None and p.since <= as_of else as_of
        return Period(first, as_of, as_of, p.since is not None, False, cat,
                      (f"nothing sold yet (the first sale is on {lo.isoformat()})",))
    last = p.until or as_of
    first = p.since or (last - timedelta(days=default_days - 1) if default_days else lo)
    if first > last:
        if p.until is None:       # --since after the latest sale: an empty period, not a mistake, said plainly
            return Period(first, first, as_of, True, False, cat, after_latest=hi)
        raise ReportError(f"--since {first} is after --until {last}; the period would be empty")
    return Period(first, last, as_of, p.since is not None, False, cat)


def previous_span(period: Period, compare: str) -> tuple[date, date]:
    if compare == "year":
        return _year_before(period.first), _year_before(period.last)
    return period.first - timedelta(days=period.days), period.first - timedelta(days=1)


def _year_before(day: date) -> date:
    """The same calendar date a year earlier; 29 February, which that year lacks, becomes 28 February.
    Each end of a span on its own: the other end keeps its date."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def cents(value) -> float:
    """Integer cents to currency units (exact in a float for any realistic amount)."""
    return 0.0 if value is None else value / 100


def round_cents(value: float) -> float:
    """Money to cents, halves away from zero on the number as written (2.675 -> 2.68, -2.675 -> -2.68, as
    a person would round it; round() and %.2f work on the binary value and give 2.67). Tables and JSON
    round money this one way."""
    from decimal import ROUND_HALF_UP, Decimal

    if round(value, 2) == value:   # already whole cents (as every amount from integer cents is): no Decimal
        return float(value)
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), ROUND_HALF_UP))
