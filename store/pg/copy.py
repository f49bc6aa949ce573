"""A whole store's tables read from, and written into, a PostgreSQL shop schema (`shopintel copy`,
store/copy.py): rows streamed through a server-side cursor one way and `COPY FROM STDIN` the other, the
ids kept as they were (COPY writes identity columns as given), the sequences moved past them after."""

from __future__ import annotations

from typing import Iterable, Iterator

from .connection import psycopg, wrap

CHUNK = 5_000


def read_table(conn, table: str) -> tuple[list[str], Iterator[tuple]]:
    """The table's column names and its rows, streamed (inside the caller's snapshot transaction)."""
    try:
        cur = conn.raw.cursor(name=f"copy_{table}")
        cur.itersize = CHUNK
        cur.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cur.description]
    except psycopg.Error as exc:
        raise wrap(exc, conn.url) from None
    return columns, _rows(conn, cur)


def _rows(conn, cur) -> Iterator[tuple]:
    try:
        yield from cur
    except psycopg.Error as exc:
        raise wrap(exc, conn.url) from None


def write_table(conn, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    n = 0
    with conn.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def after_copy(conn) -> None:
    """Every identity sequence past the largest id copied (the next import draws a new one), the stock
    counts' number sequence past the largest count number, and every table analysed."""
    for table, column in conn.raw.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND is_identity = 'YES'", (conn.schema,)).fetchall():
        conn.raw.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({column}), 0) + 1, false) "
                         f"FROM {table}", (f'"{conn.schema}".{table}', column))
    conn.raw.execute("SELECT setval('inventory_count_seq_seq', coalesce(max(count_seq), 0) + 1, false) FROM inventory")
    # the planner's statistics of the new rows, in the same transaction (ANALYZE counts its own inserts):
    # until autovacuum came round, the reports were planned for empty tables (the benchmark's copy
    # needed a VACUUM ANALYZE of its own before its figures meant anything)
    tables = [t for (t,) in conn.raw.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
        (conn.schema,)).fetchall()]
    conn.raw.execute("ANALYZE " + ", ".join(f'"{t}"' for t in tables))
