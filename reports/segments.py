"""`segments`: RFM segmentation of non-guest customers as of the as-of date.

Each line counts for the customer on it (reports.customers): an order whose lines carry several
customers is one order of each of them, with their own lines' spend.

Recency (days since the last order), frequency (orders) and monetary (spend) are each scored 1-5 by
quintile of rank (5 = best; recency reversed: recent is good): score = floor((rank - 1) x 5 / n) + 1
where rank is the 1-based rank from the lowest value and equal values take the lowest rank of their
tie, so equal customers always get equal scores (one-time buyers all get F = 1 when they are at least
a fifth of the customers; quintiles are then uneven, which is the honest answer). Customers with
negative spend in the period (only returns) are scored too: they get the lowest M. Segments are
assigned by the first matching rule, in this precedence:

 1. Champions          R>=4, F>=4, M>=4
 2. Can't Lose Them    R<=2, F>=4, M>=4
 3. Loyal Customers    R>=3, F>=4
 4. At Risk            R<=2, F>=3
 5. Potential Loyalist R>=4, F 2-3
 6. Need Attention     R=3,  F=3
 7. New Customers      R=5,  F=1
 8. Promising          R=4,  F=1
 9. About To Sleep     R=3,  F<=2
10. Hibernating        R=2,  F<=2
11. Lost               R=1,  F<=2
    Others             anything else
"""

from __future__ import annotations

import math
import sqlite3
from datetime import date, timedelta
from statistics import median

from .customers import is_all_history
from .params import Params, Period, ReportError, resolve
from .result import Rows

SEGMENTS = ["Champions", "Can't Lose Them", "Loyal Customers", "At Risk", "Potential Loyalist", "Need Attention",
            "New Customers", "Promising", "About To Sleep", "Hibernating", "Lost", "Others"]
COLUMNS = ["segment", "customers", "revenue", "share", "median_recency_days", "median_orders", "median_spend"]
CUSTOMER_COLUMNS = ["customer_id", "customer_name", "recency_days", "orders", "spend", "r", "f", "m"]
SCORED = ("customer_id", "customer_name", "recency_days", "orders", "spend_cents", "r", "f", "m", "segment")


def recency_days(as_of: date, last_days) -> list[int | None]:
    """Days from each last order day (YYYY-MM-DD) to as-of, never below 0. In Python, so the SQL is the same
    on both engines (SQLite counts days with julianday, PostgreSQL subtracts dates): one parse per distinct
    day, a few hundred whatever the number of customers."""
    now, seen = as_of.toordinal(), {}
    out = []
    for day in last_days:
        days = seen.get(day)
        if days is None and day is not None:
            days = seen[day] = max(0, now - date.fromisoformat(day).toordinal())
        out.append(days)
    return out


def _quintile(values: list) -> list[int]:
    """Scores 1..5 by quintile of rank, lowest values first. Equal values share the score of the
    lowest rank in their tie, so customers who look the same always score the same."""
    n = len(values)
    # the first place of each value in sorted order is its lowest rank - 1 (later places overwrite
    # earlier ones, so walk the sorted values from the end); one dict lookup a customer
    ordered = sorted(values)
    lowest = dict(zip(reversed(ordered), range(n - 1, -1, -1)))
    return [lowest[v] * 5 // n + 1 for v in values]   # (min rank - 1) x 5 // n + 1


def _half_away(cents: float) -> int:
    """Whole cents, halves away from zero (a median of an even count can end in half a cent)."""
    return int(math.copysign(math.floor(abs(cents) + 0.5), cents))


def _segment(r: int, f: int, m: int) -> str:
    """The first rule that matches (README, docs/reports.md)."""
    if r >= 4 and f >= 4 and m >= 4:
        return "Champions"
    if r <= 2 and f >= 4 and m >= 4:
        return "Can't Lose Them"
    if r >= 3 and f >= 4:
        return "Loyal Customers"
    if r <= 2 and f >= 3:
        return "At Risk"
    if r >= 4 and 2 <= f <= 3:
        return "Potential Loyalist"
    if r == 3 and f == 3:
        return "Need Attention"
    if r == 5 and f == 1:
        return "New Customers"
    if r == 4 and f == 1:
        return "Promising"
    if r == 3 and f <= 2:
        return "About To Sleep"
    if r == 2 and f <= 2:
        return "Hibernating"
    if r == 1 and f <= 2:
        return "Lost"
    return "Others"


def scored(conn: sqlite3.Connection, period: Period, names: bool = True) -> Rows:
    """One row per non-guest customer (in customer order): SCORED's columns, recency/frequency/monetary,
    their scores and segment. `names=False` leaves the customer id and name None (the segment summary
    needs neither). Plain Python: sorting n values is the cost, and the app never loads pandas."""
    who = ", c.customer_key, c.name" if names else ", NULL, NULL"
    join = "JOIN customers c USING (customer_id)" if names else ""
    if is_all_history(conn, period):
        sql = f"""SELECT a.orders, a.net_cents, a.last_day {who}
                  FROM agg_customer a {join} ORDER BY a.customer_id"""
        args: tuple = ()
    else:
        sql = f"""SELECT g.orders, g.net_cents, g.last_day {who}
                  FROM (SELECT customer_id, sum(is_order) AS orders, sum(net_cents) AS net_cents,
                               max(CASE WHEN is_order = 1 THEN day END) AS last_day
                        FROM order_customers WHERE day BETWEEN ? AND ?
                        GROUP BY customer_id HAVING sum(is_order) > 0) g {join.replace('c USING', 'c ON c.customer_id = g.customer_id')
                                                     .replace('(customer_id)', '')}
                  ORDER BY g.customer_id"""
        args = (period.first.isoformat(), period.last.isoformat())
    rows = conn.execute(sql, args).fetchall()
    if not rows:
        return Rows(SCORED, [])
    orders, cents, last_days, keys, names_ = zip(*rows)
    recency = recency_days(period.as_of, last_days)
    r = [6 - q for q in _quintile(recency)]
    f, m = _quintile(orders), _quintile(cents)
    return Rows(SCORED, [
        (key, (name or key) if names else None, rec, o, c, ri, fi, mi, _segment(ri, fi, mi))
        for key, name, rec, o, c, ri, fi, mi in zip(keys, names_, recency, orders, cents, r, f, m)])


def segments(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.category:
        raise ReportError("segments score customers across the whole shop; --category is not available here")
    period = period or resolve(conn, p)
    rows = scored(conn, period, names=p.segment is not None).rows
    key, name, recency, orders, cents, r, f, m, segment = range(len(SCORED))   # SCORED's places
    if p.segment is not None:
        match = {s.lower(): s for s in SEGMENTS}.get(p.segment.strip().lower())
        if match is None:
            raise ReportError(f"unknown segment {p.segment!r}. Segments: {', '.join(SEGMENTS)}")
        members = sorted((c for c in rows if c[segment] == match), key=lambda c: (-c[cents], c[key]))
        if p.limit is not None:
            members = members[:max(0, p.limit)]
        return Rows(tuple(CUSTOMER_COLUMNS), [(c[key], c[name], c[recency], c[orders], c[cents] / 100, c[r], c[f], c[m])
                                              for c in members])
    if not rows:
        return Rows(tuple(COLUMNS), [])
    # Column-wise, with the per-customer work in C (zip, sort, filter): this runs over every customer
    _, _, recencies, orders_, spends, _, _, _, segments_ = zip(*rows)
    by_segment: dict[str, list[int]] = {}
    for i, seg in enumerate(segments_):
        by_segment.setdefault(seg, []).append(i)
    # the customer revenue base of whales and summary: non-negative spends only, so a share is never
    # negative and the segments' shares add up to 1
    positive = {seg: sum(filter((0).__lt__, map(spends.__getitem__, ix))) for seg, ix in by_segment.items()}
    base = sum(positive.values())
    out = []
    for seg, ix in by_segment.items():
        seg_spends = list(map(spends.__getitem__, ix))
        out.append((seg, len(ix), sum(seg_spends) / 100, positive[seg] / base if base else None,
                    float(median(map(recencies.__getitem__, ix))), float(median(map(orders_.__getitem__, ix))),
                    _half_away(median(seg_spends)) / 100))
    out.sort(key=lambda g: (-g[2], g[0]))
    return Rows(tuple(COLUMNS), out)


def segment_of(conn: sqlite3.Connection, customer_key: str, as_of: date | None = None) -> str | None:
    """The segment of one customer (all history), for the customer detail screen: their three scores by
    counting the customers below them (a score is the quintile of the lowest rank of a tie, i.e. of how
    many customers have a lower value), three counts over the kept customer totals instead of scoring
    every customer (0.3 s at 1M lines)."""
    period = resolve(conn, Params(as_of=as_of))
    if not is_all_history(conn, period):   # an as-of inside the history: the customers of the lines up to it
        for c in scored(conn, period).records():
            if c["customer_id"] == customer_key:
                return c["segment"]
        return None
    me = conn.execute("""SELECT a.orders, a.net_cents, a.last_day FROM agg_customer a
                         JOIN customers c USING (customer_id) WHERE c.customer_key = ?""", (customer_key,)).fetchone()
    if me is None:
        return None
    orders, cents, last_day = me
    recency = recency_days(period.as_of, [last_day])[0]
    # a recency below mine (never below 0) is a last day after as-of - mine: none when mine is 0
    after = (period.as_of - timedelta(days=recency)).isoformat() if recency > 0 else None
    n, fewer_orders, less_spend, more_recent = conn.execute(
        """SELECT count(*), sum(CASE WHEN orders < ? THEN 1 ELSE 0 END),
                  sum(CASE WHEN net_cents < ? THEN 1 ELSE 0 END),
                  sum(CASE WHEN last_day > ? THEN 1 ELSE 0 END)
           FROM agg_customer""", (orders, cents, after)).fetchone()
    f, m = fewer_orders * 5 // n + 1, less_spend * 5 // n + 1
    r = 6 - (more_recent * 5 // n + 1)
    return _segment(r, f, m)
