"""The device watch through a month of heartbeats (soak): no false alarm, no missed outage, bounded.

``python -m bench.soak_watch`` runs 30 days (``--tiny``: 3 hours) of 40 devices beating
every 20 s (± 3 s) into the office's real device watch (service/device_watch.py) with a fake
clock, one sweep per simulated second, as the server's thread does. Now and then a device
goes silent for 2–30 minutes (planned outages, two a day per device on average). The
journal must get exactly one `device.down` and one `device.up` per planned outage and
nothing for the heartbeats; the daily reports' downtime must match the planned outages
(give or take the heartbeat's interval at each end). Figures: planned, journaled, false
and missed outages; the downtime's largest error per outage; journal lines per day; the
process's RSS growth after the first day; the sweep's cost per device (µs) beside a
baseline measured in the same run (a dictionary pass over the same devices, so the VM's
speed moves both) and its share of a core at one sweep a second; wall time per simulated day.
"""
from __future__ import annotations

import argparse
import heapq
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEVICES = 40
BEAT_S = 20
JITTER_S = 3
OUTAGES_PER_DEVICE_DAY = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a short run; budgets printed, not checked")
    parser.add_argument("--days", type=float, default=30)
    args = parser.parse_args(argv)
    from .common import Reporter

    rep = Reporter("soak_watch", budgets_on=not args.tiny)
    soak(3 / 24 if args.tiny else args.days, rep)
    return 1 if rep.missed else 0


def plan_outages(rng: random.Random, names: list[str], seconds: int) -> dict[str, list[tuple[int, int]]]:
    """Per device, silent spans [a, b) in seconds from the start, apart from each other and the ends."""
    out: dict[str, list[tuple[int, int]]] = {}
    per_device = OUTAGES_PER_DEVICE_DAY * seconds / 86400
    for name in names:
        spans: list[tuple[int, int]] = []
        for _ in range(int(per_device) + (rng.random() < per_device % 1)):
            a = rng.randrange(300, max(301, seconds - 2400))
            b = a + rng.randrange(120, 1800)
            if all(b + 120 < x or a > y + 120 for x, y in spans):
                spans.append((a, b))
        out[name] = sorted(spans)
    return out


def soak(days: float, rep) -> dict:
    from queue_server.app import create_app
    from queue_server.auth import Principal
    from queue_server.cli import demo_config
    from queue_server.clock import FakeClock
    from queue_server.domain import events as ev
    from queue_server.report_service import build_report
    from queue_server.service.authz import SYSTEM

    from .common import log, rss_kb

    rng = random.Random(13)
    seconds = int(days * 86400)
    start = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    clock = FakeClock(start)
    names = [f"dev-{i:02d}" for i in range(DEVICES)]
    kinds = ("kiosk", "display", "buttons")
    outages = plan_outages(rng, names, seconds)
    planned = sum(len(s) for s in outages.values())
    with tempfile.TemporaryDirectory(prefix="qoffice-soak-watch-") as tmp:
        data = Path(tmp) / "office"
        data.mkdir()
        (data / "office.toml").write_text(demo_config(), encoding="utf-8")  # hours = "always"
        app = create_app(data, clock=clock)
        watch = app.devices
        watch.stop()  # this soak sweeps by hand, once per simulated second
        try:
            who = {}
            for i, name in enumerate(names):
                app.admin.add_device(name, kinds[i % 3], SYSTEM)
                who[name] = Principal("device", name, kinds[i % 3])
            first_seq = app.store.last_seq()
            due = [(rng.uniform(0, BEAT_S), name) for name in names]
            heapq.heapify(due)
            silent_now = {name: 0 for name in names}  # index of the next planned outage
            sweep_ns, beats, rss_day1 = 0, 0, None
            wall = time.perf_counter()
            for t in range(seconds):
                while due and due[0][0] <= t:
                    at, name = heapq.heappop(due)
                    spans, k = outages[name], silent_now[name]
                    while k < len(spans) and spans[k][1] <= at:
                        k += 1
                    silent_now[name] = k
                    if k < len(spans) and spans[k][0] <= at < spans[k][1]:
                        heapq.heappush(due, (spans[k][1] + rng.uniform(0, JITTER_S), name))  # back after it
                        continue
                    clock.set(start + timedelta(seconds=at))
                    beats += watch.beat(who[name])
                    heapq.heappush(due, (at + BEAT_S + rng.uniform(-JITTER_S, JITTER_S), name))
                clock.set(start + timedelta(seconds=t))
                t0 = time.perf_counter_ns()
                watch.sweep()
                sweep_ns += time.perf_counter_ns() - t0
                if t == 86400 and rss_day1 is None:
                    rss_day1 = rss_kb(os.getpid())
                if t % 86400 == 86399:
                    log(f"day {t // 86400 + 1}: {beats} heartbeats, seq {app.store.last_seq()}")
            wall_s = time.perf_counter() - wall
            rss_end = rss_kb(os.getpid())
            lines = [e for e in app.store.events_after(first_seq)]
            downs = [e for e in lines if e.type == ev.DEVICE_DOWN]
            ups = [e for e in lines if e.type == ev.DEVICE_UP]
            found = matched = 0
            for name, spans in outages.items():
                mine = [e for e in downs if e.operator == name]
                found += len(mine)
                for a, _b in spans:
                    hit = [e for e in mine if a - BEAT_S - JITTER_S <= _s(e.data["since"], start) <= a]
                    matched += bool(hit)
            end_day = (start + timedelta(seconds=seconds - 1)).date()
            reported, day = 0.0, start.date()
            while day <= end_day:
                report = build_report(app.store, app.config.catalog, day, now=clock.now(), hours=app.config.hours)
                reported += sum(row["down_s"] for row in report["devices"])
                day += timedelta(days=1)
            planned_s = sum(b - a for spans in outages.values() for a, b in spans)
            error_s = (reported - planned_s) / planned if planned else 0.0
            baseline_ns = _baseline_ns(watch, seconds)
        finally:
            app.close()
    figures = {
        "soak_watch_days": round(days, 2),
        "soak_watch_heartbeats": beats,
        "soak_watch_outages_planned": planned,
        "soak_watch_down_journaled": len(downs),
        "soak_watch_up_journaled": len(ups),
        "soak_watch_false_alarms": found - matched,
        "soak_watch_missed_outages": planned - matched,
        "soak_watch_other_lines": len(lines) - len(downs) - len(ups),
        "soak_watch_downtime_mean_error_s": round(error_s, 1),
        "soak_watch_rss_growth_pct": (round(100 * (rss_end - rss_day1) / rss_day1, 1)
                                      if rss_day1 and rss_end else None),
        "soak_watch_sweep_us_per_device": round(sweep_ns / seconds / DEVICES / 1000, 2),
        "soak_watch_sweep_vs_dict_pass": round(sweep_ns / seconds / baseline_ns, 1) if baseline_ns else None,
        "soak_watch_sweep_core_share_pct": round(100 * sweep_ns / seconds / 1e9, 4),
        "soak_watch_ms_per_day": round(wall_s * 1000 / days, 1),
    }
    notes = {"soak_watch_heartbeats": "taken, none journaled",
             "soak_watch_other_lines": "journal lines other than down/up (heartbeats are never journaled)",
             "soak_watch_downtime_mean_error_s": "reported − planned, per outage (a heartbeat's interval at most)",
             "soak_watch_rss_growth_pct": "after day 1 to the end",
             "soak_watch_sweep_vs_dict_pass": "one sweep ÷ one pass over a dict of the same devices, same run",
             "soak_watch_sweep_core_share_pct": "of one core, sweeping once a second"}
    for name, value in figures.items():
        rep.figure(name, value, notes.get(name, ""))
    return figures


def _s(text: str, start: datetime) -> float:
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - start).total_seconds()


def _baseline_ns(watch, seconds: int) -> float:
    """One pass over a dict of as many devices, comparing times: what a sweep cannot do with less."""
    now = watch.service.clock.now()
    table = {f"dev-{i:02d}": now for i in range(DEVICES)}
    window = timedelta(seconds=60)
    rounds = min(seconds, 20000)
    t0 = time.perf_counter_ns()
    for _ in range(rounds):
        for at in table.values():
            if now - at > window:
                break
    return (time.perf_counter_ns() - t0) / rounds


if __name__ == "__main__":
    raise SystemExit(main())
