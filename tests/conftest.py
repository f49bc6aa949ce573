"""Shared fixtures: stores in temporary folders, CSV files written by the test, and the
`shopintel` command run as a real subprocess. Every store a test makes through `db_path`
is checked at teardown: integrity, foreign keys and the kept aggregates."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg.fixtures import pg_admin, pg_cluster, pg_live, pg_standby, pg_url, replicas  # noqa: F401  (fixtures)
from tests.stores import BACKENDS, make_module_store, make_store

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FOLDERS = ("tui", "store", "reports")


def pytest_sessionstart(session) -> None:
    """The suite tests the installed `shopintel`. With a non-editable install (the README's command), a
    checkout edited since the install would be tested as it was: refuse that instead of passing stale."""
    import shopintel.tui

    installed = Path(shopintel.tui.__file__).resolve().parent.parent
    if installed == ROOT:
        return   # editable: the checkout itself
    stale = [str(p.relative_to(ROOT)) for folder in PACKAGE_FOLDERS for p in sorted((ROOT / folder).rglob("*"))
             if p.suffix in (".py", ".tcss") and "__pycache__" not in p.parts
             and not _same_file(p, installed / p.relative_to(ROOT))]
    if stale:
        pytest.exit(f"the installed shopintel ({installed}) is not this checkout ({len(stale)} files differ, "
                    f"e.g. {stale[0]}): run pip install '.[test]' again, or pip install -e '.[test]' while "
                    "developing", returncode=4)


def _same_file(a: Path, b: Path) -> bool:
    return b.is_file() and a.read_bytes() == b.read_bytes()


def check_store(path: Path) -> None:
    """The invariants every store must keep after any operation."""
    from shopintel.store.aggregates import mismatches

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        if conn.execute("PRAGMA user_version").fetchone()[0] > 0:
            assert mismatches(conn) == {t: 0 for t in mismatches(conn)}
    finally:
        conn.close()


@pytest.fixture
def db_path(tmp_path: Path):
    path = tmp_path / "shop.db"
    yield path
    if path.exists() and path.stat().st_size > 0:
        try:
            check_store(path)
        except sqlite3.DatabaseError:
            pass  # tests that deliberately corrupt the file


@pytest.fixture(params=BACKENDS)
def store(request):
    """The test's store on each backend (tests/stores.py): an SQLite file (checked at teardown by
    `db_path`), then a fresh PostgreSQL shop schema, whose kept totals are checked at teardown."""
    made = make_store(request)
    yield made
    if made.is_pg and made.exists():
        made.check()


@pytest.fixture(scope="module", params=BACKENDS)
def module_store(request):
    """An empty store on each backend shared by a module's tests, for the modules that fill it once and
    then only read it (importing per test would cost a command or two each, on both backends)."""
    made = make_module_store(request)
    yield made
    if made.exists():
        made.check()


@pytest.fixture
def write_csv(tmp_path: Path):
    """write_csv(text_or_bytes, name='orders.csv') -> path of a real file."""

    def _write(content: str | bytes, name: str = "orders.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline="")
        return path

    return _write


def shopintel(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 120,
              cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess (the same entry point as the console script)."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    return subprocess.run([sys.executable, "-m", "shopintel.tui.cli", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout, cwd=cwd or ROOT)


@pytest.fixture
def cli():
    return shopintel
