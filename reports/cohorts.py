"""`cohorts`: customer retention by the month of each customer's first order in the store.

cohort = YYYY-MM of the customer's first order day (all history, so a customer's cohort never moves);
for each cohort and each month since it (0 = the cohort's own month) up to the as-of month: customers
= the cohort's size, active = its customers with an order in that month (a return-only order is not one:
its amount counts in the revenue), retention = active / customers, revenue = the net revenue of the cohort's own lines that month
(returns subtract). Guests are never in a cohort. --since/--until pick the cohorts by first-order
month; nothing after the as-of date counts. Read from the kept per-customer totals (first day) and
the customer parts of orders, never the order lines."""

from __future__ import annotations

import sqlite3

from .params import Params, Period, ReportError, resolve
from .result import Rows

COLUMNS = ["cohort", "months_since", "customers", "active", "retention", "revenue"]

_SIZES = """SELECT substr(first_day, 1, 7) AS cohort, count(*) FROM agg_customer
            WHERE first_day <= :as_of AND substr(first_day, 1, 7) BETWEEN :first AND :last GROUP BY cohort"""
_ACTIVE = """SELECT substr(a.first_day, 1, 7) AS cohort, substr(oc.day, 1, 7) AS month,
                    count(DISTINCT CASE WHEN oc.is_order THEN oc.customer_id END), sum(oc.net_cents)
             FROM order_customers oc JOIN agg_customer a USING (customer_id)
             WHERE a.first_day <= :as_of AND substr(a.first_day, 1, 7) BETWEEN :first AND :last
               AND oc.day <= :as_of
             GROUP BY cohort, month"""


def _months(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def cohorts(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    if p.category:
        raise ReportError("cohorts follow customers across the whole shop; --category is not available here")
    period = period or resolve(conn, p)
    if period.empty_store:
        return Rows(tuple(COLUMNS), [])
    args = {"as_of": period.as_of.isoformat(), "first": period.first.isoformat()[:7],
            "last": period.last.isoformat()[:7]}
    sizes = dict(conn.execute(_SIZES, args).fetchall())
    active = {(cohort, month): (n, cents) for cohort, month, n, cents in conn.execute(_ACTIVE, args)}
    last = _months(args["as_of"])
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
