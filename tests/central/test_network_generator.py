"""The benchmark's generated network (bench/network.py) is what qcentral itself would store.

The 50-office benchmark writes its facts in bulk (template days copied with SQL, weeks,
months, quarters and years added up with one GROUP BY each) rather than office by office:
here, small, the bulk rows are held equal to what qcentral's own roll-up makes of the same
days, and a company report over them adds up to the visits generated.
"""
from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))
from bench.network import TINY, YEAR, build  # noqa: E402
from qcentral.facts import Office, catalog_for, company_report  # noqa: E402
from queue_server.adapters.facts_sql import POSTGRES, ROLLED, columns, roll_up  # noqa: E402


def table_rows(conn, table: str, office_id: int, unit: str) -> list[tuple]:
    cols = ", ".join(columns(table))
    return sorted(conn.execute(f"SELECT {cols} FROM {table} WHERE office_id = %s AND unit = %s",
                               (office_id, unit)).fetchall(), key=repr)


def test_the_bulk_network_is_what_qcentral_rolls_up(pg):
    url = pg.new_database("network")
    meta = build(url, TINY)
    with psycopg.connect(url, autocommit=True) as conn:
        office_id = conn.execute("SELECT min(id) FROM offices").fetchone()[0]
        days = [d for (d,) in conn.execute("SELECT DISTINCT start FROM fact_day WHERE office_id = %s ORDER BY 1",
                                           (office_id,))]
        bulk = {(t, u): table_rows(conn, t, office_id, u) for t in ROLLED for u in "WMQY"}
        assert all(bulk[(t, "Y")] for t in ("fact_combo", "fact_hist_group", "fact_hour"))
        assert bulk[("fact_hist_group", "W")]
        with conn.transaction():
            roll_up(conn, POSTGRES, office_id, days)
        for key, rows in bulk.items():
            assert table_rows(conn, key[0], office_id, key[1]) == rows, key
        offices = [Office(oid, name, catalog_for(conn, oid))
                   for oid, name in conn.execute("SELECT id, name FROM offices ORDER BY id")]
        now = datetime(YEAR + 1, 6, 1, tzinfo=UTC)
        report = company_report(conn, offices, date(YEAR, 1, 1), date(YEAR, 1, 31), now)
    assert report["visits"]["count"] == meta["visits"] > 0
    assert len(report["offices"]) == TINY["offices"]
    assert sum(o["visits"]["count"] for o in report["offices"]) == meta["visits"]
