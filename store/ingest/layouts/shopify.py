"""Shopify's orders export (the current 79-column layout): one row per line item, order-level fields only on
an order's first row, cancelled orders still in the file, refunds as an order-level amount."""

from .base import Layout, Transformed

# Fields written only on an order's first row: filled down onto its continuation rows. (Refunded Amount is
# order-level too, but it is read from the first row only: filled down it would be counted once per item.)
ORDER_LEVEL = ("ordered_at", "customer_id", "email", "customer_name", "country", "currency", "cancelled_at")


def fill_down(lines, state: dict):
    """Order-level fields blank on continuation rows take the order's first row's value (carried across
    chunks: an order may start at the end of one)."""
    import numpy as np
    import pandas as pd

    cols = [c for c in ORDER_LEVEL if c in lines.columns]
    frame = lines[["order_id", *cols]]
    carry = state.get("carry")
    if carry is not None:
        frame = pd.concat([carry, frame], ignore_index=True)
    filled = frame[cols].replace("", np.nan).groupby(frame["order_id"].to_numpy(), sort=False).ffill().fillna("")
    state["carry"] = pd.concat([frame[["order_id"]].tail(1).reset_index(drop=True),
                                filled.tail(1).reset_index(drop=True)], axis=1)
    n = len(lines)
    for c in cols:
        lines[c] = filled[c].to_numpy()[-n:]
    return lines


def transform(lines, state) -> Transformed:
    from .lines import amounts, in_file_order, refund_lines

    refunded = lines["refunded_amount"]     # before the fill-down: on the order's first row only
    lines = fill_down(lines, state)
    cancelled = lines["cancelled_at"] != ""
    left = {"cancelled": lines["order_id"][cancelled].unique().tolist()} if cancelled.any() else {}
    kept = lines[~cancelled]
    money = amounts(refunded[~cancelled].str.lstrip("-+"))
    back = (money > 0).to_numpy()
    refunds = refund_lines(kept[back], refunded[~cancelled][back].str.lstrip("-+"), "unit_price")
    return Transformed(in_file_order(kept, refunds), left_out=left)


LAYOUT = Layout(
    "shopify",
    "Shopify orders export",
    {
        "order_id": ("Name",),
        "email": ("Email",),
        "ordered_at": ("Created at", "Paid at"),
        "quantity": ("Lineitem quantity",),
        "product_name": ("Lineitem name",),
        "unit_price": ("Lineitem price",),
        "sku": ("Lineitem sku",),
        "discount": ("Lineitem discount",),
        "customer_name": ("Billing Name", "Shipping Name"),
        "country": ("Billing Country", "Shipping Country"),
        "category": ("Lineitem product type", "Product type", "Vendor"),
        "currency": ("Currency",),
    },
    signature=(("Lineitem quantity",), ("Name",)),
    rules=(
        "order = Name; order-level fields left blank on an order's continuation rows are filled down",
        "line amount = Lineitem quantity x Lineitem price - Lineitem discount (an amount); sku = Lineitem sku, "
        "else the item's name; category = Vendor",
        "an order with Cancelled at set is left out (not revenue, not an order) and counted in the summary",
        "Refunded Amount > 0 is a refund of that amount on the order's day: net revenue falls, units do not",
        "customer = lower-cased Email; none = a guest; the day is the local date of Created at "
        "(2025-05-11 09:55:16 -0400), or the --tz day",
    ),
    discount="amount",
    customer_from_email=True,
    extras={"cancelled_at": ("Cancelled at",), "refunded_amount": ("Refunded Amount",)},
    fallbacks={"sku": "product_name"},   # Shopify leaves sku blank for custom items
    transform=transform,
)
