"""`categories`: revenue by category, its share, and (with a period) growth against the previous
equal-length span (or the same span a year earlier): which department drives growth.

growth = revenue / previous_revenue - 1; growth_contribution = (revenue - previous_revenue) / total
previous revenue, so contributions add up to the shop's total growth. The driver is the largest push
in the direction the shop moved: when its revenue grew, the category with the largest positive
contribution; when it fell, the one with the largest negative contribution (ties: first by name); no
driver when the total did not move. A category that fell while the shop grew never "drives" it."""

from __future__ import annotations

import sqlite3

from .params import Params, Period, previous_span, resolve
from .result import Rows

COLUMNS = ["category", "revenue", "share", "previous_revenue", "growth", "growth_contribution", "driver"]


def _by_category(conn: sqlite3.Connection, first: str, last: str) -> dict[str, int]:
    # grouped by the categories' own key, so that PostgreSQL knows each group has one name
    return dict(conn.execute(
        """SELECT c.name, sum(a.net_cents)
           FROM agg_category_day a JOIN categories c USING (category_id)
           WHERE a.day BETWEEN ? AND ? GROUP BY c.category_id""", (first, last)).fetchall())


def _driver(rows: list[list], change_cents: int) -> list | None:
    """The row that pushed hardest in the direction the shop moved (sign of `change_cents`); None when
    the shop's revenue did not move or no category moved that way."""
    if change_cents == 0:
        return None
    sign = 1 if change_cents > 0 else -1
    pushing = [r for r in rows if r[5] is not None and r[5] * sign > 0]
    return min(pushing, key=lambda r: (-r[5] * sign, r[0])) if pushing else None


def categories(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    period = period or resolve(conn, p)
    cur = _by_category(conn, period.first.isoformat(), period.last.isoformat())
    if not cur:   # a period without sales is an empty answer, not rows of 0 for the previous span's categories
        return Rows(tuple(COLUMNS), [])
    prev: dict[str, int] = {}
    if period.explicit:
        lo, hi = previous_span(period, p.compare)
        prev = _by_category(conn, lo.isoformat(), hi.isoformat())
    names = sorted(set(cur) | set(prev))
    total, total_prev = sum(cur.values()), sum(prev.values())
    rows = []
    for name in names:
        cents, before = cur.get(name, 0), prev.get(name, 0)
        rows.append([
            name, cents / 100, cents / total if total else None,
            before / 100 if period.explicit else None,
            cents / before - 1 if period.explicit and before > 0 else None,
            (cents - before) / total_prev if period.explicit and total_prev else None,
            False])
    driver = _driver(rows, total - total_prev) if period.explicit else None
    if driver is not None:
        driver[6] = True
    if period.category_id is not None:
        name = conn.execute("SELECT name FROM categories WHERE category_id = ?", (period.category_id,)).fetchone()[0]
        rows = [r for r in rows if r[0] == name]
    rows.sort(key=lambda r: (-r[1], r[0]))
    if p.limit is not None:
        rows = rows[:max(0, p.limit)]
    return Rows(tuple(COLUMNS), [tuple(r) for r in rows])
