"""The benchmark's PostgreSQL columns (issue 19): the server they run on, and its stores.

bench.py asks `server()` for a PostgreSQL server: the database of `--pg-url`, or a throwaway cluster
(tests/pg/cluster.py: initdb on a free loopback port, removed at the end) where PostgreSQL is installed;
None, with the reason printed, where it is not (or psycopg is missing), and the PostgreSQL columns are
left out. The throwaway cluster runs as the tests' does (fsync and synchronous_commit off: a cluster
thrown away) with shared_buffers of 512 MB; the ingest's yardstick, `psql \\copy`, runs on the same server,
so both sides of that ratio have the same settings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BENCH_SETTINGS = ("shared_buffers=512MB",)


class Server:
    """A PostgreSQL database the benchmark may create and drop schemas in."""

    def __init__(self, base_url: str, psql: str, cluster=None):
        parts = urlsplit(base_url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]   # psql takes no schema=
        self.base = urlunsplit(parts._replace(query=urlencode(query)))
        self.psql_path = psql
        self.cluster = cluster

    def url(self, schema: str) -> str:
        """shopintel's URL of one shop (schema) in this database."""
        parts = urlsplit(self.base)
        return urlunsplit(parts._replace(query=urlencode([*parse_qsl(parts.query), ("schema", schema)])))

    def psql(self, *args: str) -> list[str]:
        return [self.psql_path, "-q", "-v", "ON_ERROR_STOP=1", self.base, *args]

    def sql(self, statement: str) -> None:
        subprocess.run(self.psql("-c", statement), check=True, capture_output=True)

    def drop(self, schema: str) -> None:
        self.sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


def server(pg_url: str | None) -> tuple[Server | None, str]:
    """(the server, "") or (None, why the PostgreSQL columns are left out)."""
    import shutil

    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install '.[postgres]')"
    sys.path.insert(0, str(ROOT))
    from tests.pg.cluster import Cluster, bin_dir

    bindir = bin_dir()
    if pg_url:
        psql = shutil.which("psql") or (str(bindir / "psql") if bindir else None)
        if psql is None:
            return None, "psql is not on PATH (apt-get install postgresql-client), and \\copy is the yardstick"
        return Server(pg_url, psql), ""
    if bindir is None:
        return None, "PostgreSQL is not installed (no initdb; apt-get install postgresql), and no --pg-url was given"
    cluster = Cluster(bindir, settings=BENCH_SETTINGS).start()
    return Server(cluster.url(), str(bindir / "psql"), cluster), ""


def copy_cmd(csv_path: Path) -> tuple[str, str]:
    """The yardstick: (the SQL that makes one untyped table of the CSV's columns, psql's \\copy of the CSV)."""
    header = csv_path.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{c}" text' for c in header)
    return (f"DROP TABLE IF EXISTS public.raw_lines; CREATE TABLE public.raw_lines ({columns})",
            f"\\copy public.raw_lines FROM '{csv_path}' WITH (FORMAT csv, HEADER)")


def store(srv: Server, sqlite_store: Path, schema: str) -> str:
    """A PostgreSQL copy of a benchmark store (its lines, stock counts and kept tables: `shopintel copy`,
    checked by doctor on arrival), replacing what the schema held. Returns its URL."""
    import bench

    url = srv.url(schema)
    srv.drop(schema)
    subprocess.run(bench.shopintel_cmd("copy", str(sqlite_store), url), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    # as a server's autovacuum leaves a table soon after a bulk write: statistics, and the visibility map
    # that lets an index-only scan skip the table (VACUUM runs outside a transaction: one -c each)
    from shopintel.store.copy import TABLES

    subprocess.run(srv.psql(*(a for t in TABLES for a in ("-c", f'VACUUM ANALYZE "{schema}".{t}'))), check=True,
                   capture_output=True)
    return url
