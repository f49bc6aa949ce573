"""Data never drives the reader's terminal: names holding OSC 52 (clipboard), OSC 2 (title), CSI 2J (clear)
and the 8-bit CSI reach every human-facing output of the real command line as visible `\\x1b`-style
escapes, never as the characters; JSON and CSV keep the exact text; a CSV full of such names imports.

Every case runs `shopintel` in a subprocess on real CSV files (tests/hostile/escapes.py)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from tests.conftest import shopintel
from tests.hostile.escapes import (CATEGORY, CLEAR, CUSTOMER, CUSTOMER_ID, HEADER, PRODUCT, RAW_CONTROL, SKU,
                                   TITLE, UNKNOWN_SKU, assert_shown_safely, build_store, write_orders)
from tests.hostile.helpers import assert_clean

FILE_NAME = f"orders{TITLE}.csv"
FILE_SHOWN = "orders\\x1b]2;pwned\\x07.csv"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("escapes"), shopintel)


def run(*args):
    r = shopintel(*args)
    assert_clean(r)
    return r


@pytest.mark.parametrize("args,names", [
    (["whales"], [CUSTOMER, CUSTOMER_ID]),
    (["top-sellers"], [SKU, PRODUCT, CATEGORY]),
    (["categories"], [CATEGORY]),
    (["reorder"], [SKU, PRODUCT, CATEGORY]),
], ids=["whales", "top-sellers", "categories", "reorder"])
def test_report_tables_show_control_characters_escaped(store, args, names):
    r = run("report", *args, "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert_shown_safely(r.stdout, *names)


def test_a_segments_customer_list_shows_names_escaped(store):
    r = run("report", "segments", "--format", "json", "--db", str(store))
    listed = ""
    for seg in json.loads(r.stdout):
        r = run("report", "segments", "--customers", seg["segment"], "--db", str(store))
        assert r.returncode == 0, r.stderr
        listed += r.stdout
    assert_shown_safely(listed, CUSTOMER, CUSTOMER_ID)


@pytest.mark.parametrize("report,label", [("top-sellers", SKU), ("categories", CATEGORY)])
def test_plot_labels_show_control_characters_escaped(store, report, label):
    r = run("report", report, "--format", "plot", "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert_shown_safely(r.stdout, label)


def test_the_caption_quotes_a_filter_escaped(store):
    r = run("report", "top-sellers", "--category", CATEGORY, "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert_shown_safely(r.stdout, SKU, PRODUCT)
    assert "category Kit\\x1b[2Jchen\\x7f" in r.stdout


def test_json_keeps_the_exact_text_and_no_raw_control_character(store):
    r = run("report", "top-sellers", "--format", "json", "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert RAW_CONTROL.search(r.stdout) is None, "JSON escapes C0, DEL and C1 (\\u009b), so a terminal sees none"
    rows = {row["sku"]: row for row in json.loads(r.stdout)}
    assert rows[SKU]["product_name"] == PRODUCT and rows[SKU]["category"] == CATEGORY


def test_csv_keeps_the_exact_text_for_machines(store):
    r = run("report", "whales", "--format", "csv", "--db", str(store))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["customer_name"] for row in rows} == {CUSTOMER, "Bob Plain"}
    assert CUSTOMER_ID in {row["customer_id"] for row in rows}


def test_watch_shows_alerts_escaped_and_jsonl_keeps_the_exact_text(store):
    r = run("watch", "--once", "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert "OUT" in r.stdout
    assert_shown_safely(r.stdout + r.stderr, SKU, PRODUCT)
    r = run("watch", "--once", "--format", "jsonl", "--db", str(store))
    assert RAW_CONTROL.search(r.stdout) is None
    alerts = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(a["sku"], a["product_name"]) for a in alerts] == [(SKU, PRODUCT)]


def test_the_import_summary_and_its_errors_show_a_file_name_escaped(tmp_path):
    path = write_orders(tmp_path / FILE_NAME)
    with open(path, "a", newline="") as f:   # one bad row, so the summary names the rejects file too
        csv.writer(f).writerow(["X1", "someday", "C9", "Zed", "", "", "Z", "Zip", "Misc", 1, "1"])
    r = run("ingest", str(path), "--db", str(tmp_path / "shop.db"))
    assert r.returncode == 0, r.stderr
    assert_shown_safely(r.stdout + r.stderr)
    assert FILE_SHOWN in r.stdout and "orders\\x1b]2;pwned\\x07.rejects.csv" in r.stdout
    empty = tmp_path / f"empty{CLEAR}.csv"
    empty.write_bytes(b"")
    r = run("ingest", str(empty), "--db", str(tmp_path / "shop.db"))
    assert r.returncode == 1
    assert_shown_safely(r.stdout + r.stderr)
    assert "empty\\x1b[2J.csv is empty" in r.stderr


def test_stock_commands_show_skus_and_file_names_escaped(store, tmp_path):
    stock = tmp_path / FILE_NAME
    with open(stock, "w", newline="") as f:
        csv.writer(f).writerows([["sku", "on_hand"], [UNKNOWN_SKU, 1], ["PLT-2", 400]])
    r = run("stock", "import", str(stock), "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert_shown_safely(r.stdout + r.stderr, UNKNOWN_SKU)
    assert FILE_SHOWN in r.stdout
    r = run("stock", "set", SKU, "0", "--db", str(store))
    assert r.returncode == 0, r.stderr
    assert_shown_safely(r.stdout + r.stderr, SKU)
    # a value the store refuses: the exception is raised in store/ and printed by the command line's main
    r = run("stock", "set", SKU, "2000000000", "--db", str(store))
    assert r.returncode == 1 and r.stderr.startswith("shopintel: ")
    assert_shown_safely(r.stdout + r.stderr, SKU)


def test_error_messages_quote_values_escaped(store, tmp_path):
    missing = tmp_path / f"gone{TITLE}.db"
    r = run("report", "whales", "--db", str(missing))
    assert r.returncode != 0 and r.stderr.startswith("shopintel: ")
    assert_shown_safely(r.stdout + r.stderr)
    assert "gone\\x1b]2;pwned\\x07.db" in r.stderr
    r = run("report", "whales", CUSTOMER, "--db", str(store))     # a pasted name where none belongs
    assert r.returncode == 2
    assert_shown_safely(r.stdout + r.stderr, CUSTOMER)


def test_doctor_shows_the_store_path_escaped(store, tmp_path):
    db = tmp_path / f"shop{TITLE}.db"
    src, dst = sqlite3.connect(store), sqlite3.connect(db)
    src.backup(dst)
    src.close(), dst.close()
    r = run("doctor", "--db", str(db))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("OK: ")
    assert_shown_safely(r.stdout + r.stderr)
    assert "shop\\x1b]2;pwned\\x07.db" in r.stdout


# ------------------------------------------------------------------ the import's binary check

def test_a_csv_whose_names_hold_control_characters_is_text_and_imports(tmp_path):
    """A short export where one sign-up wrote bells and escapes into their name: more than one byte in
    twenty is a control character, yet it is a text CSV and every row loads, names exactly as written."""
    bells = "Ding" + "\x07" * 12 + " Dong" + CLEAR * 3
    path = tmp_path / "signups.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(["1", "2024-03-01", "C1", bells, "", "", "A1", "Tea", "Food", 1, "3.00"])
        w.writerow(["2", "2024-03-02", "C2", "Ann", "", "", "A1", "Tea", "Food", 2, "3.00"])
    db = tmp_path / "shop.db"
    r = run("ingest", str(path), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "rows loaded" in r.stdout and "2" in r.stdout.split("rows loaded")[1].split("\n")[0]
    conn = sqlite3.connect(db)
    names = {n for (n,) in conn.execute("SELECT name FROM customers")}
    conn.close()
    assert names == {bells, "Ann"}


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
    + bytes(range(256)) * 4,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),   # an old .xls (a .csv.gz imports: test_containers)
    bytes(4096),
], ids=["png", "xls", "nul-filled"])
def test_real_binaries_are_still_refused_clearly(tmp_path, content):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    r = run("ingest", str(path), "--db", str(tmp_path / "shop.db"))
    assert r.returncode == 1
    assert "is not a text CSV file" in r.stderr and "Export or save it as CSV" in r.stderr
