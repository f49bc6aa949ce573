"""Exports of the layouts shopintel reads, written by the tests from each tool's documented header and
quirks (never a real shop's data). Each builder returns the file's text; the rows name their quirk."""

from __future__ import annotations

import csv
import io

# Shopify's orders export, the current 79 columns, in Shopify's order.
SHOPIFY_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City",
    "Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
    "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
    "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
    "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
]
assert len(SHOPIFY_HEADER) == 79


def table(header: list[str], rows: list[dict], sep: str = ",") -> str:
    out = io.StringIO()
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown
        w.writerow([row.get(h, "") for h in header])
    return out.getvalue()


def shopify_order(name, created, email, items, *, billing=("", ""), cancelled="", refunded="", currency="USD",
                  status="paid"):
    """Shopify's rows for one order: the first carries the order-level fields, the continuation rows only
    the line item's own (and Name)."""
    rows = []
    for i, (qty, title, price, sku, discount, vendor) in enumerate(items):
        row = {"Name": name, "Lineitem quantity": qty, "Lineitem name": title, "Lineitem price": price,
               "Lineitem sku": sku, "Lineitem discount": discount, "Vendor": vendor,
               "Lineitem requires shipping": "true", "Lineitem taxable": "true",
               "Lineitem fulfillment status": "fulfilled"}
        if i == 0:
            row.update({"Email": email, "Financial Status": status, "Paid at": created, "Currency": currency,
                        "Created at": created, "Billing Name": billing[0], "Billing Country": billing[1],
                        "Shipping Name": billing[0], "Shipping Country": billing[1], "Cancelled at": cancelled,
                        "Refunded Amount": refunded, "Id": str(abs(hash(name)) % 10**12),
                        "Source": "web", "Accepts Marketing": "no"})
        rows.append(row)
    return rows


def shopify_export() -> str:
    """Four orders: #1001 two items (a line discount, a refund of 5.00), #1002 cancelled, #1003 a guest just
    before local midnight, #1004 the same customer in other capitals with a custom item without sku."""
    rows = [
        *shopify_order("#1001", "2025-05-11 09:55:16 -0400", "Ann@Example.COM",
                       [("2", "Linen Apron", "19.99", "APR-1", "4.00", "Loom & Co"),
                        ("1", "Tea Towel", "5.50", "TT-2", "0.00", "Loom & Co")],
                       billing=("Ann Archer", "US"), refunded="5.00", status="partially_refunded"),
        *shopify_order("#1002", "2025-05-12 10:00:00 -0400", "bo@example.com",
                       [("4", "Linen Apron", "19.99", "APR-1", "0.00", "Loom & Co")],
                       billing=("Bo Brand", "CA"), cancelled="2025-05-12 12:00:00 -0400", status="voided"),
        *shopify_order("#1003", "2025-05-12 23:30:00 -0400", "",
                       [("3", "Napkin", "2.25", "NAP-3", "", "Loom & Co")], billing=("", "US")),
        *shopify_order("#1004", "2025-05-13 08:00:00 -0400", "ann@example.com",
                       [("1", "Linen Apron", "19.99", "APR-1", "0", "Loom & Co"),
                        ("1", "Engraving", "7.00", "", "", "Loom & Co")],
                       billing=("Ann Archer-Lee", "US")),
    ]
    return table(SHOPIFY_HEADER, rows)


WOO_HEADER = [
    "order_id", "order_number", "order_date", "status", "shipping_total", "shipping_tax_total", "fee_total",
    "fee_tax_total", "tax_total", "cart_discount", "order_discount", "discount_total", "order_total",
    "refunded_total", "order_currency", "payment_method", "shipping_method", "customer_id", "billing_first_name",
    "billing_last_name", "billing_company", "billing_email", "billing_phone", "billing_address_1",
    "billing_postcode", "billing_city", "billing_state", "billing_country", "shipping_first_name",
    "shipping_last_name", "shipping_country", "customer_note", "line_items", "shipping_items", "fee_items",
    "tax_items", "coupon_items", "order_notes", "download_permissions",
]


def woo_item(i, name, product_id, sku, qty, subtotal, total, refunded="0.00", refunded_qty="0", meta=""):
    return (f"id:{i}|name:{name}|product_id:{product_id}|sku:{sku}|quantity:{qty}|subtotal:{subtotal}|"
            f"subtotal_tax:0.00|total:{total}|total_tax:0.00|refunded:{refunded}|refunded_qty:{refunded_qty}|"
            f"meta:{meta}")


def woo_export() -> str:
    """Six orders: 2101 two items with a coupon; 2102 one item refunded (1 of 2 units) and shipping refunded;
    2103 cancelled; 2104 pending; 2105 a guest whose email matches 2101's customer in other capitals, an
    item without sku; 2106 status refunded, all of it."""
    rows = [
        {"order_id": "501", "order_number": "2101", "order_date": "2025-06-01 10:15:00", "status": "completed",
         "order_currency": "EUR", "customer_id": "7", "billing_first_name": "Cleo", "billing_last_name": "Dupont",
         "billing_email": "Cleo@Example.fr", "billing_country": "FR", "refunded_total": "0.00",
         "line_items": woo_item(11, "Ceramic Mug", 40, "MUG-40", 2, "24.00", "21.60") + ";"
                       + woo_item(12, "Mug Saucer", 41, "SAU-41", 1, "6.00", "5.40", meta="colour=blue")},
        {"order_id": "502", "order_number": "2102", "order_date": "2025-06-02 18:40:00", "status": "processing",
         "order_currency": "EUR", "customer_id": "8", "billing_first_name": "Dirk", "billing_last_name": "Evers",
         "billing_email": "dirk@example.de", "billing_country": "DE", "refunded_total": "16.50",
         "line_items": woo_item(13, "Teapot", 42, "POT-42", 2, "30.00", "30.00", refunded="15.00",
                                refunded_qty="-1")},
        {"order_id": "503", "order_number": "2103", "order_date": "2025-06-03 09:00:00", "status": "cancelled",
         "order_currency": "EUR", "billing_email": "x@example.com", "refunded_total": "0.00",
         "line_items": woo_item(14, "Teapot", 42, "POT-42", 5, "75.00", "75.00")},
        {"order_id": "504", "order_number": "2104", "order_date": "2025-06-03 09:30:00", "status": "wc-pending",
         "order_currency": "EUR", "billing_email": "y@example.com", "refunded_total": "0.00",
         "line_items": woo_item(15, "Ceramic Mug", 40, "MUG-40", 1, "12.00", "12.00")},
        {"order_id": "505", "order_number": "2105", "order_date": "2025-06-04 07:05:00", "status": "on-hold",
         "order_currency": "EUR", "customer_id": "0", "billing_first_name": "Cleo", "billing_last_name": "Dupont",
         "billing_email": "CLEO@example.fr", "billing_country": "FR", "refunded_total": "",
         "line_items": woo_item(16, "Gift Box", 43, "", 1, "8.00", "8.00")},
        {"order_id": "506", "order_number": "2106", "order_date": "2025-06-05 12:00:00", "status": "refunded",
         "order_currency": "EUR", "customer_id": "9", "billing_first_name": "Eva", "billing_last_name": "Fox",
         "billing_email": "eva@example.nl", "billing_country": "NL", "refunded_total": "12.00",
         "line_items": woo_item(17, "Ceramic Mug", 40, "MUG-40", 1, "12.00", "12.00", refunded="12.00",
                                refunded_qty="-1")},
    ]
    return table(WOO_HEADER, rows)


WEBTOFFEE_HEADER = [
    "order_id", "order_number", "order_date", "paid_date", "status", "shipping_total", "fee_total", "tax_total",
    "discount_total", "order_total", "order_currency", "payment_method", "customer_email", "billing_first_name",
    "billing_last_name", "billing_email", "billing_country", "line_item_1", "line_item_2", "line_item_3",
    "shipping_items", "coupon_items", "order_notes",
]


def webtoffee_item(name, product_id, sku, qty, total):
    return f"name:{name}|product_id:{product_id}|sku:{sku}|quantity:{qty}|total:{total}|sub_total:{total}|tax:0"


def webtoffee_export() -> str:
    """The same shop through WebToffee's exporter: items in line_item_1..3, one order failed."""
    rows = [
        {"order_id": "601", "order_number": "601", "order_date": "2025-07-01 10:00:00", "status": "wc-completed",
         "order_currency": "GBP", "billing_first_name": "Gus", "billing_last_name": "Hale",
         "billing_email": "gus@example.co.uk", "billing_country": "GB",
         "line_item_1": webtoffee_item("Candle", 70, "CAN-70", 3, "27.00"),
         "line_item_2": webtoffee_item("Wick Trimmer", 71, "", 1, "9.50"),
         "line_item_3": webtoffee_item("Matches", 72, "MAT-72", 2, "3.00")},
        {"order_id": "602", "order_number": "602", "order_date": "2025-07-02 11:00:00", "status": "failed",
         "order_currency": "GBP", "billing_email": "z@example.com",
         "line_item_1": webtoffee_item("Candle", 70, "CAN-70", 10, "90.00")},
        {"order_id": "603", "order_number": "603", "order_date": "2025-07-03 12:00:00", "status": "processing",
         "order_currency": "GBP", "billing_first_name": "Ida", "billing_last_name": "Ives",
         "billing_email": "IDA@example.co.uk", "billing_country": "GB",
         "line_item_1": webtoffee_item("Candle", 70, "CAN-70", 1, "9.00")},
    ]
    return table(WEBTOFFEE_HEADER, rows)


AMAZON_HEADER = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name", "sku",
    "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
    "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city",
    "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation",
]


def amazon_row(order, when, status, name, sku, asin, item_status, qty, price, promo="", country="US"):
    return {"amazon-order-id": order, "purchase-date": when, "last-updated-date": when, "order-status": status,
            "fulfillment-channel": "Amazon", "sales-channel": "Amazon.com", "ship-service-level": "Standard",
            "product-name": name, "sku": sku, "asin": asin, "item-status": item_status, "quantity": qty,
            "currency": "USD" if price else "", "item-price": price, "item-tax": "", "shipping-price": "4.99" if price else "",
            "item-promotion-discount": promo, "ship-city": "Springfield", "ship-state": "IL", "ship-country": country,
            "is-business-order": "false"}


def amazon_export() -> str:
    """Tab-separated. 111-1: two items, item-price a total for 2 units, a promotion written negative; 111-2
    placed at 02:30 UTC (the evening before in New York); 111-3 cancelled; 111-4 pending (no price yet);
    111-5 one item shipped, one cancelled; an item without sku."""
    rows = [
        amazon_row("111-1", "2025-08-01T15:00:00+00:00", "Shipped", "Bamboo Brush", "BR-1", "B00BRUSH1",
                   "Shipped", "2", "17.98", "-2.00"),
        amazon_row("111-1", "2025-08-01T15:00:00+00:00", "Shipped", "Soap Dish", "SD-2", "B00SOAPD2",
                   "Shipped", "1", "6.49"),
        amazon_row("111-2", "2025-08-02T02:30:00+00:00", "Shipped - Delivered to Buyer", "Bamboo Brush",
                   "BR-1", "B00BRUSH1", "Shipped", "1", "8.99", "0.00"),
        amazon_row("111-3", "2025-08-02T09:00:00+00:00", "Cancelled", "Soap Dish", "SD-2", "B00SOAPD2",
                   "Cancelled", "0", ""),
        amazon_row("111-4", "2025-08-03T09:00:00+00:00", "Pending", "Bamboo Brush", "BR-1", "B00BRUSH1",
                   "Unshipped", "1", ""),
        amazon_row("111-5", "2025-08-03T10:00:00+00:00", "Shipped", "Loofah", "", "B00LOOFA5",
                   "Shipped", "3", "11.97", "1.50"),
        amazon_row("111-5", "2025-08-03T10:00:00+00:00", "Shipped", "Soap Dish", "SD-2", "B00SOAPD2",
                   "Cancelled", "0", ""),
    ]
    return table(AMAZON_HEADER, rows, sep="\t")


ETSY_HEADER = [
    "Sale Date", "Item Name", "Buyer", "Quantity", "Price", "Coupon Code", "Coupon Details", "Discount Amount",
    "Delivery Discount", "Order Delivery", "Order Sales Tax", "Item Total", "Currency", "Transaction ID",
    "Listing ID", "Date Paid", "Date Posted", "Ship Name", "Ship Address1", "Ship Address2", "Ship City",
    "Ship State", "Ship Zipcode", "Ship Country", "Order ID", "Variations", "Order Type", "Listings Type",
    "Payment Type", "InPerson Discount", "InPerson Location", "VAT Paid by Buyer", "SKU",
]


def etsy_row(date, name, buyer, qty, price, discount, order, listing, sku, coupon="", currency="USD"):
    return {"Sale Date": date, "Item Name": name, "Buyer": buyer, "Quantity": qty, "Price": price,
            "Coupon Code": coupon, "Coupon Details": f"{coupon} - 10% off" if coupon else "",
            "Discount Amount": discount, "Currency": currency, "Transaction ID": f"{order}{listing}"[-10:],
            "Listing ID": listing, "Date Paid": date, "Ship Name": buyer, "Ship Country": "United States",
            "Order ID": order, "Order Type": "online", "Listings Type": "listing", "Payment Type": "online_cc",
            "SKU": sku}


def etsy_export() -> str:
    """MM/DD/YY dates (one in December, one on the 13th: never day-first); a coupon; an item without SKU."""
    rows = [
        etsy_row("12/01/24", "Hand-thrown Bowl", "Jo Kent", "2", "28.00", "5.60", "3001", "1100001", "BWL-1",
                 coupon="WINTER10"),
        etsy_row("12/01/24", "Glaze Sample Tile", "Jo Kent", "1", "4.00", "0", "3001", "1100002", ""),
        etsy_row("12/13/24", "Hand-thrown Bowl", "Lu Moss", "1", "28.00", "", "3002", "1100001", "BWL-1"),
    ]
    return table(ETSY_HEADER, rows)
