"""The live monitor's view of what writers commit: new sales (by sale_id) and new stock counts (by
inventory.count_seq), each row read once, whatever order writers commit in.

On SQLite one writer at a time commits, so numbers become visible in order and the highest number read
is a watermark: nothing below it can appear later. On PostgreSQL numbers come from sequences and two
writers can commit out of order; store/pg/live.py gives, before each read, a horizon below which every
row that will ever commit is visible. A feed reads the rows numbered above what it had settled, keeps the
numbers read above the horizon (so none is taken twice), and settles up to the horizon.

`Changes` is the cheap check before a tick: SQLite's `PRAGMA data_version` (it moves when another
connection commits); PostgreSQL's sequences' last values (they move when a number is drawn): an idle
store costs that one query.
"""

from __future__ import annotations

from ..store.pg import live as pglive
from ..store.sql import is_postgresql

# table -> (its number column, the columns a tick wants); the first column read is the number
FEEDS = {"sales": ("sale_id", "product_id"), "inventory": ("count_seq", "product_id")}


class Feed:
    """One numbered table's rows, each returned once by `read()`."""

    def __init__(self, table: str):
        self.table = table
        self.number, self.column = FEEDS[table]
        self.settled = 0          # every row numbered up to here has been read, or will never commit
        self.seen: set[int] = set()   # numbers read above `settled`

    def _select(self, conn) -> list[tuple]:
        return conn.execute(f"SELECT {self.number}, {self.column} FROM {self.table} WHERE {self.number} > ?",
                            (self.settled,)).fetchall()

    def start(self, conn, horizon: int | None) -> None:
        """Take every row there is now as read, without reading the ones settled already."""
        if horizon is None:
            self.settled = conn.execute(f"SELECT coalesce(max({self.number}), 0) FROM {self.table}").fetchone()[0]
            return
        self.settled = horizon
        self.seen = {r[0] for r in self._select(conn)}

    def read(self, conn, horizon: int | None) -> list[tuple]:
        """The rows committed since the last read, (number, value) each. `horizon` (read before this call):
        every row numbered up to it is in this read's snapshot or never will be; None: numbers commit in
        order (SQLite), so the highest read is one."""
        rows = [r for r in self._select(conn) if r[0] not in self.seen]
        high = max((r[0] for r in rows), default=self.settled)
        if horizon is None:
            self.settled, self.seen = max(self.settled, high), set()
            return rows
        self.seen.update(r[0] for r in rows)
        if horizon > self.settled:
            self.settled = horizon
            self.seen = {n for n in self.seen if n > horizon}
        return rows

    def caught_up(self, last_number: int) -> bool:
        """Nothing numbered up to `last_number` (its sequence's last value) is still to come."""
        return self.settled >= last_number


class Changes:
    """The monitor's two feeds and the cheap check of an idle store."""

    def __init__(self, conn):
        self.conn = conn
        self.pg = is_postgresql(conn)
        self.sales = Feed("sales")
        self.counts = Feed("inventory")
        self._version = None

    def _look(self):
        return pglive.numbers(self.conn) if self.pg else self.conn.execute("PRAGMA data_version").fetchone()[0]

    def start(self) -> set[int]:
        """Take every row there is now as read (the monitor evaluates every counted product at start);
        return the products with a stock count."""
        self._version = self._look()
        horizons = self._horizons(self._version)
        self.sales.start(self.conn, horizons["sales"])
        return {pid for _, pid in self.counts.read(self.conn, horizons["inventory"])}

    def _horizons(self, version) -> dict[str, int | None]:
        if not self.pg:
            return {"sales": None, "inventory": None}
        return pglive.horizons(self.conn, version)

    def quiet(self) -> bool:
        """Nothing can have been written since the last read: a tick need read nothing."""
        version = self._look()
        unchanged = version == self._version
        self._version = version
        if not self.pg:
            return unchanged
        return unchanged and self.sales.caught_up(version["sales"]) and self.counts.caught_up(version["inventory"])

    def read(self) -> tuple[list[tuple], set[int]]:
        """After quiet() said no: the new sales (sale_id, product_id) and the recounted products."""
        horizons = self._horizons(self._version)
        sales = self.sales.read(self.conn, horizons["sales"])
        counts = self.counts.read(self.conn, horizons["inventory"])
        return sales, {pid for _, pid in counts}
