"""Concurrency on one PostgreSQL store: two ingests and `simulate` started at once, with a reader asking all
along, end with the same store as the same data written one after another; and the reader is answered
while the writers wait for each other.

The writers of a shop take turns (store/pg/load.py: one transaction-scoped advisory lock per shop, each
file one transaction, the simulator's second of orders one transaction): docs/scale.md says why they do
not write at the same moment. Readers never take that lock.
"""

from __future__ import annotations

import threading
from collections import Counter
import time
from pathlib import Path

import pytest

from shopintel.reports.registry import REPORTS
from shopintel.store.ingest import IngestOptions, ingest_file
from shopintel.store.pg import connection as pgc
from shopintel.store.simulate import Simulator

from ..live.conftest import frame
from .test_reports_both import _json, _natural

pytestmark = pytest.mark.pg

ROOT = Path(__file__).resolve().parents[2]
HEADER = "order_id,ordered_at,customer_id,customer_name,email,country,sku,product_name,category,quantity,unit_price,discount\n"
KEPT = ["order_totals", "order_customers", "agg_product_day", "agg_category_day", "agg_day", "agg_customer",
        "agg_cohort_month", "agg_customer_base", "categories", "products", "customers"]


def _orders_file(path: Path, tag: str, n: int) -> Path:
    """n orders of known and new products and customers; both files share the new ones (a dimension both
    writers add), their order ids are their own."""
    lines = [HEADER]
    for i in range(n):
        day = 1 + i % 27
        lines.append(f"{tag}{i},2026-10-{day:02d} 10:{i % 60:02d}:00,C{i % 40:06d},Name {i % 40},,DE,"
                     f"HOM-{i % 50:05d},Vintage Mirror,Home Decor,{1 + i % 3},4.88,\n")
        lines.append(f"{tag}{i},2026-10-{day:02d} 10:{i % 60:02d}:00,C{i % 40:06d},Name {i % 40},,DE,"
                     f"NEW-{i % 7},New thing {i % 7},New Things,1,2.{i % 10}0,\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _ingest(url: str, path: Path, tmp_path: Path) -> None:
    with pgc.connect(url) as conn:
        ingest_file(conn, str(path), IngestOptions(rejects_path=str(tmp_path / f"{path.stem}.rejects.csv")))


def _waiting_writers(admin, schema: str) -> int:
    """Writers of the shop waiting for its write lock (store/pg/load.py) right now."""
    return admin.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                         "AND objid = hashtext(%s)::oid", (f"shopintel-write:{schema}",)).fetchone()[0]


def _store(conn) -> dict:
    """Everything that must be equal: every kept table and dimension row for row (ids as the keys they
    stand for), the sales lines but their ids, and three reports' JSON."""
    out = {t: _natural(conn, t) for t in KEPT}
    out["sales"] = Counter(r[1:-1] for r in _natural(conn, "sales"))   # in no order: the ids were the order
    for name in ("summary", "categories", "top-sellers"):
        out[name] = _json(conn, name, {})
    return out


def test_two_ingests_and_simulate_at_once_equal_the_same_writes_in_turn_and_readers_answer_throughout(
        pg_cluster, pg_admin, tmp_path):
    concurrent, serial = pg_cluster.url(schema="conc_w"), pg_cluster.url(schema="serial_w")
    files = [_orders_file(tmp_path / "a.csv", "A", 300), _orders_file(tmp_path / "b.csv", "B", 300)]
    base = ROOT / "data" / "sample_orders.csv"
    held_frame = frame([("2026-10-30T09:00:00", "HOM-00043", 2), ("2026-10-30T09:05:00", "NEW-1", 1)])
    for url in (concurrent, serial):
        _ingest(url, base, tmp_path)

    simulated: list = []
    errors: list = []

    def simulate() -> None:
        with pgc.connect(concurrent) as conn:
            sim = Simulator(conn, seed=7)
            make = sim.orders_frame

            def recording(*args):
                simulated.append(make(*args))
                return simulated[-1]

            sim.orders_frame = recording
            for _ in range(4):
                sim.write(6)

    def run(fn, *args) -> None:
        try:
            fn(*args)
        except BaseException as exc:   # reported by the assertion below, with the thread's own error
            errors.append(exc)

    answers: list[tuple[float, float]] = []   # (when, revenue) of every reader's answer
    stop = threading.Event()

    def read() -> None:
        from shopintel.reports.summary import summary

        with pgc.connect_read_only(concurrent) as r:
            while not stop.is_set():
                answers.append((time.monotonic(), summary(r).revenue))

    reader = threading.Thread(target=run, args=(read,))
    reader.start()
    with pgc.connect(concurrent) as holder:
        # a writer in the middle of its transaction: everyone else who writes waits for it
        loader = holder.loader_class(holder, file_name=None)
        loader.__enter__()
        loader.add(held_frame)
        writers = [threading.Thread(target=run, args=(_ingest, concurrent, f, tmp_path)) for f in files]
        writers.append(threading.Thread(target=run, args=(simulate,)))
        for t in writers:
            t.start()
        deadline = time.monotonic() + 8
        while _waiting_writers(pg_admin, "conc_w") < 3 and time.monotonic() < deadline and not errors:
            time.sleep(0.02)
        assert _waiting_writers(pg_admin, "conc_w") == 3, errors   # both ingests and simulate wait their turn
        during = len(answers)
        while len(answers) < during + 3:   # ... and the reader is answered meanwhile, as before they began
            time.sleep(0.01)
        before = answers[0][1]
        assert {rev for _, rev in answers[during:]} == {before}
        loader.__exit__(None, None, None)
    for t in writers:
        t.join(60)
    stop.set()
    reader.join(10)
    assert errors == []
    assert len(simulated) == 4 and all(len(f) for f in simulated)
    assert len({rev for _, rev in answers}) >= 2   # the reader saw the writes arrive, in committed steps

    # the same data, one writer after another, in another shop
    with pgc.connect(serial) as conn:
        for data in [held_frame, *simulated]:
            with conn.loader_class(conn, file_name=None) as loader:
                loader.add(data)
    for f in files:
        _ingest(serial, f, tmp_path)
    from shopintel.store.pg import aggregates

    with pgc.connect_read_only(concurrent) as a, pgc.connect_read_only(serial) as b:
        assert _store(a) == _store(b)
    with pgc.connect(concurrent) as w:
        assert set(aggregates.mismatches(w.raw).values()) == {0}
