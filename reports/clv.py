"""`clv`: customer lifetime value from the BG/NBD model (reports.bgnbd), fitted on the store's customers.

Every non-guest customer with an order on or before the as-of date, in whole days: frequency = the
customer's distinct order days - 1 (repeat purchases; two orders on one day are one purchase), recency_days
= days from the first to the last order day, tenure_days = days from the first order day to as-of. Orders
(a return-only order is none) and spend (the net of their own lines up to as-of, returns subtracted) are
as whales counts them. p_alive = P(still a customer at as-of); expected_orders_365d = the purchases expected
in the 365 days after as-of; expected_spend_365d = that times the customer's mean order value (spend /
orders). Sorted by expected_spend_365d, highest first; ties go to the customer who appeared in the store
first. The model's parameters go into the caption (`Fitted.notes`).

The fit always covers every customer up to as-of (a customer's history is all of it): --since does not
apply, --until sets as-of. The data are read from the kept per-customer totals
(agg_customer) and the customer parts of orders (order_customers), one row per customer; when as-of is before
the latest sale, from the parts up to as-of alone. scipy is imported only here.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from ..store.db import store_identity
from .params import Params, Period, ReportError, resolve, store_range
from .result import Rows

COLUMNS = ["customer_id", "customer_name", "orders", "spend", "frequency", "recency_days", "tenure_days", "p_alive",
           "expected_orders_365d", "expected_spend_365d"]
HORIZON_DAYS = 365

# One row per customer with an order up to as-of, in customer order (= first appearance: the tie rule):
# orders, spend, distinct order days, first and last order day. Whole days between those dates are taken in
# Python (numpy's day arithmetic), so the SQL needs no date function of one database.
_CUSTOMERS = """
SELECT g.customer_id, c.customer_key, c.name, g.orders, g.spend_cents, g.order_days, g.first_day, g.last_day
FROM (SELECT customer_id, sum(is_order) AS orders, sum(net_cents) AS spend_cents,
             count(DISTINCT CASE WHEN is_order = 1 THEN day END) AS order_days,
             min(CASE WHEN is_order = 1 THEN day END) AS first_day, max(CASE WHEN is_order = 1 THEN day END) AS last_day
      FROM order_customers WHERE day <= :as_of GROUP BY customer_id HAVING sum(is_order) > 0) g
JOIN customers c USING (customer_id)
ORDER BY g.customer_id"""
# The same when as-of is the store's latest sale (the default): orders, spend and the first and last order day
# are the kept per-customer totals (agg_customer), and the order days are counted on the customer's index of
# order_customers (customer_id, day: no table row read), less the days on which the customer's every part was
# return-only (_RETURN_ONLY_DAYS: a few per cent of the parts, found by one scan). Four times faster at 1M
# lines than grouping every part with its is_order and amount.
_KEPT_CUSTOMERS = """
WITH days AS (SELECT customer_id, count(DISTINCT day) AS n FROM order_customers GROUP BY customer_id)
SELECT k.customer_id, c.customer_key, c.name, k.orders, k.net_cents, d.n, k.first_day, k.last_day
FROM agg_customer k JOIN customers c USING (customer_id) JOIN days d USING (customer_id)
ORDER BY k.customer_id"""
# A query of its own, subtracted in Python: `+` scans the table for the few return-only parts (grouping along
# the customer index reads every part's row through it, five times slower), and PostgreSQL groups by that
# expression only if the select list names it too; but joined to the rows above by that expression, SQLite
# finds no index for the join and took 13 s at 1M lines.
_RETURN_ONLY_DAYS = """
SELECT +r.customer_id, count(DISTINCT r.day) FROM order_customers r
WHERE r.is_order = 0 AND NOT EXISTS (SELECT 1 FROM order_customers b
                                     WHERE b.customer_id = r.customer_id AND b.day = r.day AND b.is_order = 1)
GROUP BY +r.customer_id"""


class Fitted(Rows):
    """The rows, and the caption's note on the fit (the parameters, and whether it settled)."""

    __slots__ = ("notes", "fit")

    def __init__(self, columns, rows, fit=None):
        super().__init__(columns, rows)
        self.fit = fit
        self.notes = (fit.describe(),) if fit is not None else ()


class Customers(NamedTuple):
    ids: list[int]
    keys: list[str]
    names: list[str]
    orders: list[int]
    spend_cents: list[int]
    x: list[int]
    tx: list[int]
    T: list[int]


def customers(conn: sqlite3.Connection, as_of: date) -> Customers | None:
    latest = store_range(conn)
    if latest is None:
        return None
    complete = as_of >= latest[1]      # the kept totals hold nothing after as-of
    rows = conn.execute(_KEPT_CUSTOMERS if complete else _CUSTOMERS, {"as_of": as_of.isoformat()}).fetchall()
    if not rows:
        return None
    import numpy as np

    ids, keys, names, orders, cents, days, first, last = (list(col) for col in zip(*rows))
    if complete:
        return_only = dict(conn.execute(_RETURN_ONLY_DAYS).fetchall())
        days = [n - return_only.get(i, 0) for i, n in zip(ids, days)]
    first_day = np.array(first, dtype="datetime64[D]")
    recency = (np.array(last, dtype="datetime64[D]") - first_day).astype(int).tolist()
    tenure = (np.datetime64(as_of, "D") - first_day).astype(int).tolist()
    return Customers(ids, keys, names, orders, cents, [n - 1 for n in days], recency, tenure)


def scores(conn: sqlite3.Connection, as_of: date):
    """(Customers, Fit, p_alive, expected orders in HORIZON_DAYS) for every customer up to as-of, or None
    when there is none."""
    import numpy as np

    from . import bgnbd

    data = customers(conn, as_of)
    if data is None:
        return None
    x, tx, T = (np.asarray(v, dtype=float) for v in (data.x, data.tx, data.T))
    f = bgnbd.fit(x, tx, T)
    return data, f, bgnbd.p_alive(f, x, tx, T), bgnbd.expected_purchases(f, HORIZON_DAYS, x, tx, T)


# The last p_alive map and what it was fitted on: the Whales tab reloads (period changes, live refreshes)
# far more often than the customers change, and a fit over every customer takes seconds at 1M lines.
_last_alive: tuple[tuple, dict[str, float]] | None = None


def _fitted_on(conn: sqlite3.Connection, as_of: date) -> tuple:
    """What a fit depends on, in one-row reads: the as-of day, the newest line, the kept customer base
    (a re-import that replaces orders writes new lines; a write always moves one of these)."""
    newest = conn.execute("SELECT max(sale_id) FROM sales").fetchone()[0]
    base = conn.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone()
    return store_identity(conn), as_of, newest, tuple(base or ())


def cached_p_alive(conn: sqlite3.Connection, as_of: date) -> dict[str, float] | None:
    """The p_alive map if the last fit still holds for this store and as-of, else None (no fit run)."""
    if _last_alive is not None and _last_alive[0] == _fitted_on(conn, as_of):
        return _last_alive[1]
    return None


def p_alive_by_customer(conn: sqlite3.Connection, as_of: date) -> dict[str, float]:
    """customer_key -> p_alive as of `as_of` (the Whales tab shows it beside each whale); fitted again only
    when the store or the as-of day has changed since the last call."""
    global _last_alive
    key = _fitted_on(conn, as_of)
    if _last_alive is not None and _last_alive[0] == key:
        return _last_alive[1]
    scored = scores(conn, as_of)
    alive = {} if scored is None else dict(zip(scored[0].keys, scored[2].tolist()))
    _last_alive = (key, alive)
    return alive


def clv(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Fitted:
    if p.category:
        raise ReportError("clv models customers across the whole shop; --category is not available here")
    if p.since is not None:
        raise ReportError("clv fits every customer's whole history up to as-of; --since does not apply "
                          "(choose 'now' with --as-of or --until)")
    period = period or resolve(conn, p)
    if period.empty_store:
        return Fitted(tuple(COLUMNS), [])
    scored = scores(conn, period.as_of)
    if scored is None:
        return Fitted(tuple(COLUMNS), [])
    data, f, alive, expected = scored
    expected = expected.tolist()
    rows = []
    for i, (key, name, orders, cents, x, tx, T) in enumerate(zip(data.keys, data.names, data.orders,
                                                                 data.spend_cents, data.x, data.tx, data.T)):
        e = expected[i]
        rows.append((key, name or key, orders, cents / 100, x, tx, T, float(alive[i]), e, e * cents / orders / 100))
    # highest expected spend first; ties keep customer order (first appearance), as sorted() is stable
    rows.sort(key=lambda r: -r[9])
    if p.limit is not None:
        rows = rows[:max(0, p.limit)]
    return Fitted(tuple(COLUMNS), rows, f)
