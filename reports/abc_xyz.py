"""`abc-xyz`: which merchandise carries the revenue (ABC) and how steadily it sells (XYZ).

The products are the merchandise with a positive net revenue in the period (default: the 364 days
ending at the as-of date; returns subtract, so a product whose returns cancel its sales sold nothing
and is not listed; postage and fees never are). --category keeps one category's products, shares
within it.

ABC: ranked by revenue, highest first (ties by sku); share = revenue / the listed products' revenue,
cumulative_share its running sum including the product. A product is A while the cumulative share of
the products ranked above it is below 0.80, B while it is below 0.95, else C: the first product is
always A, and the product that crosses 80% is still A. Compared in integer cents, so a boundary
exactly at 80% is exact.

XYZ: 52 weekly buckets of net units (returns subtract) counted back from the as-of date whatever the
period: bucket k holds the days as_of - 7k - 6 .. as_of - 7k, and a week without a sale is 0.
mean_weekly_units = their mean; cv = their population standard deviation / the mean. X if cv <= 0.5,
Y if cv <= 1.0, else Z; Z with no cv when the mean is 0 or below (nothing sold net in 52 weeks).
Compared exactly on the integer sums (cv <= t  <=>  52 x sum(u^2) - sum(u)^2 <= t^2 x sum(u)^2).
"""

from __future__ import annotations

import math
import sqlite3
from datetime import timedelta

from .params import Params, Period, resolve
from .result import Rows

COLUMNS = ["sku", "product_name", "category", "revenue", "share", "cumulative_share", "abc", "mean_weekly_units",
           "cv", "xyz"]
WEEKS = 52
DEFAULT_DAYS = 7 * WEEKS   # the period when --since is not given (the registry's default_days)

# Net units and revenue per product over the 52 weeks, one pass: each week is a range of the product-days'
# key (day first), so no day is parsed; grouping per product and week sorts a year of product-days once.
# The weeks' days are worked out in Python and given as a VALUES list (`_weeks`): the same SQL on both
# engines (SQLite's date modifiers are not PostgreSQL's date arithmetic).
_WEEKS = """
WITH weeks(k, first, last) AS (VALUES {weeks})
SELECT product_id, sum(units), sum(units * units), sum(net_cents)
FROM (SELECT a.product_id, w.k, sum(a.units) AS units, sum(a.net_cents) AS net_cents
      FROM weeks w JOIN agg_product_day a ON a.day BETWEEN w.first AND w.last GROUP BY a.product_id, w.k) t
GROUP BY product_id
"""


def _weeks(as_of) -> tuple[str, list]:
    """The VALUES rows of the 52 weeks counted back from as-of, and their parameters (k, first, last)."""
    args: list = []
    for k in range(WEEKS):
        last = as_of - timedelta(days=7 * k)
        args += [k, (last - timedelta(days=6)).isoformat(), last.isoformat()]
    return _WEEKS.format(weeks=", ".join(["(?, ?, ?)"] * WEEKS)), args
# Revenue per product over a period that is not those 52 weeks (--since or --until given)
_REVENUE = """SELECT product_id, sum(net_cents) FROM agg_product_day WHERE day BETWEEN :first AND :last
              GROUP BY product_id"""
_PRODUCTS = """SELECT pr.product_id, pr.sku, pr.name, c.name FROM products pr JOIN categories c USING (category_id)
               WHERE pr.is_merch = 1 AND (:cat IS NULL OR pr.category_id = :cat)"""


def abc_xyz(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None) -> Rows:
    period = period or resolve(conn, p, DEFAULT_DAYS)
    if period.empty_store:
        return Rows(tuple(COLUMNS), [])
    rows = conn.execute(*_weeks(period.as_of)).fetchall()
    weeks = {pid: (units, squares) for pid, units, squares, _ in rows}
    if (period.first, period.last) == (period.as_of - timedelta(days=DEFAULT_DAYS - 1), period.as_of):
        revenue = {pid: net for pid, _, _, net in rows}
    else:
        revenue = dict(conn.execute(_REVENUE, {"first": period.first.isoformat(), "last": period.last.isoformat()}))
    products = sorted(((-revenue[pid], sku, name, category, pid)
                       for pid, sku, name, category in conn.execute(_PRODUCTS, {"cat": period.category_id})
                       if revenue.get(pid, 0) > 0))
    total = -sum(row[0] for row in products)
    out, above = [], 0
    for minus_net, sku, name, category, pid in products:
        net = -minus_net
        abc = "A" if above * 100 < 80 * total else "B" if above * 100 < 95 * total else "C"
        above += net
        units, squares = weeks.get(pid, (0, 0))
        out.append((sku, name, category, net / 100, net / total, above / total, abc, units / WEEKS,
                    *_xyz(units, squares)))
    if p.limit is not None:
        out = out[:max(0, p.limit)]
    return Rows(tuple(COLUMNS), out)


def _xyz(units: int, squares: int) -> tuple[float | None, str]:
    """cv and class of 52 weekly buckets whose sum is `units` and sum of squares `squares`."""
    if units <= 0:
        return None, "Z"
    spread = WEEKS * squares - units * units     # 52^2 x the population variance, an exact integer
    cv = math.sqrt(spread) / units
    # cv <= 0.5 <=> 4 x spread <= units^2; cv <= 1 <=> spread <= units^2
    return cv, "X" if 4 * spread <= units * units else "Y" if spread <= units * units else "Z"
