"""WooCommerce's Customer/Order/Coupon CSV export (one row per order, the items packed in `line_items`)."""

from .base import Layout, Transformed

# Statuses that are sales (on-hold: awaiting payment by bank transfer; refunded: its refunds are returns)
# and those that never were; any other (a shop's own status such as "shipped") is kept as a sale.
KEPT = ("completed", "processing", "on-hold", "refunded")
LEFT_OUT = ("pending", "failed", "cancelled", "trash", "checkout-draft", "draft")


def split_statuses(lines):
    """The orders kept, and {status: order ids} of those left out (a `wc-` prefix is ignored)."""
    status = lines["status"].str.lower().str.replace(r"^wc-", "", regex=True)
    out = status.isin(LEFT_OUT)
    left = {s: lines["order_id"][status == s].tolist() for s in LEFT_OUT if (status == s).any()}
    return lines[~out].reset_index(drop=True), left


def transform(lines, state) -> Transformed:
    import numpy as np

    from .lines import woo_lines

    kept, left = split_statuses(lines)
    items = kept["line_items"].str.split(";").explode()
    items = items[items.notna() & (items.str.strip() != "")]
    positions = items.index.to_numpy(dtype=np.int64)
    out = woo_lines(kept, items.reset_index(drop=True), positions, kept["refunded_total"])
    return Transformed(out, left_out=left)


LAYOUT = Layout(
    "woocommerce",
    "WooCommerce Customer/Order/Coupon CSV export (items packed in line_items)",
    {
        "order_id": ("order_number", "order_id"),
        "ordered_at": ("order_date",),
        "email": ("billing_email", "customer_email"),
        "country": ("billing_country",),
        "currency": ("order_currency", "currency"),
    },
    provides=("sku", "product_name", "quantity", "line_total", "customer_name"),   # from line_items
    signature=(("line_items",), ("order_date",), ("status",)),
    rules=(
        "order = order_number; line_items packs the items (`;` between items, `key:value|key:value`)",
        "sku = sku, else product_id; line amount = total (after coupons, before tax); shipping is not a sale",
        "statuses completed, processing, on-hold, refunded are sales; pending, failed, cancelled, trash, "
        "checkout-draft are left out (counted in the summary)",
        "an item's refunded amount with refunded_qty units is a return of that sku on the order's day "
        "(without units: a refund, not a product); refunded_total beyond the items' refunds is a refund",
        "customer = lower-cased billing_email (WooCommerce merges guests by email); name = first + last name",
    ),
    discount="amount",
    customer_from_email=True,
    extras={"status": ("status",), "line_items": ("line_items",), "refunded_total": ("refunded_total",),
            "billing_first_name": ("billing_first_name",), "billing_last_name": ("billing_last_name",)},
    transform=transform,
)
