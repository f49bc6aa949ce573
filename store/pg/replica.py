"""Reading from a hot standby: how far behind the primary it is.

A reader URL may list a primary and its standbys with `target_session_attrs=prefer-standby`; libpq picks
the server. A standby shows what the primary had committed when it last replayed WAL: the figures are
those of a moment ago, and the user is told so once that moment is more than LAG_SHOWN_S old, never left
to take old figures for current ones.
"""

from __future__ import annotations

from ..sql import is_postgresql

LAG_SHOWN_S = 5.0   # a standby this far behind says so (a few seconds: replay's normal pace stays quiet)

# On a primary, nothing. On a standby that has replayed all it received, 0: its last replayed commit may
# be old only because the primary has been idle since. Otherwise the age of the last replayed commit.
_LAG = """SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                      WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                           AND NOT pg_is_wal_replay_paused() THEN 0.0
                      ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END"""


def lag_seconds(conn) -> float | None:
    """How many seconds behind its primary this standby's data is; None on a primary (or SQLite)."""
    if not is_postgresql(conn):
        return None
    value = conn.execute(_LAG).fetchone()[0]
    return None if value is None else max(0.0, float(value))


def lag_span(conn) -> str | None:
    """How far behind this reader's data is, in words ("12 s"), once that is more than LAG_SHOWN_S; else
    None (a primary, a standby caught up, SQLite). The app's title says "standby 12 s behind"."""
    lag = lag_seconds(conn)
    if lag is None or lag <= LAG_SHOWN_S:
        return None
    return _span(lag)


def lag_note(conn) -> str | None:
    """A line for the user when this reader's data is more than LAG_SHOWN_S behind, else None."""
    span = lag_span(conn)
    if span is None:
        return None
    return f"reading from a standby {span} behind the primary: the latest writes are not shown yet"


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
