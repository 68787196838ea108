"""PostgreSQL for the centre: a connection pool and the schema's migrations.

The schema is a numbered list of SQL files (qcentral/migrations/NNNN_name.sql)
applied in order, each in its own transaction, and recorded in
`schema_migrations`. `qcentral init` applies what is missing; `qcentral run`
refuses to serve a database that is behind, so two versions of the code never
write the same database. An advisory lock makes concurrent `init`s (several
machines deployed at once) take turns instead of failing half-way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg_pool import ConnectionPool

MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")
# Any fixed number: "qcentral is migrating this database" for pg_advisory_xact_lock.
_MIGRATION_LOCK = 19_0002


class DatabaseError(Exception):
    """The database cannot be used as it is; str() says what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    out = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        m = _NAME.match(path.name)
        if m:
            out.append(Migration(int(m.group(1)), m.group(2), path.read_text(encoding="utf-8")))
    return out


def connect(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to the database: {exc}".strip()) from None


def applied_versions(conn: psycopg.Connection) -> set[int]:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    if not exists:
        return set()
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def migrate(url: str) -> list[str]:
    """Apply the missing migrations; returns the names applied (none when current)."""
    done = []
    with connect(url) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                         "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
            have = applied_versions(conn)
            for m in migrations():
                if m.version in have:
                    continue
                conn.execute(m.sql)
                conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                             (m.version, m.name))
                done.append(f"{m.version:04d}_{m.name}")
    return done


def check_current(url: str) -> None:
    """Raise DatabaseError unless every migration this code knows is applied."""
    with connect(url) as conn:
        have = applied_versions(conn)
    known = {m.version for m in migrations()}
    if not have:
        raise DatabaseError("the database has no qcentral schema: run `qcentral --db URL init` first")
    if known - have:
        raise DatabaseError("the database schema is older than this qcentral: run `qcentral --db URL init` "
                            "to apply the missing migrations")
    if have - known:
        raise DatabaseError("the database schema is newer than this qcentral: upgrade qcentral")


def make_pool(url: str, max_size: int = 10) -> ConnectionPool:
    """Connections for one process. Each request takes one for its transaction and
    gives it back; a dead connection (PostgreSQL restarted) is checked and replaced. While
    the database is down a request waits at most 5 s for one, then gets a 503."""
    pool = ConnectionPool(url, min_size=1, max_size=max_size, open=False,
                          kwargs={"autocommit": True, "connect_timeout": 10},
                          check=ConnectionPool.check_connection, timeout=5, name="qcentral")
    pool.open(wait=False)
    return pool
