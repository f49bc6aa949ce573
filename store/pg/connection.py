"""Connections to a PostgreSQL store: a reader (a read-only session) and a writer, both with the shop's
schema as their `search_path`, and the schema created by the first writer.

`PgConnection` answers the few calls the store and the reports make of an `sqlite3.Connection`
(`execute`, `executemany`, `in_transaction`, `close`), so the report SQL, written once in SQL both
engines accept, runs here unchanged. Each statement is rewritten once (and cached) for what DB-API
paramstyles and planner hints need, never for an expression (docs/scale.md, "The dialect choice"):

- `?` and `:name` placeholders become psycopg's `%s` and `%(name)s`, and a literal `%` becomes `%%`;
- SQLite's planner hints `INDEXED BY name` and `NOT INDEXED` are dropped (they never change a result);
- `INSERT OR IGNORE INTO` becomes `INSERT INTO ... ON CONFLICT DO NOTHING`, `BEGIN IMMEDIATE` `BEGIN`,
  and the `temp.` prefix goes (PostgreSQL finds temporary tables first anyway).

Results load as SQLite gives them: `sum()` of bigints is a `numeric` in PostgreSQL, loaded as an int when
it is whole and a float when it is not, so report figures are the same Python values on both backends.
Parameters are bound on the client (psycopg's ClientCursor), as sqlite3 binds them: a parameter needs no
type the server must infer (`:cat IS NULL`).

Errors become StoreError with a message a user can act on; the password of the URL never appears in one.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterable, Iterator

from ..errors import StoreBusy, StoreError
from . import url as pgurl
from .schema import CREATE, CREATED_VERSION, LATEST, MIGRATIONS
from ..schema import SCHEMA_VERSION

try:
    import psycopg
    from psycopg import errors as pgerrors
    from psycopg.adapt import Loader as _Loader
    from psycopg.pq import TransactionStatus
except ImportError:   # the extra is not installed: connect() says what to install
    psycopg = None

LOCK_TIMEOUT_S = 10   # as SQLite's busy timeout (store/db.py): a writer waits this long for a lock
CONNECT_TIMEOUT_S = 10
CANCEL_TIMEOUT_S = 2   # quitting waits at most this long for the server to take a cancel request

_TOKEN = re.compile(
    r"""(?P<keep>'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*)"""   # literals, quoted names, comments: untouched
    r"""|(?P<q>\?)|(?<!:):(?P<name>[A-Za-z_]\w*)|(?P<pct>%)"""
    r"""|(?P<hint>\bNOT\s+INDEXED\b|\bINDEXED\s+BY\s+\w+)"""
    r"""|(?P<ignore>\bINSERT\s+OR\s+IGNORE\s+INTO\b)|(?P<begin>\bBEGIN\s+IMMEDIATE\b)|(?P<temp>\btemp\.)""",
    re.IGNORECASE)


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """The statement as PostgreSQL and psycopg take it (see the module's docstring for every rule)."""
    ignore = False

    def one(m: re.Match) -> str:
        nonlocal ignore
        kind = m.lastgroup
        if kind == "keep":
            return m.group(0)
        if kind == "q":
            return "%s"
        if kind == "name":
            return f"%({m.group('name')})s"
        if kind == "pct":
            return "%%"
        if kind == "ignore":
            ignore = True
            return "INSERT INTO"
        if kind == "begin":
            return "BEGIN"
        return ""   # a hint or the temp. prefix

    out = _TOKEN.sub(one, sql)
    if ignore:
        out = out.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
    return out


if psycopg is not None:
    class _NumericLoader(_Loader):
        """numeric as SQLite gives a sum: an int when whole, else a float (a Decimal would change every
        figure's type and its JSON)."""

        def load(self, data) -> Any:
            text = bytes(data)
            if b"." in text or b"e" in text or b"N" in text:
                return float(text)
            return int(text)


class PgConnection:
    """One connection to one shop's schema (see the module's docstring)."""

    backend = "postgresql"

    def __init__(self, raw, url: pgurl.PgUrl, read_only: bool):
        self.raw = raw
        self.url = url
        self.schema = url.schema
        self.read_only = read_only

    @property
    def loader_class(self):
        """The writer of order lines for this backend (store.ingest asks the connection for it)."""
        from .load import PgLoader

        return PgLoader

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Any = ()):
        try:
            return self.raw.execute(translate(sql), params if params else None)
        except psycopg.Error as exc:
            raise wrap(exc, self.url) from None

    def executemany(self, sql: str, seq: Iterable) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.executemany(translate(sql), list(seq))
        except psycopg.Error as exc:
            raise wrap(exc, self.url) from None

    def interrupt(self) -> None:
        """Stop the statement running now, from any thread (as sqlite3's interrupt()): quitting must not
        wait for a worker's query. A connection with nothing running is left alone (a cancel request is
        a connection of its own to the server)."""
        if self.raw.closed or self.raw.info.transaction_status != TransactionStatus.ACTIVE:
            return
        try:
            self.raw.cancel_safe(timeout=CANCEL_TIMEOUT_S)
        except psycopg.Error:   # the server is gone, or the statement finished meanwhile
            pass

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> "PgConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wrap(exc: Exception, url: pgurl.PgUrl) -> StoreError:
    """A PostgreSQL error as a StoreError naming the problem and the fix; never the password."""
    where = f"the PostgreSQL store {url.shown}"
    detail = url.scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if isinstance(exc, pgerrors.InsufficientPrivilege) and "for sequence" in detail:
        # a read: the live monitor reads the sequences' last values (a role granted SELECT on the tables
        # alone was told it "may not write", from `watch` and the app's panel, which only read)
        return StoreError(f"{where}: this role may not read the shop's sequences ({detail}), which the live "
                          f"monitor reads; nothing was changed. Grant them: GRANT SELECT ON ALL SEQUENCES IN "
                          f"SCHEMA {url.schema} TO <role> (the README's reader role has it).")
    if isinstance(exc, (pgerrors.InsufficientPrivilege, pgerrors.ReadOnlySqlTransaction)):
        return StoreError(f"{where}: this role may not write there ({detail}); nothing was changed. "
                          "Use a role that owns the shop's schema for ingest, or read with this one.")
    if isinstance(exc, (pgerrors.LockNotAvailable, pgerrors.DeadlockDetected)):
        return StoreBusy(f"{where} is busy: another writer kept a lock for more than {LOCK_TIMEOUT_S} s; "
                          "nothing was changed. Run the command again when it has finished.")
    if isinstance(exc, pgerrors.DiskFull):
        return StoreError(f"{where}: the server's disk is full ({detail}); nothing was changed.")
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"cannot use {where}: {detail}. Check the host, port, user and database of the URL, "
                          "and that the server is running and accepts this user.")
    return StoreError(f"{where}: {detail}")


def _open(url: pgurl.PgUrl, *, primary: bool):
    """primary: the server that takes writes, whatever the URL's target_session_attrs (a reader URL may
    list a primary and its standbys with prefer-standby: a writer, and the live monitor, must still land
    on the primary, and never try to write to a standby)."""
    if psycopg is None:
        raise pgurl.missing_driver(url)
    extra = {"target_session_attrs": "read-write"} if primary else {}
    if "connect_timeout" not in url.conninfo:
        extra["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in url.conninfo:
        extra["application_name"] = "shopintel"
    try:
        raw = psycopg.connect(url.conninfo, autocommit=True, cursor_factory=psycopg.ClientCursor, **extra)
    except psycopg.Error as exc:
        raise wrap(exc, url) from None
    raw.adapters.register_loader("numeric", _NumericLoader)
    return raw


def _version(raw, schema: str) -> int | None:
    """The shop schema's version; None when it holds no shopintel store. Refuses a foreign schema."""
    exists = raw.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", (schema,)).fetchone()[0]
    if not exists:
        return None
    tables = raw.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone()[0]
    if tables == 0:
        return None
    has = raw.execute("SELECT to_regclass(%s) IS NOT NULL",
                      (f'"{schema}".schema_version',)).fetchone()[0]
    if not has:
        raise StoreError(f"the schema {schema} holds tables but no shopintel store; refusing to change it. "
                         "Name another schema with ?schema=NAME.")
    return raw.execute(f'SELECT version FROM "{schema}".schema_version').fetchone()[0]


def _check_code() -> None:
    if LATEST != SCHEMA_VERSION:
        raise StoreError(f"this shopintel has no PostgreSQL form of schema version {SCHEMA_VERSION} "
                         f"(PostgreSQL schema {LATEST}); the PostgreSQL backend cannot be used with this build.")


def _create_or_migrate(raw, url: pgurl.PgUrl) -> None:
    """Create the shop's schema and tables, or migrate them: in one transaction, under a lock per shop, so
    two writers starting at once never both create it."""
    schema = url.schema
    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"shopintel:{schema}",))
        version = _version(raw, schema)
        if version is not None and version > SCHEMA_VERSION:
            raise _too_new(url, version)
        raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        raw.execute(f'SET LOCAL search_path TO "{schema}"')
        if version is None:
            raw.execute(CREATE)
            version = CREATED_VERSION
        for target in range(version + 1, SCHEMA_VERSION + 1):
            raw.execute(MIGRATIONS[target])
            raw.execute("UPDATE schema_version SET version = %s", (target,))


def _too_new(url: pgurl.PgUrl, version: int) -> StoreError:
    return StoreError(f"the store {url.shown} was written by a newer shopintel (schema version {version}; this "
                      f"one reads up to {SCHEMA_VERSION}). Upgrade shopintel: pip install -U 'shopintel[postgres]'.")


def connect(url: pgurl.PgUrl | str, *, create: bool = True) -> PgConnection:
    """A writer connection to the shop's schema, created (or migrated) when needed."""
    url = pgurl.parse(url) if isinstance(url, str) else url
    _check_code()
    raw = _open(url, primary=True)
    try:
        if create:
            _create_or_migrate(raw, url)
        else:
            version = _version(raw, url.schema)
            if version is None:
                raise StoreError(f"no store at {url.shown}. Import data first: shopintel ingest FILE --db URL")
            if version > SCHEMA_VERSION:
                raise _too_new(url, version)
        raw.execute(f'SET search_path TO "{url.schema}"')
        raw.execute(f"SET lock_timeout = '{LOCK_TIMEOUT_S}s'")
    except psycopg.Error as exc:
        raw.close()
        raise wrap(exc, url) from None
    except BaseException:
        raw.close()
        raise
    return PgConnection(raw, url, read_only=False)


def connect_read_only(url: pgurl.PgUrl | str, *, primary: bool = False) -> PgConnection:
    """A reader: every transaction of the session is READ ONLY, so it can never write, even by mistake.
    It goes where the URL's target_session_attrs sends it (a standby with prefer-standby), or with
    `primary` to the primary (the live monitor: store/pg/live.py reads the writers' locks there)."""
    url = pgurl.parse(url) if isinstance(url, str) else url
    _check_code()
    raw = _open(url, primary=primary)
    try:
        version = _version(raw, url.schema)
        if version is None:
            raise StoreError(f"no store at {url.shown} (no shopintel tables in schema {url.schema}). "
                             "Import data first: shopintel ingest FILE --db URL")
        if version > SCHEMA_VERSION:
            raise _too_new(url, version)
        if version < SCHEMA_VERSION:
            raise StoreError(f"the store {url.shown} uses an older schema (version {version}); open it once "
                             "for writing (an ingest) to upgrade it.")
        raw.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        raw.execute(f'SET search_path TO "{url.schema}"')
    except psycopg.Error as exc:
        raw.close()
        raise wrap(exc, url) from None
    except BaseException:
        raw.close()
        raise
    return PgConnection(raw, url, read_only=True)


def refuse_unless_writable(conn: PgConnection, table: str) -> None:
    """StoreError unless this role may insert and update `table` of the shop (a read-only role may connect,
    and would fail only at its first write)."""
    may = conn.execute("SELECT has_table_privilege(?, 'INSERT') AND has_table_privilege(?, 'UPDATE')",
                       (table, table)).fetchone()[0]
    if not may:
        raise StoreError(f"the PostgreSQL store {conn.url.shown}: this role may not write {table}; "
                         "nothing will be written there.")


def lock_shop(raw, schema: str, what: str = "write") -> None:
    """Wait for (and hold until the transaction ends) the shop's lock on `what`: "write" serialises the
    writers of one shop; another name ("alerts") a narrower check-then-write, which no reader and no other
    kind of writer waits for."""
    raw.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"shopintel-{what}:{schema}",))


@contextmanager
def writing(url: pgurl.PgUrl | str) -> Iterator[PgConnection]:
    """A writer whose whole use is one transaction, the shop's schema created inside it when missing: all of
    it commits, or nothing (not even the schema) is left (`shopintel copy`). Alone among the shop's writers."""
    url = pgurl.parse(url) if isinstance(url, str) else url
    _check_code()
    raw = _open(url, primary=True)
    try:
        with raw.transaction():
            _create_or_migrate(raw, url)   # a savepoint of this transaction; its SET LOCAL search_path holds
            raw.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
            lock_shop(raw, url.schema)
            yield PgConnection(raw, url, read_only=False)
    except psycopg.Error as exc:
        raise wrap(exc, url) from None
    finally:
        raw.close()
