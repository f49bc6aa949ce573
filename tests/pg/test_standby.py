"""Reads from a hot standby: a reader URL listing a standby and the primary with prefer-standby reads on
the standby once the primary's writes are replayed; writers (ingest, simulate, the monitor) land on the
primary whatever the URL prefers, and nothing tries to write to the standby; a standby whose replay is
behind says so (its replay paused with pg_wal_replay_pause())."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shopintel.reports.summary import summary
from shopintel.store.ingest import IngestOptions, ingest_file
from shopintel.store.pg import connection as pgc
from shopintel.store.pg.replica import LAG_SHOWN_S, lag_note, lag_seconds

pytestmark = pytest.mark.pg

ROOT = Path(__file__).resolve().parents[2]
MORE = ("order_id,ordered_at,customer_id,sku,product_name,category,quantity,unit_price\n"
        "Z1,2026-10-31 21:00:00,C1,S1,Soap,Bath,2,3.50\n")


def _wait(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _in_recovery(conn) -> bool:
    return conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]


def _revenue(url: str) -> float | None:
    from shopintel.store.errors import StoreError

    try:
        with pgc.connect_read_only(url) as r:
            return summary(r).revenue
    except StoreError:   # the shop's schema not replayed yet
        return None


def test_a_standby_serves_the_reads_writers_go_to_the_primary_and_lag_is_shown(replicas, pg_standby, tmp_path):
    primary, both, standby_admin = replicas
    rejects = IngestOptions(rejects_path=str(tmp_path / "rejects.csv"))
    with pgc.connect(both) as writer:          # the reader URL, for a writer: it lands on the primary
        assert not _in_recovery(writer)
        ingest_file(writer, str(ROOT / "data" / "sample_orders.csv"), rejects)
    with pgc.connect_read_only(primary) as p:
        expected = summary(p).revenue
    assert _wait(lambda: _revenue(both) == expected)
    with pgc.connect_read_only(both) as reader:
        assert _in_recovery(reader)            # prefer-standby: libpq chose the standby
        assert lag_note(reader) is None        # caught up
        with pgc.connect_read_only(both, primary=True) as monitor_reader:   # the monitor reads the writers' locks
            assert not _in_recovery(monitor_reader)

        standby_admin.execute("SELECT pg_wal_replay_pause()")
        (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
        with pgc.connect(both) as writer:
            ingest_file(writer, str(tmp_path / "more.csv"), rejects)
        # the standby keeps answering with the figures it has, and says how far behind they are
        note = _wait(lambda: lag_note(reader), seconds=LAG_SHOWN_S + 20)
        assert note and "standby" in note and "behind the primary" in note
        assert summary(reader).revenue == expected
        standby_admin.execute("SELECT pg_wal_replay_resume()")
        assert _wait(lambda: summary(reader).revenue == round(expected + 7.0, 2))
        assert _wait(lambda: lag_note(reader) is None)
        assert lag_seconds(reader) is not None
    with pgc.connect_read_only(primary) as p:
        assert lag_seconds(p) is None          # a primary is never behind
    # nothing ever tried to write to the standby: it would have refused, and logged the refusal
    assert "read-only transaction" not in pg_standby.log.read_text(errors="replace")
