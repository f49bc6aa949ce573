"""First PostgreSQL figures (issue 19), in-process: import of N synthetic lines into SQLite and into a
throwaway PostgreSQL cluster, `psql \\copy` of the same CSV into one untyped table (the issue's yardstick),
and the SQL-aggregate reports on both (median of a few runs, after one warm-up).

    python tests/bench/pg_probe.py [LINES]        (default 100000; prints figures, asserts nothing)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.pg.cluster import Cluster, bin_dir  # noqa: E402

REPORTS = ("summary", "whales", "categories", "revenue", "top-sellers")


def _median(fn, runs: int = 5) -> float:
    from bench import median_time

    fn()   # warm
    return median_time(fn, runs)


def main(lines: int) -> None:
    from shopintel.reports.params import Params, resolve
    from shopintel.reports.registry import REPORTS as ALL
    from shopintel.store import synth
    from shopintel.store.db import connect, connect_read_only
    from shopintel.store.ingest import ingest_file
    from shopintel.store.pg import connection as pgc

    work = Path(tempfile.mkdtemp(prefix="pg-probe-"))
    csv_path = work / "orders.csv"
    synth.write_csv(str(csv_path), lines, seed=1, end=date(2026, 11, 1))
    cluster = Cluster(bin_dir()).start()
    try:
        url = cluster.url(schema="probe")
        t = time.perf_counter()
        conn = connect(work / "shop.db")
        ingest_file(conn, str(csv_path))
        conn.close()
        lite_ingest = time.perf_counter() - t
        t = time.perf_counter()
        conn = pgc.connect(url)
        ingest_file(conn, str(csv_path))
        conn.close()
        pg_ingest = time.perf_counter() - t
        header = csv_path.open().readline().strip().split(",")
        cols = ", ".join(f'"{c}" text' for c in header)
        psql = [str(cluster.bindir / "psql"), "-q", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user,
                "postgres"]
        subprocess.run([*psql, "-c", f"CREATE TABLE raw_lines ({cols})"], check=True)
        t = time.perf_counter()
        subprocess.run([*psql, "-c", f"\\copy raw_lines FROM '{csv_path}' WITH (FORMAT csv, HEADER)"], check=True)
        copy_time = time.perf_counter() - t
        print(f"{lines:,} lines: ingest SQLite {lite_ingest:.2f} s, PostgreSQL {pg_ingest:.2f} s, "
              f"psql \\copy {copy_time:.2f} s (PostgreSQL / \\copy = {pg_ingest / copy_time:.1f}x)")
        lite, pg = connect_read_only(work / "shop.db"), pgc.connect_read_only(url)
        for name in REPORTS:
            report = ALL[name]

            def run(conn):
                return lambda: report.run(conn, Params(), resolve(conn, Params(), report.default_days))

            a, b = _median(run(lite)), _median(run(pg))
            print(f"  report {name:<12} SQLite {a * 1000:7.1f} ms   PostgreSQL {b * 1000:7.1f} ms")
        lite.close(), pg.close()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
