"""`cohorts`: customer retention by the month of each customer's first order in the store.

cohort = YYYY-MM of the customer's first order day (all history, so a customer's cohort never moves);
for each cohort and each month since it (0 = the cohort's own month) up to the as-of month: customers
= the cohort's size, active = its customers with an order in that month (a return-only order is not
one: its amount counts in the revenue), retention = active / customers, revenue = the net revenue of
the cohort's own lines that month (returns subtract). Guests are never in a cohort. --since/--until pick the cohorts by first-order
month; nothing after the as-of date counts.

Read from the kept per-(cohort, month) counts (agg_cohort_month: a few hundred rows whatever the
store's size); a cohort's size is its month-0 count (every customer orders in their first month). Only
when the as-of date falls before the store's latest sale is its month counted from the customer parts
of that month's orders up to as-of (order_customers), and the months after it left out.
"""

from __future__ import annotations

import sqlite3

from .params import Params, Period, ReportError, resolve, store_range
from .result import Rows

COLUMNS = ["cohort", "months_since", "customers", "active", "retention", "revenue"]

_KEPT = """SELECT cohort, month, active, net_cents FROM agg_cohort_month
           WHERE cohort BETWEEN :first AND :last AND month < :cut"""
# the as-of month up to as-of, when as-of is before the latest sale (its kept counts hold later days too)
_PARTIAL = """SELECT substr(a.first_day, 1, 7) AS cohort, :cut AS month, sum(m.bought), sum(m.net_cents)
              FROM (SELECT customer_id, max(is_order) AS bought, sum(net_cents) AS net_cents FROM order_customers
                    WHERE day BETWEEN :cut_day AND :as_of GROUP BY customer_id) m
              JOIN agg_customer a USING (customer_id)
              WHERE a.first_day <= :as_of AND substr(a.first_day, 1, 7) BETWEEN :first AND :last GROUP BY 1"""


def _months(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def cohorts(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.category:
        raise ReportError("cohorts follow customers across the whole shop; --category is not available here")
    period = period or resolve(conn, p)
    if period.empty_store:
        return Rows(tuple(COLUMNS), [])
    as_of = period.as_of.isoformat()
    latest = store_range(conn)[1].isoformat()
    complete = as_of >= latest   # the kept counts hold nothing after as-of
    args = {"as_of": as_of, "first": period.first.isoformat()[:7], "last": period.last.isoformat()[:7],
            "cut": as_of[:7] if not complete else "9999-12", "cut_day": as_of[:7] + "-01"}
    active = {(cohort, month): (n, cents) for cohort, month, n, cents in conn.execute(_KEPT, args)}
    if not complete:
        active.update({(cohort, month): (n, cents) for cohort, month, n, cents in conn.execute(_PARTIAL, args)})
    sizes = {cohort: n for (cohort, month), (n, _) in active.items() if cohort == month}
    last = _months(as_of)
    rows = []
    for cohort in sorted(sizes):
        size, start = sizes[cohort], _months(cohort)
        for k in range(last - start + 1):
            m = start + k
            n, cents = active.get((cohort, f"{m // 12:04d}-{m % 12 + 1:02d}"), (0, 0))
            rows.append((cohort, k, size, n, n / size, cents / 100))
    if p.limit is not None:
        rows = rows[:max(0, p.limit)]
    return Rows(tuple(COLUMNS), rows)
