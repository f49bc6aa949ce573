"""Live orders for the demo and for tests: appends realistic orders, as a checkout would, through the
same loader as imports (so every kept aggregate stays current).

The checkout runs at the shop's own pace on a simulated clock: as many orders per simulated day as
the shop took on an average day of its last four weeks, with the clock running `speed` times faster
than real time (default 1440: a simulated day a minute), so reorder alerts appear within a minute or
two while every day of the store still looks like the shop's usual day. The clock starts at the
latest sale (or now, if that is later: a recount made now must see what sells after it).

The mix follows the store: products weighted by their recent sales, customers by their spend, about
7% guests, with a run on the fast movers that have a stock count (twice their usual rate), so they
run down visibly; a product whose stock count is used up is sold out, as in a real checkout.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from .errors import is_lock_error
from .load import CANONICAL_COLUMNS, Loader
from .schema import CHECKOUT_CLOCK

DEFAULT_SPEED = 1440.0      # simulated seconds per real second: a simulated day a minute
PACE_DAYS = 28              # the shop's pace: its mean orders per day over this many last days
FAST_RUN = 2.0              # how much faster than usual the counted fast movers sell in the demo


@dataclass
class Mix:
    products: pd.DataFrame    # sku, product_name, category, price_micros, weight, fast
    customers: pd.DataFrame   # customer_key, customer_name, country, weight


def _frame(conn, sql: str, params: tuple = ()) -> pd.DataFrame:
    """A query's rows as a frame, through the store's own connection (SQLite or PostgreSQL)."""
    cur = conn.execute(sql, params)
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def _days_before_latest(conn, days: int) -> str:
    """The day `days` days before the store's latest day (or before today, for an empty store): the
    start of the pace window, computed here so the SQL stays the same on both backends."""
    latest = conn.execute("SELECT max(day) FROM agg_day").fetchone()[0]
    end = date.fromisoformat(latest) if latest else date.today()
    return (end - timedelta(days=days)).isoformat()


def load_mix(conn: sqlite3.Connection, days: int = 28) -> Mix:
    products = _frame(conn, 
        """SELECT p.sku, p.name AS product_name, c.name AS category,
                  (SELECT s.unit_price_micros FROM sales s WHERE s.product_id = p.product_id
                    ORDER BY s.sale_id DESC LIMIT 1) AS price_micros,
                  coalesce((SELECT sum(a.units) FROM agg_product_day a WHERE a.product_id = p.product_id
                             AND a.day > ?), 0) AS units,
                  CASE WHEN i.product_id IS NOT NULL THEN 1 ELSE 0 END AS counted
           FROM products p JOIN categories c USING (category_id) LEFT JOIN inventory i USING (product_id)
           WHERE p.is_merch = 1""", (_days_before_latest(conn, days),))
    products = products[products["price_micros"].notna() & (products["price_micros"] > 0)].reset_index(drop=True)
    weight = products["units"].clip(lower=0) + 0.5
    fast = products["counted"].astype(bool) & (products["units"] >= products["units"].quantile(0.97))
    # the bias: counted fast movers sell faster than usual, so they run down visibly
    weight = weight.where(~fast, weight * FAST_RUN)
    products["weight"] = weight / weight.sum()
    customers = _frame(conn, """SELECT c.customer_key, c.name AS customer_name, c.country, a.net_cents
                                FROM agg_customer a JOIN customers c USING (customer_id)
                                ORDER BY a.net_cents DESC LIMIT 5000""")
    w = customers["net_cents"].clip(lower=1).astype(float)
    customers["weight"] = w / w.sum() if len(customers) else w
    return Mix(products, customers)


def orders_per_day(conn: sqlite3.Connection, days: int = PACE_DAYS) -> float:
    """The shop's pace: mean orders per calendar day over its last `days` days (days without a sale
    count as 0)."""
    row = conn.execute("SELECT sum(orders) FROM agg_day WHERE day > ?", (_days_before_latest(conn, days),)).fetchone()
    return (row[0] or 0) / days


def _start_clock(conn: sqlite3.Connection) -> datetime:
    latest = conn.execute("SELECT max(ordered_at) FROM sales").fetchone()[0]
    now = datetime.now().replace(microsecond=0)
    return max(now, datetime.fromisoformat(latest) + timedelta(seconds=1)) if latest else now


def on_hand(conn: sqlite3.Connection) -> dict[str, int]:
    """Units on hand now of every counted product, by sku: the count less the net units sold after it
    (the reorder rule's definition; the checkout sells nothing it does not have)."""
    return dict(conn.execute(
        """SELECT p.sku, i.on_hand - coalesce((SELECT sum(s.quantity) FROM sales s
                                                WHERE s.product_id = i.product_id AND s.day >= substr(i.counted_at, 1, 10)
                                                  AND s.ordered_at > i.counted_at), 0)
           FROM inventory i JOIN products p USING (product_id)""").fetchall())


class Simulator:
    def __init__(self, conn: sqlite3.Connection, seed: int | None = None, speed: float = DEFAULT_SPEED):
        self.conn = conn
        self.rng = np.random.default_rng(seed)
        self.mix = load_mix(conn)
        self.counter = 0
        self.run_tag = datetime.now().strftime("%Y%m%d%H%M%S")
        self.speed = speed
        self.per_day = orders_per_day(conn)
        self.clock = _start_clock(conn)

    @property
    def rate(self) -> float:
        """Orders per real second at the shop's own pace on the simulated clock."""
        return self.per_day * self.speed / 86400

    def orders_frame(self, n_orders: int, span_s: float) -> pd.DataFrame:
        """n orders spread evenly over the next `span_s` simulated seconds; the clock moves on by that."""
        mix, rng = self.mix, self.rng
        rows = []
        start = self.clock
        self.clock = start + timedelta(seconds=span_s)
        # a sold-out product is not for sale: counted products sell at most what is on hand
        stock = on_hand(self.conn)
        left = mix.products["sku"].map(stock).to_numpy(dtype=float)    # NaN: not counted, no limit
        weight = np.where(left <= 0, 0.0, mix.products["weight"].to_numpy())
        for i in range(n_orders):
            if weight.sum() <= 0:
                break
            now = (start + timedelta(seconds=span_s * i / n_orders)).replace(microsecond=0).isoformat()
            self.counter += 1
            order_id = f"SIM-{self.run_tag}-{self.counter:06d}"
            guest = rng.random() < 0.07 or mix.customers.empty
            cust = None if guest else mix.customers.iloc[rng.choice(len(mix.customers), p=mix.customers["weight"])]
            n_lines = min(1 + rng.poisson(0.6), int((weight > 0).sum()))
            for idx in rng.choice(len(mix.products), size=n_lines, replace=False, p=weight / weight.sum()):
                prod = mix.products.iloc[idx]
                qty = int(rng.integers(1, 4))
                if left[idx] == left[idx]:     # counted (not NaN)
                    qty = int(min(qty, left[idx]))
                    left[idx] -= qty
                    if left[idx] <= 0:
                        weight[idx] = 0.0
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

    def write(self, n_orders: int, real_s: float = 1.0) -> tuple[int, int, int]:
        """Append n orders, the sales of `real_s` real seconds (`real_s` x speed on the simulated clock),
        in one transaction, and publish the clock (`publish_clock`). Returns (orders, lines, revenue cents)."""
        if n_orders <= 0 or self.mix.products.empty:
            self.clock += timedelta(seconds=real_s * self.speed)
            self._locked(self.publish_clock)
            return 0, 0, 0
        frame = self.orders_frame(n_orders, real_s * self.speed)

        def load() -> None:
            # the backend's loader (store/pg/load.py on PostgreSQL), as an import uses
            with getattr(self.conn, "loader_class", Loader)(self.conn, file_name=None) as loader:
                loader.add(frame)

        self._locked(load)
        self._locked(self.publish_clock)
        return frame["order_id"].nunique(), len(frame), int(frame["net_cents"].sum())

    def publish_clock(self) -> None:
        """The simulated clock in the store's meta table: the shop's "now" for the sales-stall alert
        (reports.stall), which must see a paused checkout's clock run on while no order arrives."""
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          (CHECKOUT_CLOCK, self.clock.replace(microsecond=0).isoformat()))

    @staticmethod
    def _locked(write) -> None:
        for attempt in range(50):
            try:
                return write()
            except Exception as exc:   # another writer holds the lock: wait our turn
                if not is_lock_error(exc) or attempt == 49:
                    raise
                time.sleep(0.1 * (attempt + 1))
