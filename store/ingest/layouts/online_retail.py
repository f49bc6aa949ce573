"""The UCI Online Retail / Online Retail II layout: invoices starting with C are cancellations (returns),
invoices starting with A are bad-debt adjustments (not merchandise)."""

from .base import Layout, Transformed


def transform(lines, state) -> Transformed:
    invoice = lines["order_id"].str.upper()
    cancel = invoice.str.startswith("C")
    qty = lines["quantity"]
    # a cancellation's quantities are returns whatever sign the file wrote
    lines["quantity"] = qty.where(~cancel | (qty == ""), "-" + qty.str.lstrip("+-"))
    lines["_non_merch"] = invoice.str.startswith("A")
    return Transformed(lines)


LAYOUT = Layout(
    "online-retail",
    "UCI Online Retail / Online Retail II",
    {
        "order_id": ("InvoiceNo", "Invoice"),
        "sku": ("StockCode",),
        "product_name": ("Description",),
        "quantity": ("Quantity",),
        "ordered_at": ("InvoiceDate",),
        "unit_price": ("UnitPrice", "Price"),
        "customer_id": ("CustomerID", "Customer ID"),
        "country": ("Country",),
    },
    signature=(("StockCode",), ("InvoiceNo", "Invoice"), ("InvoiceDate",)),
    rules=(
        "invoices starting with C are cancellations: returns, never orders",
        "invoices starting with A are bad-debt adjustments: not merchandise",
        "CustomerID 17850.0 is customer 17850; a blank one is a guest line",
    ),
    transform=transform,
)
