"""The two ways the store runs SQL beyond a single statement: a write transaction (`atomic`) and a
script split into statements (`statements`), so that every writer begins, commits and rolls back alike."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def atomic(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE (the write lock up front, so two writers never deadlock
    half-way), COMMIT on success, ROLLBACK on any error or interrupt, which is then raised unchanged.
    A rollback that fails itself (the disk went away) must not hide the error that caused it: SQLite
    rolls the journal back on the next open in any case."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")   # inside: a commit that fails (disk full) rolls back too
    except BaseException:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise


def one_at_a_time(conn, what: str) -> None:
    """Inside a write transaction: hold the shop's lock on `what` (say "alerts") until it ends, so that two
    processes' check-then-write (is this alert raised already?) never interleave. SQLite's BEGIN IMMEDIATE
    has one writer at a time already; a PostgreSQL store takes a transaction-scoped advisory lock, which
    no reader and no other kind of writer waits for."""
    if getattr(conn, "backend", "sqlite") == "postgresql":
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"shopintel-{what}:{conn.schema}",))


def statements(script: str) -> list[str]:
    """A script as its statements, to run inside our own transaction (`executescript` would commit
    first). Split where SQLite says a statement is complete, so a `;` inside a string or a trigger body
    never cuts one in two."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf)
            buf = ""
    if buf.strip():
        out.append(buf)
    return out
