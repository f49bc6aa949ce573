"""Import into PostgreSQL: all or nothing per file, re-imports replace, and a role that may only read
gets a clear message and changes nothing."""

from __future__ import annotations

import pytest

from shopintel.store.errors import ImportFailed, StoreError
from shopintel.store.ingest import IngestOptions, ingest_file
from shopintel.store.pg import connection as pgc

HEADER = "order_id,ordered_at,customer_id,sku,product_name,category,quantity,unit_price\n"
GOOD = HEADER + "A1,2025-01-02 10:00:00,C1,S1,Soap,Bath,2,3.50\nA2,2025-01-03 11:00:00,,S2,Towel,Bath,1,9.99\n"


def _counts(conn) -> tuple:
    return conn.execute("SELECT (SELECT count(*) FROM sales), (SELECT count(*) FROM import_runs), "
                        "(SELECT count(*) FROM products), (SELECT coalesce(sum(net_cents), 0) FROM agg_day)").fetchone()


def _ingest(url, path, tmp_path):
    with pgc.connect(url) as conn:
        return ingest_file(conn, str(path), IngestOptions(rejects_path=str(tmp_path / "rejects.csv")))


def test_a_file_with_nothing_usable_changes_nothing(pg_url, tmp_path, write_csv):
    _ingest(pg_url, write_csv(GOOD), tmp_path)
    with pgc.connect_read_only(pg_url) as r:
        before = _counts(r)
    bad = write_csv(HEADER + "B1,2025-01-04 10:00:00,C1,S9,New,Bath,x,1.00\nB2,2025-01-04 10:00:00,C1,S9,New,Bath,,1.00\n",
                    name="bad.csv")   # dates fine, so the load begins (an import run is written), every row rejected
    with pytest.raises(ImportFailed, match="unchanged"):
        _ingest(pg_url, bad, tmp_path)
    with pgc.connect_read_only(pg_url) as r:
        assert _counts(r) == before == (2, 1, 2, 1699)


def test_re_importing_the_same_file_replaces_never_double_counts(pg_url, tmp_path, write_csv):
    first = _ingest(pg_url, write_csv(GOOD), tmp_path)
    again = _ingest(pg_url, write_csv(GOOD), tmp_path)
    assert (first.rows_loaded, first.orders_replaced, again.orders_replaced) == (2, 0, 2)
    with pgc.connect_read_only(pg_url) as r:
        assert _counts(r) == (2, 2, 2, 1699)
        assert r.execute("SELECT customers, base_cents FROM agg_customer_base").fetchone() == (1, 700)


def test_a_role_that_may_only_read_can_report_but_its_ingest_fails_clearly_and_changes_nothing(
        pg_cluster, pg_url, pg_admin, tmp_path, write_csv):
    _ingest(pg_url, write_csv(GOOD), tmp_path)
    schema = pg_url.split("schema=")[1]
    reader = f"r_{schema}"
    pg_admin.execute(f"CREATE ROLE {reader} LOGIN PASSWORD 'r3ader'")
    pg_admin.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {reader}')
    pg_admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO {reader}')
    url = f"postgresql://{reader}:r3ader@127.0.0.1:{pg_cluster.port}/postgres?schema={schema}"
    from shopintel.reports.summary import summary

    with pgc.connect_read_only(url) as r:
        assert summary(r).revenue == 16.99
        before = _counts(r)
    with pytest.raises(StoreError) as err:
        _ingest(url, write_csv(GOOD.replace("A1", "A9"), name="more.csv"), tmp_path)
    message = str(err.value)
    assert "may not write" in message and "r3ader" not in message and f"{reader}:***@" in message
    with pgc.connect_read_only(pg_url) as r:
        assert _counts(r) == before


def _overlapping_exports(tmp_path, n: int = 4) -> list:
    """Slices of the sample export that overlap (orders cut at the slice edges, re-imported in part), plus
    one slice in reverse line order: what a shop's repeated, overlapping exports look like."""
    from pathlib import Path

    lines = (Path(__file__).resolve().parents[2] / "data" / "sample_orders.csv").read_text().splitlines()
    header, body = lines[0], lines[1:]
    step = len(body) // n
    files = []
    for i in range(n):
        part = body[max(0, i * step - step // 3): (i + 1) * step + 7]
        if i == 2:
            part = part[::-1]
        path = tmp_path / f"export-{i}.csv"
        path.write_text("\n".join([header, *part]) + "\n")
        files.append(path)
    return files


@pytest.mark.parametrize("bulk_orders", [20_000, 10], ids=["by-keys", "recomputed"])
def test_the_kept_tables_equal_a_recomputation_after_every_overlapping_import(pg_url, tmp_path, monkeypatch,
                                                                            bulk_orders):
    """Both upkeep paths: refreshed for the keys a load touched, and recomputed when a load touched most
    orders (the threshold lowered so that a small export takes that path)."""
    from shopintel.store.pg import aggregates

    monkeypatch.setattr(aggregates, "BULK_ORDERS", bulk_orders)
    replaced = 0
    for path in _overlapping_exports(tmp_path):
        replaced += _ingest(pg_url, path, tmp_path).orders_replaced
        with pgc.connect(pg_url) as w:
            assert aggregates.mismatches(w.raw) == {t: 0 for t in aggregates.KEPT}
    assert replaced > 0


def test_mismatches_finds_a_kept_table_that_drifted(pg_url, tmp_path, write_csv):
    from shopintel.store.pg import aggregates

    _ingest(pg_url, write_csv(GOOD), tmp_path)
    with pgc.connect(pg_url) as w:
        w.execute("UPDATE agg_day SET net_cents = net_cents + 1")
        found = aggregates.mismatches(w.raw)
        assert found["agg_day"] == 4 and sum(found.values()) == 4   # 2 days, each differing both ways
        assert w.execute("SELECT sum(net_cents) FROM agg_day").fetchone()[0] == 1701   # left as it was


def test_a_reader_is_never_blocked_by_an_import_and_sees_it_only_once_committed(pg_url, tmp_path, write_csv):
    """Mid-import (between two chunks, the writer's transaction open with lines already copied in), a
    reader answers at once with the figures from before the import; after the commit, with the new ones.
    The reader has a statement timeout: were it blocked by the writer it would fail, never hang."""
    from shopintel.reports.summary import summary

    _ingest(pg_url, write_csv(GOOD), tmp_path)
    more = HEADER + "".join(f"M{i},2025-02-0{1 + i % 9} 10:00:00,C{i % 3},S{i % 4},P,Bath,1,1.00\n" for i in range(40))
    seen = []
    with pgc.connect_read_only(pg_url) as reader:
        reader.execute("SET statement_timeout = '5s'")

        def mid_import(done: int, total: int) -> None:
            seen.append((done, summary(reader).revenue))

        with pgc.connect(pg_url) as writer:
            ingest_file(writer, str(write_csv(more, name="more.csv")),
                        IngestOptions(chunk_rows=10, rejects_path=str(tmp_path / "r.csv")), progress=mid_import)
        assert len(seen) >= 2 and all(revenue == 16.99 for _, revenue in seen)
        assert summary(reader).revenue == 56.99


def test_two_writers_of_one_shop_take_turns_and_one_kept_waiting_too_long_is_told_so(pg_url, tmp_path, write_csv):
    """Writers of one shop are serialised (an advisory lock per shop, as SQLite's single write lock): while
    one import's transaction is open, another waits, and past its lock timeout fails clearly, unchanged."""
    from shopintel.store.pg.load import PgLoader

    _ingest(pg_url, write_csv(GOOD), tmp_path)
    with pgc.connect(pg_url) as first, pgc.connect(pg_url) as second:
        second.execute("SET lock_timeout = '300ms'")
        with PgLoader(first, file_name="holding.csv"):
            with pytest.raises(StoreError, match="is busy") as err:
                ingest_file(second, str(write_csv(GOOD.replace("A1", "Z1"), name="z.csv")),
                            IngestOptions(rejects_path=str(tmp_path / "r.csv")))
            assert "nothing was changed" in str(err.value)
        with pgc.connect_read_only(pg_url) as r:
            assert _counts(r) == (2, 2, 2, 1699)   # the first writer's empty run committed; the second: nothing
