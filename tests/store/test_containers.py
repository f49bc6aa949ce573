"""Packed exports: a .csv.gz, a .zip (one CSV, several, --member), an .xlsx (first sheet, --sheet) and
tab-separated text give exactly the store and the rejects file of the plain CSV, with line numbers that
still point into the source (an xlsx: its sheet rows)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zipfile

import pytest

from shopintel.store.errors import ImportFailed
from tests.store import layout_files as files
from tests.store.helpers import load, q

# quoted commas and a name over two lines (line numbers move), a bad quantity (line 5), a return, a guest
GENERIC = (
    "order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price,discount\n"
    "1,2025-01-05 10:00:00,C1,Ann,MUG,\"Mug, big\",Kitchen,2,3.50,\n"
    "1,2025-01-05 10:00:00,C1,Ann,PLT,\"Plate\nwith rim\",Kitchen,1,10.00,0.1\n"
    "2,2025-01-06 09:30:00,,,MUG,\"Mug, big\",Kitchen,two,3.50,\n"
    "3,2025-01-07 16:45:00,C2,Bo,MUG,\"Mug, big\",Kitchen,-1,3.50,\n"
    "4,2025-01-08 08:00:00,C2,Bo,TEA,Tea,Pantry,3,0.125,\n"
)


def store_of(db_path) -> list[tuple]:
    lines = q(db_path, """SELECT s.order_id, s.ordered_at, s.day, c.customer_key, p.sku, p.name, k.name, s.quantity,
                                 s.unit_price_micros, s.discount_cents, s.net_cents
                          FROM sales s JOIN products p USING (product_id) JOIN categories k USING (category_id)
                          LEFT JOIN customers c USING (customer_id) ORDER BY s.sale_id""")
    kept = q(db_path, "SELECT * FROM agg_day ORDER BY day") + q(db_path, "SELECT * FROM agg_customer ORDER BY 1")
    return lines + kept


def rejects_of(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def summary_of(r) -> tuple:
    return (r.rows_read, r.rows_loaded, r.rows_rejected, r.returns, r.guest_lines, r.first_day, r.last_day,
            r.left_out, r.currency)


@pytest.fixture
def plain(tmp_path, write_csv):
    path = write_csv(GENERIC, "orders.csv")
    db = tmp_path / "plain.db"
    r = load(db, path)
    return r, store_of(db), rejects_of(r.rejects_path)


def test_the_plain_csv_rejects_its_fifth_line(plain):
    r, _, rejects = plain
    assert r.rows_rejected == 1 and rejects[1][:2] == ["5", "quantity 'two' is not a number"]


def test_gzip_gives_the_store_and_rejects_of_the_csv(plain, tmp_path, db_path):
    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(GENERIC.encode()))
    r = load(db_path, path)
    assert summary_of(r) == summary_of(plain[0]) and store_of(db_path) == plain[1]
    assert r.rejects_path == str(tmp_path / "orders.rejects.csv")
    assert rejects_of(r.rejects_path) == plain[2]


def test_tab_separated_text_gives_the_store_of_the_csv(plain, tmp_path, db_path):
    rows = list(csv.reader(io.StringIO(GENERIC)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    path = tmp_path / "orders.txt"
    path.write_text(out.getvalue())
    r = load(db_path, path)
    assert summary_of(r) == summary_of(plain[0]) and store_of(db_path) == plain[1]
    assert [row[:2] for row in rejects_of(r.rejects_path)] == [row[:2] for row in plain[2]]


def test_a_zip_of_one_csv_gives_the_store_and_rejects_of_the_csv(plain, tmp_path, db_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/orders.csv", GENERIC)
        z.writestr("__MACOSX/export/._orders.csv", b"\x00\x05\x16\x07")   # a resource fork: not an export
    r = load(db_path, path)
    assert r.file == f"{path}:export/orders.csv"
    assert summary_of(r) == summary_of(plain[0]) and store_of(db_path) == plain[1]
    assert rejects_of(r.rejects_path) == plain[2]


def test_a_zip_of_several_csvs_imports_each_or_the_member_named(tmp_path, cli):
    path = tmp_path / "exports.zip"
    second = "order_id,ordered_at,sku,quantity,unit_price\n9,2025-02-01,TEA,1,4.00\n"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("january.csv", GENERIC)
        z.writestr("february.csv", second)
        z.writestr("readme.pdf", b"%PDF-1.4")
    db = tmp_path / "each.db"
    r = cli("ingest", str(path), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("Imported ") == 2 and f"{path}:february.csv" in r.stdout
    assert q(db, "SELECT count(DISTINCT order_id) FROM sales") == [(4,)]
    assert (tmp_path / "exports.january.rejects.csv").exists()
    one = tmp_path / "one.db"
    r = cli("ingest", str(path), "--member", "february.csv", "--db", str(one))
    assert r.returncode == 0, r.stderr
    assert q(one, "SELECT order_id FROM sales") == [("9",)]
    from shopintel.store.ingest import IngestOptions, ingest_file  # noqa: F401  (the API asks for a member)
    with pytest.raises(ImportFailed, match="holds 2 CSV files"):
        load(tmp_path / "api.db", path)
    with pytest.raises(ImportFailed, match="no CSV file 'march.csv'"):
        load(tmp_path / "api.db", path, member="march.csv")


def write_xlsx(path, sheets: dict[str, list[list]]):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def typed(rows: list[list[str]]) -> list[list]:
    """Cells as a spreadsheet holds them: numbers as numbers, times as date-times."""
    out = [rows[0]]
    for row in rows[1:]:
        cells = list(row)
        cells[1] = dt.datetime.fromisoformat(cells[1])
        for i in (7, 8):
            try:
                cells[i] = float(cells[i]) if "." in cells[i] else int(cells[i])
            except ValueError:
                pass                          # "two" stays text
        cells[9] = float(cells[9]) if cells[9] else None
        out.append(cells)
    return out


def test_an_xlsx_gives_the_store_of_the_csv_and_rejects_by_sheet_row(plain, tmp_path, db_path):
    rows = list(csv.reader(io.StringIO(GENERIC)))
    path = tmp_path / "orders.xlsx"
    write_xlsx(path, {"Orders": typed(rows), "Notes": [["not", "orders"]]})
    r = load(db_path, path)
    assert r.file == f"{path}[Orders]"
    assert summary_of(r) == summary_of(plain[0]) and store_of(db_path) == plain[1]
    rejects = rejects_of(r.rejects_path)
    # the quantity 'two' is on sheet row 4 (the two-line name is one cell: in the CSV it is line 5)
    assert rejects[1][:2] == ["4", "quantity 'two' is not a number"]
    # its cells as the sheet holds them (3.50 typed as a number is 3.5)
    assert rejects[1][2:] == ["2", "2025-01-06 09:30:00", "", "", "MUG", "Mug, big", "Kitchen", "two", "3.5", ""]


def test_an_xlsx_sheet_is_chosen_with_sheet(tmp_path, db_path):
    path = tmp_path / "book.xlsx"
    shop = files.etsy_export().splitlines()
    write_xlsx(path, {"Summary": [["total", 1]], "Sold items": [r.split(",") for r in shop]})
    with pytest.raises(ImportFailed, match="lacks required column"):
        load(db_path, path)                                  # the first sheet is not the export
    r = load(db_path, path, sheet="Sold items")
    assert r.layout == "etsy" and r.rows_loaded == 3
    with pytest.raises(ImportFailed, match="its sheets are: Summary, Sold items"):
        load(db_path, path, sheet="Orders")


def test_containers_are_known_by_their_bytes_and_options_that_do_not_apply_say_so(tmp_path, db_path):
    renamed = tmp_path / "orders.csv"               # a gzip file under a .csv name
    renamed.write_bytes(gzip.compress(GENERIC.encode()))
    assert load(db_path, renamed).rows_loaded == 4
    with pytest.raises(ImportFailed, match="--member and --sheet do not apply"):
        load(db_path, renamed, member="x.csv")
    plain_csv = tmp_path / "plain.csv"
    plain_csv.write_text(GENERIC)
    with pytest.raises(ImportFailed, match="plain CSV file"):
        load(db_path, plain_csv, sheet="Orders")
    damaged = tmp_path / "cut.csv.gz"
    damaged.write_bytes(gzip.compress(GENERIC.encode())[:40])
    with pytest.raises(ImportFailed, match="cannot read the file"):
        load(tmp_path / "other.db", damaged)
    empty_zip = tmp_path / "nothing.zip"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("photo.png", b"\x89PNG")
    with pytest.raises(ImportFailed, match="holds no CSV file"):
        load(tmp_path / "other.db", empty_zip)


@pytest.mark.parametrize("make", [files.shopify_export, files.woo_export, files.webtoffee_export,
                                  files.amazon_export, files.etsy_export],
                         ids=["shopify", "woocommerce", "webtoffee", "amazon", "etsy"])
def test_every_layout_packed_gives_the_store_of_its_plain_file(tmp_path, write_csv, make):
    text = make()
    plain_path = write_csv(text, "export.txt")
    plain = load(tmp_path / "plain.db", plain_path)
    packed = tmp_path / "export.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export.txt", text)
    gz = tmp_path / "export.txt.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    for i, path in enumerate((packed, gz)):
        db = tmp_path / f"packed{i}.db"
        r = load(db, path)
        assert summary_of(r) == summary_of(plain) and store_of(db) == store_of(tmp_path / "plain.db")
