"""`summary`: the shop's headline figures for a period (default: all history up to the as-of date).

Sums over the kept per-day totals (agg_day) plus the per-customer totals for customers and the
concentration shares. revenue = net of discounts and returns, postage and fees included;
gross_revenue = the positive-quantity lines; returns = the positive amount of the negative-quantity
lines (revenue = gross_revenue - returns); units = net merchandise units; orders count every order
whose first line falls in the period (guest orders included); aov = revenue / orders;
top_1pct_share / top_20pct_share = share of the customer revenue base (reports.customers) spent by
the top ceil(1% / 20% of customers) by spend, at least one customer."""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from .customers import concentration, totals
from .params import Params, Period, ReportError, cents, resolve


COLUMNS = ["revenue", "gross_revenue", "returns", "orders", "customers", "guest_orders", "units", "aov",
           "first_date", "last_date", "top_1pct_share", "top_20pct_share"]


class Summary(NamedTuple):
    revenue: float
    gross_revenue: float
    returns: float
    orders: int
    customers: int
    guest_orders: int
    units: int
    aov: float | None
    first_date: str | None
    last_date: str | None
    top_1pct_share: float | None
    top_20pct_share: float | None

    def as_dict(self) -> dict:
        return self._asdict()


def summary(conn: sqlite3.Connection, p: Params = Params(), period: Period | None = None, *,
            shares: bool = True) -> Summary:
    """With `shares=False` the concentration shares are left out (None): the customer count is then
    one SQL aggregate, where the shares of a bounded period rank its customers in Python."""
    if p.category:
        raise ReportError("summary covers the whole shop; --category applies to top-sellers, categories, "
                          "revenue and reorder")
    period = period or resolve(conn, p)
    lo, hi = period.first.isoformat(), period.last.isoformat()
    net, gross, ret, orders, guests, units, first, last = conn.execute(
        """SELECT coalesce(sum(net_cents), 0), coalesce(sum(gross_cents), 0), coalesce(sum(returns_cents), 0),
                  coalesce(sum(orders), 0), coalesce(sum(guest_orders), 0), coalesce(sum(units), 0),
                  min(day), max(day)
           FROM agg_day WHERE day BETWEEN ? AND ?""", (lo, hi)).fetchone()
    if shares:
        n_customers, _, (top1, top20) = concentration(conn, period, (0.01, 0.20))
    else:
        (n_customers, _), top1, top20 = totals(conn, period), None, None
    return Summary(
        revenue=cents(net), gross_revenue=cents(gross), returns=cents(ret), orders=orders,
        customers=n_customers, guest_orders=guests, units=units,
        aov=round(net / orders / 100, 6) if orders else None,
        first_date=first, last_date=last,
        top_1pct_share=top1, top_20pct_share=top20,
    )
