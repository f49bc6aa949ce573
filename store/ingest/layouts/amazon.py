"""Amazon's All Orders report (tab-separated): one row per item, no buyer identity, times in UTC."""

from .base import Layout, Transformed


def transform(lines, state) -> Transformed:
    order_status = lines["order_status"].str.lower()
    item_status = lines["item_status"].str.lower()
    left = {}
    for status in ("cancelled", "pending"):
        hit = order_status == status
        if hit.any():
            left[status] = lines["order_id"][hit].unique().tolist()
    whole = order_status.isin(("cancelled", "pending"))
    item_cancelled = ~whole & (item_status == "cancelled")
    dropped = {"cancelled items": int(item_cancelled.sum())} if item_cancelled.any() else {}
    return Transformed(lines[~whole & ~item_cancelled].reset_index(drop=True), left_out=left, lines_left_out=dropped)


LAYOUT = Layout(
    "amazon",
    "Amazon All Orders report (tab-separated)",
    {
        "order_id": ("amazon-order-id",),
        "ordered_at": ("purchase-date",),
        "sku": ("sku",),
        "product_name": ("product-name",),
        "quantity": ("quantity", "quantity-purchased"),
        "line_total": ("item-price",),
        "discount": ("item-promotion-discount",),
        "country": ("ship-country",),
        "currency": ("currency",),
    },
    signature=(("amazon-order-id",), ("purchase-date",), ("item-price",)),
    rules=(
        "item-price is the total for the quantity, not a unit price; line amount = item-price - "
        "|item-promotion-discount|; tax and shipping are not sales",
        "cancelled orders and cancelled items are left out, and so are pending orders (no price yet)",
        "the report names no buyer: every order is a guest order, so no customer is ranked",
        "purchase-date is UTC: without --tz an order's day is its UTC date",
        "sku = sku, else asin",
    ),
    discount="amount",
    extras={"order_status": ("order-status",), "item_status": ("item-status",), "asin": ("asin",)},
    fallbacks={"sku": "asin"},
    transform=transform,
    no_customers=("Amazon's All Orders report names no buyer: every order is a guest order, so the shop's "
                  "revenue and orders are all here but whales, segments and cohorts have no customers to rank"),
)
