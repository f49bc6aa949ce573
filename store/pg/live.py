"""What the live monitor asks a PostgreSQL store: has anything been numbered since I last looked, and
below which number is every row that will ever commit already visible (the horizon).

Sale ids and stock-count numbers come from sequences, drawn when a row is written, not when it commits:
two writers can commit 12 before 11, so a reader that has seen 12 cannot take "everything up to 12" as
read. Every writer of sales or inventory announces itself first (store/pg/schema.py `live_writer()`: a
statement-level trigger that runs before the statement draws any number): it takes a shared advisory lock
keyed by its table and by the sequence's last value at that moment, held until it commits or rolls back.
So, read in this order:

1. `numbers()`: each sequence's last value q (also the cheap "did anyone write?" check of an idle store);
2. `horizons(q)`: the writers in flight (pg_locks), each with the value v its sequence stood at when it began;
3. then, in a new snapshot, the rows numbered above what the reader had settled.

Every row numbered <= min(q, every v) is in that snapshot or will never be: a row numbered n that
commits later was written by a transaction still in flight when the snapshot was taken, that drew n
before the snapshot. If it began before step 2, it is listed there with v < n; if it began after, its v,
and so n, is above q. The lock is released only after the commit is visible (PostgreSQL releases a
transaction's locks after it leaves the running set), so a writer gone from pg_locks is in any later
snapshot. Rows numbered above the horizon and already read are remembered (reports.feed.Feed) until the
horizon passes them.

pg_locks shows only this server's locks: the monitor reads from the primary (a standby does not see the
writers' advisory locks), which is where its alerts are written too.
"""

from __future__ import annotations

# table -> the sequence that numbers its rows (the trigger of each table names the same one)
SEQUENCES = {"sales": "sales_sale_id_seq", "inventory": "inventory_count_seq_seq"}
_SPAN = 1 << 32    # the lock's key holds the low 32 bits of v


def numbers(conn) -> dict[str, int]:
    """Each numbered table's sequence's last value (0 before its first number)."""
    tables = list(SEQUENCES)
    row = conn.execute("SELECT " + ", ".join(f"coalesce(pg_sequence_last_value('{SEQUENCES[t]}'), 0)"
                                              for t in tables)).fetchone()
    return dict(zip(tables, row))


def horizons(conn, q: dict[str, int]) -> dict[str, int]:
    """For each table, min(q, the starting value of every writer in flight): every row numbered up to it is
    visible to a snapshot taken from now on, or will never be (see the module's docstring). `q` must have
    been read (numbers()) before this call."""
    keys = {t: f"{conn.schema}.{t}" for t in SEQUENCES}
    rows = conn.execute(
        """SELECT t.name, l.objid::bigint
           FROM pg_locks l JOIN (VALUES """ + ", ".join("(?, ?)" for _ in keys) + """) AS t(name, key)
             ON l.classid = hashtext(t.key)::oid
           WHERE l.locktype = 'advisory' AND l.objsubid = 2
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""",
        [x for t, k in keys.items() for x in (t, k)]).fetchall()
    out = dict(q)
    for table, low in rows:
        # the whole value nearest q with these low bits: a writer began at most a few numbers after q was read
        v = q[table] + ((low - q[table] + _SPAN // 2) % _SPAN) - _SPAN // 2
        out[table] = min(out[table], v)
    return out
