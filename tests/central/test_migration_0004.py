"""The centre's migration 0004 turns layout 0002's days' and weeks' histograms by
(service, role, counter, operator) into histograms by group, as the office's layout
step 6 does, office by office, and drops the old table."""
from __future__ import annotations

import sqlite3
from datetime import date

import psycopg

from qcentral.db import migrations
from queue_server.adapters import migrations as office_migrations

OLD = ("CREATE TABLE fact_hist (office_id integer NOT NULL, unit text NOT NULL, start date NOT NULL, "
       "service text, role text, counter text, operator text, metric text, bin smallint, n integer, us bigint)")
ROWS = [  # (office, unit, start, service, role, counter, operator, metric, bin, n, us)
    (1, "D", date(2025, 3, 3), "reception", "administrator", "1", "op1", "w", 5, 2, 10_000_000),
    (1, "D", date(2025, 3, 3), "reception", "administrator", "2", "op2", "w", 5, 1, 5_200_000),
    (1, "D", date(2025, 3, 3), "payment", "cashier", "3", None, "s", 70, 4, 400_000_000),
    (1, "D", date(2025, 3, 3), None, None, None, None, "t", 90, 3, 900_000_000),
    (1, "W", date(2025, 3, 3), "reception", "administrator", "1", "op1", "w", 5, 2, 10_000_000),
    (2, "D", date(2025, 3, 4), "reception", None, "1", "op9", "w", 6, 1, 6_000_000),
]


def test_0004_regroups_the_histograms_as_the_office_does(pg):
    url = pg.new_database()
    (m0004,) = [m for m in migrations() if m.version == 4]
    with psycopg.connect(url, autocommit=True) as conn:
        for m in migrations():
            if m.version < 4:
                conn.execute(m.sql)
        for oid in (1, 2):
            conn.execute("INSERT INTO offices (id, name, catalog_hash) OVERRIDING SYSTEM VALUE VALUES (%s, %s, 'x')",
                         (oid, f"o{oid}"))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO fact_hist VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", ROWS)
        conn.execute(m0004.sql)
        centre = sorted(conn.execute("SELECT office_id, unit, start::text, dim, key, metric, bin, n, us "
                                     "FROM fact_hist_group").fetchall())
        assert conn.execute("SELECT to_regclass('fact_hist')").fetchone()[0] is None
    office = sqlite3.connect(":memory:")
    office.execute(OLD.replace("date", "text"))
    office.execute("CREATE TABLE fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us)")
    office.executemany("INSERT INTO fact_hist VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [(*r[:2], r[2].isoformat(), *r[3:]) for r in ROWS])
    office_migrations._group_histograms(office)
    assert centre == sorted(office.execute("SELECT * FROM fact_hist_group").fetchall())
    assert ("service", "reception", "w", 5, 3, 15_200_000) in [r[3:] for r in centre if r[:2] == (1, "D")]
    assert (2, "D", "2025-03-04", "role", None) not in [r[:5] for r in centre]  # no role: not in a role
    assert (1, "D", "2025-03-03", "visit", "", "t", 90, 3, 900_000_000) in centre
