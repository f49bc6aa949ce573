"""Synthetic shop data for the demo store and the benchmark: deterministic per seed.

About two years of orders ending on `end` (default today): weekly and yearly
seasonality with holiday peaks, Pareto-distributed customer spend with a few
clear whales, 12 categories of which one (Outdoor) clearly drives growth,
about 2% returns, some guest orders and postage lines. Generated month by
month so memory stays bounded at any size (10k to 10M lines).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

import numpy as np
import pandas as pd

from .load import Loader

CATEGORIES = ("Kitchen", "Home Decor", "Garden", "Toys", "Stationery", "Beauty", "Outdoor", "Pet Supplies",
              "Electronics", "Books", "Apparel", "Lighting")
GROWTH_DRIVER = "Outdoor"
DEMO_MARK = "demo_built"      # meta key (value: the day it was built): the store is a demo `shopintel demo` may replace
POSTAGE_CATEGORY = "Postage & Fees"
_ADJ = ("Classic", "Vintage", "Rustic", "Modern", "Mini", "Deluxe", "Eco", "Nordic", "Retro", "Bright", "Soft",
        "Large", "Twin", "Golden", "Café")
_NOUNS = {
    "Kitchen": ("Mug", "Teapot", "Bowl", "Knife Set", "Apron", "Cutting Board", "Jar", "Spoon Rest"),
    "Home Decor": ("Cushion", "Vase", "Frame", "Clock", "Candle", "Mirror", "Throw", "Rug"),
    "Garden": ("Planter", "Trowel", "Seed Kit", "Hose", "Gloves", "Bird Feeder", "Watering Can"),
    "Toys": ("Puzzle", "Robot", "Kite", "Blocks", "Plush Bear", "Yo-yo", "Train Set"),
    "Stationery": ("Notebook", "Pen Set", "Planner", "Card Pack", "Washi Tape", "Sketchbook"),
    "Beauty": ("Lip Balm", "Soap Bar", "Face Mask", "Hand Cream", "Bath Salts"),
    "Outdoor": ("Tent", "Camping Stove", "Headlamp", "Water Bottle", "Hammock", "Backpack", "Picnic Set"),
    "Pet Supplies": ("Dog Bowl", "Cat Toy", "Pet Bed", "Leash", "Treat Jar"),
    "Electronics": ("USB Cable", "Charger", "Earbuds", "Phone Stand", "Power Bank"),
    "Books": ("Cookbook", "Field Guide", "Novel", "Atlas", "Journal"),
    "Apparel": ("T-Shirt", "Scarf", "Beanie", "Socks", "Tote Bag"),
    "Lighting": ("Lamp", "Fairy Lights", "Lantern", "Bulb Pack", "Desk Light"),
}
_FIRST = ("Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Mia", "Lucas", "Amelia", "Mateo",
          "Harper", "Aiden", "Chloé", "Jonas", "Zoë", "Yuki", "Priya", "Omar", "Fatima", "Sven", "Ana", "Kofi")
_LAST = ("Smith", "García", "Müller", "Rossi", "Dubois", "Kowalski", "Nakamura", "Patel", "O'Brien", "Jensen",
         "Silva", "Novak", "Andersen", "Kim", "Okafor", "Larsen", "Moreau", "Costa", "Schmidt", "Brown")
_COUNTRIES = ("United Kingdom", "Germany", "France", "Netherlands", "Spain", "Ireland", "Sweden", "United States")


@dataclass(frozen=True)
class Catalogue:
    skus: np.ndarray
    names: np.ndarray
    categories: np.ndarray
    category_index: np.ndarray
    prices: np.ndarray          # currency units
    popularity: np.ndarray


def _catalogue(rng: np.random.Generator, n_products: int) -> Catalogue:
    cat_idx = rng.integers(0, len(CATEGORIES), n_products)
    names, skus = [], []
    for i, c in enumerate(cat_idx):
        cat = CATEGORIES[c]
        noun = _NOUNS[cat][rng.integers(len(_NOUNS[cat]))]
        names.append(f"{_ADJ[rng.integers(len(_ADJ))]} {noun}")
        skus.append(f"{cat[:3].upper()}-{i + 1:05d}")
    prices = np.round(np.exp(rng.normal(2.6, 0.7, n_products)), 2).clip(0.99, 400)
    popularity = rng.lognormal(0, 1.0, n_products)
    return Catalogue(np.array(skus), np.array(names), np.array([CATEGORIES[c] for c in cat_idx]), cat_idx,
                     prices, popularity / popularity.sum())


def _day_weights(days: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    t = np.linspace(0, 1, len(days))
    weekday = np.array([1.0, 0.95, 0.95, 1.0, 1.1, 1.3, 0.85])[days.day_of_week]
    doy = days.day_of_year.to_numpy()
    yearly = 1 + 0.25 * np.sin(2 * np.pi * (doy - 80) / 365.25)
    holiday = np.ones(len(days))
    md = days.month * 100 + days.day
    holiday[(md >= 1120) & (md <= 1222)] = 1.9          # Black Friday to Christmas
    holiday[(md >= 1124) & (md <= 1130)] = 2.6          # Black Friday week
    holiday[(md >= 207) & (md <= 214)] = 1.3            # Valentine's
    trend = 1 + 0.6 * t
    noise = rng.lognormal(0, 0.12, len(days))
    return weekday * yearly * holiday * trend * noise


def generate(lines: int = 60_000, seed: int = 7, end: date | None = None, years: float = 2.0) -> Iterator[pd.DataFrame]:
    """Canonical frames (see store.load.CANONICAL_COLUMNS), one per month, about `lines` lines in all.
    Without `end` the orders end now: today holds the orders so far (a demo store built at noon held
    orders up to 22:00, and its last-28-days figures counted sales that had not happened)."""
    rng = np.random.default_rng(seed)
    now = None if end else datetime.now().replace(microsecond=0)
    end = end or now.date()
    days = pd.date_range(end - timedelta(days=int(365 * years) - 1), end, freq="D")
    n_products = int(np.clip(lines / 300, 60, 5000))
    n_customers = int(np.clip(lines / 14, 150, 700_000))
    cat = _catalogue(rng, n_products)
    cust_weight = rng.pareto(1.16, n_customers) + 0.02
    cust_weight = np.minimum(cust_weight, 12 * cust_weight.mean())
    whales = rng.choice(n_customers, size=min(6, n_customers), replace=False)
    cust_weight[whales] = rng.uniform(15, 35, len(whales)) * cust_weight.mean()
    cust_weight /= cust_weight.sum()
    cust_names = np.array([f"{_FIRST[rng.integers(len(_FIRST))]} {_LAST[rng.integers(len(_LAST))]}"
                           for _ in range(n_customers)])
    cust_country = np.array(_COUNTRIES)[rng.choice(len(_COUNTRIES), n_customers,
                                                   p=[.45, .12, .1, .08, .07, .06, .05, .07])]
    day_w = _day_weights(days, rng)
    lines_per_order = 2.4  # 1 + Poisson(1.1) products, plus postage on some orders
    n_orders = max(1, int(lines / lines_per_order))
    orders_per_day = rng.multinomial(n_orders, day_w / day_w.sum())
    growth = np.ones(len(CATEGORIES))
    driver = CATEGORIES.index(GROWTH_DRIVER)
    month_keys = days.to_period("M")
    order_no = 100000
    for m, month in enumerate(month_keys.unique()):
        in_month = np.flatnonzero(month_keys == month)
        counts = orders_per_day[in_month]
        k = int(counts.sum())
        if k == 0:
            continue
        frac = m / max(1, len(month_keys.unique()) - 1)
        growth[:] = 1.0
        growth[driver] = 0.6 + 2.4 * frac        # the department that drives growth
        p = cat.popularity * growth[cat.category_index]
        p /= p.sum()
        o_day = np.repeat(days[in_month].to_numpy(), counts)
        o_secs = np.sort(rng.integers(8 * 3600, 22 * 3600, k))
        order_ts = o_day + o_secs.astype("timedelta64[s]")
        if now is not None:        # today so far: the orders of the rest of the day are yet to come
            order_ts = order_ts[order_ts <= np.datetime64(now)]
            k = len(order_ts)
            if k == 0:
                continue
        o_cust = rng.choice(n_customers, k, p=cust_weight)
        guest = rng.random(k) < 0.07
        n_items = 1 + rng.poisson(1.1, k)
        li = np.repeat(np.arange(k), n_items)
        prod = rng.choice(n_products, len(li), p=p)
        qty = rng.geometric(0.55, len(li))
        qty = np.where(np.isin(o_cust[li], whales), qty * rng.integers(2, 6, len(li)), qty)
        disc = np.where(rng.random(len(li)) < 0.08, rng.choice([0.1, 0.15, 0.2], len(li)), 0.0)
        oid = np.array([f"SO{order_no + i}" for i in range(k)])
        order_no += k
        frame = _frame(oid[li], order_ts[li], o_cust[li], guest[li], cat, prod, qty, disc, cust_names, cust_country)
        # postage on about 35% of orders
        post = rng.random(k) < 0.35
        pf = pd.DataFrame({
            "order_id": oid[post], "ordered_at": _stamp(order_ts[post]),
            "customer_key": np.where(guest[post], "", _customer_keys(o_cust[post])),
            "customer_name": np.where(guest[post], "", cust_names[o_cust[post]]),
            "email": "", "country": np.where(guest[post], "", cust_country[o_cust[post]]),
            "sku": "POST", "product_name": "Postage", "category": POSTAGE_CATEGORY, "is_merch": False,
            "quantity": 1, "unit_price_micros": 4_950_000, "discount_cents": 0, "net_cents": 495,
        })
        # about 2% of lines come back, 3 to 20 days later (never after `end`)
        ret = rng.random(len(li)) < 0.02
        delay = rng.integers(3, 21, k).astype("timedelta64[D]")     # one return date per order
        back = order_ts[li][ret] + delay[li][ret]
        back = np.minimum(back, np.datetime64(now) if now else np.datetime64(end) + np.timedelta64(20 * 3600, "s"))
        rf = None if not ret.any() else _frame(np.char.add("R", oid[li][ret]), back, o_cust[li][ret], guest[li][ret], cat, prod[ret],
                    -qty[ret], disc[ret], cust_names, cust_country)
        out = pd.concat([f for f in (frame, pf, rf) if f is not None], ignore_index=True)
        out["day"] = out["ordered_at"].str.slice(0, 10)
        yield out[list(_COLUMNS)]


_COLUMNS = ("order_id", "ordered_at", "day", "customer_key", "customer_name", "email", "country", "sku",
            "product_name", "category", "is_merch", "quantity", "unit_price_micros", "discount_cents", "net_cents")


def _stamp(ts: np.ndarray) -> pd.Series:
    return pd.Series(np.datetime_as_string(ts.astype("datetime64[s]"), unit="s"))


def _frame(oid, ts, cust, guest, cat: Catalogue, prod, qty, disc, names, countries) -> pd.DataFrame:
    price_micros = np.round(cat.prices[prod] * 1_000_000).astype("int64")
    gross = qty.astype("int64") * price_micros
    disc_micros = np.round(gross * disc).astype("int64")
    from .ingest.values import round_half_away

    gross_c = round_half_away(gross)
    net_c = round_half_away(gross - disc_micros)
    key = _customer_keys(cust)
    return pd.DataFrame({
        "order_id": oid, "ordered_at": _stamp(ts),
        "customer_key": np.where(guest, "", key), "customer_name": np.where(guest, "", names[cust]),
        "email": "", "country": np.where(guest, "", countries[cust]),
        "sku": cat.skus[prod], "product_name": cat.names[prod], "category": cat.categories[prod],
        "is_merch": True, "quantity": qty.astype("int64"), "unit_price_micros": price_micros,
        "discount_cents": gross_c - net_c, "net_cents": net_c,
    })


CSV_HEADER = ("order_id", "ordered_at", "customer_id", "customer_name", "email", "country", "sku", "product_name",
              "category", "quantity", "unit_price", "discount")


def write_csv(path: str, lines: int, seed: int = 7, end: date | None = None) -> int:
    """The same data as a flat order export in the generic layout. Returns the number of lines written."""
    written = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")   # the same line ending as the rows pandas writes
        w.writerow(CSV_HEADER)
        for frame in generate(lines, seed, end):
            price = (frame["unit_price_micros"] / 1_000_000).map("{:.2f}".format)
            gross = frame["quantity"] * frame["unit_price_micros"]
            disc = np.where(gross != 0, (frame["discount_cents"] * 10_000) / gross.where(gross != 0, 1), 0)
            disc_txt = pd.Series(np.round(disc, 2)).map(lambda d: "" if d == 0 else f"{d:.2f}")
            out = pd.DataFrame({
                "order_id": frame["order_id"], "ordered_at": frame["ordered_at"].str.replace("T", " "),
                "customer_id": frame["customer_key"], "customer_name": frame["customer_name"],
                "email": frame["email"], "country": frame["country"], "sku": frame["sku"],
                "product_name": frame["product_name"], "category": frame["category"],
                "quantity": frame["quantity"], "unit_price": price, "discount": disc_txt.values,
            })
            out.to_csv(f, header=False, index=False, lineterminator="\n")
            written += len(out)
    return written


def build_store(conn, lines: int = 60_000, seed: int = 7, end: date | None = None) -> None:
    """Fill an empty store with demo data, then stock counts sized to what each product sells."""
    from .sql import atomic

    loader_class = getattr(conn, "loader_class", Loader)   # SQLite's, or a PostgreSQL store's own
    with loader_class(conn, file_name=f"demo(lines={lines}, seed={seed})", sha256="") as loader:
        for frame in generate(lines, seed, end):
            loader.add(frame)
    # after the load: the loader builds the kept aggregates as it finishes, and the counts are sized
    # from them (inside it they were empty, so every product got a random count unrelated to its sales)
    with atomic(conn):
        _demo_stock(conn, end or date.today(), np.random.default_rng(seed + 1))


def _demo_stock(conn, end: date, rng: np.random.Generator) -> None:
    """Counts a week ago that leave most products well covered and a few fast movers near or below
    their reorder point, so the Reorder tab and the live monitor have something to say."""
    counted = datetime.combine(end - timedelta(days=7), datetime.min.time()).replace(hour=7)
    since = (end - timedelta(days=27)).isoformat()
    rows = conn.execute(
        """SELECT p.product_id, coalesce(sum(a.units), 0) AS units28,
                  (SELECT coalesce(sum(s.quantity), 0) FROM sales s
                    WHERE s.product_id = p.product_id AND s.ordered_at > ?) AS sold_after
           FROM products p LEFT JOIN agg_product_day a ON a.product_id = p.product_id AND a.day >= ?
           WHERE p.is_merch = 1 GROUP BY p.product_id ORDER BY units28 DESC, p.product_id""",
        (counted.isoformat(), since)).fetchall()
    stock = []
    for rank, (pid, units28, sold_after) in enumerate(rows):
        daily = units28 / 28
        lead = int(rng.choice([5, 7, 7, 10, 14]))
        if rank < 3:
            cover_days = rng.uniform(-1, 2)          # out or nearly out
        elif rank < 9:
            cover_days = rng.uniform(lead * 0.8, lead * 1.6)   # around the reorder point: the live demo tips them
        else:
            cover_days = rng.uniform(40, 90)       # well above even a lumpy seller's safety stock
        now_on_hand = int(round(daily * cover_days)) if daily > 0 else int(rng.integers(5, 60))
        stock.append((pid, now_on_hand + int(sold_after), counted.isoformat(), lead))
    conn.executemany("INSERT INTO inventory (product_id, on_hand, counted_at, lead_time_days) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (product_id) DO UPDATE SET on_hand = excluded.on_hand, "
                     "counted_at = excluded.counted_at, lead_time_days = excluded.lead_time_days", stock)


def _customer_keys(numbers: np.ndarray) -> np.ndarray:
    """C000042 for customer 42. numpy 2's zfill fails on an empty array (a chunk with no postage line)."""
    if not len(numbers):
        return np.array([], dtype=str)
    return np.char.add("C", np.char.zfill(numbers.astype(str), 6))
