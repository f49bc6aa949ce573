"""Writing validated order lines into a PostgreSQL store: store.load.Loader's rules (dimensions, order
replacement, one transaction per load), with the lines sent through COPY.

The dimension code (products, customers, categories and which row names them) is Loader's own, run
through PgConnection, so the two backends cannot drift apart on it. What differs:
- writers of one shop are serialised by a transaction-scoped advisory lock (SQLite's BEGIN IMMEDIATE
  takes its single write lock the same way), and readers are never blocked;
- the lines go in with `COPY sales (...) FROM STDIN`;
- re-imported orders: the first time a load sees an order id, the store's earlier lines of that order
  are deleted (a set of the load's order ids is kept in Python, not in a temporary table);
- the kept aggregates are refreshed at the end for what the load touched (store/pg/aggregates.py), in
  the same transaction; a first load into an empty store replaces nothing and recomputes them once;
- new and changed products and customers go by COPY into a temporary table and one statement per batch
  (`_insert_new`, `_update`), not one statement per row.
Why each of these, with measurements: docs/scale.md "Ingest speed and the benchmark".
"""

from __future__ import annotations

import pandas as pd

from ..load import ID_COLUMNS, Loader, Prepared, cached_columns, now_text, prepare
from . import aggregates
from .connection import lock_shop, psycopg, wrap

_SALES_COLUMNS = ("order_id, ordered_at, day, customer_id, product_id, quantity, unit_price_micros, "
                  "discount_cents, net_cents, import_id")


def _staging(table: str) -> str:
    return f"load_{table}"


class PgLoader(Loader):
    """One write transaction on a PgConnection (a context manager, as Loader)."""

    def _begin(self) -> None:
        c = self.conn
        try:
            lock_shop(c.raw, c.schema)
            # what this load touches (Loader's dimension code marks the days of a product that moved category)
            aggregates.ensure_temp_tables(c.raw)
        except psycopg.Error as exc:
            raise wrap(exc, c.url) from None
        self._run_orders: set[str] = set()
        # Into an empty store (checked under the shop's write lock) there are no earlier lines to replace
        # and no kept rows to keep up: the kept tables are computed once, set-based, at the end.
        self._bulk = not c.execute("SELECT EXISTS (SELECT 1 FROM sales)").fetchone()[0]
        for table in ("products", "customers"):
            # the table's columns, types and collations, none of its constraints
            c.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_staging(table)} ON COMMIT DELETE ROWS AS "
                      f"SELECT * FROM {table} WITH NO DATA")
        if self.file_name is not None:
            self.import_id = c.execute(
                "INSERT INTO import_runs (file_name, sha256, started_at) VALUES (?, ?, ?) RETURNING import_id",
                (self.file_name, self.sha256, now_text())).fetchone()[0]

    def add(self, frame: pd.DataFrame, prepared: Prepared | None = None) -> None:
        if frame.empty:
            return
        self._bound()
        prepared = prepared or prepare(frame)
        product_ids = self._products_ids(prepared.products)
        customer_ids = self._customer_ids(prepared.customers)
        c = self.conn
        if not self._bulk:
            self.stats.orders_replaced += self._replace(frame["order_id"].unique().tolist())
        rows = zip(
            frame["order_id"].tolist(), frame["ordered_at"].tolist(), frame["day"].tolist(),
            customer_ids.tolist(), product_ids.tolist(), frame["quantity"].tolist(),
            frame["unit_price_micros"].tolist(), frame["discount_cents"].tolist(), frame["net_cents"].tolist(),
        )
        import_id = self.import_id
        try:
            with c.raw.cursor() as cur, cur.copy(f"COPY sales ({_SALES_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, import_id))
        except psycopg.Error as exc:
            raise wrap(exc, c.url) from None
        self._count(frame)   # the load's figures, as Loader counts them

    # ------------------------------------------------------------ dimensions, set-based
    # Loader decides what to write (store/load.py); here each batch goes by COPY into a temporary table
    # of the dimension's shape and then into the table in one statement, not one statement per row.

    def _lookup(self, cache: dict, table: str, key: str, cols: str, keys: list[str]) -> None:
        wanted = [k for k in keys if k not in cache]
        if wanted:
            for row in self.conn.execute(f"SELECT {key}, {cols} FROM {table} WHERE {key} = ANY(?)", (wanted,)):
                cache[row[0]] = tuple(row[1:])

    def _stage(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> str:
        staging = _staging(table)
        try:
            with self.conn.raw.cursor() as cur:
                cur.execute(f"TRUNCATE {staging}")
                with cur.copy(f"COPY {staging} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        except psycopg.Error as exc:
            raise wrap(exc, self.conn.url) from None
        return staging

    def _insert_new(self, cache: dict, table: str, key: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        # the id column of the staging table holds each row's position: new ids are drawn in that order;
        # the rows come back with their ids (no second lookup)
        id_column = ID_COLUMNS[table]
        staging = self._stage(table, (id_column, key, *columns), [(i, *row) for i, row in enumerate(rows)])
        names = ", ".join(columns)
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
        for row in self.conn.execute(
                f"INSERT INTO {table} ({key}, {names}) SELECT {key}, {names} FROM {staging} ORDER BY {id_column} "
                f"ON CONFLICT ({key}) DO UPDATE SET {sets} RETURNING {key}, {cached_columns(table, columns)}"):
            cache[row[0]] = tuple(row[1:])

    def _update(self, table: str, id_column: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        staging = self._stage(table, (*columns, id_column), rows)
        sets = ", ".join(f"{c} = s.{c}" for c in columns)
        self.conn.execute(f"UPDATE {table} t SET {sets} FROM {staging} s WHERE t.{id_column} = s.{id_column}")

    # ------------------------------------------------------------ lines

    def _replace(self, order_ids: list[str]) -> int:
        """The first time this load sees an order id, the store's earlier lines of that order go (Loader's
        rule; the load's order ids kept in a Python set). Returns how many of the orders the store held."""
        fresh = [o for o in order_ids if o not in self._run_orders]
        if not fresh:
            return 0
        c = self.conn
        held = c.execute("SELECT count(*) FROM order_totals WHERE order_id = ANY(?)", (fresh,)).fetchone()[0]
        try:
            aggregates.mark_orders(c.raw, fresh)   # before their earlier lines go
        except psycopg.Error as exc:
            raise wrap(exc, c.url) from None
        c.execute("DELETE FROM sales WHERE order_id = ANY(?)", (fresh,))
        self._run_orders.update(fresh)
        return held

    def _finish(self) -> None:
        self._flush()   # before the aggregates: a product's category and merchandise flag count in them
        c = self.conn
        try:
            (aggregates.rebuild_all if self._bulk else aggregates.refresh)(c.raw)
        except psycopg.Error as exc:
            raise wrap(exc, c.url) from None
        # orders whose lines carry several customers; a first load's orders are all the store's
        mine = "" if self._bulk else " AND order_id = ANY(?)"
        self.stats.mixed_orders, self.stats.mixed_order_example = c.execute(
            "SELECT count(*), min(order_id) FROM order_totals WHERE customers > 1" + mine,
            () if self._bulk else (sorted(self._run_orders),)).fetchone()
        if self.import_id is not None:
            c.execute("UPDATE import_runs SET finished_at = ?, rows_loaded = ?, orders_replaced = ? WHERE import_id = ?",
                      (now_text(), self.stats.rows_loaded, self.stats.orders_replaced, self.import_id))
