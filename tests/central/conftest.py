"""Fixtures for the centre: a real PostgreSQL cluster, a real `qcentral` process, real offices.

The cluster (initdb + pg_ctl in a temp folder) is started once per session;
each test gets a database of its own, migrated by the real `qcentral init`.
"""
from __future__ import annotations

import pytest
from central_support import CentralProcess, qcentral
from pg_cluster import PgCluster


@pytest.fixture(scope="session")
def pg():
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def central_db(pg) -> str:
    url = pg.new_database()
    assert "applied" in qcentral(url, "init").stdout
    return url


@pytest.fixture
def centre(central_db, tmp_path):
    proc = CentralProcess(central_db, tmp_path / "qcentral.log").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def shared_centre(pg, tmp_path_factory):
    """One database and one qcentral for a module whose tests leave nothing behind."""
    url = pg.new_database()
    qcentral(url, "init")
    proc = CentralProcess(url, tmp_path_factory.mktemp("qcentral") / "qcentral.log").start()
    yield proc
    proc.stop()
