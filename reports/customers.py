"""Per-customer spend for a period: the shared base of whales, summary concentration and segments.

All history reads the kept `agg_customer` table (its spend index gives the top customers without a
sort) and the kept `agg_customer_base` row (count and revenue base, no scan); a bounded period groups
the kept customer parts of the orders (`order_customers`: each customer's lines of each order, dated
with the order's day), never the order lines. Each line counts for the customer on it: an order whose
lines carry several customers counts once for each of them, with their own lines' spend and units.
Ranking: spend, highest first; ties go to the customer whose first order (in the span ranked) came first,
then to the one who appeared in the store first (customer ids follow each customer's first line: import
order, then file position). A customer's orders, first and last order count only orders in which they
bought something: a return-only order (a cancellation invoice) is not an order, though its amount counts in
their spend; a customer with only returns in a period is not one of its customers.

Shares (whales' share and cumulative share, summary's top 1%/20% shares) are taken of the *customer
revenue base*: the sum of the non-negative customer spends in the period. That is the non-guest
revenue whenever no customer returned more than they bought in the period; a customer whose period
spend is negative (a return of an earlier purchase) is not ranked and does not shrink the base, so
shares stay within 0..1 and the cumulative share never falls."""

from __future__ import annotations

import sqlite3

from .params import Period

_ALL = """SELECT a.customer_id, c.customer_key, c.name AS customer_name, a.orders, a.units,
                 a.net_cents AS spend_cents, a.first_day, a.last_day
          FROM agg_customer a INDEXED BY agg_customer_spend JOIN customers c USING (customer_id)
          WHERE a.net_cents >= ?
          ORDER BY a.net_cents DESC, a.first_day, a.customer_id"""
# Group and rank the period's customer parts of orders first; join the names of the kept rows only.
_PERIOD = """SELECT g.customer_id, c.customer_key, c.name AS customer_name, g.orders, g.units, g.spend_cents,
                    g.first_day, g.last_day
             FROM (SELECT customer_id, sum(is_order) AS orders, sum(units) AS units, sum(net_cents) AS spend_cents,
                          min(CASE WHEN is_order = 1 THEN day END) AS first_day,
                          max(CASE WHEN is_order = 1 THEN day END) AS last_day
                   FROM order_customers WHERE day BETWEEN ? AND ?
                   GROUP BY customer_id HAVING sum(net_cents) >= ? AND sum(is_order) > 0
                   ORDER BY spend_cents DESC, first_day, customer_id{limit}) g
             JOIN customers c USING (customer_id)
             ORDER BY g.spend_cents DESC, g.first_day, g.customer_id"""
# The spend of each customer with an order in the period (a customer with only returns in it is not one).
_PERIOD_SPEND = """SELECT sum(net_cents) AS s FROM order_customers
                   WHERE day BETWEEN ? AND ? GROUP BY customer_id HAVING sum(is_order) > 0"""
# max(s, 0) in SQL both backends take (PostgreSQL's is greatest(); SQLite has no greatest())
_NON_NEGATIVE = "CASE WHEN s > 0 THEN s ELSE 0 END"


def is_all_history(conn: sqlite3.Connection, period: Period) -> bool:
    lo, hi = conn.execute("SELECT min(day), max(day) FROM agg_day").fetchone()
    return lo is not None and period.first.isoformat() <= lo and period.last.isoformat() >= hi


def ranked_customers(conn: sqlite3.Connection, period: Period, limit: int | None = None,
                     min_cents: int = 0) -> sqlite3.Cursor:
    """(customer_id, customer_key, customer_name, orders, units, spend_cents, first_day, last_day) rows, ranked,
    as a cursor (the app keeps every whale of a large store without a list of them all). Only customers
    whose spend is at least `min_cents` (never below 0): the filter runs in SQL."""
    # no LIMIT at all for every customer: SQLite's LIMIT -1 is an error in PostgreSQL, and LIMIT NULL in SQLite
    tail = (max(0, int(min_cents)),) + (() if limit is None else (int(limit),))
    cap = "" if limit is None else " LIMIT ?"
    if is_all_history(conn, period):
        return conn.execute(_ALL + cap, tail)
    return conn.execute(_PERIOD.format(limit=cap), (period.first.isoformat(), period.last.isoformat(), *tail))


def totals(conn: sqlite3.Connection, period: Period) -> tuple[int, int]:
    """(number of customers with an order in the period, the customer revenue base in cents)."""
    if is_all_history(conn, period):
        n, total = conn.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone()
    else:
        n, total = conn.execute(f"SELECT count(*), coalesce(sum({_NON_NEGATIVE}), 0) FROM ({_PERIOD_SPEND}) p",
                                (period.first.isoformat(), period.last.isoformat())).fetchone()
    return n, total


def unranked(conn: sqlite3.Connection, period: Period) -> int:
    """Customers with a line in the period whose spend there is negative (they returned more than they
    bought): counted in `totals()` (summary, the Overview, segments), never ranked (whales). So
    whales can rank totals()[0] - unranked() customers: one count of customers, one exception."""
    if is_all_history(conn, period):
        return conn.execute("SELECT count(*) FROM agg_customer INDEXED BY agg_customer_spend "
                            "WHERE net_cents < 0").fetchone()[0]
    return conn.execute(f"SELECT count(*) FROM ({_PERIOD_SPEND}) p WHERE s < 0",
                        (period.first.isoformat(), period.last.isoformat())).fetchone()[0]


def _top_k(n: int, fraction: float) -> int:
    return max(1, -(-n * int(round(fraction * 1000)) // 1000))   # ceil(n * fraction) in integers


def concentration(conn: sqlite3.Connection, period: Period, fractions: tuple[float, ...] = (0.01, 0.20)
                  ) -> tuple[int, int, list[float | None]]:
    """(customers, customer revenue base in cents, [share of the base of the top fraction of customers])
    in one pass: all history from agg_customer and its spend index, a period from one grouping of
    order_customers."""
    if is_all_history(conn, period):
        n, total = totals(conn, period)
        return n, total, [top_share(conn, period, f, n, total) for f in fractions]
    spends = sorted((r[0] for r in conn.execute(_PERIOD_SPEND, (period.first.isoformat(),
                                                                period.last.isoformat()))), reverse=True)
    n, total = len(spends), sum(max(s, 0) for s in spends)
    if n == 0 or total <= 0:
        return n, total, [None for _ in fractions]
    return n, total, [sum(max(s, 0) for s in spends[:_top_k(n, f)]) / total for f in fractions]


def top_share(conn: sqlite3.Connection, period: Period, fraction: float, n: int, total: int) -> float | None:
    """Share of the customer revenue base from the top `fraction` of the `n` customers by spend (at least
    one customer); `total` is the base from `totals()`. None when there is no base to share."""
    if n == 0 or total <= 0:
        return None
    k = _top_k(n, fraction)
    if is_all_history(conn, period):
        # the spend index alone: no names needed for a sum
        top = conn.execute("SELECT coalesce(sum(net_cents), 0) FROM (SELECT net_cents FROM agg_customer "
                           "INDEXED BY agg_customer_spend WHERE net_cents >= 0 "
                           "ORDER BY net_cents DESC, first_day, customer_id LIMIT ?) t", (k,)).fetchone()[0]
    else:
        top = conn.execute(f"SELECT coalesce(sum({_NON_NEGATIVE}), 0) FROM ({_PERIOD_SPEND} ORDER BY s DESC LIMIT ?) t",
                           (period.first.isoformat(), period.last.isoformat(), k)).fetchone()[0]
    return top / total
