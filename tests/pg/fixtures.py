"""PostgreSQL fixtures: one throwaway cluster per test session (per xdist worker), a fresh shop schema per
test. Skipped, with the reason, where PostgreSQL or psycopg is not installed (`.ci/run` installs both).
Registered once for the whole suite (tests/conftest.py imports them), so every suite that runs on both
backends shares the worker's one cluster."""

from __future__ import annotations

import uuid

import pytest

from .cluster import Cluster, bin_dir


@pytest.fixture(scope="session")
def pg_cluster():
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'shopintel[postgres]'")
    bindir = bin_dir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (no initdb): apt-get install postgresql")
    cluster = Cluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """The URL of a new, empty shop schema in the session's cluster."""
    return pg_cluster.url(schema=f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def pg_live(pg_url) -> str:
    """A fresh shop on the cluster holding tests/live's store (its FAST, SLOW and stock counts)."""
    from shopintel.store.pg import connection as pgc
    from tests.live.conftest import fill_live_store

    with pgc.connect(pg_url) as conn:
        fill_live_store(conn)
    return pg_url


@pytest.fixture
def pg_admin(pg_cluster):
    """A plain psycopg connection (autocommit) to the cluster as its superuser: to look from outside."""
    import psycopg

    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def pg_standby(pg_cluster):
    """A hot standby of the session's cluster (pg_basebackup -R), on its own loopback port."""
    standby = pg_cluster.standby()
    try:
        yield standby
    finally:
        standby.stop()


@pytest.fixture
def replicas(pg_cluster, pg_standby):
    """(writer URL of a new shop on the primary, reader URL listing both servers with prefer-standby,
    a superuser connection to the standby): the issue's read scale-out, for one test."""
    import psycopg

    schema = f"r_{uuid.uuid4().hex[:12]}"
    # the standby first: a writer must skip it, whatever order the hosts are listed in
    both = (f"postgresql://{pg_cluster.user}@127.0.0.1:{pg_standby.port},127.0.0.1:{pg_cluster.port}/postgres"
            f"?schema={schema}&target_session_attrs=prefer-standby")
    with psycopg.connect(pg_standby.url(), autocommit=True) as standby_admin:
        yield pg_cluster.url(schema=schema), both, standby_admin
        standby_admin.execute("SELECT pg_wal_replay_resume()")
