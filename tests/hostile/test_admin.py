"""`shopintel doctor` and `shopintel backup`: healthy stores pass, every kind of damage is listed with
exit 1, --repair rebuilds the kept totals, and a backup taken while writers run passes doctor."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import ROOT, check_store
from tests.hostile.helpers import assert_clean, totals

SAMPLE = ROOT / "data" / "sample_orders.csv"


@pytest.fixture
def sample_store(db_path, cli):
    r = cli("ingest", str(SAMPLE), "--db", str(db_path))
    assert r.returncode == 0, r.stderr
    return db_path


@pytest.fixture
def damaged(sample_store, tmp_path):
    """A copy of the sample store to damage (the db_path teardown check must not see the damage)."""
    path = tmp_path / "damaged.db"
    shutil.copy(sample_store, path)
    return path


def doctor(cli, db, *extra):
    r = cli("doctor", "--db", str(db), *extra)
    assert_clean(r)
    return r


def test_a_healthy_store_is_ok(sample_store, cli):
    r = doctor(cli, sample_store)
    assert r.returncode == 0 and r.stdout.startswith("OK: ")
    assert "kept totals" in r.stdout and "impossible values" in r.stdout


def test_drifted_kept_totals_are_listed_and_repaired(damaged, cli):
    conn = sqlite3.connect(damaged)
    conn.execute("UPDATE agg_day SET net_cents = net_cents + 1 WHERE day = (SELECT min(day) FROM agg_day)")
    conn.execute("DELETE FROM agg_customer WHERE customer_id = (SELECT min(customer_id) FROM agg_customer)")
    conn.commit()
    conn.close()
    r = doctor(cli, damaged)
    assert r.returncode == 1
    assert "agg_day has 2 row(s)" in r.stdout and "agg_customer has 1 row(s)" in r.stdout
    assert "--repair" in r.stdout
    r = doctor(cli, damaged, "--repair")
    assert r.returncode == 0, r.stdout
    check_store(damaged)


def test_orphans_and_impossible_values_are_listed(damaged, cli):
    conn = sqlite3.connect(damaged)   # foreign keys off: what a buggy tool or manual edit could do
    conn.execute("UPDATE sales SET unit_price_micros = -1 WHERE sale_id = (SELECT min(sale_id) FROM sales s "
                 "JOIN products p USING (product_id) WHERE p.is_merch = 1)")
    conn.execute("INSERT INTO inventory (product_id, on_hand, counted_at) VALUES (999999, -4, '2024-01-01')")
    conn.execute("UPDATE sales SET day = '2024-02-31', ordered_at = '2024-02-31T10:00:00' "
                 "WHERE sale_id = (SELECT max(sale_id) FROM sales)")
    conn.commit()
    conn.close()
    r = doctor(cli, damaged)
    assert r.returncode == 1
    out = r.stdout
    assert "foreign keys: 1 row(s) of inventory point at a missing products row" in out
    assert "orphans: 1 stock counts for a missing product" in out
    assert "impossible values: 1 product lines (not postage or fees) with a negative unit price" in out
    assert "impossible values: 1 order lines whose day is not a real calendar date" in out
    assert "impossible values: 1 stock counts below zero" in out


def test_lines_pointing_at_a_missing_product_or_customer_are_counted(damaged, cli):
    conn = sqlite3.connect(damaged)   # foreign keys off: the kept tables are rebuilt with the broken links
    conn.execute("UPDATE sales SET product_id = 999999 WHERE sale_id = (SELECT min(sale_id) FROM sales)")
    conn.execute("UPDATE sales SET customer_id = 888888 WHERE sale_id = (SELECT max(sale_id) FROM sales)")
    conn.commit()
    conn.close()
    from shopintel.store.aggregates import ensure_temp_tables, rebuild_all

    conn = sqlite3.connect(damaged)
    ensure_temp_tables(conn)
    rebuild_all(conn)
    conn.commit()
    conn.close()
    out = doctor(cli, damaged).stdout
    assert "orphans: 1 order lines pointing at a missing product" in out
    assert "orphans: 1 order lines pointing at a missing customer" in out
    assert "kept totals" not in out   # the kept tables agree with the lines, broken links and all


def test_full_compares_every_kept_table_row_by_row(sample_store, damaged, cli):
    r = doctor(cli, sample_store, "--full")
    assert r.returncode == 0 and "checked integrity, foreign keys, kept totals" in r.stdout
    conn = sqlite3.connect(damaged)
    # an amount moved between two orders of one day: every day total the same (the quick sums weigh
    # orders by their day), so only the row-by-row comparison sees it
    day = conn.execute("SELECT day FROM order_totals GROUP BY day HAVING count(*) > 1 LIMIT 1").fetchone()[0]
    first, last = conn.execute("SELECT min(order_id), max(order_id) FROM order_totals WHERE day = ?", (day,)).fetchone()
    conn.execute("UPDATE order_totals SET net_cents = net_cents + 100 WHERE order_id = ?", (first,))
    conn.execute("UPDATE order_totals SET net_cents = net_cents - 100 WHERE order_id = ?", (last,))
    conn.commit()
    conn.close()
    assert doctor(cli, damaged).returncode == 0
    r = doctor(cli, damaged, "--full")
    assert r.returncode == 1 and "order_totals has 4 row(s)" in r.stdout


def test_a_corrupted_file_is_reported_not_crashed_on(damaged, cli):
    size = damaged.stat().st_size
    with open(damaged, "r+b") as f:   # trash pages in the middle, keep the header
        f.seek(size // 2)
        f.write(os.urandom(16384))
    r = doctor(cli, damaged)
    assert r.returncode == 1
    assert "integrity" in r.stdout or "damaged" in r.stdout + r.stderr


def test_backup_makes_a_copy_that_passes_doctor_and_refuses_to_overwrite(sample_store, cli, tmp_path):
    dest = tmp_path / "copy.db"
    r = cli("backup", str(dest), "--db", str(sample_store))
    assert_clean(r)
    assert r.returncode == 0 and "passes doctor" in r.stdout
    assert totals(dest) == totals(sample_store)
    check_store(dest)
    r = cli("backup", str(dest), "--db", str(sample_store))
    assert r.returncode == 1 and "already exists" in r.stderr and "--force" in r.stderr
    assert cli("backup", str(dest), "--force", "--db", str(sample_store)).returncode == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    r = cli("backup", str(folder), "--db", str(sample_store))
    assert r.returncode == 0 and len(list(folder.glob("shop-*.db"))) == 1
    r = cli("backup", str(tmp_path / "no" / "such" / "dir" / "x.db"), "--db", str(sample_store))
    assert r.returncode == 1 and "does not exist" in r.stderr
    r = cli("backup", str(sample_store), "--force", "--db", str(sample_store))
    assert r.returncode == 1 and "the store itself" in r.stderr


@pytest.mark.slow
def test_backups_while_simulate_and_an_import_write(sample_store, cli, tmp_path):
    env = {**os.environ, "NO_COLOR": "1"}
    sim = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "simulate", "--rate", "30", "--duration", "12",
                            "--seed", "3", "--quiet", "--db", str(sample_store)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    from shopintel.store import synth
    big = tmp_path / "more.csv"
    synth.write_csv(str(big), 60_000, seed=5)
    imp = subprocess.Popen([sys.executable, "-m", "shopintel.tui.cli", "ingest", str(big), "--db", str(sample_store)],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    k = 0
    while k < 3 or (sim.poll() is None and k < 10):
        dest = tmp_path / f"b{k}.db"
        r = cli("backup", str(dest), "--db", str(sample_store))
        assert_clean(r)
        assert r.returncode == 0, r.stderr
        check_store(dest)
        seen.append(totals(dest))
        k += 1
    out, err = sim.communicate(timeout=60)
    assert sim.returncode == 0 and "Traceback" not in err, err
    out, err = imp.communicate(timeout=120)
    assert imp.returncode == 0 and "Traceback" not in err, err
    assert len(seen) >= 3
    # the copies follow the store forward in time: each one is a committed state, never a partial one
    assert [s[0] for s in seen] == sorted(s[0] for s in seen)
    assert len(set(seen)) > 1
