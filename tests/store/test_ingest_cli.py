"""The import through the real command line: a flat export with foreign headers mapped with --map equals
an independent pandas + Decimal computation to the cent and re-importing changes nothing; the summary,
exit codes, several files, rows with the wrong number of fields, and a failure half-way through a file."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.frames import bought_orders
from tests.hostile.helpers import assert_clean, fingerprint

SAMPLE = ROOT / "data" / "sample_orders.csv"
FOREIGN = {"order_id": "Order Number", "ordered_at": "Order Date", "customer_id": "Client Ref",
           "customer_name": "Client", "email": "E-mail", "country": "Ship Country", "sku": "Item Code",
           "product_name": "Item", "category": "Dept", "quantity": "Qty", "unit_price": "Unit Price (GBP)",
           "discount": "Disc"}


def test_a_flat_export_mapped_with_map_equals_pandas_and_decimal_to_the_cent(store, tmp_path, cli):
    raw = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    export = tmp_path / "flat export.csv"
    raw.rename(columns=FOREIGN).to_csv(export, index=False)
    maps = [a for field, col in FOREIGN.items() for a in ("--map", f"{field}={col}")]
    r = cli("ingest", str(export), *maps, *store.db)
    assert_clean(r)
    assert r.returncode == 0, r.stderr
    assert f"rows loaded      {len(raw):>10,}" in r.stdout and "rows rejected             0" in r.stdout

    def net_cents(row) -> int:
        gross = Decimal(row.quantity) * Decimal(row.unit_price)
        frac = Decimal(row.discount or "0")
        return int(((gross - gross * frac) * 100).to_integral_value(ROUND_HALF_UP))

    raw["net"] = [net_cents(r) for r in raw.itertuples()]
    conn = store.read_only()
    revenue, orders, lines = conn.execute(
        "SELECT sum(net_cents), sum(orders), sum(lines) FROM agg_day").fetchone()
    customers = conn.execute("SELECT count(*) FROM agg_customer").fetchone()[0]
    by_customer = dict(conn.execute("SELECT c.customer_key, a.net_cents FROM agg_customer a JOIN customers c "
                                    "USING (customer_id)"))
    conn.close()
    assert revenue == raw["net"].sum()
    assert orders == len(bought_orders(raw))
    assert lines == len(raw)
    # customers with an order; their spend counts their returns too
    named = raw[raw["customer_id"] != ""]
    buyers = set(named.loc[named["order_id"].isin(bought_orders(raw)), "customer_id"])
    assert customers == len(buyers)
    assert by_customer == {k: int(v) for k, v in named.groupby("customer_id")["net"].sum().items() if k in buyers}

    before = fingerprint(store)
    r = cli("ingest", str(export), *maps, *store.db)
    assert r.returncode == 0
    assert f"orders replaced  {raw['order_id'].nunique():>10,}" in r.stdout
    after = fingerprint(store)
    # only the import log grows; every order line and every total is identical
    assert {t: v for t, v in after.items() if t not in ("import_runs", "sales")} == \
        {t: v for t, v in before.items() if t not in ("import_runs", "sales")}
    strip = lambda rows: sorted(r[1:-1] for r in rows)   # sale ids and import ids are new
    assert strip(after["sales"]) == strip(before["sales"])


def test_summary_names_returns_guests_non_merch_and_the_date_range(store, write_csv, cli):
    path = write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\n"
                     "1,2024-01-01,C1,MUG,2,5\n2,2024-01-03,,MUG,1,5\n3,2024-01-04,C1,MUG,-1,5\n"
                     "3,2024-01-04,C1,POST,1,3.95\n4,2024-01-05,C1,MUG,x,5\n")
    r = cli("ingest", str(path), *store.db)
    assert r.returncode == 0
    out = r.stdout
    for expected in ("rows read                 5", "rows loaded               4", "rows rejected             1",
                     "returns                   1", "guest lines               1", "non-merchandise           1",
                     "date range       2024-01-01 .. 2024-01-04", "orders.rejects.csv"):
        assert expected in out, out


def test_several_files_one_failing_exits_1_and_keeps_the_others(store, write_csv, cli):
    good = write_csv("order_id,ordered_at,sku,quantity,unit_price\n1,2024-01-01,A,1,5\n", "good.csv")
    bad = write_csv("order_id,sku\n1,A\n", "bad.csv")
    good2 = write_csv("order_id,ordered_at,sku,quantity,unit_price\n2,2024-01-02,A,1,5\n", "good2.csv")
    r = cli("ingest", str(good), str(bad), str(good2), *store.db)
    assert_clean(r)
    assert r.returncode == 1 and "bad.csv" in r.stderr and "lacks required column" in r.stderr
    conn = store.read_only()
    assert conn.execute("SELECT order_id FROM sales ORDER BY 1").fetchall() == [("1",), ("2",)]
    conn.close()


def test_rows_with_too_many_fields_are_rejected_with_their_fields(store, write_csv, cli):
    path = write_csv("order_id,ordered_at,sku,quantity,unit_price\n1,2024-01-01,A,1,5\n"
                     "2,2024-01-01,A,1,5,EXTRA,MORE\n3,2024-01-01,A,1,5\n")
    r = cli("ingest", str(path), *store.db)
    assert r.returncode == 0
    bad = pd.read_csv(path.with_name("orders.rejects.csv"), dtype=str, keep_default_na=False, header=None,
                      skiprows=1)
    assert bad.iloc[0, 0] == "3" and "wrong number of fields" in bad.iloc[0, 1]
    conn = store.read_only()
    assert conn.execute("SELECT order_id FROM sales ORDER BY 1").fetchall() == [("1",), ("3",)]
    conn.close()


def test_a_failure_half_way_through_a_file_rolls_the_whole_file_back(store, write_csv, monkeypatch):
    from shopintel.store.ingest import IngestOptions, ingest_file
    from shopintel.store.load import Loader

    conn = store.connect()
    Loader = getattr(conn, "loader_class", Loader)   # SQLite's or PostgreSQL's writer of order lines
    ingest_file(conn, str(write_csv("order_id,ordered_at,sku,quantity,unit_price\n1,2024-01-01,A,1,5\n", "a.csv")))
    before = fingerprint(store)
    rows = "".join(f"{i},2024-01-0{i % 9 + 1},A,{i},5\n" for i in range(1, 40))
    path = write_csv("order_id,ordered_at,sku,quantity,unit_price\n" + rows, "b.csv")
    calls = {"n": 0}
    real_add = Loader.add

    def failing_add(self, *args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:   # two chunks already written inside the transaction
            raise KeyboardInterrupt
        return real_add(self, *args, **kw)

    monkeypatch.setattr(Loader, "add", failing_add)
    with pytest.raises(KeyboardInterrupt):
        ingest_file(conn, str(path), IngestOptions(chunk_rows=10))
    conn.close()
    assert calls["n"] == 3
    assert fingerprint(store) == before


def test_stock_file_rejects_impossible_counts_and_never_crashes(store, write_csv, cli):
    assert cli("ingest", str(SAMPLE), *store.db).returncode == 0
    path = write_csv("sku,on_hand,counted_at,lead_time_days,reorder_point\n"
                     "HOM-00043,abc,,,\nHOM-00043,5,notadate,,\nHOM-00043,5,,-3,\nHOM-00043,5,,,-1\nZZZ,1,,,\n"
                     "HOM-00043,99999999999999999999,,,\nHOM-00043,inf,,,\nHOM-00043,-4,,,\nHOM-00043,5,,1e300,\n"
                     "HOM-00043,7,2024-06-01,10,\n", "stock.csv")
    r = cli("stock", "import", str(path), *store.db)
    assert_clean(r)
    assert r.returncode == 0
    for words in ("not a whole number", "date 'notadate'", "lead_time_days must be", "reorder_point must be",
                  "implausibly large", "negative", "ZZZ"):
        assert words in r.stdout, r.stdout
    conn = store.read_only()
    assert conn.execute("SELECT on_hand, counted_at, lead_time_days FROM inventory").fetchall() == \
        [(7, "2024-06-01T23:59:59", 10)]   # a date alone: the end of that day
    conn.close()
    for bad in ("-5", "99999999999999999999"):
        r = cli("stock", "set", "HOM-00043", bad, *store.db)
        assert_clean(r)
        assert r.returncode == 1 and "nothing was changed" in r.stderr
    assert cli("doctor", *store.db).returncode == 0


def test_a_load_with_more_customers_and_products_than_the_cache_holds_keeps_every_line_right(
        store, write_csv, monkeypatch):
    """The loader's dimension caches start over when full (flat memory on millions of customers):
    every line must still point at its own customer and product, and names updated late still win."""
    from shopintel.store import load as store_load
    from shopintel.store.ingest import IngestOptions, ingest_file

    monkeypatch.setattr(store_load, "_CACHE_MAX", 4)
    rows = [f"O{i},2024-03-{i % 28 + 1:02d},C{i % 23},Name {i % 23},SKU{i % 17},Thing {i % 17},{i % 5 + 1},{i % 7 + 1}.25"
            for i in range(300)]
    rows.append("O999,2024-03-28,C3,Renamed Three,SKU3,Renamed Thing,1,9.99")
    path = write_csv("order_id,ordered_at,customer_id,customer_name,sku,product_name,quantity,unit_price\n"
                     + "\n".join(rows) + "\n", "many.csv")
    conn = store.connect()
    report = ingest_file(conn, str(path), IngestOptions(chunk_rows=10))
    assert report.rows_loaded == 301
    got = conn.execute("""SELECT s.order_id, c.customer_key, p.sku FROM sales s
                          JOIN customers c USING (customer_id) JOIN products p USING (product_id)""").fetchall()
    expected = {(f"O{i}", f"C{i % 23}", f"SKU{i % 17}") for i in range(300)} | {("O999", "C3", "SKU3")}
    assert set(got) == expected
    assert conn.execute("SELECT name FROM customers WHERE customer_key = 'C3'").fetchone()[0] == "Renamed Three"
    assert conn.execute("SELECT name FROM products WHERE sku = 'SKU3'").fetchone()[0] == "Renamed Thing"
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 23
    conn.close()
    store.check()


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_is_refused_read_only_until_doctor_upgrades_it(db_path, cli, tmp_path, version):
    """After an upgrade a reader cannot migrate: it says how; `doctor` opens for writing and migrates."""
    from tests.conftest import check_store
    from tests.store.old_stores import write_old_store

    assert cli("ingest", str(SAMPLE), "--db", str(db_path)).returncode == 0
    before = cli("report", "whales", "--db", str(db_path), "--format", "json").stdout
    old = tmp_path / f"v{version}.db"
    write_old_store(db_path, old, version)
    r = cli("report", "whales", "--db", str(old))
    assert_clean(r)
    assert r.returncode != 0 and "older schema" in r.stderr and "shopintel doctor" in r.stderr
    assert cli("doctor", "--db", str(old)).returncode == 0
    r = cli("report", "whales", "--db", str(old), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert r.stdout == before   # the same shares: the migrated base equals the one kept all along
    check_store(old)


@pytest.mark.parametrize("url", ["postgresql://shop:s3cret@127.0.0.1:1/acme?schema=shop",
                                 "postgres://shop:s3cret@127.0.0.1:1/acme", "mysql://shop:s3cret@localhost/acme"])
@pytest.mark.parametrize("via", ["--db", "env"])
def test_a_url_for_the_store_is_never_a_file_or_folder(url, via, cli, tmp_path, write_csv):
    """`--db postgresql://...` once made a SQLite file in a folder called `postgresql:`: a PostgreSQL URL
    now names a PostgreSQL store (here one whose server is not there), any other scheme is an error; the
    password of the URL is never echoed."""
    csv = write_csv("order_id,ordered_at,customer_id,sku,quantity,unit_price\nA1,2025-01-02,C1,S1,1,2.00\n")
    for args in (["ingest", str(csv)], ["report", "summary"]):
        if via == "--db":
            run = cli(*args, "--db", url, cwd=tmp_path)
        else:
            run = cli(*args, env={"SHOPINTEL_DB": url}, cwd=tmp_path)
        assert run.returncode != 0
        scheme = url.split("://")[0]
        assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
        if scheme == "mysql":
            assert "mysql://..." in run.stderr and "postgresql://" in run.stderr
        else:
            assert "PostgreSQL" in run.stderr and "shop:***@127.0.0.1:1" in run.stderr
        assert "s3cret" not in run.stderr + run.stdout
        assert not list(tmp_path.glob(f"{scheme}*")), "a folder or file was created from the URL"
