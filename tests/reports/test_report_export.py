"""Done-when check: a flat export in someone else's column layout, written here, imported with
`--map`, and every money figure of `report ... --format json` compared to the cent with an
independent pandas + Decimal computation of the documented definitions (nothing from store/ or
reports/ is used on the expected side)."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

CENT = Decimal("0.01")
PRODUCTS = [  # sku, name, category, price
    ("K-MUG", "Mug [/b]", "Kitchen", "7.99"), ("K-PAN", "Pan", "Kitchen", "24.50"),
    ("O-TENT", "Tent", "Outdoor", "149.00"), ("O-LAMP", "Lamp", "Outdoor", "19.95"),
    ("G-CARD", "Card", "Gifts", "2.49"), ("G-BOX", "Box", "Gifts", "9.99"),
]
MAP = {"order_id": "Invoice No", "ordered_at": "Invoice Date", "customer_id": "Client Ref",
       "customer_name": "Client", "sku": "Item Code", "product_name": "Item", "category": "Dept",
       "quantity": "Qty", "unit_price": "Price Each", "discount": "Disc"}


def make_export(path, seed: int = 11) -> pd.DataFrame:
    """About 600 lines over 70 days: customers and guests, discounts, postage, returns."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 2, 3, 8, 0)
    rows = []
    for n in range(220):
        stamp = start + timedelta(days=int(rng.integers(0, 70)), minutes=int(rng.integers(0, 600)))
        guest = rng.random() < 0.2
        cust = "" if guest else f"C{int(rng.integers(1, 31)):03d}"
        order = f"INV{5000 + n}"
        for i in rng.choice(len(PRODUCTS), size=int(rng.integers(1, 4)), replace=False):
            sku, name, cat, price = PRODUCTS[i]
            disc = ["", "", "", "0.1", "0.25", "0.5"][int(rng.integers(0, 6))]
            rows.append([order, stamp, cust, sku, name, cat, int(rng.integers(1, 6)), price, disc])
        if rng.random() < 0.6:
            rows.append([order, stamp, cust, "POST", "Postage", "Fees", 1, "4.95", ""])
        if not guest and rng.random() < 0.12:     # a return of one item, days later, its own invoice
            sku, name, cat, price = PRODUCTS[int(rng.integers(0, len(PRODUCTS)))]
            rows.append([f"RET{5000 + n}", stamp + timedelta(days=3), cust, sku, name, cat, -1, price, ""])
    rows.sort(key=lambda r: (r[1], r[0]))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([MAP[k] for k in ("order_id", "ordered_at", "customer_id", "sku", "product_name", "category",
                                     "quantity", "unit_price", "discount")])
        for r in rows:
            w.writerow([r[0], r[1].strftime("%Y-%m-%d %H:%M"), r[2], *r[3:]])
    df = pd.DataFrame(rows, columns=["order_id", "ts", "customer", "sku", "name", "category", "qty", "price",
                                     "disc"])
    df["day"] = df["ts"].dt.strftime("%Y-%m-%d")
    df["merch"] = df["sku"] != "POST"
    df["net"] = [net_of(q, p, d) for q, p, d in zip(df["qty"], df["price"], df["disc"])]
    return df


def net_of(qty: int, price: str, disc: str) -> Decimal:
    gross = qty * Decimal(price)
    cut = gross * Decimal(disc or "0")          # exact: prices have 2 decimals, discounts 1-2
    return (gross - cut).quantize(CENT, ROUND_HALF_UP)   # half away from zero


def dec(x) -> Decimal:
    return Decimal(str(x))


@pytest.fixture(scope="module")
def shop(tmp_path_factory, module_store):
    """The export imported once per backend; `report(...)` runs a report on it and gives its JSON."""
    from tests.conftest import shopintel

    tmp = tmp_path_factory.mktemp("export")
    raw = make_export(tmp / "export.csv")
    maps = [a for k, col in MAP.items() if k not in ("customer_name",) for a in ("--map", f"{k}={col}")]
    r = shopintel("ingest", str(tmp / "export.csv"), *module_store.db, *maps)
    assert r.returncode == 0, r.stderr

    def report(*args):
        out = shopintel("report", *args, *module_store.db, "--format", "json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    return raw, report


def test_summary_to_the_cent(shop):
    raw, report = shop
    s = report("summary")
    # an order has a bought line: a return-only order is a return, never an order (nor its customer's)
    bought = raw[raw["qty"] > 0]
    orders = bought.groupby("order_id").agg(customer=("customer", "first"))
    buyers = set(bought.loc[bought["customer"] != "", "customer"])
    spend = raw[raw["customer"].isin(buyers)].groupby("customer")["net"].sum()
    base = sum(max(v, Decimal(0)) for v in spend)
    top = sorted(spend, reverse=True)
    assert dec(s["revenue"]) == raw["net"].sum()
    assert dec(s["gross_revenue"]) == raw.loc[raw["qty"] > 0, "net"].sum()
    assert dec(s["returns"]) == -raw.loc[raw["qty"] < 0, "net"].sum()
    assert s["orders"] == len(orders) and s["guest_orders"] == int((orders["customer"] == "").sum())
    assert s["customers"] == len(spend)
    assert s["units"] == int(raw.loc[raw["merch"], "qty"].sum())
    assert dec(s["aov"]) == (raw["net"].sum() / len(orders)).quantize(CENT, ROUND_HALF_UP)
    assert (s["first_date"], s["last_date"]) == (raw["day"].min(), raw["day"].max())
    k1, k20 = max(1, -(-len(spend) // 100)), max(1, -(-len(spend) * 20 // 100))
    assert s["top_1pct_share"] == round(float(sum(top[:k1]) / base), 4)
    assert s["top_20pct_share"] == round(float(sum(top[:k20]) / base), 4)


@pytest.mark.parametrize("since,until", [(None, None), ("2025-03-01", "2025-03-31")])
def test_whales_to_the_cent(shop, since, until):
    raw, report = shop
    args = ["--limit", "1000"] + (["--since", since, "--until", until] if since else [])
    got = report("whales", *args)
    lines = raw if since is None else raw[(raw["day"] >= since) & (raw["day"] <= until)]
    # a customer's orders, first and last order: the orders they bought something in (returns are no order)
    bought = lines[(lines["customer"] != "") & (lines["qty"] > 0)]
    named = lines[lines["customer"].isin(set(bought["customer"]))]
    per = named.groupby("customer").agg(spend=("net", "sum"))
    per = per.join(bought.groupby("customer").agg(orders=("order_id", "nunique"), first=("day", "min"),
                                                  last=("day", "max")))
    per["units"] = named[named["merch"]].groupby("customer")["qty"].sum()
    per["units"] = per["units"].fillna(0)
    base = sum(max(v, Decimal(0)) for v in per["spend"])
    listed = per[per["spend"] >= 0]
    assert sorted(w["customer_id"] for w in got) == sorted(listed.index)
    assert [dec(w["spend"]) for w in got] == sorted(listed["spend"], reverse=True)
    running = Decimal(0)
    for w in got:
        e = per.loc[w["customer_id"]]
        running += e["spend"]
        assert (w["orders"], w["units"], w["first_order"], w["last_order"]) == (
            e["orders"], int(e["units"]), e["first"], e["last"])
        assert dec(w["aov"]) == (e["spend"] / e["orders"]).quantize(CENT, ROUND_HALF_UP)
        assert w["share"] == round(float(e["spend"] / base), 4)
        assert w["cumulative_share"] == round(float(running / base), 4)
    assert [w["rank"] for w in got] == list(range(1, len(got) + 1))


def test_categories_and_growth_to_the_cent(shop):
    raw, report = shop
    got = {c["category"]: c for c in report("categories", "--since", "2025-03-15", "--until", "2025-04-13")}
    now = raw[(raw["day"] >= "2025-03-15") & (raw["day"] <= "2025-04-13")].groupby("category")["net"].sum()
    before = raw[(raw["day"] >= "2025-02-13") & (raw["day"] <= "2025-03-14")].groupby("category")["net"].sum()
    total_prev = before.sum()
    for cat in set(now.index) | set(before.index):
        c, n, b = got[cat], now.get(cat, Decimal(0)), before.get(cat, Decimal(0))
        assert dec(c["revenue"]) == n and dec(c["previous_revenue"]) == b
        assert c["share"] == round(float(n / now.sum()), 4)
        assert c["growth_contribution"] == round(float((n - b) / total_prev), 4)
    best = max(got.values(), key=lambda c: c["growth_contribution"])
    assert best["driver"] and sum(c["driver"] for c in got.values()) == 1
    everything = report("categories")
    assert {c["category"]: dec(c["revenue"]) for c in everything} == raw.groupby("category")["net"].sum().to_dict()


def test_revenue_series_to_the_cent(shop):
    raw, report = shop
    daily = raw.groupby("day")["net"].sum()
    days = pd.date_range(raw["day"].min(), raw["day"].max()).strftime("%Y-%m-%d")
    got = report("revenue")
    assert [d["period"] for d in got] == list(days)
    orders = raw[raw["qty"] > 0].groupby("order_id")["day"].min().value_counts()
    units = raw[raw["merch"]].groupby("day")["qty"].sum()
    values = []
    for d in got:
        expected = daily.get(d["period"], Decimal(0))
        values.append(expected)
        assert dec(d["revenue"]) == expected
        assert d["orders"] == orders.get(d["period"], 0) and d["units"] == units.get(d["period"], 0)
        window = values[-7:]
        assert dec(d["moving_average"]) == (sum(window) / len(window)).quantize(CENT, ROUND_HALF_UP)
    weekly = report("revenue", "--grain", "week")
    monday = pd.to_datetime(raw["day"]) - pd.to_timedelta(pd.to_datetime(raw["day"]).dt.day_of_week, unit="D")
    by_week = raw.groupby(monday.dt.strftime("%Y-%m-%d"))["net"].sum()
    assert {w["period"]: dec(w["revenue"]) for w in weekly if w["revenue"]} == {
        k: v for k, v in by_week.items() if v}


def test_top_sellers_to_the_cent(shop):
    raw, report = shop
    as_of = date.fromisoformat(raw["day"].max())
    start, prev = (as_of - timedelta(days=27)).isoformat(), (as_of - timedelta(days=55)).isoformat()
    merch = raw[raw["merch"]]
    win = merch[merch["day"] >= start].groupby("sku").agg(units=("qty", "sum"), revenue=("net", "sum"))
    before = merch[(merch["day"] >= prev) & (merch["day"] < start)].groupby("sku")["qty"].sum()
    got = report("top-sellers", "--min-per-week", "0")
    expected = win[win["units"] > 0].sort_values("units", ascending=False)
    assert {t["sku"] for t in got} == set(expected.index) and "POST" not in {t["sku"] for t in got}
    assert [t["units"] for t in got] == list(expected["units"])
    for t in got:
        e = win.loc[t["sku"]]
        assert dec(t["revenue"]) == e["revenue"] and t["previous_units"] == before.get(t["sku"], 0)
        assert t["units_per_week"] == pytest.approx(e["units"] / 4)
