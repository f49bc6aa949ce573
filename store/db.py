"""Opening the store: the default location, writer and read-only connections, migrations.

Every connection has foreign keys on, a busy timeout, WAL journal and
`synchronous=NORMAL`. Writers apply forward migrations on open; a store
written by a newer shopintel is refused.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from .errors import StoreError
from .pg import url as pgurl   # light: no driver
from .schema import MIGRATIONS, SCHEMA_VERSION
from .sql import atomic, is_postgresql, statements

BUSY_TIMEOUT_MS = 10_000
CACHE_KIB = 65_536   # SQLite page cache per connection: imports and reports work through many pages
ENV_VAR = "SHOPINTEL_DB"


def data_dir() -> Path:
    """Where shopintel keeps its stores: `$XDG_DATA_HOME/shopintel` or `~/.local/share/shopintel`."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "shopintel"


def default_db_path() -> Path:
    return data_dir() / "shop.db"


# `scheme://...`: a URL, never a file name (a path like C:\\shop.db or ./a:b.db has no "://")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
PG_EXAMPLE = "--db 'postgresql://USER@HOST:PORT/DBNAME?schema=SHOP'"


def locate(cli_value: "str | os.PathLike | pgurl.PgUrl | None") -> "Path | pgurl.PgUrl":
    """The store named by `--db VALUE`, else `$SHOPINTEL_DB`, else the default file: the Path of an SQLite
    file, or the parsed URL of a PostgreSQL store (`postgresql://...`; its password never shown). A URL of
    any other scheme is refused: taken as a path, `mysql://host/db` would silently become an SQLite file
    in a folder called `mysql:`."""
    if isinstance(cli_value, pgurl.PgUrl):
        return cli_value
    if cli_value:
        value, where = os.fspath(cli_value), "--db"
    elif os.environ.get(ENV_VAR):
        value, where = os.environ[ENV_VAR], f"${ENV_VAR}"
    else:
        return default_db_path()
    match = _URL.match(value)
    if match is None:
        return Path(value).expanduser()
    # only the scheme is repeated: the rest of a URL may hold a user name and password
    scheme = match.group(1).lower()
    if scheme in pgurl.SCHEMES:
        return pgurl.parse(value, where)
    raise StoreError(f"{where} looks like a URL ({scheme}://...), but shopintel knows no '{scheme}' store; "
                     "nothing was created. Give the path of an SQLite store file (e.g. --db shop.db) or the URL "
                     f"of a PostgreSQL store ({PG_EXAMPLE}).")


def sqlite_only(cli_value: "str | os.PathLike | pgurl.PgUrl | None", command: str, advice: str) -> Path:
    """The SQLite store file of a command that has no PostgreSQL form; a PostgreSQL URL is refused, before
    anything is opened, with `advice` (what to do instead)."""
    found = locate(cli_value)
    if isinstance(found, Path):
        return found
    raise StoreError(f"shopintel {command} works on an SQLite store file only, and {found.where} names a "
                     f"PostgreSQL store ({found.shown}); nothing was done. {advice}")


def store_identity(conn) -> str:
    """Which store a connection reads (a cache key: the same for every connection to one store): the
    SQLite file's path, or the PostgreSQL URL (masked) and schema."""
    if is_postgresql(conn):
        return f"{conn.url.shown}#{conn.schema}"
    return conn.execute("PRAGMA database_list").fetchone()[2]


def _configure(conn: sqlite3.Connection, *, read_only: bool, cache_kib: int = CACHE_KIB) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")


def _wrap(exc: sqlite3.Error, path: Path) -> StoreError:
    msg = str(exc)
    if "file is not a database" in msg or "file is encrypted" in msg:
        return StoreError(f"{path} is not a shopintel store (not an SQLite database). "
                          "Point --db at a store, or at a new path to create one.")
    if "unable to open" in msg and path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return StoreError(f"the store {path} (or its folder) is read-only for this user: cannot write to it; "
                          "nothing was changed. Check the permissions, or copy the store somewhere writable.")
    if "unable to open" in msg:
        return StoreError(f"cannot open the store {path}: the file or its folder is missing or not accessible. "
                          "Check the path given with --db or $SHOPINTEL_DB.")
    if "readonly" in msg or "read-only" in msg:
        return StoreError(f"the store {path} is read-only for this user: cannot write to it. "
                          "Check the file's and folder's permissions, or open it for reading only.")
    if "disk" in msg and ("full" in msg or "I/O" in msg):
        return StoreError(f"the disk holding {path} is full or failing ({msg}); nothing was changed. "
                          "Free some space and run the command again.")
    if "locked" in msg or "busy" in msg:
        return StoreError(f"the store {path} is busy: another shopintel (an import, simulate, a backup) kept it "
                          f"locked for more than {BUSY_TIMEOUT_MS // 1000} s; nothing was changed. "
                          "Run the command again when it has finished.")
    if "malformed" in msg or "corrupt" in msg:
        return StoreError(f"the store {path} is damaged ({msg}). Run shopintel doctor --db {path}, and restore "
                          "a backup (shopintel backup makes one) or re-import your exports into a new store.")
    return StoreError(f"store {path}: {msg}")


def _check_version(conn: sqlite3.Connection, path: Path) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the store {path} was written by a newer shopintel (schema version {version}; "
            f"this one reads up to {SCHEMA_VERSION}). Upgrade shopintel: pip install -U shopintel."
        )
    return version


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    """A non-empty file at version 0 is some other SQLite database: do not touch it."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0]
        if tables:
            raise StoreError(f"{path} is an SQLite database but not a shopintel store; refusing to change it. "
                             "Use a new path for the store.")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply every migration the store has not seen, each in its own transaction."""
    version = _check_version(conn, path)
    _refuse_foreign(conn, path)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with atomic(conn):
            for statement in statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")


def connect(path: "str | os.PathLike | pgurl.PgUrl | None" = None, *, create: bool = True):
    """A writer connection, migrated to the current schema. Creates the store when missing. A PostgreSQL
    store's is a PgConnection (store/pg/connection.py), which answers the same calls."""
    db = locate(path)
    if not isinstance(db, Path):
        from .pg.connection import connect as connect_pg

        return connect_pg(db, create=create)
    if db.is_dir():
        raise StoreError(f"{db} is a directory, not a store file. Give a file path, e.g. --db {db / 'shop.db'}.")
    if not db.exists():
        if not create:
            raise StoreError(f"no store at {db}. Import data first: shopintel ingest FILE --db {db}")
        try:
            db.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the store {db}: {exc.strerror}.") from None
    try:
        conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Refuse a newer or foreign database *before* switching it to WAL: that would rewrite its header.
        _check_version(conn, db)
        _refuse_foreign(conn, db)
        _configure(conn, read_only=False)
        migrate(conn, db)
    except sqlite3.Error as exc:
        raise _wrap(exc, db) from None
    return conn


def connect_read_only(path: "str | os.PathLike | pgurl.PgUrl | None" = None, *, cache_kib: int = CACHE_KIB,
                      primary: bool = False):
    """A reader connection (`mode=ro`; on PostgreSQL a READ ONLY session): it can never write, even by
    mistake. A process that keeps several SQLite readers open (the app: one per worker thread) gives each
    a smaller page cache (`cache_kib`). `primary`: on PostgreSQL, read the primary whatever the URL
    prefers (the live monitor reads the writers' locks, which a standby does not have)."""
    db = locate(path)
    if not isinstance(db, Path):
        from .pg.connection import connect_read_only as connect_pg_read_only

        return connect_pg_read_only(db, primary=primary)
    if db.is_dir():
        raise StoreError(f"{db} is a directory, not a store file. Give a file path, e.g. --db {db / 'shop.db'}.")
    if not db.exists():
        raise StoreError(f"no store at {db}. Import data first: shopintel ingest FILE --db {db}  "
                         "(or try the demo: shopintel demo)")
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)
        try:
            _configure(conn, read_only=True, cache_kib=cache_kib)
            version = _check_version(conn, db)
        except sqlite3.OperationalError:
            conn.close()
            if not _read_only_folder(db):
                raise
            # A WAL store in a folder nobody can write (read-only mount, backup media): SQLite cannot create
            # the shared-memory file a WAL reader needs. No writer can be running there, so read the file as
            # immutable.
            conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                   isolation_level=None, check_same_thread=False)
            _configure(conn, read_only=True, cache_kib=cache_kib)
            version = _check_version(conn, db)
        if version < SCHEMA_VERSION:
            if version == 0:
                raise StoreError(f"{db} is not a shopintel store (no shopintel schema). "
                                 "Point --db at a store created by shopintel ingest or shopintel demo.")
            raise StoreError(f"the store {db} uses an older schema (version {version}); open it once for "
                             "writing to upgrade it, e.g. shopintel doctor --db " + str(db))
    except sqlite3.Error as exc:
        raise _wrap(exc, db) from None
    return conn


def connect_alert_writer(path: "str | os.PathLike | pgurl.PgUrl | None" = None):
    """The live monitor's writer (the alerts it raises, the acknowledgements), refused up front with a
    StoreError where this user may not write them: an SQLite file this user cannot write fails to open;
    a PostgreSQL role may connect and read, so its grants are asked (a SELECT-only role would otherwise
    fail at the first alert). The monitor then keeps its alerts in memory instead."""
    conn = connect(path, create=False)
    if is_postgresql(conn):
        from .pg.connection import refuse_unless_writable

        try:
            refuse_unless_writable(conn, "alerts")
        except BaseException:
            conn.close()
            raise
    return conn


def lock_wait(conn, ms: int) -> None:
    """How long this connection waits for another writer's lock before a statement fails with a lock
    error (store.errors.is_lock_error), for a caller that tries again itself (store/writer.py): SQLite's
    busy timeout, PostgreSQL's lock_timeout."""
    if is_postgresql(conn):
        conn.execute(f"SET lock_timeout = '{int(ms)}ms'")
    else:
        conn.execute(f"PRAGMA busy_timeout = {int(ms)}")


def _read_only_folder(db: Path) -> bool:
    wal = db.with_name(db.name + "-wal")
    return not os.access(db.parent, os.W_OK) and not (wal.exists() and wal.stat().st_size > 0)


def is_empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM sales)").fetchone()[0] == 1
