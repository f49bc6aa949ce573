"""The live reorder monitor, placeholder: alert queries used by the app (full monitor lands next)."""

from __future__ import annotations

import sqlite3


def active_alert_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL").fetchone()[0]
