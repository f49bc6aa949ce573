"""Drill-down queries behind the app's detail screens: one customer, one product, one category.
SQL over the kept aggregates and plain rows (reports.result.Rows): the app never loads pandas."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import NamedTuple

from .params import Params, Period, ReportError, resolve
from .reorder import evaluate
from .result import Rows
from .segments import segment_of


class CustomerDetail(NamedTuple):
    customer_id: str
    name: str
    email: str
    country: str
    orders: Rows                  # order_id, day, lines, units, revenue of the customer's own lines (newest first)
    monthly: Rows                 # month, revenue
    segment: str | None
    total_orders: int


def customer_detail(conn: sqlite3.Connection, customer_key: str, limit: int | None = None) -> CustomerDetail:
    """The customer's orders (all of them unless `limit`) and monthly spend, each order counting only the customer's own lines (an
    order whose lines carry several customers shows each of them their part)."""
    row = conn.execute("SELECT customer_id, name, email, country FROM customers WHERE customer_key = ?",
                       (customer_key,)).fetchone()
    if row is None:
        raise ReportError(f"no customer {customer_key!r} in the store")
    cid, name, email, country = row
    # no LIMIT for all of them: SQLite's LIMIT -1 is an error in PostgreSQL
    orders = _rows(conn, """SELECT order_id, day, lines, units, net_cents / 100.0 AS revenue FROM order_customers
                            WHERE customer_id = ? ORDER BY day DESC, order_id DESC""" + ("" if limit is None else " LIMIT ?"),
                   (cid,) if limit is None else (cid, limit))
    total = conn.execute("SELECT count(*) FROM order_customers WHERE customer_id = ?", (cid,)).fetchone()[0]
    monthly = _rows(conn, """SELECT substr(day, 1, 7) AS month, sum(net_cents) / 100.0 AS revenue FROM order_customers
                             WHERE customer_id = ? GROUP BY 1 ORDER BY 1""", (cid,))
    return CustomerDetail(customer_key, name or customer_key, email, country, orders, monthly,
                          segment_of(conn, customer_key), total)


class ProductDetail(NamedTuple):
    sku: str
    name: str
    category: str
    is_merch: bool
    weekly: Rows                  # week (Monday), units, revenue — the last 26 weeks to as-of, oldest first
    stock: dict | None            # the reorder row (on_hand, days_of_cover, status, ...) when counted


def product_detail(conn: sqlite3.Connection, sku: str, p: Params = Params(), weeks: int = 26) -> ProductDetail:
    row = conn.execute(
        """SELECT p.product_id, p.name, c.name, p.is_merch FROM products p JOIN categories c USING (category_id)
           WHERE p.sku = ?""", (sku,)).fetchone()
    if row is None:
        raise ReportError(f"no product with sku {sku!r} in the store")
    pid, name, category, merch = row
    period = resolve(conn, p.with_(category=None))
    end = period.as_of
    start = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    sums: dict[str, list[int]] = {}
    for day, units, cents in conn.execute(
            "SELECT day, units, net_cents FROM agg_product_day WHERE product_id = ? AND day BETWEEN ? AND ?",
            (pid, start.isoformat(), end.isoformat())):
        d = date.fromisoformat(day)   # at most 26 weeks of days: the week's Monday in Python, not SQL's dates
        acc = sums.setdefault((d - timedelta(days=d.weekday())).isoformat(), [0, 0])   # keyed by the week's Monday
        acc[0] += units
        acc[1] += cents
    mondays = [(start + timedelta(weeks=k)).isoformat() for k in range(weeks)]
    weekly = Rows(("week", "units", "revenue"),
                  [(w, sums.get(w, [0, 0])[0], sums.get(w, [0, 0])[1] / 100) for w in mondays])
    stock_rows = evaluate(conn, p, period, [pid])
    stock = None if stock_rows.empty else {k: v for k, v in stock_rows.records()[0].items() if k != "product_id"}
    return ProductDetail(sku, name, category, bool(merch), weekly, stock)


def category_products(conn: sqlite3.Connection, category: str, p: Params = Params(),
                      period: Period | None = None) -> Rows:
    """sku, product_name, units, revenue, share (of the category) for the period; revenue first."""
    period = period or resolve(conn, p.with_(category=category))
    rows = conn.execute(
        """SELECT pr.sku, pr.name AS product_name, sum(a.units) AS units, sum(a.net_cents) AS cents
           FROM agg_product_day a JOIN products pr USING (product_id)
           WHERE pr.category_id = ? AND a.day BETWEEN ? AND ?
           GROUP BY pr.product_id ORDER BY cents DESC, pr.sku""",
        (period.category_id, period.first.isoformat(), period.last.isoformat())).fetchall()
    total = sum(r[3] for r in rows)
    return Rows(("sku", "product_name", "units", "revenue", "share"),
                [(sku, name, units, cents / 100, cents / total if total else None) for sku, name, units, cents in rows])


def _rows(conn: sqlite3.Connection, sql: str, args: tuple) -> Rows:
    cur = conn.execute(sql, args)
    return Rows(tuple(d[0] for d in cur.description), cur.fetchall())
