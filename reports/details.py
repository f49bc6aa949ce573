"""Drill-down queries behind the app's detail screens: one customer, one product, one category."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from .params import Params, Period, ReportError, resolve
from .reorder import evaluate
from .segments import segment_of


@dataclass
class CustomerDetail:
    customer_id: str
    name: str
    email: str
    country: str
    orders: pd.DataFrame          # order_id, day, lines, units, revenue of the customer's own lines (newest first)
    monthly: pd.DataFrame         # month, revenue
    segment: str | None
    total_orders: int


def customer_detail(conn: sqlite3.Connection, customer_key: str, limit: int = 500) -> CustomerDetail:
    """The customer's orders and monthly spend, each order counting only the customer's own lines (an
    order whose lines carry several customers shows each of them their part)."""
    row = conn.execute("SELECT customer_id, name, email, country FROM customers WHERE customer_key = ?",
                       (customer_key,)).fetchone()
    if row is None:
        raise ReportError(f"no customer {customer_key!r} in the store")
    cid, name, email, country = row
    orders = pd.read_sql_query(
        """SELECT order_id, day, lines, units, net_cents / 100.0 AS revenue FROM order_customers
           WHERE customer_id = ? ORDER BY day DESC, order_id DESC LIMIT ?""", conn, params=(cid, limit))
    total = conn.execute("SELECT count(*) FROM order_customers WHERE customer_id = ?", (cid,)).fetchone()[0]
    monthly = pd.read_sql_query(
        """SELECT substr(day, 1, 7) AS month, sum(net_cents) / 100.0 AS revenue FROM order_customers
           WHERE customer_id = ? GROUP BY 1 ORDER BY 1""", conn, params=(cid,))
    return CustomerDetail(customer_key, name or customer_key, email, country, orders, monthly,
                          segment_of(conn, customer_key), total)


@dataclass
class ProductDetail:
    sku: str
    name: str
    category: str
    is_merch: bool
    weekly: pd.DataFrame          # week (Monday), units, revenue — the last 26 weeks to as-of
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
    df = pd.read_sql_query(
        "SELECT day, units, net_cents FROM agg_product_day WHERE product_id = ? AND day BETWEEN ? AND ?",
        conn, params=(pid, start.isoformat(), end.isoformat()))
    df["day"] = pd.to_datetime(df["day"])
    mondays = pd.date_range(start, end, freq="W-MON")
    wk = df.groupby(df["day"] - pd.to_timedelta(df["day"].dt.day_of_week, unit="D")).agg(
        units=("units", "sum"), cents=("net_cents", "sum"))
    weekly = pd.DataFrame({"week": mondays}).merge(wk, left_on="week", right_index=True, how="left").fillna(0)
    weekly = pd.DataFrame({"week": weekly["week"].dt.strftime("%Y-%m-%d"), "units": weekly["units"].astype(int),
                           "revenue": weekly["cents"] / 100})
    stock_rows = evaluate(conn, p, period, [pid])
    stock = None if stock_rows.empty else {k: v for k, v in stock_rows.records()[0].items() if k != "product_id"}
    return ProductDetail(sku, name, category, bool(merch), weekly, stock)


def category_products(conn: sqlite3.Connection, category: str, p: Params = Params(),
                      period: Period | None = None) -> pd.DataFrame:
    """sku, product_name, units, revenue, share (of the category) for the period; revenue first."""
    period = period or resolve(conn, p.with_(category=category))
    df = pd.read_sql_query(
        """SELECT pr.sku, pr.name AS product_name, sum(a.units) AS units, sum(a.net_cents) / 100.0 AS revenue
           FROM agg_product_day a JOIN products pr USING (product_id)
           WHERE pr.category_id = ? AND a.day BETWEEN ? AND ?
           GROUP BY a.product_id ORDER BY revenue DESC, pr.sku""",
        conn, params=(period.category_id, period.first.isoformat(), period.last.isoformat()))
    total = df["revenue"].sum()
    df["share"] = df["revenue"] / total if total else float("nan")
    return df
