"""The bad-input corpus of issue 7, generated here: every case has its documented outcome (what loads,
what is rejected and why, the exit code), a message a shop owner understands, no traceback, and a
store unchanged in content when the file fails."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from tests.hostile.helpers import BASE, assert_clean, fingerprint, totals

H = "order_id,ordered_at,customer_id,sku,product_name,quantity,unit_price\n"
GOOD = "1,2024-01-01,C1,A1,Mug,1,5.00\n"


@pytest.fixture
def shop(store, write_csv, cli):
    """A store holding three good orders: what every failing import must leave alone."""
    r = cli("ingest", str(write_csv(BASE, "base.csv")), *store.db)
    assert r.returncode == 0, r.stderr
    return store


def ingest(cli, db, path, *extra):
    r = cli("ingest", str(path), "--db", str(db), *extra)
    assert_clean(r)
    return r


def rejects(path) -> pd.DataFrame:
    return pd.read_csv(path.with_name(path.stem + ".rejects.csv"), dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ files that fail as a whole

FAILING = {
    # name: (content, words the message must contain)
    "empty": (b"", ["is empty", "nothing to import"]),
    "blank lines only": (b"\n\n  \n", ["is empty"]),
    "header only": (H.encode(), ["header but no rows"]),
    "binary garbage": (bytes(range(256)) * 64, ["not a text CSV", "Export or save it as CSV"]),
    "zip archive": (b"PK\x03\x04" + bytes(2000), ["looks like a zip archive but cannot be read"]),
    "sqlite file": (b"SQLite format 3\x00" + bytes(4000), ["not a text CSV"]),
    "html page": (b"<html><body><h1>Orders</h1><p>Nothing, here.</p></body></html>\n",
                  ["lacks required column", "--map order_id="]),
    "wrong delimiter": (b"order_id:ordered_at:sku:quantity:unit_price\n1:2024-01-01:A:1:5\n",
                        ["lacks required column", "'order_id:ordered_at:sku:quantity:unit_price'"]),
    "missing required columns": (b"order_id,date,sku\n1,2024-01-01,A\n",
                                 ["lacks required column", "ordered_at", "quantity", "--map ordered_at=",
                                  "'date'"]),
    "duplicate header names": (b"order_id,ordered_at,sku,quantity,unit_price,sku\n1,2024-01-01,A,1,5,B\n",
                               ["duplicate column names", "'sku'"]),
    "every row bad": ((H + "1,someday,C1,A1,Mug,1,5\n2,2024-01-01,C1,A1,Mug,lots,5\n").encode(),
                      ["none of its 2 rows", "unchanged", "rejects.csv"]),
    "ambiguous slashed dates": ((H + "1,03/04/2024,C1,A1,Mug,1,5\n2,05/06/2024,C1,A1,Mug,1,5\n").encode(),
                                ["--dayfirst", "--date-format"]),
    "unclosed quote swallowing the file": ((H + '1,2024-01-01,C1,A1,"Mug,1,5\n2,2024-01-01,C1,A1,Mug,1,5\n').encode(),
                                           ["malformed", "data record 1 is never closed", "quotes"]),
}


@pytest.mark.parametrize("name", list(FAILING))
def test_unusable_files_fail_clearly_and_change_nothing(shop, write_csv, cli, name):
    content, words = FAILING[name]
    before = fingerprint(shop)
    r = ingest(cli, shop, write_csv(content, "hostile.csv"))
    assert r.returncode == 1, r.stdout
    msg = r.stderr
    assert msg.startswith("shopintel: ") and "hostile.csv" in msg
    for w in words:
        assert w in msg, msg
    assert fingerprint(shop) == before


def test_missing_file_and_directory_as_input(shop, tmp_path, cli):
    before = fingerprint(shop)
    r = ingest(cli, shop, tmp_path / "nope.csv")
    assert r.returncode == 1 and "no such file" in r.stderr
    r = ingest(cli, shop, tmp_path)
    assert r.returncode == 1 and "is a directory" in r.stderr
    assert fingerprint(shop) == before


def test_unreadable_file(shop, write_csv, cli):
    import os
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = write_csv(H + GOOD, "secret.csv")
    path.chmod(0)
    r = ingest(cli, shop, path)
    assert r.returncode == 1 and "permission denied" in r.stderr


# ------------------------------------------------------------------ files where good rows load and bad rows are explained

def test_mixed_and_unparseable_dates_are_rejected_row_by_row(shop, write_csv, cli):
    path = write_csv(H + GOOD + "2,01/02/2024,C1,A1,Mug,1,5\n3,yesterday,C1,A1,Mug,1,5\n"
                     "4,2024-13-45,C1,A1,Mug,1,5\n5,2024-02-30,C1,A1,Mug,1,5\n", "dates.csv")
    r = ingest(cli, shop, path)
    assert r.returncode == 0
    bad = rejects(path)
    assert bad["order_id"].tolist() == ["2", "3", "4", "5"]
    assert bad["line"].tolist() == ["3", "4", "5", "6"]
    assert all("date" in why and "--date-format" in why for why in bad["reason"])


@pytest.mark.parametrize("raw,cents", [
    ('"£1,234.50"', 123450), ('"1.234,50"', 123450), ("$ 12", 1200), ("(3.20)", None), ("€7", 700),
    ("1 234.50", 123450), ("12.345", 1235),
])
def test_money_with_symbols_and_separators(store, write_csv, cli, raw, cents):
    path = write_csv(H + f"1,2024-01-01,C1,A1,Mug,1,{raw}\n", "money.csv")
    r = ingest(cli, store, path)
    conn = store.read_only()
    got = conn.execute("SELECT net_cents FROM sales").fetchall()
    conn.close()
    if cents is None:   # (3.20) is a negative price: allowed only on non-merchandise lines
        assert r.returncode == 1 and "negative unit price" in r.stderr
    else:
        assert r.returncode == 0, r.stderr
        assert got == [(cents,)]


@pytest.mark.parametrize("qty,outcome", [
    ("3.0", 3), ("+2", 2), ("-1", -1), (" 4 ", 4),
    ("three", "not a number"), ("3.5", "not a whole number"), ("1e9", "implausibly large"),
    ("0", "zero"), ("", "quantity is empty"), ("99999999999999999999999", "implausibly large"),
    ("NaN", None), ("inf", None),
])
def test_quantities(store, write_csv, cli, qty, outcome):
    path = write_csv(H + GOOD + f'2,2024-01-01,C1,A1,Mug,"{qty}",5\n', "qty.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0, r.stderr
    conn = store.read_only()
    got = conn.execute("SELECT quantity FROM sales WHERE order_id = '2'").fetchall()
    conn.close()
    if isinstance(outcome, int):
        assert got == [(outcome,)]
    else:
        assert got == []
        why = rejects(path)["reason"].iloc[0]
        assert "quantity" in why
        if outcome:
            assert outcome in why, why


def test_zero_and_negative_prices(store, write_csv, cli):
    path = write_csv(H + GOOD + "2,2024-01-01,C1,A1,Mug,1,0\n3,2024-01-01,C1,A1,Mug,1,-2\n"
                     "4,2024-01-01,C1,POST,Postage,1,-2\n5,2024-01-01,C1,X9,Manual,1,-3.10\n", "prices.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0
    conn = store.read_only()
    rows = conn.execute("SELECT s.order_id, s.net_cents, p.is_merch FROM sales s JOIN products p USING (product_id) "
                        "ORDER BY 1").fetchall()
    conn.close()
    # a free item loads; a negative product price is rejected; postage/manual adjustments may be negative
    assert rows == [("1", 500, 1), ("2", 0, 1), ("4", -200, 0), ("5", -310, 0)]
    bad = rejects(path)
    assert bad["order_id"].tolist() == ["3"] and "negative unit price" in bad["reason"].iloc[0]


def test_absurdly_large_values_are_rejected_not_overflowed(store, write_csv, cli):
    path = write_csv(H + GOOD + "2,2024-01-01,C1,A1,Mug,999999,99999999999\n3,2024-01-01,C1,A1,Mug,1,1e300\n"
                     "4,2024-01-01,C1,A1,Mug,1,99999999999999999999999999\n5,9999-12-31,C1,A1,Mug,1,5\n", "big.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0
    bad = rejects(path)
    assert set(bad["order_id"]) >= {"2", "3", "4"}
    assert all("implausibly large" in w for w in bad.loc[bad["order_id"].isin(["2", "3", "4"]), "reason"])


def test_a_one_megabyte_field_loads_intact(store, write_csv, cli):
    name = "x" * 1_000_000
    path = write_csv(H + GOOD + f"2,2024-01-01,C1,B7,{name},1,5\n", "wide.csv")
    assert ingest(cli, store, path).returncode == 0
    conn = store.read_only()
    assert conn.execute("SELECT length(name) FROM products WHERE sku = 'B7'").fetchone() == (1_000_000,)
    conn.close()


def test_embedded_newlines_and_quotes(store, write_csv, cli):
    path = write_csv(H + '1,2024-01-01,C1,A1,"Mug ""Big""\nwith, comma",1,5\n'
                     '2,2024-01-01,C1,A2,"Line\r\nbreak",x,5\n3,2024-01-01,C1,A3,Ok,1,5\n', "quotes.csv")
    assert ingest(cli, store, path).returncode == 0
    conn = store.read_only()
    assert conn.execute("SELECT name FROM products WHERE sku = 'A1'").fetchone() == ('Mug "Big"\nwith, comma',)
    conn.close()
    bad = rejects(path)
    assert bad["line"].tolist() == ["4"] and bad["product_name"].tolist() == ["Line\r\nbreak"]


def test_nul_bytes_are_removed_with_a_note(store, write_csv, cli):
    path = write_csv((H + GOOD).encode() + b"2,2024-01-01,C1,A2,M\x00ug,1,5\n", "nul.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0 and "NUL" in r.stdout
    conn = store.read_only()
    assert conn.execute("SELECT name FROM products WHERE sku = 'A2'").fetchone() == ("Mug",)
    conn.close()


def test_invalid_utf8_in_the_middle_of_a_utf8_file(store, write_csv, cli):
    path = write_csv((H + "1,2024-01-01,C1,A1,Crème,1,5\n").encode() + b"2,2024-01-01,C2,A2,Bad\xff\xfe,1,5\n"
                     + "3,2024-01-01,C3,A3,Zoë,1,5\n".encode(), "mixed.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0 and "invalid byte" in r.stdout
    conn = store.read_only()
    names = dict(conn.execute("SELECT sku, name FROM products"))
    conn.close()
    assert names == {"A1": "Crème", "A2": "Bad\ufffd\ufffd", "A3": "Zoë"}


HOSTILE_NAMES = ["[/b]", "[red]x[/]", "\x1b[31mred\x1b[0m", "😀 party", "שלום", "中文商品", "Zoë ﷺ",
                 "'; DROP TABLE sales; --", "$(rm -rf /)", "=HYPERLINK(\"x\")", "\u202eevil"]


def test_names_with_markup_escapes_emoji_rtl_and_wide_characters_are_stored_verbatim(store, write_csv, cli):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["order_id", "ordered_at", "customer_id", "customer_name", "sku", "product_name", "category",
                "quantity", "unit_price"])
    for i, name in enumerate(HOSTILE_NAMES):
        w.writerow([f"o{i}", "2024-01-01", f"c{i}", name, f"SKU{i}", name, name, 1, 5])
    path = write_csv(buf.getvalue(), "names.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0 and "rows loaded              11" in r.stdout.replace(" " * 2, "  ")
    conn = store.read_only()
    assert sorted(n for (n,) in conn.execute("SELECT name FROM products")) == sorted(HOSTILE_NAMES)
    assert sorted(n for (n,) in conn.execute("SELECT name FROM customers")) == sorted(HOSTILE_NAMES)
    assert conn.execute("SELECT count(*) FROM sales").fetchone() == (11,)
    conn.close()
    # and they come back out of the reports untouched
    r = cli("report", "whales", "--format", "csv", *store.db)
    assert_clean(r)
    assert r.returncode == 0
    for name in ("[/b]", "[red]x[/]", "中文商品"):
        assert name in r.stdout


def test_a_100k_line_file_with_every_7th_line_bad(store, tmp_path, cli):
    lines = [H.rstrip("\n")]
    for i in range(1, 100_001):
        if i % 7 == 0:
            lines.append(f"{i},2024-02-{i % 28 + 1:02d},C{i % 500},S{i % 300},Item {i % 300},many,1.99")
        else:
            lines.append(f"{i},2024-02-{i % 28 + 1:02d},C{i % 500},S{i % 300},Item {i % 300},{i % 5 + 1},1.99")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    r = ingest(cli, store, path)
    assert r.returncode == 0, r.stderr
    bad_count = 100_000 // 7
    assert f"{100_000 - bad_count:,}" in r.stdout and f"{bad_count:,}" in r.stdout
    bad = rejects(path)
    assert len(bad) == bad_count
    # record i sits on line i + 1 (the header is line 1)
    assert (bad["line"].astype(int) == bad["order_id"].astype(int) + 1).all()
    assert (bad["reason"] == "quantity 'many' is not a number").all()
    good_cents = sum((i % 5 + 1) * 199 for i in range(1, 100_001) if i % 7)
    assert totals(store)[:2] == (100_000 - bad_count, good_cents)


def test_a_utf16_excel_unicode_text_export_is_read_with_a_note(store, write_csv, cli):
    text = "order_id\tordered_at\tsku\tproduct_name\tquantity\tunit_price\n1\t2024-01-01\tA1\tCrème\t2\t5.00\n" \
           "2\t2024-01-02\tA2\t中文\tmany\t3\n"
    path = write_csv(text.encode("utf-16"), "unicode.csv")
    r = ingest(cli, store, path)
    assert r.returncode == 0 and "UTF-16" in r.stdout
    conn = store.read_only()
    assert conn.execute("SELECT name FROM products").fetchall() == [("Crème",)]
    conn.close()
    bad = rejects(path)
    assert bad["line"].tolist() == ["3"] and bad["product_name"].tolist() == ["中文"]
