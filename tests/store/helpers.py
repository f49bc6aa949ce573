"""What the store tests share: load a file into a store, and ask the store a question directly.
`db` is a tests.stores.Store (either backend) or, in the SQLite-only tests, an SQLite file's path."""

from __future__ import annotations

from shopintel.store.db import connect
from shopintel.store.ingest import IngestOptions, ingest_file
from tests.stores import query as q  # noqa: F401  (the store tests' way to ask)


def load(db, path, **opts):
    conn = connect(str(db))
    try:
        return ingest_file(conn, str(path), IngestOptions(**opts))
    finally:
        conn.close()
