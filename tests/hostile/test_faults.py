"""Faults: bad store paths, read-only stores, a full disk, and SIGKILL in the middle of a large import.
Each ends with a clear message and a non-zero exit, no traceback, and nothing lost."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, check_store
from tests.hostile.helpers import BASE, assert_clean, fingerprint, totals

COMMANDS = {
    "ingest": lambda data: ["ingest", str(data)],
    "report": lambda data: ["report", "summary"],
    "stock set": lambda data: ["stock", "set", "MUG", "5"],
    "doctor": lambda data: ["doctor"],
    "watch --once": lambda data: ["watch", "--once"],
    "backup": lambda data: ["backup", str(data.with_name("copy.db"))],
}


@pytest.fixture
def base_csv(write_csv):
    return write_csv(BASE, "base.csv")


def run(cli, db, args):
    r = cli(*args, "--db", str(db))
    assert_clean(r)
    return r


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_directory_instead_of_a_store(tmp_path, base_csv, cli, command):
    r = run(cli, tmp_path, COMMANDS[command](base_csv))
    assert r.returncode != 0 and "is a directory" in r.stderr


@pytest.mark.parametrize("command", ["report", "doctor", "watch --once", "backup"])
def test_a_missing_store_for_commands_that_read(tmp_path, base_csv, cli, command):
    r = run(cli, tmp_path / "none.db", COMMANDS[command](base_csv))
    assert r.returncode != 0 and "no store at" in r.stderr
    assert not (tmp_path / "none.db").exists()


def test_stock_set_on_a_missing_store_says_so_and_creates_nothing(tmp_path, base_csv, cli):
    r = run(cli, tmp_path / "none.db", COMMANDS["stock set"](base_csv))
    assert r.returncode != 0 and "no store at" in r.stderr and "shopintel ingest" in r.stderr
    assert not (tmp_path / "none.db").exists()


def test_ingest_creates_a_missing_store_and_its_folder(tmp_path, base_csv, cli):
    db = tmp_path / "new" / "folder" / "shop.db"
    assert run(cli, db, COMMANDS["ingest"](base_csv)).returncode == 0
    check_store(db)


def test_a_store_path_under_a_file_is_explained(tmp_path, base_csv, cli):
    (tmp_path / "afile").write_text("x")
    r = run(cli, tmp_path / "afile" / "shop.db", COMMANDS["ingest"](base_csv))
    assert r.returncode == 1 and "cannot create the folder" in r.stderr


def _foreign_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.db"
    text.write_text("this is not a database, it is a shopping list\n" * 100)
    other = tmp_path / "other.db"
    c = sqlite3.connect(other)
    c.execute("CREATE TABLE recipes (name TEXT)")
    c.execute("INSERT INTO recipes VALUES ('soup')")
    c.commit()
    c.close()
    newer = tmp_path / "newer.db"
    from shopintel.store.db import connect
    connect(newer).close()
    c = sqlite3.connect(newer)
    c.execute("PRAGMA user_version = 99")
    c.close()
    return {"text file": (text, "not a shopintel store"), "other SQLite database": (other, "not a shopintel store"),
            "newer schema": (newer, "newer shopintel")}


@pytest.mark.parametrize("kind", ["text file", "other SQLite database", "newer schema"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_foreign_files_are_refused_and_left_byte_for_byte(tmp_path, base_csv, cli, kind, command):
    path, words = _foreign_files(tmp_path)[kind]
    before = path.read_bytes()
    r = run(cli, path, COMMANDS[command](base_csv))
    assert r.returncode != 0, r.stdout
    assert words in r.stderr
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists() or path.with_name(path.name + "-wal").stat().st_size == 0


# ------------------------------------------------------------------ read-only

def _can_mount_read_only() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && ! touch "$0/x" 2>/dev/null'
        return subprocess.run(["unshare", "-m", "sh", "-c", script, d], capture_output=True).returncode == 0


def run_read_only(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    """Run shopintel with `folder` (and the store in it) not writable: as a normal user by permissions,
    as root (who ignores permissions) through a private read-only bind mount."""
    cmd = [sys.executable, "-m", "shopintel.tui.cli", *args]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    if os.geteuid() == 0:
        script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
        cmd = ["unshare", "-m", "sh", "-c", script, str(folder), *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    modes = {p: p.stat().st_mode for p in (folder, *folder.iterdir())}
    try:
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    finally:
        for p, m in modes.items():
            p.chmod(m)


@pytest.fixture
def ro_store(tmp_path, base_csv, cli):
    if os.geteuid() == 0 and not _can_mount_read_only():
        pytest.skip("running as root without mount namespaces: cannot make a file read-only for root")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "shop.db"
    assert cli("ingest", str(base_csv), "--db", str(db)).returncode == 0
    return db


@pytest.mark.parametrize("command", ["report", "doctor", "watch --once"])
def test_readers_work_on_a_read_only_store_and_change_nothing(ro_store, base_csv, command):
    before = ro_store.read_bytes()
    r = run_read_only(ro_store.parent, [*COMMANDS[command](base_csv), "--db", str(ro_store)])
    assert_clean(r)
    assert r.returncode == 0, r.stderr
    assert ro_store.read_bytes() == before


@pytest.mark.parametrize("command", ["ingest", "stock set"])
def test_writers_on_a_read_only_store_say_so(ro_store, base_csv, command):
    before = fingerprint(ro_store)
    r = run_read_only(ro_store.parent, [*COMMANDS[command](base_csv), "--db", str(ro_store)])
    assert_clean(r)
    assert r.returncode != 0 and "read-only" in r.stderr
    assert fingerprint(ro_store) == before


def test_the_read_only_connection_refuses_every_write(db_path, base_csv, cli):
    from shopintel.store.db import connect_read_only

    assert cli("ingest", str(base_csv), "--db", str(db_path)).returncode == 0
    conn = connect_read_only(db_path)
    for sql in ("DELETE FROM sales", "DROP TABLE sales", "INSERT INTO categories (name) VALUES ('x')",
                "UPDATE products SET name = 'x'", "PRAGMA user_version = 5"):
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute(sql)
    conn.close()


# ------------------------------------------------------------------ full disk

def run_limited(args: list[str], kib: int) -> subprocess.CompletedProcess:
    """shopintel with files limited to `kib` KiB (ulimit -f): writes beyond fail like a full disk."""
    cmd = " ".join(["ulimit", "-f", str(kib), "&&", "exec", sys.executable, "-m", "shopintel.tui.cli",
                    *(f"'{a}'" for a in args)])
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    from shopintel.store import synth

    path = tmp_path_factory.mktemp("big") / "orders.csv"
    synth.write_csv(str(path), 120_000, seed=11)
    return path


def test_a_full_disk_during_an_import_changes_nothing(db_path, base_csv, big_csv, cli):
    assert cli("ingest", str(base_csv), "--db", str(db_path)).returncode == 0
    before = fingerprint(db_path)
    size_kib = db_path.stat().st_size // 1024
    r = run_limited(["ingest", str(big_csv), "--db", str(db_path), "--rejects", str(db_path.with_name("r.csv"))],
                    size_kib + 2048)
    assert_clean(r)
    assert r.returncode == 1
    assert "full or failing" in r.stderr and "nothing was changed" in r.stderr
    assert fingerprint(db_path) == before
    assert cli("doctor", "--db", str(db_path)).returncode == 0


def test_a_full_disk_during_a_backup_leaves_no_half_copy(db_path, big_csv, cli, tmp_path):
    assert cli("ingest", str(big_csv), "--db", str(db_path)).returncode == 0
    dest = tmp_path / "copy.db"
    r = run_limited(["backup", str(dest), "--db", str(db_path)], 512)
    assert_clean(r)
    assert r.returncode == 1 and "could not write the backup" in r.stderr
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")] == []


# ------------------------------------------------------------------ SIGKILL in the middle of an import

def assert_no_process_left(marker: str, timeout: float = 10.0) -> None:
    """No process whose command line names `marker` is left (waits for the kernel to end them)."""
    def left() -> list[int]:
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != os.getpid():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if marker.encode() in f.read():
                            with open(f"/proc/{entry}/stat") as s:
                                if s.read().rsplit(")", 1)[1].split()[0] != "Z":   # a zombie is gone
                                    pids.append(int(entry))
                except OSError:
                    pass
        return pids

    deadline = time.monotonic() + timeout
    while left() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left() == [], "a process of the killed import is still running"


def assert_no_session_left(admin, timeout: float = 60.0) -> None:
    """PostgreSQL: the killed import's server process has ended, so its transaction is rolled back (the
    server notices a dead client when it next reads from or writes to it, at the latest when the statement
    running ends). Each xdist worker has a cluster of its own: every shopintel session in it is this test's."""
    def left() -> list[int]:
        return [r[0] for r in admin.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'shopintel' "
                                            "AND pid <> pg_backend_pid()").fetchall()]

    deadline = time.monotonic() + timeout
    while left() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left() == [], "the killed import's server session is still running"


@pytest.mark.slow
def test_sigkill_during_a_large_import_leaves_before_or_after(store, request, base_csv, big_csv, cli):
    """On SQLite the journal rolls the killed write back on the next open; on PostgreSQL the server rolls
    back the killed import's one transaction, leaving the schema as it was."""
    db = store
    ref = store.sibling("reference")
    for target in (db, ref):
        assert cli("ingest", str(base_csv), *target.db).returncode == 0
    before = totals(db)
    t0 = time.monotonic()
    assert cli("ingest", str(big_csv), *ref.db).returncode == 0
    full_time = time.monotonic() - t0
    after = totals(ref)
    assert after != before
    admin = request.getfixturevalue("pg_admin") if db.is_pg else None
    rng = random.Random(7)
    env = {**os.environ, "NO_COLOR": "1"}
    outcomes = []
    for attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "ingest", str(big_csv), *db.db],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, full_time * 0.95))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert_no_process_left(str(db))   # the second process reading the file (store/ingest/pipeline.py) too
        if admin is not None:
            assert_no_session_left(admin)
        db.check()   # integrity, foreign keys (SQLite), kept aggregates == recomputation
        now = totals(db)
        assert now in (before, after), (attempt, now)
        outcomes.append(now == after)
        before = now   # a finished run is the new "before" (re-import replaces, never adds)
    r = cli("ingest", str(big_csv), *db.db)
    assert r.returncode == 0, r.stderr
    assert totals(db) == after   # no duplicates
    db.check()
