"""`revenue`: the revenue series by day, week (Monday start) or month, continuous (periods without
sales show 0) with a trailing 7-period moving average; or a seasonality profile: the average
revenue per weekday or per calendar month, with its index against the overall daily average.

Read from the kept per-day totals (agg_day; with --category, agg_category_day, which keeps no order
counts, so `orders` is null there); the calendar is filled in Python, so the work is sized by the
number of days. period = first day of the day/week (Monday)/month; the first and last week or month
may be partial when the period starts or ends inside one. moving_average = mean of this and the 6
previous periods' revenue (fewer at the start), computed before --limit keeps the last N periods.
A period with no sales at all gives an empty result."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["period", "revenue", "orders", "units", "moving_average"]
PROFILE_COLUMNS = ["period", "revenue", "index"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MOVING = 7


def daily(conn: sqlite3.Connection, period: Period) -> list[tuple[date, int, int | None, int]]:
    """Every day of the period (zeros where nothing sold): (day, cents, orders, units); with a category,
    orders is None (they are not kept per category)."""
    lo, hi = period.first.isoformat(), period.last.isoformat()
    if period.category_id is None:
        found = conn.execute("SELECT day, net_cents, orders, units FROM agg_day WHERE day BETWEEN ? AND ?",
                             (lo, hi)).fetchall()
        none = (0, 0, 0)
    else:
        found = conn.execute("SELECT day, net_cents, NULL, units FROM agg_category_day "
                             "WHERE category_id = ? AND day BETWEEN ? AND ?", (period.category_id, lo, hi)).fetchall()
        none = (0, None, 0)
    by_day = {d: (cents, orders, units) for d, cents, orders, units in found}
    days = (period.first + timedelta(days=i) for i in range(period.days))
    return [(d, *by_day.get(d.isoformat(), none)) for d in days]


def _any_sales(conn: sqlite3.Connection, period: Period) -> bool:
    lo, hi = period.first.isoformat(), period.last.isoformat()
    if period.category_id is None:
        row = conn.execute("SELECT 1 FROM agg_day WHERE day BETWEEN ? AND ? LIMIT 1", (lo, hi)).fetchone()
    else:
        row = conn.execute("SELECT 1 FROM agg_category_day WHERE day BETWEEN ? AND ? AND category_id = ? LIMIT 1",
                           (lo, hi, period.category_id)).fetchone()
    return row is not None


def _start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def revenue(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.grain not in ("day", "week", "month"):
        raise ReportError(f"--grain {p.grain!r}: use day, week or month")
    if p.profile is not None and p.profile not in ("weekday", "month"):
        raise ReportError(f"--profile {p.profile!r}: use weekday or month")
    period = period or resolve(conn, p)
    if period.empty_store or not _any_sales(conn, period):
        # an empty period is an empty answer, not a run of zeros (the caption says so)
        return Rows(tuple(PROFILE_COLUMNS if p.profile else COLUMNS), [])
    days = daily(conn, period)
    if p.profile:
        return _profile(days, p.profile)
    groups: dict[date, list] = {}
    for day, cents, orders, units in days:   # days ascending, so the groups are too
        g = groups.setdefault(_start(day, p.grain), [0, None if orders is None else 0, 0])
        g[0] += cents
        if orders is not None:
            g[1] += orders
        g[2] += units
    cents = [g[0] for g in groups.values()]
    rows = []
    for i, (start, (c, orders, units)) in enumerate(groups.items()):
        window = cents[max(0, i - MOVING + 1): i + 1]   # this and the 6 before (fewer at the start), in cents
        rows.append((start.isoformat(), c / 100, orders, units, sum(window) / len(window) / 100))
    if p.limit is not None:
        rows = rows[-p.limit:] if p.limit > 0 else []
    return Rows(tuple(COLUMNS), rows)


def _profile(days: list[tuple], kind: str) -> Rows:
    """The average revenue per day of each weekday (or calendar month) and its ratio to the average day."""
    sums: dict[int, list[int]] = {}
    for day, cents, _, _ in days:
        key = day.weekday() if kind == "weekday" else day.month - 1
        acc = sums.setdefault(key, [0, 0])
        acc[0] += cents
        acc[1] += 1
    labels = WEEKDAYS if kind == "weekday" else MONTHS
    overall = sum(c for _, c, _, _ in days) / len(days)
    return Rows(tuple(PROFILE_COLUMNS), [
        (labels[key], total / n / 100, (total / n) / overall if overall else None)
        for key, (total, n) in sorted(sums.items())])
