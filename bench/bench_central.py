"""The centre measured (docs/central.md): ingest rate, the network view of 50 offices, and a
ticket with the link up against down, side by side.

    .venv/bin/python -m bench.bench_central [--offices 50] [--days 2] [--visits 700] [--soak SECONDS]

Starts its own throwaway PostgreSQL cluster and `qcentral run` process; offices are
synthetic journals (bench/reports_synth.py) pushed over HTTP exactly as the office's
pusher sends them, except the ticket comparison, which runs a real office and its pusher.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import requests

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "central")]

from central_support import HEAD_PASSWORD, CentralProcess, add_office, qcentral  # noqa: E402
from pg_cluster import PgCluster  # noqa: E402

from bench.common import cpu_reference_ms, percentile  # noqa: E402
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--offices", type=int, default=50)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--visits", type=int, default=700)
    ap.add_argument("--soak", type=float, default=0)
    args = ap.parse_args(argv)
    print("machine reference loop:", cpu_reference_ms())
    pg = PgCluster().start()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            db_url = pg.new_database("bench")
            qcentral(db_url, "init")
            centre = CentralProcess(db_url, Path(tmp) / "qcentral.log").start()
            qcentral(db_url, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
            now = datetime.now(UTC) + timedelta(hours=3)  # Moscow's date
            first = (now - timedelta(days=args.days - 1)).date()
            session = requests.Session()
            total_lines, total_s, ids = 0, 0.0, []
            for i in range(args.offices):
                office_id, token = add_office(db_url, f"ЦОК {i + 1:02d}")
                ids.append((office_id, token))
                n, s = push_all(centre.url, token, _lines(first, args.days, args.visits, i + 1), session)
                total_lines += n
                total_s += s
            print(f"ingest: {total_lines} lines from {args.offices} offices in {total_s:.1f} s "
                  f"= {total_lines / total_s:,.0f} lines/s over HTTP in batches of {BATCH}")
            token = centre.login("boss")
            net = centre.url + "/api/v1/network"
            centre.stop()
            centre.start()
            cold = timed_get(net, token)[0]
            centre.stop()
            started = time.perf_counter()
            centre.start()
            log = (Path(tmp) / "qcentral.log")
            while "folded the live state" not in log.read_text(encoding="utf-8", errors="replace").split(
                    "serving on")[-1]:
                time.sleep(0.05)
            warmed_s = time.perf_counter() - started
            after_warm = timed_get(net, token)[0]
            from bench.common import rss_kb

            rss = rss_kb(centre.proc.pid)
            print(f"a fresh process folds all {args.offices} offices in the background: ready {warmed_s:.1f} s "
                  f"after start; the first request then {after_warm:.1f} ms; process RSS {rss / 1024:.0f} MB")
            warm = timed_get(net, token, 20)
            print(f"network view, {args.offices} offices × {args.days} days: first request right after a fresh process answers "
                  f"{cold:.0f} ms (it waits for the fold), then median {statistics.median(warm):.1f} ms, "
                  f"p95 {percentile(warm, 95):.1f} ms")
            # every office pushes a little more: the next view folds only the new lines
            for office_id, office_token in ids:
                with __import__("psycopg").connect(db_url) as conn:
                    last = conn.execute("SELECT last_seq FROM offices WHERE id = %s", (office_id,)).fetchone()[0]
                extra = [{**line, "seq": last + k + 1,
                          "uid": hashlib.sha256(f"x{office_id}:{k}".encode()).hexdigest()[:32]}
                         for k, line in enumerate(list(_lines(first, 1, 5, 999))[:20])]
                push_all(centre.url, office_token, extra, session)
            incremental = timed_get(net, token)[0]
            print(f"network view after 20 new lines in each office: {incremental:.1f} ms")
            drill = timed_get(f"{centre.url}/api/v1/offices/{ids[0][0]}/state", token, 10)
            print(f"one office's drill-down: median {statistics.median(drill):.1f} ms")
            with __import__("psycopg").connect(db_url) as conn:
                size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('journal')), "
                                    "pg_total_relation_size('journal') / greatest(1, (SELECT count(*) FROM journal))"
                                    ).fetchone()
            print(f"journal table: {size[0]} ({size[1]} bytes a line with its indexes)")
            side = ticket_side_by_side(centre, db_url)
            print(f"ticket through a real office, link up vs down, interleaved blocks ({side['n']} each): "
                  f"median {side['up_median_ms']:.2f} vs {side['down_median_ms']:.2f} ms, "
                  f"p95 {side['up_p95_ms']:.2f} vs {side['down_p95_ms']:.2f} ms")
            if args.soak:
                from test_soak import soak

                result = soak(centre, db_url, Path(tmp), args.soak)
                print(f"soak {args.soak:.0f} s: {result}")
            centre.stop()
        finally:
            pg.stop()
    print("machine reference loop:", cpu_reference_ms())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
