"""One thread that owns a writer connection, for a program whose writes must never hold anything up.

The app writes little (the alerts its monitor raises, the acknowledgements a user gives) while other
programs (an import, the simulator) may hold the store's write lock for a long time. Every write of the
app goes here, in order, on this thread's own connection: a job is tried with a short busy timeout and
tried again while the store stays locked, for as long as its `patience` allows (or until it is stored),
and `close()` never waits, for a lock or for the thread: jobs not yet done fail with `WriterClosed`.
Nothing here imports a UI library; a caller that must not block (the app's UI) gets a `Future`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable

from .errors import StoreError, is_lock_error

BUSY_MS = 100            # one try's wait for a lock (SQLite's busy timeout, PostgreSQL's lock_timeout): short, so
                         # close() is noticed between tries
PAUSE_S = 0.05           # between tries when SQLite reports a lock without waiting (SQLITE_LOCKED)


class WriterClosed(Exception):
    """The writer was closed (the program is quitting) before the job was done: nothing was written."""


class StillLocked(StoreError):
    """Another program kept the store locked for longer than the job's patience: nothing was written."""


@dataclass
class _Job:
    fn: Callable[..., Any]
    args: tuple
    future: Future
    deadline: float | None          # time.monotonic() after which a locked store fails the job
    patience: float | None = None


class WriterThread:
    """`submit(fn, *args)` runs `fn(conn, *args)` on the writer thread and returns a Future of its result.
    `path` names the store as store.db.locate() gives it (an SQLite file's Path, or a PostgreSQL PgUrl).
    `on_waiting(True)` is called (from the writer thread) when a job finds the store locked by another
    program, `on_waiting(False)` when it no longer waits."""

    def __init__(self, path, *, busy_ms: int = BUSY_MS,
                 on_waiting: Callable[[bool], None] | None = None):
        self.path = path
        self.busy_ms = busy_ms
        self.on_waiting = on_waiting
        self.ready: Future = Future()   # None once the connection is open, or the StoreError that stopped it
        self._jobs: deque[_Job] = deque()
        self._lock = threading.Lock()
        self._resolving = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._closed = threading.Event()
        self._waiting = False
        # a daemon: a program that quits while a job waits for a lock must not wait for the thread
        self._thread = threading.Thread(target=self._run, name="shopintel-writer", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ callers

    def submit(self, fn: Callable[..., Any], *args: Any, patience: float | None = None) -> Future:
        """Queue fn(conn, *args). patience: seconds (from now) the job may wait for a locked store before
        it fails with StillLocked; None waits until it is stored or the writer closes."""
        future: Future = Future()
        deadline = None if patience is None else time.monotonic() + patience
        with self._wake:
            if self._closed.is_set():
                future.set_exception(WriterClosed("the writer is closed"))
                return future
            self._jobs.append(_Job(fn, args, future, deadline, patience))
            self._wake.notify()
        return future

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """submit() and wait for the result: for a worker thread that may wait (the app's alert monitor)."""
        return self.submit(fn, *args).result()

    def close(self) -> None:
        """Stop at once, never waiting: queued jobs fail with WriterClosed; the one under way ends with its
        try in progress (a write of a few rows, or at most BUSY_MS of waiting for a lock) and is not tried
        again. A program that quits does not wait for the thread at all (a daemon)."""
        with self._wake:
            if self._closed.is_set():
                return
            self._closed.set()
            jobs = list(self._jobs)
            self._jobs.clear()
            self._wake.notify()
        closed = WriterClosed("the writer was closed before this was written")
        self._resolve(self.ready, exc=closed)   # a caller waiting for the connection stops waiting
        for job in jobs:
            self._resolve(job.future, exc=closed)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        from .db import connect_alert_writer, lock_wait

        try:
            conn = connect_alert_writer(self.path)
            lock_wait(conn, self.busy_ms)
        except (StoreError, sqlite3.Error) as exc:
            self._resolve(self.ready, exc=exc if isinstance(exc, StoreError) else StoreError(str(exc)))
            self.close()
            return
        self._resolve(self.ready, result=None)
        try:
            while True:
                with self._wake:
                    while not self._jobs and not self._closed.is_set():
                        self._wake.wait()
                    if self._closed.is_set():
                        return
                    job = self._jobs.popleft()
                self._do(conn, job)
        finally:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                conn.close()
            except (StoreError, sqlite3.Error):
                pass

    def _do(self, conn: sqlite3.Connection, job: _Job) -> None:
        while not job.future.done():
            if self._closed.is_set():
                self._resolve(job.future, exc=WriterClosed("the writer was closed before this was written"))
                break
            try:
                result = job.fn(conn, *job.args)
            except BaseException as exc:   # the job's own error goes to whoever waits for it
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if not is_lock_error(exc):
                    self._resolve(job.future, exc=exc)
                    break
                self._expire(job)
                if job.future.done():
                    break
                self._set_waiting(True)
                # SQLite waited BUSY_MS already if the lock was busy; SQLITE_LOCKED comes back at once
                self._closed.wait(PAUSE_S)
                continue
            self._resolve(job.future, result=result)
        self._set_waiting(False)

    def _expire(self, current: _Job) -> None:
        """While the store is locked, every job whose patience has run out fails, the queued ones too:
        they would wait behind this one for the same lock."""
        now = time.monotonic()
        with self._lock:
            expired = [j for j in (current, *self._jobs) if j.deadline is not None and now >= j.deadline]
            for job in expired:
                if job is not current:
                    self._jobs.remove(job)
        for job in expired:
            self._resolve(job.future, exc=StillLocked(
                f"another program (an import?) kept the store locked for {job.patience:g} s or more; "
                "nothing was written"))

    def _resolve(self, future: Future, *, result: Any = None, exc: BaseException | None = None) -> None:
        # close() and the thread may both try: the first one wins. Its own lock, not _lock: the future's
        # callbacks run here and may submit() again.
        with self._resolving:
            if future.done():
                return
            if exc is None:
                future.set_result(result)
            else:
                future.set_exception(exc)

    def _set_waiting(self, waiting: bool) -> None:
        if waiting != self._waiting:
            self._waiting = waiting
            if self.on_waiting is not None:
                try:
                    self.on_waiting(waiting)
                except Exception:   # a UI gone away must not stop the writes
                    pass
