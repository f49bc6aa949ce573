"""The command line on a PostgreSQL store: `--db postgresql://...` and `$SHOPINTEL_DB` select it in every
command, which then works or refuses in one line that says why and what to do instead (no traceback,
nothing changed); without psycopg the message names the extra to install."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import shopintel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_orders.csv"
STOCK = ROOT / "data" / "sample_stock.csv"


def clean(run) -> None:
    """A run that said what it had to without a traceback or an 'unexpected error'."""
    assert "Traceback" not in run.stderr and "unexpected error" not in run.stderr, run.stderr


def one_line_refusal(run, *words: str) -> None:
    clean(run)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_ingest_and_report_through_the_cli_give_what_sqlite_gives(pg_url, tmp_path):
    db = tmp_path / "shop.db"
    for store in (pg_url, str(db)):
        r = shopintel("ingest", str(SAMPLE), "--db", store)
        assert r.returncode == 0, r.stderr
    assert "Imported" in r.stdout
    for name in ("summary", "whales", "revenue"):
        on_pg = shopintel("report", name, "--format", "json", "--db", pg_url)
        on_sqlite = shopintel("report", name, "--format", "json", "--db", str(db))
        assert on_pg.returncode == 0, on_pg.stderr
        assert on_pg.stdout == on_sqlite.stdout and on_pg.stdout.strip()


def test_shopintel_db_selects_postgresql_as_db_does(pg_url, tmp_path):
    r = shopintel("ingest", str(SAMPLE), env={"SHOPINTEL_DB": pg_url})
    assert r.returncode == 0, r.stderr
    via_env = shopintel("report", "summary", "--format", "json", env={"SHOPINTEL_DB": pg_url})
    via_db = shopintel("report", "summary", "--format", "json", "--db", pg_url)
    assert via_env.returncode == 0, via_env.stderr
    assert json.loads(via_env.stdout) == json.loads(via_db.stdout)
    assert not list(tmp_path.iterdir()) and not list(ROOT.glob("postgres*"))


def test_the_import_summary_names_the_store_with_its_password_masked(pg_cluster, pg_admin):
    pg_admin.execute("CREATE ROLE cli_writer LOGIN PASSWORD 'pw-Secret-9' SUPERUSER")
    try:
        url = pg_cluster.url(schema="masked_shop").replace("://" + pg_cluster.user + "@",
                                                          "://cli_writer:pw-Secret-9@")
        r = shopintel("ingest", str(SAMPLE), "--db", url)
        assert r.returncode == 0, r.stderr
        assert "cli_writer:***@" in r.stdout
        assert "pw-Secret-9" not in r.stdout + r.stderr
    finally:
        pg_admin.execute("DROP SCHEMA IF EXISTS masked_shop CASCADE")
        pg_admin.execute("DROP ROLE cli_writer")


# the commands of the CLI that have no PostgreSQL form say in one line why not (tui, watch and simulate
# work: tests/pg/test_app_pg.py, tests/pg/test_live_cli_pg.py)
@pytest.mark.parametrize("args, words", [
    (["demo", "--build-only"], ["demo", "SQLite", "--db demo.db"]),
    (["backup", "BACKUP"], ["backup", "pg_dump -n SCHEMA"]),
], ids=lambda v: v[0] if isinstance(v[0], str) and v[0] != "PostgreSQL" else None)
def test_a_command_without_a_postgresql_form_refuses_in_one_line(pg_url, tmp_path, args, words):
    shopintel("ingest", str(SAMPLE), "--db", pg_url)
    before = shopintel("report", "summary", "--format", "json", "--db", pg_url).stdout
    args = [str(tmp_path / "b.db") if a == "BACKUP" else a for a in args]
    one_line_refusal(shopintel(*args, "--db", pg_url, cwd=tmp_path), *words)
    assert not list(tmp_path.iterdir()), "nothing is created"
    assert shopintel("report", "summary", "--format", "json", "--db", pg_url).stdout == before


def test_a_store_that_does_not_exist_is_named_and_not_created(pg_url, pg_admin):
    r = shopintel("report", "summary", "--db", pg_url)
    one_line_refusal(r, "no store at", "shopintel ingest")
    schema = pg_url.split("schema=")[1]
    assert pg_admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()[0] == 0


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path):
    r = shopintel("report", "summary", "--db", "postgresql://shop:s3cret@127.0.0.1:1/acme?schema=shop",
                  cwd=tmp_path)
    one_line_refusal(r, "postgresql://shop:***@127.0.0.1:1/acme?schema=shop")
    assert "s3cret" not in r.stderr + r.stdout and not list(tmp_path.iterdir())


def test_without_psycopg_the_cli_names_the_extra_to_install(tmp_path):
    """psycopg made unimportable in a real interpreter running the real CLI entry point."""
    import subprocess

    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from shopintel.tui.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    for args in (["report", "summary"], ["ingest", str(SAMPLE)]):
        r = subprocess.run([sys.executable, "-c", code, *args, "--db",
                            "postgresql://shop:s3cret@127.0.0.1:1/db?schema=acme"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
        one_line_refusal(r, "pip install 'shopintel[postgres]'", "postgresql://shop:***@127.0.0.1:1/db?schema=acme")
        assert "s3cret" not in r.stderr + r.stdout and not list(tmp_path.iterdir())
