"""Fixtures for end-to-end tests: a small fixed store, the installed `shopintel` command,
and a throwaway SSH server whose only key is forced to the read-only dashboard."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.sshd import find_sshd, start_sshd
from tests.e2e.terminal import shell_join

ROOT = Path(__file__).resolve().parents[2]
STORE_END = date(2026, 6, 30)


def shopintel_argv() -> list[str]:
    """The console script installed beside the Python running the tests (what a user runs), else the module."""
    exe = Path(sys.executable).with_name("shopintel")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "shopintel.tui.cli"]


def store_digest(path: Path) -> str:
    """A digest of the store's content (every table's rows), independent of WAL/page layout."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    h = hashlib.sha256()
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


def sales_count(path: Path) -> int:
    """Order lines in a store, read without disturbing its writers."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory) -> Path:
    from shopintel.store import synth
    from shopintel.store.db import connect

    path = tmp_path_factory.mktemp("e2e") / "shop.db"
    conn = connect(path)
    synth.build_store(conn, 12_000, seed=5, end=STORE_END)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(scope="session")
def top_whale(e2e_store) -> str:
    conn = sqlite3.connect(e2e_store)
    name = conn.execute("SELECT c.name FROM agg_customer a JOIN customers c USING (customer_id) "
                        "ORDER BY a.net_cents DESC, a.customer_id LIMIT 1").fetchone()[0]
    conn.close()
    return name


@pytest.fixture(scope="session")
def live_store(tmp_path_factory, e2e_store) -> Path:
    """A copy of the shop whose stock is plentiful: no alert is due until the test makes one."""
    path = tmp_path_factory.mktemp("live") / "live.db"
    shutil.copy(e2e_store, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE inventory SET on_hand = on_hand + 100000")
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("exports")


def forced(store: Path, cwd: Path) -> str:
    """The authorized_keys forced command of the README's recipe, for a store."""
    return f"cd {cwd} && " + shell_join([*shopintel_argv(), "tui", "--read-only", "--db", str(store)])


@pytest.fixture(scope="session")
def ssh_keys(tmp_path_factory, e2e_store, live_store, export_dir):
    """name -> server handle: 'shop' opens the shop read-only, 'live' the live copy."""
    if find_sshd() is None:
        pytest.fail("sshd is not installed: apt-get install openssh-server (.ci/run does it)")
    servers = start_sshd(tmp_path_factory.mktemp("sshd"), {"shop": forced(e2e_store, export_dir),
                                                          "live": forced(live_store, export_dir)})
    yield servers
    servers["shop"].stop()
