"""Writing validated order lines into the store: dimensions, order replacement
and aggregate upkeep, all inside one transaction per load.

A *canonical frame* (what `store.ingest.validate` and the synthetic generator
produce) has the columns in `CANONICAL_COLUMNS`. Re-loading an order id that
the store already holds replaces that order's lines: the first time a load
sees an order id, the order's earlier lines are removed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat

import numpy as np
import pandas as pd

from . import aggregates
from .chunk_sums import chunk_sums
from .schema import SALES_INDEX_NAMES, SALES_INDEXES
from .sql import atomic, insert_rows, statements

DEFAULT_CATEGORY = "Uncategorized"   # a product none of whose rows names a category

CANONICAL_COLUMNS = (
    "order_id", "ordered_at", "day", "customer_key", "customer_name", "email", "country",
    "sku", "product_name", "category", "is_merch", "quantity", "unit_price_micros",
    "discount_cents", "net_cents",
)
_LOOKUP_BATCH = 500
# Cached dimension rows per load. Beyond this many the cache starts over, so memory stays flat on
# a shop with millions of customers (a dropped entry only costs one batched lookup again).
_CACHE_MAX = 100_000
# the details kept of a product and of a customer, in the order of their cache entries after the id
_PRODUCT_DETAILS = ("name", "category_id", "is_merch", "named_at")
_CUSTOMER_DETAILS = ("name", "email", "country", "named_at")
ID_COLUMNS = {   # each dimension's id column
    "products": "product_id", "customers": "customer_id"}


def cached_columns(table: str, details: tuple[str, ...]) -> str:
    """The columns of a dimension's cache entry: its id, then the details kept."""
    return ", ".join((ID_COLUMNS[table], *details))


def now_text() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


@dataclass
class LoadStats:
    rows_loaded: int = 0
    orders_replaced: int = 0
    returns: int = 0
    guest_lines: int = 0
    non_merch_lines: int = 0
    first_day: str | None = None
    last_day: str | None = None
    mixed_orders: int = 0                 # orders of this load whose lines carry more than one customer
    mixed_order_example: str | None = None
    orders_withdrawn: int = 0             # orders the store held that this load says were never sales (cancelled)


@dataclass
class Loader:
    """One write transaction. Use as a context manager: commits on success, rolls back on any error."""

    conn: sqlite3.Connection
    file_name: str | None = "(direct)"   # None: no import_runs row (live writers)
    sha256: str = ""
    stats: LoadStats = field(default_factory=LoadStats)
    import_id: int | None = None
    _categories: dict[str, int] = field(default_factory=dict)
    _products: dict[str, tuple[int, str, int, int, str]] = field(default_factory=dict)   # id, name, category, merch, named_at
    _customers: dict[str, tuple[int, str, str, str, str]] = field(default_factory=dict)  # id, name, email, country, named_at
    # Known rows whose details (or only their named_at) changed in the cache, written once by _flush (before a
    # cache starts over and at the end): a customer who orders in every chunk is written once, not per chunk.
    _dirty_products: set[str] = field(default_factory=set)
    _dirty_customers: set[str] = field(default_factory=set)
    _start_sale_id: int = 0
    _bulk: bool = False
    # A first load (into an empty store) sums the kept tables chunk by chunk (store/chunk_sums.py) while
    # `_summing`; the products whose lines were summed so far. A product among them that changes its
    # merchandise flag ends the summing: every kept table is then recomputed at the end.
    _summing: bool = False
    _summed_products: set[int] = field(default_factory=set)

    def __enter__(self) -> "Loader":
        self._tx = atomic(self.conn)
        self._tx.__enter__()
        try:
            self._begin()
        except BaseException:
            self._tx.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self._finish()
            except BaseException:
                self._tx.__exit__(*sys.exc_info())
                raise
        self._tx.__exit__(exc_type, exc, tb)

    def _begin(self) -> None:
        aggregates.ensure_temp_tables(self.conn)
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS run_orders (order_id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS chunk_orders (order_id TEXT PRIMARY KEY) WITHOUT ROWID")
        self.conn.execute("DELETE FROM run_orders")
        self._start_sale_id = self.conn.execute(
            "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'sales'), 0)").fetchone()[0]
        # Into an empty store there are no earlier lines to replace, and indexes are cheaper
        # built once at the end than kept up per row.
        self._bulk = self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM sales)").fetchone()[0] == 1
        if self._bulk:
            for name in SALES_INDEX_NAMES:
                self.conn.execute(f"DROP INDEX IF EXISTS {name}")
            aggregates.start_first_load(self.conn)
            self._summing = True
        if self.file_name is not None:   # live writers (simulate) record no import run
            cur = self.conn.execute(
                "INSERT INTO import_runs (file_name, sha256, started_at) VALUES (?, ?, ?)",
                (self.file_name, self.sha256, now_text()))
            self.import_id = cur.lastrowid

    # ------------------------------------------------------------ dimensions

    def _category_ids(self, names: pd.Series) -> pd.Series:
        missing = [n for n in names.unique() if n not in self._categories]
        if missing:
            self.conn.executemany("INSERT INTO categories (name) VALUES (?) ON CONFLICT (name) DO NOTHING",
                                  [(n,) for n in missing])
            for i in range(0, len(missing), _LOOKUP_BATCH):
                batch = missing[i:i + _LOOKUP_BATCH]
                marks = ",".join("?" * len(batch))
                for name, cid in self.conn.execute(
                        f"SELECT name, category_id FROM categories WHERE name IN ({marks})", batch):
                    self._categories[name] = cid
        return names.map(self._categories)

    def _lookup(self, cache: dict, table: str, key: str, cols: str, keys: list[str]) -> None:
        wanted = [k for k in keys if k not in cache]
        for i in range(0, len(wanted), _LOOKUP_BATCH):
            batch = wanted[i:i + _LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            for row in self.conn.execute(f"SELECT {key}, {cols} FROM {table} WHERE {key} IN ({marks})", batch):
                cache[row[0]] = tuple(row[1:])

    def _flush(self) -> None:
        """Write the cached changes of known products and customers."""
        if self._dirty_products:
            self._update("products", "product_id", _PRODUCT_DETAILS,
                         [(*self._products[k][1:], self._products[k][0]) for k in self._dirty_products])
            self._dirty_products.clear()
        if self._dirty_customers:
            self._update("customers", "customer_id", _CUSTOMER_DETAILS,
                         [(*self._customers[k][1:], self._customers[k][0]) for k in self._dirty_customers])
            self._dirty_customers.clear()

    def _update(self, table: str, id_column: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Set `columns` of known rows (each row: the values, then the id). PostgreSQL's loader does it
        set-based (store/pg/load.py)."""
        sets = ", ".join(f"{c} = ?" for c in columns)
        self.conn.executemany(f"UPDATE {table} SET {sets} WHERE {id_column} = ?", rows)

    def _insert_new(self, cache: dict, table: str, key: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert new dimension rows (each row: the key, then `columns`), numbered in the order given (the
        order of first appearance), and cache them with their ids; a key a concurrent writer added meanwhile
        gets these details."""
        marks = ", ".join("?" * (len(columns) + 1))
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
        self.conn.executemany(f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES ({marks}) "
                              f"ON CONFLICT ({key}) DO UPDATE SET {sets}", rows)
        for row in rows:
            cache.pop(row[0], None)
        self._lookup(cache, table, key, cached_columns(table, columns), [row[0] for row in rows])

    def _bound(self) -> None:
        """Start the dimension caches over when one is full (only at the start of a chunk, never between a
        chunk's lookups and its id mapping), after writing what they hold."""
        if len(self._products) > _CACHE_MAX or len(self._customers) > _CACHE_MAX:
            self._flush()
            self._products.clear()
            self._customers.clear()

    def _products_ids(self, prepared: Keys) -> np.ndarray:
        skus, latest = prepared.keys, prepared.latest
        self._lookup(self._products, "products", "sku", cached_columns("products", _PRODUCT_DETAILS), skus)
        named = [c for c in latest["category"] if c]
        ids = dict(zip(named, self._category_ids(pd.Series(named, dtype=object)).tolist())) if named else {}
        cat_ids = [ids.get(c) for c in latest["category"]]
        changes = []
        for sku, name, cat_id, merch, when in zip(skus, latest["product_name"], cat_ids, latest["is_merch"],
                                                   latest["named_at"]):
            merch = int(merch)
            known = self._products.get(sku)
            if known is None:
                if cat_id is None:   # no category on any of its rows
                    cat_id = int(self._category_ids(pd.Series([DEFAULT_CATEGORY])).iloc[0])
                changes.append((sku, name or sku, int(cat_id), merch, when if name else ""))
                continue
            if when < known[4]:
                continue   # an older export than what named the product: its names do not win
            row = (name or known[1], known[2] if cat_id is None else int(cat_id),
                   merch if name else known[3], when if name else known[4])
            if row != known[1:]:
                self._products[sku] = (known[0], *row)
                self._dirty_products.add(sku)
                if self._bulk:
                    # the category-days are summed at the end, from the products as they are then; the
                    # merchandise flag counted in every sum of the product's lines so far
                    if row[2] != known[3] and known[0] in self._summed_products:
                        self._summing = False
                elif row[1] != known[2]:
                    aggregates.mark_product_days(self.conn, known[0])
        if changes:   # new products: inserted now, for their ids
            self._insert_new(self._products, "products", "sku", _PRODUCT_DETAILS, changes)
        return _ids_of(prepared, self._products)

    def _customer_ids(self, prepared: Keys) -> np.ndarray:
        keys, latest = prepared.keys, prepared.latest
        if not keys:
            return np.full(len(prepared.codes), None, dtype=object)
        self._lookup(self._customers, "customers", "customer_key", cached_columns("customers", _CUSTOMER_DETAILS),
                     keys)
        changes = []
        for key, name, email, country, when in zip(keys, latest["customer_name"], latest["email"],
                                                   latest["country"], latest["named_at"]):
            known = self._customers.get(key)
            if known is None:
                changes.append((key, name, email, country, when if (name or email or country) else ""))
                continue
            # the latest non-empty value by order date wins; an empty cell never erases what we know, and
            # an older export only fills what is still unknown (written out, not as a loop: this runs for
            # every customer of every chunk)
            _, k_name, k_email, k_country, k_when = known
            if when >= k_when:
                row = (name or k_name, email or k_email, country or k_country,
                       when if (name or email or country) else k_when)
            else:
                row = (k_name or name, k_email or email, k_country or country, k_when)
            if row != known[1:]:
                self._customers[key] = (known[0], *row)
                self._dirty_customers.add(key)
        if changes:   # new customers: inserted now, for their ids
            self._insert_new(self._customers, "customers", "customer_key", _CUSTOMER_DETAILS, changes)
        return _ids_of(prepared, self._customers)

    # ------------------------------------------------------------ lines

    def add(self, frame: pd.DataFrame, prepared: Prepared | None = None) -> None:
        """Load one canonical frame (part of this transaction); `prepared`: `prepare(frame)`, when the
        validating process already worked it out."""
        if frame.empty:
            return
        self._bound()
        prepared = prepared or prepare(frame)
        product_ids = self._products_ids(prepared.products)
        customer_ids = self._customer_ids(prepared.customers)
        c = self.conn
        if not self._bulk:
            self.stats.orders_replaced += self._replace(frame["order_id"].unique().tolist())
        columns = (
            frame["order_id"].tolist(), frame["ordered_at"].tolist(), frame["day"].tolist(),
            customer_ids.tolist(), product_ids.tolist(), frame["quantity"].tolist(),
            frame["unit_price_micros"].tolist(), frame["discount_cents"].tolist(), frame["net_cents"].tolist(),
            repeat(self.import_id),
        )
        insert_rows(c, "INSERT INTO sales (order_id, ordered_at, day, customer_id, product_id, quantity, "
                       "unit_price_micros, discount_cents, net_cents, import_id)", columns)
        if self._summing:
            aggregates.add_chunk(c, chunk_sums(frame, product_ids, customer_ids,
                                               _ids_of(prepared.products, self._products, 3)))
            self._summed_products.update(self._products[k][0] for k in prepared.products.keys)
        self._count(frame)

    def _count(self, frame) -> None:
        """The load's figures for a chunk of lines just written (every backend's loader counts them so)."""
        s = self.stats
        s.rows_loaded += len(frame)
        s.returns += int((frame["quantity"] < 0).sum())
        s.guest_lines += int((frame["customer_key"] == "").sum())
        s.non_merch_lines += int((~frame["is_merch"].astype(bool)).sum())
        lo, hi = frame["day"].min(), frame["day"].max()
        s.first_day = lo if s.first_day is None else min(s.first_day, lo)
        s.last_day = hi if s.last_day is None else max(s.last_day, hi)

    def forget(self, order_ids: list[str]) -> None:
        """Orders this load leaves out on purpose (an export's cancelled orders): lines an earlier import
        stored for them go, as for an order the load replaces."""
        if order_ids and not self._bulk:
            self.stats.orders_withdrawn += self._replace(list(dict.fromkeys(order_ids)))

    def _replace(self, order_ids: list[str]) -> int:
        """The first time this load sees an order id, the store's earlier lines of that order go. Returns how
        many of the orders the store held."""
        c = self.conn
        c.executemany("INSERT OR IGNORE INTO chunk_orders VALUES (?)", [(o,) for o in order_ids])
        fresh = "SELECT order_id FROM chunk_orders WHERE order_id NOT IN (SELECT order_id FROM run_orders)"
        held = c.execute(f"SELECT count(*) FROM order_totals WHERE order_id IN ({fresh})").fetchone()[0]
        aggregates.mark_lines(c, f"order_id IN ({fresh})")
        c.execute(f"DELETE FROM sales WHERE order_id IN ({fresh})")
        c.execute(f"INSERT INTO run_orders {fresh}")
        c.execute("INSERT OR IGNORE INTO dirty_orders SELECT order_id FROM chunk_orders")
        c.execute("DELETE FROM chunk_orders")
        return held

    def _finish(self) -> None:
        self._flush()   # before the aggregates: a product's category and merchandise flag count in them
        if self._bulk:
            for statement in statements(SALES_INDEXES):
                self.conn.execute(statement)
            aggregates.finish_first_load(self.conn, summed=self._summing)
        else:
            aggregates.refresh(self.conn)   # every new line's order is dirty: refresh finds their pairs
        # Orders whose lines carry several customers (each line already counts for its own customer):
        # said in the summary, so a shop knows its export has them. A bulk load's orders are the store's.
        mine = "" if self._bulk else "JOIN run_orders USING (order_id)"
        self.stats.mixed_orders, self.stats.mixed_order_example = self.conn.execute(
            f"SELECT count(*), min(order_id) FROM order_totals {mine} WHERE customers > 1").fetchone()
        if self.import_id is not None:
            self.conn.execute(
                "UPDATE import_runs SET finished_at = ?, rows_loaded = ?, orders_replaced = ? WHERE import_id = ?",
                (now_text(), self.stats.rows_loaded, self.stats.orders_replaced, self.import_id))

    def record_counts(self, rows_read: int, rows_rejected: int) -> None:
        self.conn.execute("UPDATE import_runs SET rows_read = ?, rows_rejected = ? WHERE import_id = ?",
                          (rows_read, rows_rejected, self.import_id))


@dataclass
class Keys:
    """A chunk's distinct keys of one dimension (in the order of each one's first line), the latest details
    of each (`_latest_details`), and each line's key as a position in `keys` (-1: a guest line)."""

    keys: list
    latest: dict[str, list]
    codes: np.ndarray


@dataclass
class Prepared:
    """What a chunk's lines say about its products and customers, worked out from the frame alone (pandas,
    no store), so the process that validates the chunk can do it (store/ingest/pipeline.py)."""

    products: Keys
    customers: Keys


def prepare(frame: pd.DataFrame) -> Prepared:
    skus, latest, codes = _latest_details(frame, "sku", ("product_name", "category"), "is_merch")
    products = Keys(skus, latest, codes)
    named = (frame["customer_key"] != "").to_numpy(dtype=bool)
    customer_codes = np.full(len(frame), -1, dtype=np.int64)
    if named.any():
        # in the order of each customer's first line, so that new customers are numbered by first appearance
        keys, latest, codes = _latest_details(frame[named], "customer_key", ("customer_name", "email", "country"))
        customer_codes[named] = codes
    else:
        keys, latest = [], {}
    return Prepared(products, Keys(keys, latest, customer_codes))


def _latest_details(frame: pd.DataFrame, key: str, details: tuple[str, ...], extra: str | None = None
                    ) -> tuple[list, dict[str, list], np.ndarray]:
    """The keys in the order of each one's first line, and per key: the latest non-empty value of each
    detail by order time (file order breaks ties; "" when every row left it empty), `named_at` = the order
    time of the latest row with any detail ("" when none), and `extra` from the latest row with a first
    detail (else its latest row); and each row's key as a position in the keys. Numpy on factorized keys:
    this runs for every chunk of every import."""
    codes, uniques = pd.factorize(frame[key])          # codes in the order of each key's first line
    times = frame["ordered_at"].to_numpy().astype("U19")   # fixed-width text sorts far faster than objects
    n = len(times)
    if n < 2 or bool((times[1:] >= times[:-1]).all()):   # exports are usually in date order: no sort
        by_time = np.arange(n)
    else:
        by_time = np.argsort(times, kind="stable")     # rows in order time, file order within a time
    rank = np.empty(n, dtype=np.int64)
    rank[by_time] = np.arange(n)

    def latest(mask: np.ndarray) -> np.ndarray:
        """Per key, the row of its latest line where `mask` holds (-1: none)."""
        best = np.full(len(uniques), -1, dtype=np.int64)
        np.maximum.at(best, codes[mask], rank[mask])
        return np.where(best >= 0, by_time[np.maximum(best, 0)], -1)

    def pick(col: str, rows: np.ndarray) -> list:
        # only the picked rows leave pandas' string storage (converting a whole column costs more)
        values = frame[col].take(np.maximum(rows, 0)).to_numpy(dtype=object)
        return np.where(rows >= 0, values, "").tolist()

    out: dict[str, list] = {}
    present = {col: (frame[col] != "").to_numpy(dtype=bool) for col in details}
    for col in details:
        out[col] = pick(col, latest(present[col]))
    out["named_at"] = pick("ordered_at", latest(np.logical_or.reduce([present[c] for c in details])))
    if extra is not None:
        named_row, any_row = latest(present[details[0]]), latest(np.ones(n, dtype=bool))
        out[extra] = frame[extra].to_numpy()[np.where(named_row >= 0, named_row, any_row)].tolist()
    return np.asarray(uniques, dtype=object).tolist(), out, codes


def _ids_of(keys: Keys, cache: dict[str, tuple], item: int = 0) -> np.ndarray:
    """Each line's cached id (or another `item` of its key's cache entry), None for a guest line. Looked up
    once per distinct key: a chunk repeats its keys many times."""
    ids = np.array([cache[k][item] for k in keys.keys] + [None], dtype=object)
    return ids[keys.codes]   # -1: the None at the end


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
