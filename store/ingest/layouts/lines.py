"""Helpers the layouts' transforms share (pandas: imported when a transform runs, never by the registry)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import values as v

REFUND_SKU = "REFUND"
REFUND_NAME = "Refund (not itemised)"
REFUND_CATEGORY = "Refunds"


def amounts(text: pd.Series) -> pd.Series:
    """Money as floats (NaN where not a number): only to decide which rows a refund or remainder adds."""
    return v.parse_numbers(text.fillna(""))


def refund_lines(orders: pd.DataFrame, amount: pd.Series, price_field: str, label: str = "refund: ") -> pd.DataFrame:
    """One non-merchandise return line per row of `orders` (the order's own fields: id, time, customer,
    currency), of `amount` (positive text): net revenue falls by it, units do not."""
    out = orders.copy()
    for col in ("sku", "product_name", "category", "quantity", "unit_price", "line_total", "discount"):
        if col in out.columns:
            out[col] = ""
    out["sku"] = REFUND_SKU
    out["product_name"] = REFUND_NAME
    out["category"] = REFUND_CATEGORY
    out["quantity"] = "-1"
    # one unit back at the amount, or a line total of minus the amount (what the line took off)
    out[price_field] = amount.to_numpy() if price_field == "unit_price" else ("-" + amount).to_numpy()
    out["_non_merch"] = True
    out["_item"] = label
    return out


def in_file_order(*frames: pd.DataFrame) -> pd.DataFrame:
    """The frames' rows as one frame, ordered by source record (a refund line after its order's items)."""
    parts = [f for f in frames if len(f)]
    if not parts:
        return frames[0].iloc[:0]
    out = pd.concat(parts, ignore_index=True)
    if "_non_merch" in out.columns:
        out["_non_merch"] = out["_non_merch"].fillna(False).astype(bool)
    if "_item" in out.columns:
        out["_item"] = out["_item"].fillna("")
    return out.sort_values("_record", kind="stable", ignore_index=True)


def packed_items(orders: pd.DataFrame, items: pd.Series, positions: np.ndarray) -> pd.DataFrame:
    """WooCommerce's packed items (`key:value|key:value`, one string per item; `positions` = the row of
    `orders` each belongs to) as canonical lines of those orders, plus the returns their `refunded` and
    `refunded_qty` say: a return of that sku (or, with no units, a non-merchandise refund). `_refunded`
    holds each item's refunded amount (for the order-level remainder)."""
    def key(name: str) -> pd.Series:
        return items.str.extract(rf"(?:^|\|)\s*{name}\s*:([^|]*)", expand=False).fillna("").str.strip()

    base = orders.iloc[positions].reset_index(drop=True)
    sku, product_id = key("sku"), key("product_id")
    base["sku"] = sku.where(sku != "", product_id).to_numpy()
    base["product_name"] = key("name").to_numpy()
    base["quantity"] = key("quantity").to_numpy()
    base["line_total"] = key("total").to_numpy()
    number = pd.Series(np.arange(len(base)), dtype="int64").groupby(positions).cumcount() + 1
    base["_item"] = ("item " + number.astype(str) + ": ").to_numpy()
    base["_non_merch"] = False
    refunded = key("refunded").str.lstrip("-+")
    refunded_qty = key("refunded_qty").str.lstrip("-+")
    money = amounts(refunded).abs().fillna(0.0)
    units = amounts(refunded_qty).abs().fillna(0.0)
    back = (money > 0).to_numpy()
    returns = base[back].copy()
    with_units = (units[back] > 0).to_numpy()
    returns["quantity"] = np.where(with_units, "-" + refunded_qty[back], "-1")
    returns["line_total"] = ("-" + refunded[back]).to_numpy()
    returns["_item"] = returns["_item"].str.replace(": ", " refund: ")
    if (~with_units).any():
        # money back without units: not a return of the product
        rows = np.flatnonzero(~with_units)
        returns.iloc[rows, returns.columns.get_loc("sku")] = REFUND_SKU
        returns.iloc[rows, returns.columns.get_loc("product_name")] = REFUND_NAME
        returns.iloc[rows, returns.columns.get_loc("category")] = REFUND_CATEGORY
        returns.iloc[rows, returns.columns.get_loc("_non_merch")] = True
    base["_refunded"] = money.to_numpy()
    returns["_refunded"] = 0.0
    return pd.concat([base, returns], ignore_index=True)


def woo_lines(orders: pd.DataFrame, items: pd.Series, positions: np.ndarray, refunded_total: pd.Series) -> pd.DataFrame:
    """Items and returns of the orders (see packed_items), plus one non-merchandise refund per order for
    what its `refunded_total` says beyond its items' refunds (shipping refunded, a goodwill amount)."""
    first, last = orders["billing_first_name"], orders["billing_last_name"]
    orders = orders.assign(customer_name=(first + " " + last).str.strip())
    lines = packed_items(orders, items, positions)
    # the items' own refunds, per order (packed_items' first rows are the items, one per position)
    by_order = pd.Series(lines["_refunded"].to_numpy()[:len(positions)]).groupby(positions).sum()
    total = amounts(refunded_total.str.lstrip("-+")).abs().fillna(0.0).to_numpy()
    itemised = np.zeros(len(orders))
    itemised[by_order.index.to_numpy()] = by_order.to_numpy()
    rest = np.round(total - itemised, 2)
    more = rest > 0.004
    extra = refund_lines(orders[more], pd.Series([f"{x:.2f}" for x in rest[more]], dtype=object), "line_total")
    lines = lines.drop(columns="_refunded")
    return in_file_order(lines, extra)

