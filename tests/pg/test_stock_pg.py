"""`shopintel stock` on PostgreSQL: the same counts, unknown skus and rejected rows as on SQLite, through
the real command line; a file that cannot be read changes nothing."""

from __future__ import annotations

from pathlib import Path

from shopintel.store.db import connect_read_only
from tests.conftest import shopintel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_orders.csv"

# every way a row is refused, an unknown sku, a date alone (the end of that day), a kept reorder point
COUNTS = """sku,on_hand,counted_at,lead_time_days,reorder_point
HOM-00043,12,2026-10-20 10:00,5,3
GAR-00033,7,2026-10-21,,
HOM-00043,9,2026-10-22 08:00,,
,4,2026-10-20,,
GAR-00033,x,2026-10-20,,
GAR-00033,-3,2026-10-20,,
GAR-00033,2,2026-13-45,,
GAR-00033,2,2026-10-20,0,
GAR-00033,2,2026-10-20,7,-1
NOPE-1,5,2026-10-20,,
"""
INVENTORY = ("SELECT p.sku, i.on_hand, i.counted_at, i.lead_time_days, i.reorder_point FROM inventory i "
             "JOIN products p USING (product_id) ORDER BY p.sku")


def _both(tmp_path, pg_url):
    db = str(tmp_path / "shop.db")
    for store in (db, pg_url):
        assert shopintel("ingest", str(SAMPLE), "--db", store).returncode == 0
    return db, pg_url


def _inventory(store) -> list[tuple]:
    conn = connect_read_only(store)
    try:
        return [tuple(r) for r in conn.execute(INVENTORY).fetchall()]
    finally:
        conn.close()


def test_a_stock_file_gives_the_same_counts_and_rejects_on_both_backends(tmp_path, pg_url):
    stores = _both(tmp_path, pg_url)
    counts = tmp_path / "counts.csv"
    counts.write_text(COUNTS, encoding="utf-8")
    runs = [shopintel("stock", "import", str(counts), "--db", s) for s in stores]
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    assert runs[0].stdout == runs[1].stdout
    assert "NOPE-1" in runs[0].stdout and "recorded for 3 product(s)" in runs[0].stdout
    assert runs[0].stdout.count("  row ") == 6
    assert _inventory(stores[1]) == _inventory(stores[0]) == [
        ("GAR-00033", 7, "2026-10-21T23:59:59", 7, None), ("HOM-00043", 9, "2026-10-22T08:00:00", 5, 3)]
    # a count set by hand, and its reorder point; the reorder report sees the same on both
    for store in stores:
        r = shopintel("stock", "set", "GAR-00033", "40", "--reorder-point", "12", "--lead-time-days", "9",
                      "--db", store)
        assert r.returncode == 0, r.stderr
    a, b = _inventory(stores[0]), _inventory(stores[1])
    assert [r[:2] + r[3:] for r in a] == [r[:2] + r[3:] for r in b] == [
        ("GAR-00033", 40, 9, 12), ("HOM-00043", 9, 5, 3)]
    reports = [shopintel("report", "reorder", "--all", "--format", "json", "--db", s).stdout for s in stores]
    assert reports[0] == reports[1] and "GAR-00033" in reports[0]


def test_a_stock_file_that_cannot_be_read_or_an_unknown_sku_changes_nothing(tmp_path, pg_url):
    _both(tmp_path, pg_url)
    good = tmp_path / "good.csv"
    good.write_text("sku,on_hand\nHOM-00043,5\n", encoding="utf-8")
    assert shopintel("stock", "import", str(good), "--db", pg_url).returncode == 0
    before = _inventory(pg_url)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,qty\nHOM-00043,1\n", encoding="utf-8")
    r = shopintel("stock", "import", str(bad), "--db", pg_url)
    assert r.returncode != 0 and "lacks column(s) sku, on_hand" in r.stderr and "Traceback" not in r.stderr
    r = shopintel("stock", "set", "NOPE-1", "3", "--db", pg_url)
    assert r.returncode == 1 and "no product with sku 'NOPE-1'" in r.stderr
    r = shopintel("stock", "set", "HOM-00043", "2000000000", "--db", pg_url)
    assert r.returncode != 0 and "nothing was changed" in r.stderr and "Traceback" not in r.stderr
    assert _inventory(pg_url) == before


def test_stock_for_a_store_that_does_not_exist_is_refused_and_creates_nothing(tmp_path, pg_url, pg_admin):
    good = tmp_path / "good.csv"
    good.write_text("sku,on_hand\nHOM-00043,5\n", encoding="utf-8")
    r = shopintel("stock", "import", str(good), "--db", pg_url)
    assert r.returncode != 0 and "no store at" in r.stderr and "Traceback" not in r.stderr
    schema = pg_url.split("schema=")[1]
    assert pg_admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()[0] == 0
