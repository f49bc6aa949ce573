"""The app's one writer thread (store/writer.py) against a store whose write lock another program holds
(a real sqlite3 connection in BEGIN IMMEDIATE): it waits without blocking its caller, writes once the
lock is free, gives up after its patience, and close() never waits, not even for a caller blocked on it."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest

from shopintel.reports.monitor import mark_acknowledged
from shopintel.store.db import connect
from shopintel.store.writer import StillLocked, WriterClosed, WriterThread
from tests.live.conftest import HeldWriteLock, sell, stored_acks

DEADLINE_S = 30   # a safety net against a hung run, not a measure of speed


@pytest.fixture
def one_alert(live_store):
    from shopintel.reports.monitor import Monitor
    from shopintel.store.db import connect_read_only

    conn = connect(live_store)
    sell(conn, "FAST", 60)
    [alert] = Monitor(connect_read_only(live_store), conn).start()
    conn.close()
    return live_store, alert.alert_id


def writer_waiting_on(path) -> tuple[WriterThread, threading.Event]:
    waiting = threading.Event()
    writer = WriterThread(path, on_waiting=lambda on: waiting.set() if on else None)
    writer.ready.result(DEADLINE_S)
    return writer, waiting


def test_a_write_waits_for_the_lock_without_blocking_and_is_stored_once_it_is_free(one_alert):
    path, alert_id = one_alert
    writer, waiting = writer_waiting_on(path)
    lock = HeldWriteLock(path)
    try:
        future = writer.submit(mark_acknowledged, alert_id)   # returns at once
        assert waiting.wait(DEADLINE_S)                         # the writer found the store locked
        assert not future.done() and lock.held and stored_acks(path) == 0
    finally:
        lock.release()
    assert future.result(DEADLINE_S) is True
    assert stored_acks(path) == 1 and not lock.valve_fired
    writer.close()


def test_a_write_whose_patience_runs_out_fails_and_writes_nothing(one_alert):
    path, alert_id = one_alert
    writer, _ = writer_waiting_on(path)
    lock = HeldWriteLock(path)
    try:
        future = writer.submit(mark_acknowledged, alert_id, patience=0)
        with pytest.raises(StillLocked):
            future.result(DEADLINE_S)
        assert lock.held
    finally:
        lock.release()
    assert stored_acks(path) == 0
    writer.close()


def test_close_frees_a_thread_waiting_on_a_write_while_the_lock_is_still_held(one_alert):
    path, alert_id = one_alert
    writer, waiting = writer_waiting_on(path)
    lock = HeldWriteLock(path)
    outcome: Future = Future()

    def monitor_thread() -> None:   # the app's alert monitor waits like this for the alerts it stores
        try:
            outcome.set_result(writer.call(mark_acknowledged, alert_id))
        except BaseException as exc:
            outcome.set_exception(exc)

    threading.Thread(target=monitor_thread, daemon=True).start()
    try:
        assert waiting.wait(DEADLINE_S)
        queued = writer.submit(mark_acknowledged, alert_id)   # behind it, for the same lock
        writer.close()
        with pytest.raises(WriterClosed):
            outcome.result(DEADLINE_S)
        with pytest.raises(WriterClosed):
            queued.result(DEADLINE_S)
        assert lock.held, "close() waited until the test's safety valve let go of the lock"
        with pytest.raises(WriterClosed):
            writer.submit(mark_acknowledged, alert_id).result(DEADLINE_S)
    finally:
        lock.release()
