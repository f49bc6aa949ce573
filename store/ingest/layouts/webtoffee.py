"""WebToffee's WooCommerce order export: one row per order, each item in its own `line_item_N` column."""

from .base import Layout, Transformed
from .woocommerce import split_statuses


def transform(lines, state) -> Transformed:
    import numpy as np
    import pandas as pd

    from .lines import woo_lines

    kept, left = split_statuses(lines)
    numbered = sorted((c for c in kept.columns if c.startswith("line_item_") and c[10:].isdigit()),
                      key=lambda c: int(c[10:]))
    if numbered:
        wide = kept[numbered].to_numpy(dtype=object)
        rows, cols = np.nonzero(wide != "")
        items = pd.Series(wide[rows, cols], dtype=object).astype("str")   # item 1, 2... of each order in turn
    else:
        rows, items = np.zeros(0, dtype=np.int64), pd.Series([], dtype="str")
    out = woo_lines(kept, items, rows.astype(np.int64), kept["refunded_total"])
    return Transformed(out, left_out=left)


LAYOUT = Layout(
    "webtoffee",
    "WebToffee WooCommerce order export (items in line_item_1 ... line_item_N)",
    {
        "order_id": ("order_number", "order_id"),
        "ordered_at": ("order_date",),
        "email": ("billing_email", "customer_email"),
        "country": ("billing_country",),
        "currency": ("order_currency", "currency"),
    },
    provides=("sku", "product_name", "quantity", "line_total", "customer_name"),   # from line_item_N
    signature=(("line_item_*",), ("order_date",), ("status",)),
    rules=(
        "as woocommerce, with each item in its own column line_item_1 ... line_item_N "
        "(`name:..|product_id:..|sku:..|quantity:..|total:..`)",
    ),
    discount="amount",
    customer_from_email=True,
    extras={"status": ("status",), "refunded_total": ("refunded_total", "order_refund"),
            "billing_first_name": ("billing_first_name",), "billing_last_name": ("billing_last_name",)},
    prefixes=("line_item_",),
    transform=transform,
)
