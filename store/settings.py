"""What a store remembers about its shop beside the data (the `meta` table): its currency and time zone,
set by the first import that names them and checked by every later one."""

from __future__ import annotations

import sqlite3

CURRENCY = "shop.currency"   # ISO 4217 code, e.g. EUR
TIME_ZONE = "shop.tz"        # IANA zone, e.g. America/New_York


def get(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:   # a store without the table (not created yet)
        return None
    return row[0] if row else None


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))


def currency(conn: sqlite3.Connection) -> str | None:
    """The store's currency code, None when no import named one."""
    return get(conn, CURRENCY)
