"""Errors the store raises for problems a user can fix; the CLI prints them without a traceback."""

from __future__ import annotations


class StoreError(Exception):
    """A problem with the store file itself (missing, not SQLite, too new, read-only...)."""


class StoreBusy(StoreError):
    """Another writer kept a lock for longer than this one would wait (PostgreSQL's lock_timeout): nothing
    was changed, and trying again later is the remedy."""


def is_lock_error(exc: BaseException) -> bool:
    """A store locked for a moment by another writer (SQLite's "database is locked", PostgreSQL's lock
    timeout): worth trying again, never an error to report at once."""
    if isinstance(exc, StoreBusy):
        return True
    import sqlite3

    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


class ImportFailed(Exception):
    """An import that loaded nothing; the store is left as it was."""
