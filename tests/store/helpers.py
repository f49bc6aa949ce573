"""What the store tests share: load a file into a store, and ask the store a question directly."""

from __future__ import annotations

import sqlite3

from shopintel.store.db import connect
from shopintel.store.ingest import IngestOptions, ingest_file


def load(db_path, path, **opts):
    conn = connect(db_path)
    try:
        return ingest_file(conn, str(path), IngestOptions(**opts))
    finally:
        conn.close()


def q(db_path, sql, *params):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
