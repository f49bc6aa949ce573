"""The PostgreSQL URL: schema= is shopintel's, the rest goes to libpq untouched, and no message ever shows
the password (no server needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopintel.store.errors import StoreError
from shopintel.store.pg import url as pgurl


def test_schema_is_taken_out_and_everything_else_is_passed_on():
    u = pgurl.parse("postgresql://shop:s3cret@db1:5432,db2:5433/acme?sslmode=require&schema=zenith"
                    "&target_session_attrs=prefer-standby")
    assert u.schema == "zenith"
    assert u.conninfo == ("postgresql://shop:s3cret@db1:5432,db2:5433/acme?sslmode=require"
                          "&target_session_attrs=prefer-standby")
    assert "s3cret" not in u.shown and "s3cret" not in repr(u) and "s3cret" not in str(u)
    assert u.shown.startswith("postgresql://shop:***@db1:5432,db2:5433/acme?") and "schema=zenith" in u.shown


def test_the_default_schema_and_the_postgres_scheme():
    u = pgurl.parse("postgres://localhost/acme")
    assert u.schema == "shopintel" and u.conninfo == "postgres://localhost/acme" and u.secrets == ()
    assert pgurl.is_pg_url("POSTGRESQL://x/y") and pgurl.is_pg_url("postgres://x")
    assert not pgurl.is_pg_url("shop.db") and not pgurl.is_pg_url("mysql://x/y")


def test_a_password_in_the_query_or_percent_encoded_is_masked_and_scrubbed():
    u = pgurl.parse("postgresql://shop:p%40ss%3Aw@h/db?password=other%26one&schema=a")
    assert "p%40ss" not in u.shown and "other" not in u.shown
    # libpq's messages may quote the decoded password: scrub removes either form
    assert u.scrub("failed for p@ss:w and other&one and p%40ss%3Aw") == "failed for *** and *** and ***"
    assert u.conninfo == "postgresql://shop:p%40ss%3Aw@h/db?password=other%26one"


@pytest.mark.parametrize("schema", ["Acme", "1shop", "pg_catalog", "information_schema", "a-b", "a" * 64, "",
                                    "x;drop"])
def test_a_schema_name_that_needs_quoting_or_is_reserved_is_refused_without_the_password(schema):
    with pytest.raises(StoreError) as err:
        pgurl.parse(f"postgresql://shop:s3cret@h/db?schema={schema}")
    assert "schema=" in str(err.value) and "s3cret" not in str(err.value)


def test_schema_given_twice_is_refused():
    with pytest.raises(StoreError, match="2 times"):
        pgurl.parse("postgresql://h/db?schema=a&schema=b")


def test_without_psycopg_a_postgresql_url_names_the_extra_to_install(tmp_path):
    """psycopg made unimportable in a real interpreter (None in sys.modules fails `import psycopg`)."""
    code = ("import sys; sys.modules['psycopg'] = None\n"
            "from shopintel.store.errors import StoreError\n"
            "from shopintel.store.pg import connection\n"
            "try:\n"
            "    connection.connect('postgresql://shop:s3cret@127.0.0.1:1/db?schema=acme')\n"
            "except StoreError as exc:\n"
            "    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install 'shopintel[postgres]'" in out.stdout and "s3cret" not in out.stdout
    assert "postgresql://shop:***@127.0.0.1:1/db?schema=acme" in out.stdout
