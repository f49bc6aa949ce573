"""The live monitor on PostgreSQL: sale ids and stock-count numbers come from sequences, so two writers can
commit them out of order; every sale and every recount must still be seen by a tick exactly once, and an
idle store must cost one small query a tick."""

from __future__ import annotations

import random
import threading
from datetime import date, datetime, timedelta

import pytest

from shopintel.reports.feed import Changes
from shopintel.reports.monitor import Monitor, acknowledge, alerts_rows
from shopintel.store.pg import connection as pgc
from shopintel.store.stock import set_stock

from ..live.conftest import sell

pytestmark = pytest.mark.pg


def _insert_sale(conn, order_id: str) -> int:
    """One sales line of FAST in an open transaction of `conn`, as a checkout's writer adds it: its id."""
    return conn.execute(
        """INSERT INTO sales (order_id, ordered_at, day, product_id, quantity, unit_price_micros, net_cents)
           SELECT ?, ?, ?, product_id, 1, 5000000, 500 FROM products WHERE sku = 'FAST' RETURNING sale_id""",
        (order_id, f"{date.today()}T12:00:00", date.today().isoformat())).fetchone()[0]


def _tick(changes: Changes) -> list[int]:
    if changes.quiet():
        return []
    sales, _ = changes.read()
    return [sale_id for sale_id, _ in sales]


def test_a_sale_committed_after_a_higher_id_is_seen_once_where_an_id_watermark_would_skip_it(pg_live):
    with pgc.connect_read_only(pg_live) as reader, pgc.connect(pg_live) as a, pgc.connect(pg_live) as b:
        changes = Changes(reader)
        changes.start()
        a.execute("BEGIN")
        first = _insert_sale(a, "OOO-1")          # drawn first, committed last
        b.execute("BEGIN")
        second = _insert_sale(b, "OOO-2")
        b.execute("COMMIT")
        assert first < second
        seen = _tick(changes)
        assert seen == [second]                   # a watermark on ids alone would now stand above `first`
        assert changes.sales.settled < first      # ... this one stays below the writer still in flight
        a.execute("COMMIT")
        seen += _tick(changes)
        seen += _tick(changes)
        assert sorted(seen) == [first, second]
        assert changes.quiet()                    # nothing left in flight, nothing new: an idle tick


def test_two_writers_committing_in_any_order_around_ticks_have_every_sale_seen_exactly_once(pg_live):
    """Two writer connections insert and commit at random moments (sometimes rolling back) while a
    monitor's feed ticks as fast as it can: the ids it reports are exactly the committed ones, once each."""
    committed: list[int] = []
    lock = threading.Lock()
    done = threading.Event()

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        with pgc.connect(pg_live) as w:
            for n in range(40):
                w.execute("BEGIN")
                ids = [_insert_sale(w, f"W{seed}-{n}-{k}") for k in range(rng.randint(1, 3))]
                if rng.random() < 0.5:
                    w.execute("SELECT pg_sleep(?)", (rng.random() * 0.02,))   # hold the ids uncommitted a while
                if rng.random() < 0.1:
                    w.execute("ROLLBACK")
                    continue
                w.execute("COMMIT")
                with lock:
                    committed.extend(ids)

    with pgc.connect_read_only(pg_live) as reader:
        changes = Changes(reader)
        changes.start()
        threads = [threading.Thread(target=writer, args=(seed,)) for seed in (1, 2)]
        for t in threads:
            t.start()
        seen: list[int] = []
        while any(t.is_alive() for t in threads):
            seen += _tick(changes)
        for t in threads:
            t.join()
        seen += _tick(changes)
        seen += _tick(changes)
    assert len(seen) == len(set(seen))            # none twice
    assert sorted(seen) == sorted(committed)      # none missed, none rolled back
    assert len(committed) > 40


def test_a_recount_committed_after_a_later_one_is_seen(pg_live):
    with pgc.connect_read_only(pg_live) as reader, pgc.connect(pg_live) as a, pgc.connect(pg_live) as b:
        changes = Changes(reader)
        assert len(changes.start()) == 2          # both counted products, at start
        ids = dict(reader.execute("SELECT sku, product_id FROM products"))
        a.execute("BEGIN")
        a.execute("UPDATE inventory SET on_hand = 90 WHERE product_id = ?", (ids["FAST"],))   # draws its count_seq first
        set_stock(b, "SLOW", 5)                   # commits a later count_seq
        assert not changes.quiet()
        assert changes.read()[1] == {ids["SLOW"]}
        a.execute("COMMIT")
        assert not changes.quiet()
        assert changes.read()[1] == {ids["FAST"]}
        assert changes.quiet()


def test_the_monitor_alerts_once_on_postgresql_and_an_acknowledgement_is_stored(pg_live):
    with pgc.connect_read_only(pg_live) as reader, pgc.connect(pg_live) as writer:
        monitor = Monitor(reader, writer, cooldown_s=0, stall_minutes=None)
        assert monitor.start() == []
        sell(writer, "FAST", 60)
        raised = monitor.tick()
        assert [(a.sku, a.status) for a in raised] == [("FAST", "LOW")]
        assert monitor.sales_seen == 1
        assert monitor.tick() == [] and monitor.sales_seen == 0
        # a second monitor (another watcher, restarted) sees the stored alert and never repeats it
        with pgc.connect_read_only(pg_live) as reader2:
            again = Monitor(reader2, writer, cooldown_s=0, stall_minutes=None)
            assert again.start() == []
        assert acknowledge(writer, raised[0].alert_id) is True
        assert acknowledge(writer, raised[0].alert_id) is False
        assert alerts_rows(reader).rows == []
        assert len(alerts_rows(reader, include_history=True).rows) == 1


def test_a_read_only_session_cannot_acknowledge(pg_live):
    with pgc.connect_read_only(pg_live) as reader, pgc.connect(pg_live) as writer:
        monitor = Monitor(reader, writer, cooldown_s=0, stall_minutes=None)
        monitor.start()
        sell(writer, "FAST", 60)
        alert = monitor.tick()[0]
        from shopintel.store.errors import StoreError

        with pytest.raises(StoreError, match="may not write"):
            acknowledge(reader, alert.alert_id)
        assert len(alerts_rows(reader).rows) == 1


def test_a_stall_is_raised_once_on_postgresql(pg_url):
    """The sales-stall rule's SQL and its one-alert-per-stall store on PostgreSQL: four weeks of orders at
    this hour, none now."""
    from ..live.conftest import frame

    now = datetime.now().replace(microsecond=0)
    rows = [((now - timedelta(days=7 * k, minutes=m)).isoformat(), "FAST", 1)
            for k in range(1, 5) for m in range(5, 60, 5)]
    rows.append(((now - timedelta(hours=2)).isoformat(), "FAST", 1))
    with pgc.connect(pg_url) as conn:
        with conn.loader_class(conn, file_name=None) as loader:
            loader.add(frame(rows))
    with pgc.connect_read_only(pg_url) as reader, pgc.connect(pg_url) as writer:
        first = Monitor(reader, writer, stall_minutes=60)
        stalls = [a for a in first.start() if a.kind == "stall"]
        assert len(stalls) == 1 and stalls[0].observed_orders == 0
        second = Monitor(reader, writer, stall_minutes=60)
        assert [a for a in second.start() if a.kind == "stall"] == []
        assert second.current_stall().alert_id == stalls[0].alert_id
