"""Each export layout with its quirks, on files written from the tool's documented header (layout_files.py)
into real stores; every expected figure is worked out here with Decimal, from the rows as written."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from shopintel.reports.params import Params
from shopintel.reports.summary import summary
from shopintel.store.errors import ImportFailed
from shopintel.store.ingest import layouts
from tests.store import layout_files as files
from tests.store.helpers import load, q


def figures(store) -> dict:
    conn = store.read_only()
    try:
        return summary(conn, Params())._asdict()
    finally:
        conn.close()


def money(x) -> float:
    return float(D(x).quantize(D("0.01")))


def order_days(store) -> dict[str, str]:
    return dict(q(store, "SELECT order_id, day FROM order_totals"))


# ------------------------------------------------------------------ Shopify

def test_shopify_fill_down_cancelled_refund_discount_guest_and_local_day(store, write_csv):
    path = write_csv(files.shopify_export(), "orders_export_1.csv")
    r = load(store, path)
    assert r.layout == "shopify" and r.currency == "USD"
    assert r.left_out == {"cancelled": 1} and r.rows_rejected == 0
    o1001 = 2 * D("19.99") - D("4.00") + 1 * D("5.50")     # quantity x price - Lineitem discount
    refund = D("5.00")                                      # Refunded Amount on #1001
    o1003 = 3 * D("2.25")
    o1004 = D("19.99") + D("7.00")
    s = figures(store)
    assert s["revenue"] == money(o1001 - refund + o1003 + o1004)
    assert s["gross_revenue"] == money(o1001 + o1003 + o1004)
    assert s["returns"] == money(refund)
    assert s["orders"] == 3 and s["guest_orders"] == 1      # #1002 cancelled: no order; #1003 has no email
    assert s["units"] == 2 + 1 + 3 + 1 + 1                  # the refund is money, not units
    assert s["customers"] == 1                               # Ann@Example.COM and ann@example.com are one
    assert q(store, "SELECT customer_key, name, country FROM customers") == [
        ("ann@example.com", "Ann Archer-Lee", "US")]        # the latest name by order date
    # #1003 at 23:30 -0400 is on its local day; the refund is not merchandise; a custom item's sku is its name
    assert order_days(store) == {"#1001": "2025-05-11", "#1003": "2025-05-12", "#1004": "2025-05-13"}
    assert q(store, "SELECT sku, is_merch FROM products ORDER BY sku") == [
        ("APR-1", 1), ("Engraving", 1), ("NAP-3", 1), ("REFUND", 0), ("TT-2", 1)]
    assert q(store, "SELECT count(*) FROM sales WHERE order_id = '#1002'") == [(0,)]


def test_shopify_with_tz_counts_each_order_on_the_shops_day(store, write_csv):
    path = write_csv(files.shopify_export())
    r = load(store, path, tz="Europe/Berlin")
    # 23:30 at -04:00 is 05:30 the next morning in Berlin (summer time, +02:00)
    assert order_days(store)["#1003"] == "2025-05-13"
    assert r.tz == "Europe/Berlin"
    assert q(store, "SELECT ordered_at FROM sales WHERE order_id = '#1003'") == [("2025-05-13T05:30:00",)]


def test_an_order_cancelled_after_an_earlier_import_is_taken_out(store, write_csv):
    load(store, write_csv(files.shopify_export(), "may.csv"))
    # the next export: #1004 has been cancelled since
    rows = files.table(files.SHOPIFY_HEADER, [
        *files.shopify_order("#1004", "2025-05-13 08:00:00 -0400", "ann@example.com",
                             [("1", "Linen Apron", "19.99", "APR-1", "0", "Loom & Co"),
                              ("1", "Engraving", "7.00", "", "", "Loom & Co")],
                             billing=("Ann Archer-Lee", "US"), cancelled="2025-05-14 09:00:00 -0400")])
    r = load(store, write_csv(rows, "june.csv"))
    assert r.left_out == {"cancelled": 1} and r.orders_withdrawn == 1 and r.rows_loaded == 0
    assert "#1004" not in order_days(store)
    assert figures(store)["orders"] == 2


# ------------------------------------------------------------------ WooCommerce

def test_woocommerce_packed_items_statuses_refunds_and_email_customers(store, write_csv):
    r = load(store, write_csv(files.woo_export(), "orders-2025-06.csv"))
    assert r.layout == "woocommerce" and r.currency == "EUR"
    assert r.left_out == {"pending": 1, "cancelled": 1}
    o2101 = D("21.60") + D("5.40")                    # item totals: after the coupon, before tax
    o2102 = D("30.00")
    item_refund = D("15.00")                           # 1 of its 2 teapots back
    rest = D("16.50") - item_refund                    # refunded_total beyond the item: shipping
    o2105 = D("8.00")
    o2106 = D("12.00")                                 # status refunded: all of it came back
    s = figures(store)
    assert s["revenue"] == money(o2101 + o2102 - item_refund - rest + o2105 + o2106 - D("12.00"))
    assert s["returns"] == money(item_refund + rest + D("12.00"))
    assert s["orders"] == 4                            # 2101, 2102, 2105, 2106
    assert s["units"] == (2 + 1) + (2 - 1) + 1 + (1 - 1)
    assert s["customers"] == 3                         # Cleo@Example.fr = CLEO@example.fr, Dirk, Eva
    assert q(store, "SELECT orders FROM agg_customer JOIN customers USING (customer_id) "
                      "WHERE customer_key = 'cleo@example.fr'") == [(2,)]
    assert q(store, "SELECT name FROM customers WHERE customer_key = 'cleo@example.fr'") == [("Cleo Dupont",)]
    # the return is of the teapot (units fall); the shipping refund is not a product; no sku -> product_id
    assert q(store, "SELECT p.sku, s.quantity, s.net_cents FROM sales s JOIN products p USING (product_id) "
                      "WHERE order_id = '2102' ORDER BY sale_id") == [
        ("POT-42", 2, 3000), ("POT-42", -1, -1500), ("REFUND", -1, -150)]
    assert q(store, "SELECT name FROM products WHERE sku = '43'") == [("Gift Box",)]
    assert set(order_days(store)) == {"2101", "2102", "2105", "2106"}   # order_number, not order_id


def test_webtoffee_line_item_columns(store, write_csv):
    r = load(store, write_csv(files.webtoffee_export()))
    assert r.layout == "webtoffee" and r.left_out == {"failed": 1} and r.currency == "GBP"
    s = figures(store)
    assert s["revenue"] == money(D("27.00") + D("9.50") + D("3.00") + D("9.00"))
    assert s["units"] == 3 + 1 + 2 + 1 and s["orders"] == 2 and s["customers"] == 2
    assert q(store, "SELECT sku FROM products ORDER BY sku") == [("71",), ("CAN-70",), ("MAT-72",)]


def test_a_bad_packed_item_is_rejected_naming_the_item_and_its_source_line(store, write_csv, tmp_path):
    text = files.woo_export().replace("quantity:1|subtotal:6.00", "quantity:one|subtotal:6.00")
    r = load(store, write_csv(text), rejects_path=str(tmp_path / "bad.csv"))
    assert r.rows_rejected == 1
    rejected = (tmp_path / "bad.csv").read_text().splitlines()[1]
    assert rejected.startswith("2,item 2: quantity 'one' is not a number,501,2101,")   # line 2 of the file


# ------------------------------------------------------------------ Amazon

def test_amazon_tab_separated_totals_promotions_cancellations_and_guests(store, write_csv):
    r = load(store, write_csv(files.amazon_export(), "All Orders.txt"))
    assert r.layout == "amazon" and r.currency == "USD"
    assert r.left_out == {"cancelled": 1, "pending": 1} and r.lines_left_out == {"cancelled items": 1}
    # item-price is the total for the quantity; the promotion is taken off whatever its sign
    lines = [D("17.98") - D("2.00"), D("6.49"), D("8.99"), D("11.97") - D("1.50")]
    s = figures(store)
    assert s["revenue"] == money(sum(lines))
    assert s["orders"] == 3 and s["guest_orders"] == 3 and s["customers"] == 0
    assert s["units"] == 2 + 1 + 1 + 3
    assert q(store, "SELECT unit_price_micros FROM sales WHERE order_id = '111-1' ORDER BY sale_id") == [
        (8_990_000,), (6_490_000,)]                    # 17.98 for 2 = 8.99 each
    assert any("names no buyer" in n for n in r.notes)            # why there are no whales
    assert any("--tz" in n and "UTC" in n for n in r.notes)       # the UTC times
    assert order_days(store)["111-2"] == "2025-08-02"            # its UTC date, as written
    assert q(store, "SELECT name FROM products WHERE sku = 'B00LOOFA5'") == [("Loofah",)]   # no sku: the asin


def test_amazon_with_tz_puts_a_late_evening_order_on_its_local_day(store, write_csv):
    r = load(store, write_csv(files.amazon_export(), "orders.tsv"), tz="America/New_York")
    assert order_days(store)["111-2"] == "2025-08-01"            # 02:30 UTC = 22:30 EDT the day before
    assert not any("--tz" in n for n in r.notes)


# ------------------------------------------------------------------ Etsy

def test_etsy_us_dates_coupon_and_listing_ids(store, write_csv):
    r = load(store, write_csv(files.etsy_export(), "EtsySoldOrderItems2024-12.csv"))
    assert r.layout == "etsy" and r.date_format == "%m/%d/%y"
    s = figures(store)
    assert s["revenue"] == money(2 * D("28.00") - D("5.60") + D("4.00") + D("28.00"))
    assert s["orders"] == 2 and s["customers"] == 2
    assert order_days(store) == {"3001": "2024-12-01", "3002": "2024-12-13"}
    assert q(store, "SELECT sku FROM products ORDER BY sku") == [("1100002",), ("BWL-1",)]


# ------------------------------------------------------------------ detection, one currency, one zone

@pytest.mark.parametrize("make, name", [
    (files.shopify_export, "shopify"), (files.woo_export, "woocommerce"), (files.webtoffee_export, "webtoffee"),
    (files.amazon_export, "amazon"), (files.etsy_export, "etsy")])
def test_each_layout_is_detected_from_its_header(make, name):
    header = make().splitlines()[0].split("\t" if name == "amazon" else ",")
    assert layouts.detect(header).name == name


def test_format_forces_a_layout(store, write_csv):
    # a Shopify file forced as generic lacks the generic names
    with pytest.raises(ImportFailed, match="generic layout"):
        load(store, write_csv(files.shopify_export()), fmt="generic")


def test_an_export_mixing_currencies_is_refused_naming_them(store, write_csv):
    rows = files.woo_export().splitlines()
    rows[2] = rows[2].replace(",EUR,", ",USD,", 1)    # order 2102 paid in dollars
    with pytest.raises(ImportFailed) as exc:
        load(store, write_csv("\n".join(rows) + "\n"))
    assert "mixes currencies" in str(exc.value) and "EUR" in str(exc.value) and "USD" in str(exc.value)
    assert not store.exists() or q(store, "SELECT count(*) FROM sales") == [(0,)]


def test_the_store_keeps_one_currency(store, write_csv):
    load(store, write_csv(files.woo_export(), "eur.csv"))
    with pytest.raises(ImportFailed) as exc:
        load(store, write_csv(files.shopify_export(), "usd.csv"))
    assert "USD" in str(exc.value) and "EUR" in str(exc.value)
    generic = "order_id,ordered_at,sku,quantity,unit_price\nG1,2025-06-09,MUG-40,1,12.00\n"
    with pytest.raises(ImportFailed, match="--currency USD: this store's currency is EUR"):
        load(store, write_csv(generic, "g.csv"), currency="usd")
    r = load(store, write_csv(generic, "g.csv"))           # no currency column: the store's
    assert r.currency == "EUR"


def test_currency_option_names_a_generic_exports_currency_and_must_agree_with_a_column(store, write_csv):
    generic = "order_id,ordered_at,sku,quantity,unit_price\nG1,2025-06-09,MUG,1,12.00\n"
    assert load(store, write_csv(generic), currency="gbp").currency == "GBP"
    assert q(store, "SELECT value FROM meta WHERE key = 'shop.currency'") == [("GBP",)]
    with pytest.raises(ImportFailed, match="not a currency code"):
        load(store, write_csv(generic), currency="pounds")


def test_the_store_remembers_its_time_zone(store, write_csv):
    load(store, write_csv(files.amazon_export(), "a.txt"), tz="America/New_York")
    r = load(store, write_csv(files.amazon_export(), "a.txt"))     # again, without --tz
    assert r.tz == "America/New_York" and order_days(store)["111-2"] == "2025-08-01"
    with pytest.raises(ImportFailed, match="time zone is America/New_York"):
        load(store, write_csv(files.amazon_export(), "a.txt"), tz="Europe/Paris")
    with pytest.raises(ImportFailed, match="IANA name"):
        load(store, write_csv(files.amazon_export(), "a.txt"), tz="Mars/Olympus")


def test_the_layout_registry_is_light():
    """`ingest --help` lists the layouts: loading them loads no pandas (nor dataclasses' inspect)."""
    import subprocess
    import sys

    code = ("import sys; from shopintel.store.ingest import layouts; assert len(layouts.LAYOUTS) == 7; "
            "print(','.join(m for m in ('pandas', 'numpy', 'pyarrow', 'inspect') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == ""
