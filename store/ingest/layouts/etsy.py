"""Etsy's sold order items export (EtsySoldOrderItems.csv): one row per item, dates as MM/DD/YY."""

from .base import Layout

LAYOUT = Layout(
    "etsy",
    "Etsy sold order items (EtsySoldOrderItems)",
    {
        "order_id": ("Order ID",),
        "ordered_at": ("Sale Date",),
        "product_name": ("Item Name",),
        "customer_id": ("Buyer",),
        "customer_name": ("Buyer",),
        "quantity": ("Quantity",),
        "unit_price": ("Price",),
        "discount": ("Discount Amount",),
        "currency": ("Currency",),
        "sku": ("SKU",),
        "country": ("Ship Country",),
    },
    signature=(("Sale Date",), ("Listing ID",), ("Transaction ID",)),
    rules=(
        "Sale Date is MM/DD/YY; line amount = Quantity x Price - Discount Amount",
        "sku = SKU, else Listing ID; customer = Buyer",
    ),
    discount="amount",
    date_format="%m/%d/%y",
    extras={"listing_id": ("Listing ID",)},
    fallbacks={"sku": "listing_id"},
)
