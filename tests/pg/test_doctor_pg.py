"""`shopintel doctor` on PostgreSQL, through the real command line: healthy, amcheck's index check where the
extension is installed (said to be skipped where not), kept totals that drifted (and --repair), a disabled
trigger or NOT VALID constraint, impossible values no constraint forbids, and a role that may only read."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.conftest import shopintel

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_orders.csv"


@pytest.fixture
def shop(pg_cluster, pg_admin):
    """A store in a database of its own (amcheck is installed per database), and an admin connection to it."""
    import psycopg

    dbname = f"d_{uuid.uuid4().hex[:10]}"
    pg_admin.execute(f"CREATE DATABASE {dbname}")
    url = pg_cluster.url(dbname, schema="acme")
    assert shopintel("ingest", str(SAMPLE), "--db", url).returncode == 0
    with psycopg.connect(pg_cluster.url(dbname), autocommit=True) as admin:
        admin.execute("SET search_path TO acme")
        yield url, admin
    pg_admin.execute(f"DROP DATABASE {dbname} WITH (FORCE)")


def doctor(url, *flags):
    r = shopintel("doctor", *flags, "--db", url)
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr, r.stderr
    return r


def test_a_healthy_store_is_ok_and_the_index_check_says_it_was_skipped_without_amcheck(shop):
    url, _ = shop
    r = doctor(url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("OK: postgresql://") and "kept totals" in r.stdout
    assert "enforced by PostgreSQL" in r.stdout
    assert "skipped" in r.stdout and "CREATE EXTENSION amcheck" in r.stdout


def test_with_amcheck_every_index_is_checked(shop):
    url, admin = shop
    admin.execute("CREATE EXTENSION amcheck")
    quick, full = doctor(url), doctor(url, "--full")
    assert quick.returncode == 0 and "indexes (amcheck)" in quick.stdout and "skipped" not in quick.stdout
    assert full.returncode == 0 and "indexes (amcheck, every row)" in full.stdout


def test_kept_totals_that_drifted_are_found_and_repair_rebuilds_them(shop):
    url, admin = shop
    admin.execute("UPDATE agg_day SET net_cents = net_cents + 1 WHERE day = (SELECT min(day) FROM agg_day)")
    r = doctor(url)
    # a changed row counts twice, as on SQLite: missing from the recomputation, and not in the table
    assert r.returncode == 1 and "agg_day has 2 row(s)" in r.stdout and "pg_dump -n SCHEMA" in r.stderr
    assert doctor(url, "--repair").returncode == 0
    assert doctor(url).returncode == 0


def test_a_disabled_trigger_and_a_constraint_not_validated_are_problems(shop):
    url, admin = shop
    admin.execute("ALTER TABLE inventory DISABLE TRIGGER inventory_counted")
    admin.execute("ALTER TABLE sales ADD CONSTRAINT extra CHECK (quantity < 1000000) NOT VALID")
    r = doctor(url)
    assert r.returncode == 1
    assert "inventory_counted on inventory is disabled" in r.stdout
    assert "extra on sales is not enforced" in r.stdout and "VALIDATE CONSTRAINT extra" in r.stdout


def test_impossible_values_that_no_constraint_forbids_are_found(shop):
    url, admin = shop
    # the schema's pattern takes the day, the calendar does not; a product line's negative price
    admin.execute("UPDATE sales SET day = '2025-02-30', ordered_at = '2025-02-30T10:00:00' "
                  "WHERE sale_id = (SELECT min(sale_id) FROM sales)")
    admin.execute("UPDATE sales SET unit_price_micros = -1, net_cents = 0 "
                  "WHERE sale_id = (SELECT max(sale_id) FROM sales)")
    r = doctor(url)
    assert r.returncode == 1
    assert "impossible values: 1 order lines whose day is not a real calendar date" in r.stdout
    assert "impossible values: 1 product lines (not postage or fees) with a negative unit price" in r.stdout


def test_a_role_that_may_only_read_runs_the_checks_it_can_and_says_which_it_skipped(shop, pg_cluster):
    url, admin = shop
    admin.execute("CREATE ROLE doctor_reader LOGIN PASSWORD 'rd-Secret-7'")
    try:
        admin.execute("GRANT USAGE ON SCHEMA acme TO doctor_reader")
        admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA acme TO doctor_reader")
        reader = url.replace(f"://{pg_cluster.user}@", "://doctor_reader:rd-Secret-7@")
        r = doctor(reader)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "kept totals: skipped, this role may only read" in r.stdout
        assert "rd-Secret-7" not in r.stdout + r.stderr and "doctor_reader:***@" in r.stdout
    finally:
        admin.execute("DROP OWNED BY doctor_reader")
        admin.execute("DROP ROLE doctor_reader")
