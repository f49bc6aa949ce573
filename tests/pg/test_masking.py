"""A password in the store's URL never shows: not in an error (shopintel's, libpq's, argparse's), not in
`--help` (whatever $SHOPINTEL_DB holds), not in what a command prints, not in a title."""

from __future__ import annotations

import pytest

from shopintel.store.pg import url as pgurl
from tests.conftest import shopintel

SECRET = "pw-Only-4-Tests"


def _secret_url(pg_cluster, pg_admin, schema: str) -> str:
    pg_admin.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'masked') THEN "
                     f"CREATE ROLE masked LOGIN SUPERUSER PASSWORD '{SECRET}'; END IF; END $$")
    return pg_cluster.url(schema=schema).replace(f"://{pg_cluster.user}@", f"://masked:{SECRET}@")


def _never(run) -> None:
    assert SECRET not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_libpqs_own_errors_are_scrubbed(pg_cluster, pg_admin):
    url = _secret_url(pg_cluster, pg_admin, "m1") + "&sslmode=bogus"
    r = shopintel("report", "summary", "--db", url)
    _never(r)
    assert r.returncode == 1 and "masked:***@" in r.stderr and "sslmode" in r.stderr
    # a password given as a parameter, percent-encoded
    r = shopintel("report", "summary", "--db", pg_cluster.url(schema="m1", password="pw%2DOnly%2D4%2DTests")
                  + "&connect_timeout=bogus")
    _never(r)
    assert "pw%2DOnly" not in r.stderr and "password=***" in r.stderr


def test_a_url_typed_in_the_wrong_place_is_masked_in_argparses_error(pg_cluster, pg_admin):
    url = _secret_url(pg_cluster, pg_admin, "m2")
    r = shopintel("report", "summary", url)
    _never(r)
    assert r.returncode == 2 and "masked:***@" in r.stderr


def test_help_never_shows_the_url_of_shopintel_db(pg_cluster, pg_admin):
    url = _secret_url(pg_cluster, pg_admin, "m3")
    for args in (["--help"], ["report", "--help"], ["copy", "--help"], ["doctor", "--help"]):
        r = shopintel(*args, env={"SHOPINTEL_DB": url})
        assert r.returncode == 0
        _never(r)
        assert "postgresql://USER@HOST:PORT/DBNAME?schema=SHOP" in r.stdout


def test_what_commands_print_names_the_store_masked(pg_cluster, pg_admin, tmp_path):
    from pathlib import Path

    url = _secret_url(pg_cluster, pg_admin, "m4")
    sample = Path(__file__).resolve().parents[2] / "data" / "sample_orders.csv"
    for args in (["ingest", str(sample)], ["doctor"], ["stock", "set", "NOPE", "1"], ["report", "whales"],
                 ["backup", str(tmp_path / "b.db")], ["watch", "--once"], ["copy", url, str(tmp_path / "c.db")]):
        r = shopintel(*args, *(["--db", url] if args[0] != "copy" else []), env={"SHOPINTEL_DB": url})
        _never(r)
    assert (tmp_path / "c.db").exists()


@pytest.mark.parametrize("value", [
    f"postgresql://masked:{SECRET}@db.example:5432/shops?schema=acme",
    f"postgresql://masked@h1:5432,h2:5433/shops?schema=acme&password={SECRET}&target_session_attrs=prefer-standby",
])
def test_the_name_a_title_shows_has_no_user_nor_password(value):
    name = pgurl.parse(value).name
    assert SECRET not in name and "masked" not in name and name.startswith("acme on ")
    # the last guard of every message: any URL in any text
    masked = pgurl.mask_text(f"see {value} there")
    assert SECRET not in masked and "***" in masked and masked.startswith("see postgresql://masked")
