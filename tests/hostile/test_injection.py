"""Every value a user types reaches SQL as a bound parameter: injection strings in every command-line
entry point (report filters and dates, segment names, skus, stock files, --map, file and store names)
leave the store exactly as it was and never reach a user as a traceback. The app's filter box is
covered by the app's own Pilot tests (tests/app)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT, shopintel
from tests.hostile.helpers import assert_clean, fingerprint

INJECTIONS = [
    "'; DROP TABLE sales; --",
    "\"; DELETE FROM products; --",
    "x' OR '1'='1",
    "1; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --",
    "') UNION SELECT sql FROM sqlite_master --",
    "%' --",
    "Robert'); DROP TABLE customers;--",
]


@pytest.fixture(scope="module")
def shop(module_store):
    """The sample store with its stock, on each backend: every test leaves it exactly as it was."""
    store = module_store
    r = shopintel("ingest", str(ROOT / "data" / "sample_orders.csv"), *store.db)
    assert r.returncode == 0, r.stderr
    r = shopintel("stock", "import", str(ROOT / "data" / "sample_stock.csv"), *store.db)
    assert r.returncode == 0, r.stderr
    return store


def entry_points(s: str, tmp) -> list[list[str]]:
    rj = ["--rejects", str(tmp / "rejects.csv")]
    return [
        ["report", "top-sellers", "--category", s],
        ["report", "categories", "--category", s],
        ["report", "revenue", "--category", s],
        ["report", "reorder", "--category", s],
        ["report", "summary", "--since", s],
        ["report", "summary", "--until", s],
        ["report", "whales", "--as-of", s],
        ["report", "segments", "--customers", s],
        ["report", s],
        ["stock", "set", s, "5"],
        ["ingest", str(ROOT / "data" / "sample_orders.csv"), "--map", f"order_id={s}", *rj],
        ["ingest", str(ROOT / "data" / "sample_orders.csv"), "--map", f"{s}=order_id", *rj],
        ["ingest", str(ROOT / "data" / "sample_orders.csv"), "--date-format", s, *rj],
        ["ingest", str(ROOT / "data" / "sample_orders.csv"), "--encoding", s, *rj],
        ["ingest", str(tmp / s.replace("/", "_"))],
    ]


@pytest.mark.parametrize("injection", INJECTIONS)
def test_injection_strings_in_every_entry_point_change_nothing(shop, cli, tmp_path, injection):
    before = fingerprint(shop)
    for args in entry_points(injection, tmp_path):
        r = cli(*args, *shop.db)
        assert_clean(r)
        assert r.returncode in (0, 1, 2), (args, r.stderr)
        if r.returncode:
            assert r.stderr.startswith("shopintel: ") or "usage:" in r.stderr, (args, r.stderr)
        assert fingerprint(shop) == before, args


def test_injection_in_a_store_path_and_a_file_name(tmp_path, cli):
    name = "shop'; DROP TABLE sales; --.db"
    csv_path = tmp_path / "o'; DROP TABLE sales; --.csv"
    shutil.copy(ROOT / "data" / "sample_orders.csv", csv_path)
    r = cli("ingest", str(csv_path), "--db", str(tmp_path / name))
    assert_clean(r)
    assert r.returncode == 0
    r = cli("report", "summary", "--db", str(tmp_path / name))
    assert r.returncode == 0 and "revenue" in r.stdout


def test_injection_strings_as_data_are_stored_verbatim_and_reported(store, cli, write_csv):
    rows = "".join(f'{i},2024-01-0{i % 9 + 1},"{s.replace(chr(34), chr(34) * 2)}",SKU{i},'
                   f'"{s.replace(chr(34), chr(34) * 2)}","{s.replace(chr(34), chr(34) * 2)}",3,5\n'
                   for i, s in enumerate(INJECTIONS))
    path = write_csv("order_id,ordered_at,customer_id,sku,product_name,category,quantity,unit_price\n" + rows)
    r = cli("ingest", str(path), *store.db)
    assert r.returncode == 0, r.stderr
    for s in INJECTIONS:
        r = cli("report", "top-sellers", "--category", s, "--min-per-week", "0", "--format", "csv",
                *store.db)
        assert_clean(r)
        assert r.returncode == 0, r.stderr
        assert s in r.stdout
        r = cli("stock", "set", "SKU0", "7", *store.db)
        assert r.returncode == 0, r.stderr


def test_reports_bind_parameters_in_process(shop):
    """The same strings straight into the reports layer (what the app calls)."""
    from shopintel.reports.params import Params, ReportError
    from shopintel.reports.registry import REPORTS
    before = fingerprint(shop)
    conn = shop.read_only()
    try:
        for spec in REPORTS.values():
            for s in INJECTIONS:
                for params in (Params(category=s), Params(segment=s)):
                    try:
                        spec.run(conn, params)
                    except ReportError:
                        pass
    finally:
        conn.close()
    assert fingerprint(shop) == before
