"""A small live store: one fast mover (FAST, 10 a day for four weeks), one slow product (SLOW), both
counted; helpers to append sales from this process like a checkout would, and to hold the store's
write lock the way another program (an import) does."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from shopintel.store.db import connect
from shopintel.store.load import CANONICAL_COLUMNS, Loader
from shopintel.store.stock import set_stock

_ids = itertools.count(1)


def frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """rows of (ordered_at ISO, sku, quantity) at 5.00 each, one order per row."""
    out = []
    for ts, sku, qty in rows:
        out.append({"order_id": f"T{next(_ids)}", "ordered_at": ts, "day": ts[:10], "customer_key": "C1",
                    "customer_name": "Ann", "email": "", "country": "", "sku": sku, "product_name": sku.title(),
                    "category": "Things", "is_merch": True, "quantity": qty, "unit_price_micros": 5_000_000,
                    "discount_cents": 0, "net_cents": 500 * qty})
    return pd.DataFrame(out, columns=list(CANONICAL_COLUMNS))


def sell(conn, sku: str, qty: int, when: datetime | None = None) -> None:
    ts = (when or datetime.now()).replace(microsecond=0).isoformat()
    with getattr(conn, "loader_class", Loader)(conn, file_name=None) as loader:   # SQLite's or PostgreSQL's
        loader.add(frame([(ts, sku, qty)]))


@pytest.fixture
def live_store(db_path):
    return build_live_store(db_path)


@pytest.fixture
def any_live_store(store):
    """The live store on each backend (the `store` fixture, which checks its kept totals at teardown): an
    SQLite file's path, or a PostgreSQL shop's URL (for the tests of the monitor that run through the
    library; `open_writer`/`open_reader` open either)."""
    conn = open_writer(store.target)
    try:
        fill_live_store(conn)
    finally:
        conn.close()
    return store.target


def open_writer(store):
    """A writer of either backend's store (a path or a postgresql:// URL)."""
    from shopintel.store.pg.url import is_pg_url

    if is_pg_url(str(store)):
        from shopintel.store.pg.connection import connect as pg_connect

        return pg_connect(str(store))
    return connect(store)


def open_reader(store):
    """A reader of either backend's store; on PostgreSQL on the primary, as the live monitor reads."""
    from shopintel.store.db import connect_read_only
    from shopintel.store.pg.url import is_pg_url

    if is_pg_url(str(store)):
        from shopintel.store.pg.connection import connect_read_only as pg_reader

        return pg_reader(str(store), primary=True)
    return connect_read_only(store)


def build_live_store(db_path):
    conn = connect(db_path)
    fill_live_store(conn)
    conn.close()
    return db_path


def fill_live_store(conn) -> None:
    """The live store's history and counts, written through `conn` (a SQLite or a PostgreSQL writer)."""
    today = date.today()
    rows = []
    for d in range(28, 0, -1):
        day = (today - timedelta(days=d)).isoformat()
        rows.append((f"{day}T10:00:00", "FAST", 10))
        if d % 14 == 0:
            rows.append((f"{day}T11:00:00", "SLOW", 1))
    with getattr(conn, "loader_class", Loader)(conn, file_name="history") as loader:
        loader.add(frame(rows))
    # FAST sells 70 a week (10/day, no variance): reorder point 70 with the 7-day lead time. Selling
    # more today raises its velocity and variance too, so a big sale (60) lands it well below.
    counted = (datetime.now() - timedelta(minutes=5)).replace(microsecond=0).isoformat()
    set_stock(conn, "FAST", 150, counted_at=counted)
    set_stock(conn, "SLOW", 1, counted_at=counted)


class HeldWriteLock:
    """Another program (an import, say) holding the store's write lock: a real sqlite3 connection in
    BEGIN IMMEDIATE. A safety valve lets go after `valve_s` so that an app which waits on the lock
    (the bug) turns into a failed assertion, not a hung test run."""

    def __init__(self, path, valve_s: float = 30.0):
        import sqlite3
        import threading

        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")
        self.valve_fired = False
        self._lock = threading.Lock()
        self._valve = threading.Timer(valve_s, self._fire)
        self._valve.daemon = True
        self._valve.start()

    def _fire(self) -> None:
        self.valve_fired = True
        self.release()

    @property
    def held(self) -> bool:
        return self.conn.in_transaction and not self.valve_fired

    def release(self) -> None:
        self._valve.cancel()
        with self._lock:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")


def stored_acks(store) -> int:
    """The acknowledged alerts in the store (a tests.stores.Store of either backend, or an SQLite file's path)."""
    from tests.stores import query

    return query(store, "SELECT count(*) FROM alerts WHERE acknowledged_at IS NOT NULL")[0][0]


def close_app(app, panel=None) -> None:
    """The app's readers (its tabs' and, through its alert `panel`, its monitor's), once it has gone: a real
    app leaves with os._exit, which closes them; a test run must not keep the test cluster's connections
    busy. (The panel is the test's: a finished app no longer holds its widgets.)"""
    for c in app.store._opened:
        c.close()
    if panel is not None and panel.monitor is not None:
        panel.monitor.reader.close()
