"""PostgreSQL fixtures: one throwaway cluster per test session (per xdist worker), a fresh shop schema per
test. Skipped, with the reason, where PostgreSQL or psycopg is not installed (`.ci/run` installs both)."""

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
def pg_admin(pg_cluster):
    """A plain psycopg connection (autocommit) to the cluster as its superuser: to look from outside."""
    import psycopg

    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        yield conn
