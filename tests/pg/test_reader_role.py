"""The README's PostgreSQL variant of the SSH recipe, its SQL run as written: a role with only SELECT on the
shop's schema runs every report through the command line (the same JSON as the owner's), and its writes
(ingest, stock, copy into the schema) fail with a clear message and change nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopintel.reports.registry import REPORTS
from tests.conftest import shopintel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_orders.csv"
STOCK = ROOT / "data" / "sample_stock.csv"


def readme_sql() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"\*\*A PostgreSQL store over SSH\*\*.*?```sql\n(.*?)\n```", text, re.S)
    assert block, "the README's SQL for a role that may only read"
    return [s.strip() for s in block.group(1).split(";") if s.strip()]


@pytest.fixture
def reader(pg_cluster, pg_admin):
    """The shop `acme` of the database `shops` owned by the role `shop`, and the README's reader: the owner
    and the reader are the README's, created here (the owner is not a superuser)."""
    import psycopg

    for statement in ("DROP DATABASE IF EXISTS shops WITH (FORCE)", "DROP ROLE IF EXISTS acme_reader",
                      "DROP ROLE IF EXISTS shop", "CREATE ROLE shop LOGIN CREATEROLE", "CREATE DATABASE shops OWNER shop"):
        pg_admin.execute(statement)
    owner = pg_cluster.url("shops", schema="acme").replace(f"://{pg_cluster.user}@", "://shop@")
    assert shopintel("ingest", str(SAMPLE), "--db", owner).returncode == 0
    assert shopintel("stock", "import", str(STOCK), "--db", owner).returncode == 0
    with psycopg.connect(owner.split("?")[0], autocommit=True) as conn:
        for statement in readme_sql():
            conn.execute(statement)
        yield owner, owner.replace("://shop@", "://acme_reader@"), conn
    pg_admin.execute("DROP DATABASE shops WITH (FORCE)")
    pg_admin.execute("DROP ROLE acme_reader")
    pg_admin.execute("DROP ROLE shop")


def _state(url) -> list[str]:
    return [shopintel("report", name, "--format", "json", "--db", url).stdout for name in ("summary", "reorder")]


def test_the_reader_runs_every_report_as_the_owner_does(reader):
    owner, url, _ = reader
    for name in REPORTS:
        theirs = shopintel("report", name, "--format", "json", "--db", url)
        assert theirs.returncode == 0, f"{name}: {theirs.stderr}"
        assert theirs.stdout == shopintel("report", name, "--format", "json", "--db", owner).stdout
        assert theirs.stdout.strip() not in ("", "[]")


def test_the_readers_writes_fail_clearly_and_change_nothing(reader, tmp_path):
    owner, url, _ = reader
    before = _state(owner)
    other = tmp_path / "other.db"
    assert shopintel("ingest", str(SAMPLE), "--db", str(other)).returncode == 0
    for args in (["ingest", str(SAMPLE)], ["stock", "import", str(STOCK)], ["stock", "set", "HOM-00043", "1"],
                 ["doctor", "--repair"]):
        r = shopintel(*args, "--db", url)
        assert r.returncode != 0, args
        assert "this role may not write there" in r.stderr and "nothing was changed" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = shopintel("copy", str(other), url, "--replace")
    assert r.returncode != 0 and "may not write" in r.stderr and "Traceback" not in r.stderr
    assert _state(owner) == before


def test_a_table_a_later_shopintel_adds_is_readable_by_the_reader(reader, pg_cluster):
    """ALTER DEFAULT PRIVILEGES: the owner's next table (a migration's) is granted too."""
    import psycopg

    _, url, conn = reader
    conn.execute("CREATE TABLE acme.added_later (x bigint)")
    conn.execute("INSERT INTO acme.added_later VALUES (1)")
    with psycopg.connect(pg_cluster.url("shops").replace(f"://{pg_cluster.user}@", "://acme_reader@")) as r:
        assert r.execute("SELECT x FROM acme.added_later").fetchone() == (1,)


def test_the_reader_watches_in_memory_and_opens_the_app_read_only(reader):
    """A role that may only read gets the monitor's read-only mode (alerts shown, not stored) from `watch`,
    and the app's (tests/pg/test_app_pg.py drives the app itself; here its readers' first calls)."""
    from shopintel.tui.cmd_app import empty_store_message
    from shopintel.tui.data import PeriodChoice, Store

    owner, url, conn = reader
    r = shopintel("watch", "--once", "--db", url)
    assert r.returncode == 0, r.stderr
    assert "alerts are shown but not stored" in r.stderr and "Traceback" not in r.stderr
    assert conn.execute("SELECT count(*) FROM acme.alerts").fetchone()[0] == 0
    store = Store(url)
    assert empty_store_message(store.path) is None
    assert store.overview_cards(PeriodChoice())["now"].orders > 0


def test_a_reader_without_the_sequences_is_told_the_grant_it_lacks(reader):
    """A reader role made before the README granted the sequences: `watch` reads them, and is told which
    grant it lacks (not that it "may not write", which it never tried)."""
    owner, url, conn = reader
    conn.execute("REVOKE SELECT ON ALL SEQUENCES IN SCHEMA acme FROM acme_reader")
    r = shopintel("watch", "--once", "--db", url)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "may not read the shop's sequences" in r.stderr and "GRANT SELECT ON ALL SEQUENCES IN SCHEMA acme" in r.stderr
    assert "may not write" not in r.stderr
