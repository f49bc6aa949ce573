"""Live orders for the demo and for tests: appends realistic orders in real time, as a checkout would,
through the same loader as imports (so every kept aggregate stays current).

The mix follows the store: products weighted by their recent sales, customers by their spend, about
7% guests. It is biased towards the fast movers that have a stock count, so on the demo store
high-velocity products run down and reorder alerts fire within a minute."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from .load import CANONICAL_COLUMNS, Loader


@dataclass
class Mix:
    products: pd.DataFrame    # sku, product_name, category, price_micros, weight, fast
    customers: pd.DataFrame   # customer_key, customer_name, country, weight


def load_mix(conn: sqlite3.Connection, days: int = 28) -> Mix:
    products = pd.read_sql_query(
        """SELECT p.sku, p.name AS product_name, c.name AS category,
                  (SELECT s.unit_price_micros FROM sales s WHERE s.product_id = p.product_id
                    ORDER BY s.sale_id DESC LIMIT 1) AS price_micros,
                  coalesce((SELECT sum(a.units) FROM agg_product_day a WHERE a.product_id = p.product_id
                             AND a.day > date((SELECT max(day) FROM agg_day), ?)), 0) AS units,
                  (i.product_id IS NOT NULL) AS counted
           FROM products p JOIN categories c USING (category_id) LEFT JOIN inventory i USING (product_id)
           WHERE p.is_merch = 1""", conn, params=(f"-{days} days",))
    products = products[products["price_micros"].notna() & (products["price_micros"] > 0)].reset_index(drop=True)
    weight = products["units"].clip(lower=0) + 0.5
    fast = products["counted"].astype(bool) & (products["units"] >= products["units"].quantile(0.97))
    # the bias: counted fast movers sell several times their usual rate, so they run down visibly
    weight = weight.where(~fast, weight * 6)
    products["weight"] = weight / weight.sum()
    customers = pd.read_sql_query(
        """SELECT c.customer_key, c.name AS customer_name, c.country, a.net_cents
           FROM agg_customer a JOIN customers c USING (customer_id) ORDER BY a.net_cents DESC LIMIT 5000""", conn)
    w = customers["net_cents"].clip(lower=1).astype(float)
    customers["weight"] = w / w.sum() if len(customers) else w
    return Mix(products, customers)


class Simulator:
    def __init__(self, conn: sqlite3.Connection, seed: int | None = None):
        self.conn = conn
        self.rng = np.random.default_rng(seed)
        self.mix = load_mix(conn)
        self.counter = 0
        self.run_tag = datetime.now().strftime("%Y%m%d%H%M%S")

    def orders_frame(self, n_orders: int) -> pd.DataFrame:
        mix, rng = self.mix, self.rng
        rows = []
        now = datetime.now().replace(microsecond=0).isoformat()
        for _ in range(n_orders):
            self.counter += 1
            order_id = f"SIM-{self.run_tag}-{self.counter:06d}"
            guest = rng.random() < 0.07 or mix.customers.empty
            cust = None if guest else mix.customers.iloc[rng.choice(len(mix.customers), p=mix.customers["weight"])]
            n_lines = 1 + rng.poisson(0.6)
            for idx in rng.choice(len(mix.products), size=n_lines, replace=False, p=mix.products["weight"]):
                prod = mix.products.iloc[idx]
                qty = int(rng.integers(1, 4))
                price = int(prod["price_micros"])
                net = (qty * price + 5000) // 10000
                rows.append({
                    "order_id": order_id, "ordered_at": now, "day": now[:10],
                    "customer_key": "" if guest else cust["customer_key"],
                    "customer_name": "" if guest else cust["customer_name"], "email": "",
                    "country": "" if guest else cust["country"], "sku": prod["sku"],
                    "product_name": prod["product_name"], "category": prod["category"], "is_merch": True,
                    "quantity": qty, "unit_price_micros": price, "discount_cents": 0, "net_cents": int(net),
                })
        return pd.DataFrame(rows, columns=list(CANONICAL_COLUMNS))

    def write(self, n_orders: int) -> tuple[int, int, int]:
        """Append n orders in one transaction. Returns (orders, lines, revenue cents)."""
        if n_orders <= 0 or self.mix.products.empty:
            return 0, 0, 0
        frame = self.orders_frame(n_orders)
        for attempt in range(50):
            try:
                with Loader(self.conn, file_name=None) as loader:
                    loader.add(frame)
                break
            except sqlite3.OperationalError as exc:   # another writer holds the lock: wait our turn
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                time.sleep(0.1 * (attempt + 1))
        return n_orders, len(frame), int(frame["net_cents"].sum())
