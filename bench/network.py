"""A generated company network in PostgreSQL: 50 offices' per-day facts for a year, cached.

Pushing and folding 50 offices' journals of a year (≈ 25 million visits, 120 million
lines) would take hours, so the facts are generated directly, honestly derived all the
same: TEMPLATES office days of the benchmark office (bench/history.py: 34 counters,
six services, ~2,000 visits a working day, simulated with the server's own call rule)
are read by the real report code (reports/timing.py's pass, reports/facts.py) into
their fact rows; every working day of every office then takes the rows of one template
day of the same weekday (picked by office and date), written with COPY and
INSERT … SELECT in PostgreSQL, and the weeks, months, quarters and years are added up
with one GROUP BY per table and level (the same sums qcentral's roll_up makes office by
office, rows in the order qcentral writes them: an office's unit at a time). Offices
have the benchmark office's catalog and their own names; they have
no journal, so qcentral has no day to build and reads the facts as they are.

The cluster lives in a folder that outlasts the run (`network_dir()`: under
/var/tmp, which the `postgres` user can reach, or $QUEUE_BENCH_PG), keyed by size and
generator version, and is reused by later runs.

    python -m bench.network [--offices 50] [--tiny]     # build or reuse; prints the database URL
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests" / "central")]

from pg_cluster import PgCluster, pg_bin  # noqa: E402

from bench.common import log  # noqa: E402

GENERATOR_VERSION = 3  # 3: fact_day holds booked visitors' waits (the bookings merge)
YEAR = 2025
FULL = {"offices": 50, "templates_per_weekday": 4, "visits_per_day": 2000, "months": 12}
TINY = {"offices": 3, "templates_per_weekday": 1, "visits_per_day": 150, "months": 1}


def network_dir(size: dict) -> Path:
    base = Path(os.environ.get("QUEUE_BENCH_PG", "/var/tmp/queue-office-bench"))
    return base / (f"network-{size['offices']}x{size['months']}m-{size['visits_per_day']}"
                   f"-v{GENERATOR_VERSION}")


class KeptCluster(PgCluster):
    """A PgCluster in a folder of its own choosing that `stop` leaves in place."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        shutil.rmtree(self.root, ignore_errors=True)  # the temp folder PgCluster made
        self.root = root
        self.data = root / "data"
        self.socket_dir = root

    def start(self) -> KeptCluster:
        if (self.data / "PG_VERSION").exists():
            self.restart()
            return self
        self.root.mkdir(parents=True, exist_ok=True)
        super().start()
        return self

    def stop(self) -> None:
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}&port={self.port}"


def _office_catalog():
    import tomllib

    from bench import history
    from queue_server.config import parse_config

    return parse_config(tomllib.loads(history.office_toml()), Path("office.toml"))


def template_rows(size: dict) -> dict[str, list[tuple]]:
    """(k, …row) per table of each template day: the real pass over simulated journals."""
    from bench import history
    from queue_server.reports.facts import from_tally, rows
    from queue_server.reports.timing import scan

    catalog = _office_catalog().catalog
    out: dict[str, list[tuple]] = {}
    k = 0
    for weekday in range(5):
        for i in range(size["templates_per_weekday"]):
            day = date(YEAR, 1, 6) + timedelta(days=weekday + 7 * i)  # 6 January 2025 is a Monday
            lines = [json.loads(line) for line in history.day_lines(day, size["visits_per_day"])]
            facts = from_tally(scan(lines, catalog, day, catalog.timezone), catalog)
            for table, _i, values in rows(facts):
                out.setdefault(table, []).append((k, *values))
            log(f"network: template {k} ({day}, {sum(1 for x in lines if x['type'] == 'visit.issued')} visits)")
            k += 1
    return out


def working_days(size: dict) -> list[date]:
    first, out = date(YEAR, 1, 1), []
    d = first
    while d.year == YEAR and d.month <= size["months"]:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def build(url: str, size: dict) -> dict:
    from qcentral import db
    from queue_server.adapters.central_push import catalog_payload
    from queue_server.adapters.facts_sql import MAXIMA, ROLLED, columns
    from queue_server.reports.facts import TABLES

    t0 = time.perf_counter()
    db.migrate(url)
    config = _office_catalog()
    payload = json.dumps(catalog_payload(config), ensure_ascii=False)
    templates = template_rows(size)
    per = size["templates_per_weekday"]
    rng = random.Random(GENERATOR_VERSION)
    with psycopg.connect(url, autocommit=True) as conn:
        ids = []
        for i in range(size["offices"]):
            oid = conn.execute("INSERT INTO offices (name, catalog_hash) VALUES (%s, 'bench') RETURNING id",
                               (f"ЦОК {i + 1:02d}",)).fetchone()[0]
            conn.execute("INSERT INTO office_catalogs (office_id, from_seq, hash, catalog) VALUES (%s, 1, 'bench', %s)",
                         (oid, payload))
            ids.append(oid)
        conn.execute("CREATE UNLOGGED TABLE bench_days (office_id integer, day date, k integer)")
        with conn.cursor().copy("COPY bench_days FROM STDIN") as copy:
            for oid in ids:
                for d in working_days(size):
                    copy.write_row((oid, d, d.weekday() * per + rng.randrange(per)))
        for table, rows_ in templates.items():
            keys, figures = TABLES[table]
            cols = keys + figures
            conn.execute(f"CREATE UNLOGGED TABLE bench_tpl_{table} AS SELECT 0 AS k, {', '.join(cols)} "
                         f"FROM {table} WHERE false")
            with conn.cursor().copy(f"COPY bench_tpl_{table} (k, {', '.join(cols)}) FROM STDIN") as copy:
                for row in rows_:
                    copy.write_row(row)
            t = time.perf_counter()
            conn.execute(f"INSERT INTO {table} ({', '.join(columns(table))}) "
                         f"SELECT d.office_id, 'D', d.day, {', '.join('t.' + c for c in cols)} "
                         f"FROM bench_days d JOIN bench_tpl_{table} t ON t.k = d.k ORDER BY d.office_id, d.day")
            log(f"network: {table} days in {time.perf_counter() - t:.0f} s")
        for unit, source, trunc in (("W", "D", "week"), ("M", "D", "month"), ("Q", "M", "quarter"),
                                    ("Y", "Q", "year")):
            for table in ROLLED:
                keys, figures = TABLES[table]
                sums = ", ".join(f"max({f})" if f in MAXIMA else f"sum({f})" for f in figures)
                start = f"date_trunc('{trunc}', start)::date"
                t = time.perf_counter()
                conn.execute(f"INSERT INTO {table} ({', '.join(columns(table))}) "
                             f"SELECT office_id, '{unit}', {start}{''.join(', ' + k for k in keys)}, {sums} "
                             f"FROM {table} WHERE unit = '{source}' "
                             f"GROUP BY office_id, {start}{''.join(', ' + k for k in keys)} ORDER BY office_id, {start}")
                log(f"network: {table} {unit} in {time.perf_counter() - t:.0f} s")
        visits = conn.execute("SELECT sum(visits) FROM fact_day").fetchone()[0]
        conn.execute("DROP TABLE bench_days")
        for table in templates:
            conn.execute(f"DROP TABLE bench_tpl_{table}")
        conn.execute("VACUUM ANALYZE")
        hist = conn.execute("SELECT unit, count(*) FROM fact_hist_group GROUP BY unit ORDER BY unit").fetchall()
        size_db = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    meta = {"generator": GENERATOR_VERSION, **size, "year": YEAR, "visits": int(visits),
            "working_days": len(working_days(size)), "hist_rows": dict(hist), "database": size_db,
            "build_s": round(time.perf_counter() - t0)}
    log(f"network: {meta}")
    return meta


def ensure_network(size: dict, cache: bool = True) -> tuple[PgCluster, str, dict]:
    """A running cluster holding the network, and its URL and description. The caller stops it."""
    if not cache:
        cluster = PgCluster().start()
        url = cluster.new_database("network")
        return cluster, url, build(url, size)
    root = network_dir(size)
    cluster = KeptCluster(root)
    meta_path = root / "network.json"
    if not meta_path.exists():
        shutil.rmtree(root, ignore_errors=True)
        cluster = KeptCluster(root)
    cluster.start()
    url = cluster.url("network")
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        log(f"network: reusing {root} ({meta['visits']:,} visits, {meta['database']})")
        return cluster, url, meta
    log(f"network: generating {size['offices']} offices × {size['months']} months into {root} — once per size")
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE network")
    meta = build(url, size)
    tmp = Path(tempfile.mkstemp(dir=root)[1])
    tmp.write_text(json.dumps(meta, indent=1))
    tmp.replace(meta_path)
    return cluster, url, meta


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.network", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true")
    args = p.parse_args(argv)
    cluster, url, meta = ensure_network(TINY if args.tiny else FULL, cache=not args.tiny)
    try:
        print(url)
        print(json.dumps(meta))
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
