"""The centre measured (docs/central.md): ingest rate, the network view of 50 offices, the facts
built from pushed journals, a ticket with the link up against down, and company reports over
50 offices × a year.

    .venv/bin/python -m bench.bench_central [--tiny] [--offices 50] [--days 2] [--visits 700]
                                            [--soak SECONDS] [--only ingest|network]

Ingest and views: its own throwaway PostgreSQL cluster and `qcentral run` process; offices
are synthetic journals (bench/reports_synth.py: two closed days and today each) pushed over
HTTP exactly as the office's pusher sends them; `qcentral facts refresh` then builds their
closed days; the ticket comparison runs a real office and its pusher.

Company reports: the generated network of bench/network.py (50 offices' per-day facts for
2025, ≈ 26 million visits, cached between runs), a fresh `qcentral run` on it, and
`GET /api/v1/reports/period?offices=all` over HTTP: the calendar year (the budget), the year
as PDF, twelve unaligned months, a month, one office's year; then EXPLAIN ANALYZE of the
percentile query. The 1-minute load average is printed with each figure: the machine is shared.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import requests

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "central")]

from central_support import HEAD_PASSWORD, CentralProcess, add_office, qcentral  # noqa: E402
from pg_cluster import PgCluster  # noqa: E402

from bench.common import Reporter, cpu_reference_ms, load1, median, percentile, rss_kb  # noqa: E402
from bench.reports_synth import journal_stream, synth_catalog  # noqa: E402
from queue_server.adapters.central_push import catalog_payload  # noqa: E402

BATCH = 500


def _payload() -> dict:
    config = SimpleNamespace(catalog=synth_catalog(), get=lambda key: 30)
    return catalog_payload(config)


def _lines(first, days: int, visits: int, seed: int):
    for line in journal_stream(first, days, visits, seed):
        line["uid"] = hashlib.sha256(f"{seed}:{line['seq']}".encode()).hexdigest()[:32]
        line["step"] = line["step"]
        yield line


def push_all(url: str, token: str, lines, session: requests.Session) -> tuple[int, float]:
    catalog, batch, n, t0 = _payload(), [], 0, time.perf_counter()

    def send(chunk):
        nonlocal catalog
        body = {"protocol": 1, "office_seq": chunk[-1]["seq"], "lines": chunk}
        if catalog:
            body["catalog"] = catalog
        r = session.post(url + "/api/v1/push", data=json.dumps(body, ensure_ascii=False).encode(),
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                         timeout=60)
        r.raise_for_status()
        catalog = None

    for line in lines:
        batch.append(line)
        if len(batch) == BATCH:
            send(batch)
            n += len(batch)
            batch = []
    if batch:
        send(batch)
        n += len(batch)
    return n, time.perf_counter() - t0


def timed_get(url: str, token: str, n: int = 1) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        r.raise_for_status()
        out.append((time.perf_counter() - t) * 1000)
    return out


def ticket_side_by_side(centre: CentralProcess, db_url: str, rounds: int = 4, per_block: int = 150) -> dict:
    from central_support import pushing_office
    from live_office import stop_live_office

    office_id, token = add_office(db_url, "Билеты")
    with tempfile.TemporaryDirectory() as tmp:
        live = pushing_office(Path(tmp) / "o", centre.url, token)
        up, down = [], []
        try:
            for _ in range(rounds):
                for bucket, running in ((up, True), (down, False)):
                    if running and centre.proc is None:
                        centre.start()
                    if not running:
                        centre.stop()
                    for _ in range(per_block):
                        t = time.perf_counter()
                        live.ticket("reception")
                        bucket.append((time.perf_counter() - t) * 1000)
            centre.start()
        finally:
            stop_live_office(live)
    return {"up_median_ms": statistics.median(up), "up_p95_ms": percentile(up, 95),
            "down_median_ms": statistics.median(down), "down_p95_ms": percentile(down, 95), "n": len(up)}


def network_reports(rep: Reporter, tiny: bool) -> None:
    """Company reports over a generated network (bench/network.py): 50 offices × a year of
    per-day facts in PostgreSQL, asked for through a fresh `qcentral run` over HTTP."""
    from bench.network import FULL, TINY, YEAR, ensure_network

    size = TINY if tiny else FULL
    cluster, url, meta = ensure_network(size, cache=not tiny)
    rounds = 2 if tiny else 5
    try:
        # a cached network made by an older qcentral is upgraded as an office's IT person would
        t = time.perf_counter()
        init = qcentral(url, "init").stdout.strip()
        rep.comment(f"qcentral init on the network: {init} ({time.perf_counter() - t:.1f} s)")
        with tempfile.TemporaryDirectory() as tmp:
            qcentral(url, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
            centre = CentralProcess(url, Path(tmp) / "qcentral.log").start()
            try:
                token = centre.login("boss")
                n = meta["offices"]
                last = date(YEAR, size["months"], 1).replace(day=28) + timedelta(days=4)
                last = last - timedelta(days=last.day)
                import psycopg

                with psycopg.connect(url) as conn:  # as it is now: migrations may have changed it
                    hist_rows, db_size = conn.execute(
                        "SELECT (SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'fact_hist_group'), "
                        "pg_size_pretty(pg_database_size(current_database()))").fetchone()
                rep.comment(f"network: {n} offices, {meta['working_days']} working days each, "
                            f"{meta['visits']:,} visits; about {hist_rows or 0:,} histogram rows, database {db_size} "
                            f"now ({meta['database']} as generated in {meta['build_s']} s, cached after)")
                # the budgeted figures keep their budgets' names (bench/budgets.toml) at any size
                cases = [("year", date(YEAR, 1, 1), last, "json", "company_period_report_50x_year_s"),
                         ("year_pdf", date(YEAR, 1, 1), last, "pdf", None),
                         ("unaligned", date(YEAR, 1, 15 if not tiny else 8),
                          last - timedelta(days=17 if not tiny else 4), "json", "company_report_50x_unaligned_s"),
                         ("month", date(YEAR, 1, 1), date(YEAR, 1, 31), "json", None)]
                for name, start, end, fmt, budgeted in cases:
                    q = f"/api/v1/reports/period?from={start}&to={end}&offices=all&format={fmt}"
                    load_before = load1()
                    cold = timed_get(centre.url + q, token)[0] / 1000
                    warm = [ms / 1000 for ms in timed_get(centre.url + q, token, rounds)]
                    figure = budgeted or f"company_report_{n}x_{name}_s"
                    rep.figure(figure, median(warm), f"median of {rounds}, {start} … {end}, {fmt}, offices=all; "
                               f"first request {cold:.2f} s; load {load_before:.1f} → {load1():.1f}")
                one = f"/api/v1/reports/period?from={YEAR}-01-01&to={last}&offices=1"
                timed_get(centre.url + one, token)
                rep.figure("company_report_1_office_year_s", median(ms / 1000 for ms in timed_get(
                    centre.url + one, token, rounds)), "one office's year at the centre")
                rep.figure("company_report_centre_rss_mb", (rss_kb(centre.proc.pid) or 0) / 1024,
                           "the qcentral process after the reports")
            finally:
                centre.stop()
            for line in explain(url, date(YEAR, 1, 1), last, meta["offices"]):
                rep.comment(line)
    finally:
        cluster.stop()


def explain(url: str, start, end, offices: int) -> list[str]:
    """EXPLAIN ANALYZE of the percentile query (the report's heaviest), its main lines."""
    import psycopg

    from queue_server.adapters import facts_sql

    captured: list[str] = []

    class Explaining:
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, params=()):
            if "OVER (PARTITION BY" in sql:
                captured.extend(r[0] for r in self.conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params))
            return self.conn.execute(sql, params)

    with psycopg.connect(url, autocommit=True) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM offices ORDER BY id")][:offices]
        t = time.perf_counter()
        facts_sql.read_period(Explaining(conn), facts_sql.POSTGRES, ids, start, end)
        total = time.perf_counter() - t
    keep = [line.strip() for line in captured if any(w in line for w in (
        "Execution Time", "Planning Time", "Index Scan", "HashAggregate", "GroupAggregate", "WindowAgg",
        "Sort Method", "Seq Scan", "Append"))]
    return [f"EXPLAIN ANALYZE of the percentile query ({start} … {end}, {len(ids)} offices; "
            f"all of read_period with it {total:.2f} s):"] + keep[:14]


def ingest_and_views(rep: Reporter, args) -> None:
    """Ingest rate, the network view of many offices, the drill-down, the facts built from
    the pushed journals, a ticket with the link up against down."""
    pg = PgCluster().start()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            db_url = pg.new_database("bench")
            qcentral(db_url, "init")
            centre = CentralProcess(db_url, Path(tmp) / "qcentral.log").start()
            qcentral(db_url, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
            now = datetime.now(UTC) + timedelta(hours=3)  # Moscow's date
            first = (now - timedelta(days=args.days)).date()  # closed days, then today
            session = requests.Session()
            total_lines, total_s, ids = 0, 0.0, []
            for i in range(args.offices):
                office_id, token = add_office(db_url, f"ЦОК {i + 1:02d}")
                ids.append((office_id, token))
                n, s = push_all(centre.url, token, _lines(first, args.days + 1, args.visits, i + 1), session)
                total_lines += n
                total_s += s
            rep.figure("central_ingest_lines_per_s", total_lines / total_s,
                       f"{total_lines:,} lines from {args.offices} offices over HTTP in batches of {BATCH}")
            token = centre.login("boss")
            net = centre.url + "/api/v1/network"
            centre.stop()
            centre.start()
            cold = timed_get(net, token)[0]
            centre.stop()
            started = time.perf_counter()
            centre.start()
            log_path = (Path(tmp) / "qcentral.log")
            while "folded the live state" not in log_path.read_text(encoding="utf-8", errors="replace").split(
                    "serving on")[-1]:
                time.sleep(0.05)
            rep.figure("central_warm_fold_s", time.perf_counter() - started,
                       f"a fresh process folds all {args.offices} offices in the background")
            rep.figure("central_rss_mb", (rss_kb(centre.proc.pid) or 0) / 1024, "after the fold")
            warm = timed_get(net, token, 20)
            rep.figure("central_network_view_median_ms", statistics.median(warm),
                       f"GET /api/v1/network, {args.offices} offices; the first request of a fresh process "
                       f"{cold:.0f} ms (it waits for the fold)")
            rep.figure("central_network_view_p95_ms", percentile(warm, 95))
            drill = timed_get(f"{centre.url}/api/v1/offices/{ids[0][0]}/state", token, 10)
            rep.figure("central_drill_down_median_ms", statistics.median(drill))
            t = time.perf_counter()
            built = qcentral(db_url, "facts", "refresh").stdout.count("days built")
            refresh_s = time.perf_counter() - t
            days_built = args.offices * args.days
            rep.figure("central_facts_per_office_day_ms", refresh_s * 1000 / max(days_built, 1),
                       f"`qcentral facts refresh`: {days_built} office days of {args.visits} visits "
                       f"({built} offices) built from their pushed lines in {refresh_s:.1f} s")
            import psycopg

            with psycopg.connect(db_url) as conn:
                size = conn.execute("SELECT pg_total_relation_size('journal') / greatest(1, "
                                    "(SELECT count(*) FROM journal))").fetchone()[0]
            rep.figure("central_journal_bytes_per_line", size, "journal table with its indexes")
            side = ticket_side_by_side(centre, db_url, rounds=args.ticket_rounds, per_block=args.ticket_block)
            rep.figure("central_ticket_link_up_median_ms", side["up_median_ms"],
                       f"a ticket at a real office, interleaved blocks, {side['n']} each")
            rep.figure("central_ticket_link_down_median_ms", side["down_median_ms"])
            if args.soak:
                from test_soak import soak

                result = soak(centre, db_url, Path(tmp), args.soak)
                rep.comment(f"soak {args.soak:.0f} s: {result}")
            centre.stop()
        finally:
            pg.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", action="store_true", help="small sizes, budgets off (make test)")
    ap.add_argument("--offices", type=int, default=50)
    ap.add_argument("--days", type=int, default=2, help="closed days pushed per office (and today)")
    ap.add_argument("--visits", type=int, default=700)
    ap.add_argument("--soak", type=float, default=0)
    ap.add_argument("--only", choices=("ingest", "network"), help="one part")
    args = ap.parse_args(argv)
    args.ticket_rounds, args.ticket_block = 4, 150
    if args.tiny:
        args.offices, args.days, args.visits, args.ticket_rounds, args.ticket_block = 3, 1, 60, 1, 20
    rep = Reporter("central", budgets_on=not args.tiny)
    rep.comment(f"machine reference loop at start: {cpu_reference_ms()}")
    if args.only != "network":
        ingest_and_views(rep, args)
    if args.only != "ingest":
        network_reports(rep, args.tiny)
    rep.comment(f"machine reference loop at end: {cpu_reference_ms()}")
    return rep.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
