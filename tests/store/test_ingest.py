"""The import rules a user relies on, each on a tiny real CSV file and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from shopintel.store.db import connect
from shopintel.store.errors import ImportFailed, StoreError
from tests.store.helpers import load, q
from tests.frames import bought_orders

HEADER = "order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price,discount\n"


def totals(db_path):
    return q(db_path, "SELECT count(*), coalesce(sum(net_cents), 0), count(DISTINCT order_id) FROM sales")[0]


def test_generic_layout_loads_every_good_row_and_computes_net_exactly(store, write_csv):
    path = write_csv(HEADER +
                     "1,2024-01-05 10:00,C1,Ann,MUG,Mug,Kitchen,2,3.50,\n"
                     "1,2024-01-05 10:00,C1,Ann,PLT,\"Plate, big\",Kitchen,1,10.00,0.1\n"
                     "2,2024-01-06,,,MUG,Mug,Kitchen,3,0.125,\n")
    r = load(store, path)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (3, 3, 0)
    # 2 x 3.50 = 7.00; 10.00 less 10% = 9.00; 3 x 0.125 = 0.375 -> 0.38 (halves away from zero)
    assert q(store, "SELECT net_cents FROM sales ORDER BY sale_id") == [(700,), (900,), (38,)]
    assert q(store, "SELECT name FROM products WHERE sku = 'PLT'") == [("Plate, big",)]


def test_missing_required_column_names_it_and_shows_the_map_fix(store, write_csv):
    path = write_csv("Order Number,Date,Code,Qty,Price\n1,2024-01-01,A,1,2\n")
    with pytest.raises(ImportFailed) as exc:
        load(store, path)
    msg = str(exc.value)
    assert "order_id" in msg and "--map order_id=" in msg and "'Order Number'" in msg
    assert not store.exists() or totals(store)[0] == 0


def test_map_reads_headers_with_spaces(store, write_csv):
    path = write_csv("Order Number,Order Date,Item Code,Qty,Unit Price,Client\n"
                     "A-1,2024-02-01,SKU1,2,5.00,Zed\n")
    r = load(store, path, mapping={"order_id": "Order Number", "ordered_at": "Order Date", "sku": "Item Code",
                                     "quantity": "Qty", "unit_price": "Unit Price", "customer_id": "Client"})
    assert r.rows_loaded == 1
    assert q(store, "SELECT order_id, quantity, net_cents FROM sales") == [("A-1", 2, 1000)]
    assert q(store, "SELECT customer_key FROM customers") == [("Zed",)]


def test_line_total_gives_the_unit_price(store, write_csv):
    path = write_csv("order_id,ordered_at,sku,quantity,line_total\n1,2024-01-01,A,4,10.00\n")
    load(store, path)
    assert q(store, "SELECT unit_price_micros, net_cents FROM sales") == [(2_500_000, 1000)]


def test_online_retail_preset_cancellations_guests_and_postage(store):
    r = load(store, "data/sample_online_retail.csv")
    assert r.layout == "online-retail"
    assert r.rows_loaded == 17
    # C-invoices are returns: negative quantities kept
    assert q(store, "SELECT quantity FROM sales WHERE order_id = 'C536383'") == [(-1,)]
    # CustomerID 17850.0 becomes 17850; a blank one is a guest
    assert ("17850",) in q(store, "SELECT customer_key FROM customers")
    assert q(store, "SELECT count(*) FROM sales WHERE order_id = '536368' AND customer_id IS NULL") == [(1,)]
    # POST, D and M are not merchandise; M has a negative price and still loads
    assert sorted(q(store, "SELECT sku FROM products WHERE is_merch = 0")) == [("D",), ("M",), ("POST",)]
    # m/d/Y detected from 12/13/2010
    assert q(store, "SELECT min(day), max(day) FROM sales") == [("2010-12-01", "2010-12-13")]


def test_shopify_fill_down_email_customer_and_discount_amount(store, write_csv):
    path = write_csv(
        "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem discount,"
        "Billing Name,Billing Country\n"
        "#1001,Ann@Example.com,2024-03-01 10:00:00 +0100,2,Mug,5.00,MUG,1.00,Ann A,DE\n"
        "#1001,,,1,Plate,10.00,PLT,0,,\n"
        "#1002,,2024-03-02 11:00:00 +0100,1,Mug,5.00,MUG,0,,\n")
    r = load(store, path)
    assert r.layout == "shopify"
    rows = q(store, "SELECT s.order_id, s.day, c.customer_key, s.net_cents FROM sales s "
                      "LEFT JOIN customers c USING (customer_id) ORDER BY sale_id")
    assert rows == [("#1001", "2024-03-01", "ann@example.com", 900), ("#1001", "2024-03-01", "ann@example.com", 1000),
                    ("#1002", "2024-03-02", None, 500)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_encodings_keep_names(store, write_csv, encoding):
    path = write_csv(HEADER + "1,2024-01-01,C1,Zoë Müller,A,Crème brûlée pot,Kitchen,1,2.00,\n", encoding=encoding)
    r = load(store, path)
    assert r.rows_loaded == 1
    assert q(store, "SELECT name FROM customers") == [("Zoë Müller",)]
    if encoding == "cp1252":
        assert any("Windows-1252" in n for n in r.notes)


def test_invalid_utf8_in_the_middle_is_read_with_a_note(store, write_csv):
    content = (HEADER + "1,2024-01-01,C1,Zoë,A,Mug,Kitchen,1,2.00,\n").encode() + \
        b"2,2024-01-02,C2,Bad\xff\xfeName,A,Mug,Kitchen,1,2.00,\n"
    r = load(store, write_csv(content))
    assert r.rows_loaded == 2
    assert any("invalid" in n for n in r.notes)
    assert ("Zoë",) in q(store, "SELECT name FROM customers")


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_detected(store, write_csv, sep):
    text = HEADER.replace(",", sep) + sep.join(["1", "2024-01-01", "C1", "Ann", "A", "Mug", "Kitchen", "1", "2.00", ""]) + "\n"
    assert load(store, write_csv(text)).rows_loaded == 1


def test_semicolon_file_with_decimal_commas(store, write_csv):
    text = "order_id;ordered_at;sku;quantity;unit_price\n1;2024-01-01;A;2;1.234,50\n2;2024-01-01;A;1;£3,20\n"
    load(store, write_csv(text))
    assert q(store, "SELECT net_cents FROM sales ORDER BY sale_id") == [(246900,), (320,)]


def test_dayfirst_is_detected_from_values_above_12(store, write_csv):
    text = "order_id,ordered_at,sku,quantity,unit_price\n1,03/04/2024,A,1,1\n2,25/04/2024,A,1,1\n"
    load(store, write_csv(text))
    assert q(store, "SELECT day FROM sales ORDER BY sale_id") == [("2024-04-03",), ("2024-04-25",)]


def test_ambiguous_dates_stop_and_ask(store, write_csv):
    path = write_csv("order_id,ordered_at,sku,quantity,unit_price\n1,03/04/2024,A,1,1\n2,05/06/2024,A,1,1\n")
    with pytest.raises(ImportFailed) as exc:
        load(store, path)
    assert "--dayfirst" in str(exc.value) and "--date-format" in str(exc.value)
    assert load(store, path, dayfirst=True).rows_loaded == 2
    assert q(store, "SELECT day FROM sales ORDER BY sale_id") == [("2024-04-03",), ("2024-06-05",)]


def test_date_format_option(store, write_csv):
    path = write_csv("order_id,ordered_at,sku,quantity,unit_price\n1,05 Mar 2024 10:30,A,1,1\n")
    load(store, path, date_format="%d %b %Y %H:%M")
    assert q(store, "SELECT ordered_at FROM sales") == [("2024-03-05T10:30:00",)]


def test_iso_dates_with_offsets_keep_the_shops_wall_time(store, write_csv):
    path = write_csv("order_id,ordered_at,sku,quantity,unit_price\n1,2024-01-05T23:30:00-05:00,A,1,1\n"
                     "2,2024-01-06T01:00:00Z,A,1,1\n")
    load(store, path)
    assert q(store, "SELECT ordered_at FROM sales ORDER BY sale_id") == [("2024-01-05T23:30:00",),
                                                                            ("2024-01-06T01:00:00",)]


def test_returns_guests_and_non_merch_in_totals(store, write_csv):
    path = write_csv(HEADER +
                     "1,2024-01-01,C1,Ann,A,Mug,Kitchen,2,5.00,\n"
                     "2,2024-01-02,C1,Ann,A,Mug,Kitchen,-1,5.00,\n"
                     "3,2024-01-02,,,A,Mug,Kitchen,1,5.00,\n"
                     "3,2024-01-02,,,POST,Postage,,1,4.95,\n")
    r = load(store, path)
    assert (r.returns, r.guest_lines, r.non_merch_lines) == (1, 2, 1)
    day = q(store, "SELECT sum(net_cents), sum(returns_cents), sum(units), sum(orders), sum(guest_orders) FROM agg_day")
    # order 2 only returns: a return, not an order
    assert day == [(1000 - 500 + 500 + 495, 500, 2, 2, 1)]
    assert q(store, "SELECT count(*) FROM agg_customer") == [(1,)]


def test_reimport_changes_nothing_and_reports_replaced_orders(store, write_csv):
    path = write_csv(HEADER + "1,2024-01-01,C1,Ann,A,Mug,Kitchen,2,5.00,\n2,2024-01-02,C2,Bob,B,Bowl,Kitchen,1,7,\n")
    load(store, path)
    before = totals(store)
    r = load(store, path)
    assert r.orders_replaced == 2
    assert totals(store) == before


def test_overlapping_exports_never_double_count(store, write_csv):
    a = write_csv(HEADER + "1,2024-01-01,C1,Ann,A,Mug,Kitchen,1,5,\n2,2024-01-02,C1,Ann,A,Mug,Kitchen,1,5,\n", "a.csv")
    b = write_csv(HEADER + "2,2024-01-02,C1,Ann,A,Mug,Kitchen,3,5,\n3,2024-01-03,C2,Bob,A,Mug,Garden,1,5,\n", "b.csv")
    load(store, a)
    load(store, b)
    # order 2 was replaced by the later export (3 units), not added to
    assert q(store, "SELECT order_id, quantity FROM sales ORDER BY order_id") == [("1", 1), ("2", 3), ("3", 1)]
    # the category changed in the later file: the latest value wins
    assert q(store, "SELECT c.name FROM products p JOIN categories c USING (category_id)") == [("Garden",)]


def test_rejects_file_names_line_reason_and_fields(store, write_csv, tmp_path):
    path = write_csv(HEADER +
                     "1,2024-01-01,C1,Ann,A,Mug,Kitchen,1,5,\n"
                     "2,not a date,C1,Ann,A,Mug,Kitchen,1,5,\n"
                     "3,2024-01-01,C1,\"multi\nline\",A,Mug,Kitchen,three,5,\n"
                     "4,2024-01-01,C1,Ann,A,Mug,Kitchen,0,5,\n"
                     "5,2024-01-01,C1,Ann,A,Mug,Kitchen,1,-5,\n"
                     "6,2024-01-01,C1,Ann,,Mug,Kitchen,1,5,\n")
    rejects = tmp_path / "bad.csv"
    r = load(store, path, rejects_path=str(rejects))
    assert (r.rows_loaded, r.rows_rejected) == (1, 5)
    bad = pd.read_csv(rejects, dtype=str)
    assert list(bad.columns[:3]) == ["line", "reason", "order_id"]
    by_order = dict(zip(bad["order_id"], zip(bad["line"], bad["reason"])))
    assert by_order["2"][0] == "3" and "date" in by_order["2"][1]
    assert by_order["3"][0] == "4" and "three" in by_order["3"][1]      # the record starts on line 4
    assert by_order["4"][0] == "6" and "zero" in by_order["4"][1]      # line 6: the quoted newline took a line
    assert "negative" in by_order["5"][1]
    assert "sku" in by_order["6"][1]


def test_a_file_with_no_usable_rows_changes_nothing(store, write_csv):
    good = write_csv(HEADER + "1,2024-01-01,C1,Ann,A,Mug,Kitchen,1,5,\n", "good.csv")
    load(store, good)
    before = totals(store)
    bad = write_csv(HEADER + "2,2024-01-02,C1,Ann,A,Mug,Kitchen,lots,5,\n", "bad.csv")
    with pytest.raises(ImportFailed) as exc:
        load(store, bad)
    assert "unchanged" in str(exc.value)
    assert totals(store) == before
    assert q(store, "SELECT count(*) FROM import_runs") == [(1,)]


def test_stock_arithmetic_counts_minus_units_sold_after(store, write_csv):
    from shopintel.reports.params import Params
    from tests.frames import reorder
    from shopintel.store.stock import set_stock

    load(store, write_csv(HEADER +
                            "1,2024-01-01 09:00,C1,Ann,A,Mug,Kitchen,5,5,\n"
                            "2,2024-01-10 09:00,C1,Ann,A,Mug,Kitchen,3,5,\n"
                            "3,2024-01-10 15:00,C1,Ann,A,Mug,Kitchen,2,5,\n"
                            "4,2024-01-12 10:00,C1,Ann,A,Mug,Kitchen,-1,5,\n"))
    conn = store.connect()
    set_stock(conn, "A", 20, counted_at="2024-01-10T12:00:00")
    row = reorder(conn, Params(show_all=True)).iloc[0]
    # 20 counted at noon on the 10th; sold 2 that afternoon; 1 came back on the 12th
    assert row["on_hand"] == 19
    conn.close()


def test_stock_file_reports_unknown_skus(store, write_csv):
    from shopintel.store.stock import import_stock

    load(store, write_csv(HEADER + "1,2024-01-01,C1,Ann,A,Mug,Kitchen,1,5,\n"))
    stock = write_csv("sku,on_hand,lead_time_days\nA,10,5\nZZZ,3,\n", "stock.csv")
    conn = store.connect()
    r = import_stock(conn, str(stock))
    assert (r.updated, r.unknown_skus) == (1, ["ZZZ"])
    assert conn.execute("SELECT on_hand, lead_time_days FROM inventory").fetchall() == [(10, 5)]
    conn.close()


def test_foreign_keys_are_enforced(db_path):
    conn = connect(db_path)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO sales (order_id, ordered_at, day, product_id, quantity, unit_price_micros, "
                     "net_cents) VALUES ('x', '2024-01-01T00:00:00', '2024-01-01', 999, 1, 1, 1)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO categories (name) VALUES ('  ')")   # CHECK: names are never blank
    conn.close()


def test_store_from_a_newer_version_is_refused(db_path):
    connect(db_path).close()
    raw = sqlite3.connect(db_path)
    raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreError) as exc:
        connect(db_path)
    assert "newer shopintel" in str(exc.value)


def test_migrations_bring_an_empty_file_to_the_current_version(db_path):
    from shopintel.store.schema import SCHEMA_VERSION

    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_sample_flat_export_matches_an_independent_computation_to_the_cent(store):
    """The committed sample, imported, against pandas + Decimal over the raw file."""
    from shopintel.reports.params import Params
    from shopintel.reports.summary import summary
    from shopintel.store.db import connect_read_only

    load(store, "data/sample_orders.csv")
    raw = pd.read_csv("data/sample_orders.csv", dtype=str, keep_default_na=False)

    def net(row) -> Decimal:
        gross = Decimal(row.quantity) * Decimal(row.unit_price)
        disc = Decimal(row.discount or "0")
        return (gross * 1_000_000 - (gross * 1_000_000 * disc).to_integral_value(ROUND_HALF_UP)) / 1_000_000

    expected = sum(net(r).quantize(Decimal("0.01"), ROUND_HALF_UP) for r in raw.itertuples())
    s = summary(store.read_only(), Params())
    assert Decimal(str(s.revenue)) == expected
    assert s.orders == len(bought_orders(raw))
    assert s.customers == raw.loc[(raw["customer_id"] != "") & raw["order_id"].isin(bought_orders(raw)),
                                  "customer_id"].nunique()


def test_a_version_1_store_is_migrated_with_its_customer_revenue_base(db_path, tmp_path):
    """Schema 2 keeps the all-history customer revenue base in a one-row table: an existing
    version-1 store gets it computed from its customers on the first write open, and reports agree."""
    from shopintel.store.aggregates import mismatches
    from shopintel.store.schema import SCHEMA_VERSION
    from tests.store.old_stores import write_old_store

    load(db_path, "data/sample_orders.csv")
    conn = connect(db_path)
    expected = conn.execute("SELECT count(*), sum(max(net_cents, 0)) FROM agg_customer").fetchone()
    conn.close()
    assert expected[0] > 0
    old = tmp_path / "v1.db"
    write_old_store(db_path, old, 1)
    conn = connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone() == expected
    assert set(mismatches(conn).values()) == {0}
    conn.close()


def test_an_older_store_keeps_its_alerts_and_the_app_upgrades_it_so_its_readers_work(db_path, tmp_path):
    """Schema 4 adds each alert's reorder point: older alerts keep theirs empty (NULL), and `tui`
    (not --read-only) opens the store for writing first, so its read-only connections can read it."""
    from shopintel.store.db import connect_read_only
    from shopintel.tui.cmd_app import _upgrade
    from tests.store.old_stores import write_old_store

    load(db_path, "data/sample_orders.csv")
    conn = connect(db_path)
    pid = conn.execute("SELECT product_id FROM products WHERE is_merch = 1 LIMIT 1").fetchone()[0]
    conn.execute("INSERT INTO alerts (created_at, product_id, sku, product_name, status, on_hand, days_of_cover, "
                 "suggested_qty) VALUES ('2026-10-01T10:00:00', ?, 'S', 'N', 'LOW', 3, 1.5, 9)", (pid,))
    conn.close()
    old = tmp_path / "v2.db"
    write_old_store(db_path, old, 2)
    with pytest.raises(StoreError, match="older schema"):
        connect_read_only(old)
    _upgrade(old)
    ro = connect_read_only(old)
    assert ro.execute("SELECT status, on_hand, reorder_point FROM alerts").fetchall() == [("LOW", 3, None)]
