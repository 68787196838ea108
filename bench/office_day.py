"""A whole office day played through the real API at 100× speed.

The app runs in this process with `queue_server.clock.FakeClock`, served on
127.0.0.1 by the production stack in a thread (`queue_server.serve.ServerThread`,
as tests/live_office.py's `start_live_office` does: `qserver run` would run the
app in another process, out of reach of the fake clock). A ticker thread moves the fake clock at
`speed`× real time. Everything else is HTTP, like the real office:

- a kiosk issues the day's tickets at their arrival times (bench/history.py's
  model: hourly profile with morning and afternoon peaks, service mix,
  priority categories, channels);
- one operator thread per counter logs in before opening, presses "next"
  (or waits a while when nobody is there), recalls those who do not come,
  marks no-shows after two recalls, starts service when the visitor arrives,
  serves for a time drawn around the service's typical duration, transfers
  half of the reception visitors to a consultant or the cashier, finishes
  with outcome, kind and topic, takes a staggered half-hour lunch, and logs
  out when the hall is empty after closing.

Which visitor each counter gets is the server's own call policy. At the end
the day's journal goes through `queue_server.reports.daily.daily_report`,
and the day's figures are printed: visits, mean wait per role against its
norm, the share within norm, the whole visit against its 60 minutes — and
how long the simulation took, how late the kiosk ran, and the API latencies
seen by the simulated staff.

    python -m bench.office_day            # a busy day: 2,000 visits, 34 counters, 100×
    python -m bench.office_day --tiny     # 20 minutes of arrivals, 12 visits, 6 counters, 1000×
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from . import history as H
from .common import Reporter, free_port, log, percentile

DAY = date(2026, 3, 17)  # a Tuesday
ROLES = ("administrator", "consultant", "cashier", "admin_consultant")


@dataclass(frozen=True)
class DaySize:
    visits: int
    counters: tuple[str, ...]
    start_s: int  # first arrival, local seconds of the day
    end_s: int  # last arrival
    speed: float


FULL = DaySize(2000, tuple(H.COUNTERS), 8 * 3600, 17 * 3600 + 45 * 60, 100.0)
TINY = DaySize(12, ("1", "2", "11", "12", "27", "28"), 8 * 3600, 8 * 3600 + 20 * 60, 1000.0)


class SimClock:
    """Local seconds of the simulated day ↔ wall time, and the ticker moving the FakeClock."""

    def __init__(self, fake, midnight: datetime, start_s: float, speed: float):
        self.fake, self.midnight, self.start_s, self.speed = fake, midnight, start_s, speed
        self.t0 = time.perf_counter()
        self.stop = threading.Event()
        fake.set(midnight + timedelta(seconds=start_s))
        threading.Thread(target=self._tick, name="sim-ticker", daemon=True).start()

    def now_s(self) -> float:
        return self.start_s + (time.perf_counter() - self.t0) * self.speed

    def _tick(self):
        while not self.stop.is_set():
            self.fake.set(self.midnight + timedelta(seconds=self.now_s()))
            time.sleep(0.002)

    def sleep(self, sim_s: float) -> None:
        if sim_s > 0:
            time.sleep(sim_s / self.speed)

    def sleep_until(self, sim_t: float) -> None:
        self.sleep(sim_t - self.now_s())


@dataclass
class Shared:
    fates: dict[str, H.Arrival] = field(default_factory=dict)
    open_visits: int = 0
    kiosk_done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    lateness: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(op, []).append(seconds * 1000)


class Client:
    """One simulated person's HTTP session, timing every call."""

    def __init__(self, url: str, shared: Shared, token: str | None = None):
        self.url, self.shared = url, shared
        self.s = requests.Session()
        if token:
            self.s.headers["Authorization"] = f"Bearer {token}"

    def post(self, op: str, path: str, body: dict | None = None) -> requests.Response:
        t0 = time.perf_counter()
        r = self.s.post(self.url + path, json=body or {}, timeout=30)
        self.shared.record(op, time.perf_counter() - t0)
        if r.status_code >= 400:
            with self.shared.lock:
                self.shared.errors.append(f"{op} {path}: {r.status_code} {r.text[:200]}")
        return r


def kiosk(url: str, token: str, plan: list[H.Arrival], clock: SimClock, shared: Shared) -> None:
    c = Client(url, shared, token)
    try:
        for a in plan:
            clock.sleep_until(a.t)
            shared.lateness.append(max(0.0, clock.now_s() - a.t))
            r = c.post("issue", "/api/v1/tickets", {"service_id": a.service, "priority": a.priority,
                                                    "channel": a.channel, "lang": a.lang})
            if r.status_code == 201:
                with shared.lock:
                    shared.fates[r.json()["visit_id"]] = a
                    shared.open_visits += 1
    finally:
        shared.kiosk_done = True


def operator(url: str, counter_id: str, clock: SimClock, shared: Shared, close_s: float, seed: int) -> None:
    try:
        _operator(url, counter_id, clock, shared, close_s, seed)
    except Exception as exc:
        with shared.lock:
            shared.errors.append(f"counter {counter_id}: {exc!r}")


def _operator(url: str, counter_id: str, clock: SimClock, shared: Shared, close_s: float, seed: int) -> None:
    rng = random.Random(seed)
    login = H.operator_login(counter_id)
    clock.sleep_until(8 * 3600 - rng.uniform(60, 600))
    anon = Client(url, shared)
    r = anon.post("login", "/api/v1/auth/login", {"login": login, "password": H.PASSWORD, "counter_id": counter_id})
    r.raise_for_status()
    c = Client(url, shared, r.json()["token"])
    base = f"/api/v1/counters/{counter_id}"
    lunch_at, lunched = H.lunch_start_s(counter_id), False
    while True:
        now = clock.now_s()
        if not lunched and lunch_at <= now < close_s - 3600:
            lunched = True
            c.post("pause", base + "/pause", {"reason": "lunch"})
            clock.sleep(H.LUNCH_S)
            c.post("resume", base + "/resume")
            continue
        r = c.post("next", base + "/next")
        if r.status_code == 204:
            if shared.kiosk_done and now >= close_s and shared.open_visits == 0:
                c.post("logout", "/api/v1/auth/logout")
                return
            clock.sleep(rng.uniform(45, 75))  # looks up from the paperwork now and then
            continue
        if r.status_code != 200:
            clock.sleep(30)
            continue
        step = r.json()
        vid, index, service = step["visit_id"], step["step"], step["service_id"]
        a = None
        for _ in range(100):  # the kiosk notes the ticket's fate as soon as its answer arrives
            with shared.lock:
                a = shared.fates.get(vid)
            if a is not None:
                break
            time.sleep(0.002)
        if a is None:
            a = H.Arrival(0, service, None, "kiosk", "ru", False, False, 20, 3600, None)
        ended = False
        if a.no_show and index == 1:
            for _ in range(2):
                clock.sleep(H.RECALL_EVERY_S)
                c.post("recall", base + "/recall")
            clock.sleep(H.RECALL_EVERY_S)
            ended = c.post("no_show", base + "/no-show").status_code == 200
        else:
            if a.needs_recall and index == 1:
                clock.sleep(H.RECALL_EVERY_S)
                c.post("recall", base + "/recall")
            clock.sleep(a.walk_s)
            c.post("start", base + "/start")
            clock.sleep(H.service_time_s(rng, service))
            if index == 1 and a.transfer_to:
                c.post("transfer", base + "/transfer", {"service_id": a.transfer_to})
            else:
                ended = c.post("finish", base + "/finish", H.finish_data(rng, service)).status_code == 200
        if ended:
            with shared.lock:
                shared.open_visits -= 1
        clock.sleep(rng.uniform(5, 20))


def serve_in_thread(data: Path, clock):
    from queue_server.app import create_app
    from queue_server.serve import ServerThread

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(data, clock=clock, base_url=url)
    server = ServerThread(app, "127.0.0.1", port).start()
    return app, server, url


def model_day_lines(day: date, visits: int) -> list[dict]:
    """The history generator's own version of a day like this one (for comparison)."""
    from queue_server.domain.events import format_at

    mid = datetime.combine(day, dtime(0), tzinfo=ZoneInfo(H.TZ))
    return [{"at": format_at(mid + timedelta(seconds=t)), "type": ty, "visit": v, "step": st, "service": sv,
              "counter": c, "operator": op, "data": d}
             for t, _o, ty, v, st, sv, c, op, d in H.simulate_day(day, visits)]


def run(size: DaySize, rep: Reporter, keep: bool, compare: bool) -> None:
    from queue_server.app import CONFIG_NAME
    from queue_server.clock import FakeClock
    from queue_server.config import load_config
    from queue_server.reports.daily import daily_report

    tmp = Path(tempfile.mkdtemp(prefix="qbench-day-"))
    data = H.make_office(tmp / "office", hours="weekdays", cheap_passwords=True)
    catalog = load_config(data / CONFIG_NAME).catalog
    midnight = datetime.combine(DAY, dtime(0), tzinfo=ZoneInfo(H.TZ))
    fake = FakeClock(midnight + timedelta(seconds=size.start_s - 11 * 60))
    app, server, url = serve_in_thread(data, fake)
    try:
        kiosk_token = app.accounts.add_device("sim-kiosk", "kiosk", fake.now())
        rng = random.Random(f"office-day/{DAY}/{size.visits}")
        plan = H.arrivals(DAY, size.visits, rng, size.start_s, size.end_s)
        _open, _last, close_s = H.hours_of(DAY)
        close_s = min(close_s, size.end_s + 15 * 60)
        shared = Shared()
        clock = SimClock(fake, midnight, size.start_s - 11 * 60, size.speed)
        log(f"office day: {len(plan)} visits, {len(size.counters)} counters, {size.speed:.0f}× "
            f"(≈ {(close_s - clock.start_s) / size.speed:.0f} s of wall time and then the queue's tail)")
        wall0 = time.perf_counter()
        threads = [threading.Thread(target=kiosk, args=(url, kiosk_token, plan, clock, shared), name="kiosk")]
        threads += [threading.Thread(target=operator, args=(url, cid, clock, shared, close_s, i), name=f"op{cid}")
                    for i, cid in enumerate(size.counters)]
        for t in threads:
            t.start()
        limit = (close_s - clock.start_s + 6 * 3600) / size.speed
        for t in threads:
            t.join(max(0.1, limit - (time.perf_counter() - wall0)))
        wall = time.perf_counter() - wall0
        end_s = clock.now_s()
        clock.stop.set()
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            log(f"office day: still running after the time limit: {', '.join(stuck)}")

        day_start = midnight.astimezone(UTC)
        t0 = time.perf_counter()
        events = list(app.store.events_between(day_start, day_start + timedelta(days=1)))
        read_s = time.perf_counter() - t0
        report = daily_report(events, catalog, DAY)
        report_s = time.perf_counter() - t0

        v = report["visits"]
        rep.figure("office_day_visits", v["count"],
                   f"{v['completed']} completed, {v['no_shows']} no-shows, {v['transfers']} transfers, "
                   f"{v['cancelled']} cancelled, {v['open_at_close']} open at close; {len(events):,} journal events; "
                   f"{len(size.counters)} counters")
        for rid in ROLES:
            r = report["roles"][rid]
            w = r["wait"]
            if not w["n"]:
                continue
            norm_min = r["norm"]["wait_s"] / 60
            verdict = "within" if r["verdict"]["wait_ok"] else "OVER"
            rep.figure(f"office_day_wait_{rid}_mean_min", w["mean_s"] / 60,
                       f"norm {norm_min:.0f} min ({verdict}); median {w['median_s'] / 60:.1f}, p90 {w['p90_s'] / 60:.1f}, "
                       f"max {w['max_s'] / 60:.1f} min; {w['n']} steps")
            rep.figure(f"office_day_wait_{rid}_within_norm_pct",
                       100 * w["within_norm_share"] if w["within_norm_share"] is not None else None,
                       f"service mean {r['service']['mean_s'] / 60:.1f} min vs norm {r['norm']['service_s'] / 60:.0f}"
                       if r["service"]["mean_s"] is not None else "")
        total = v["total"]
        if total["n"]:
            rep.figure("office_day_visit_total_mean_min", total["mean_s"] / 60,
                       f"norm {v['norm_s'] / 60:.0f} min; within norm {100 * (total['within_norm_share'] or 0):.1f}%; "
                       f"p90 {total['p90_s'] / 60:.1f} min")
        model = daily_report(model_day_lines(DAY, size.visits), catalog, DAY) if compare else None
        if model:
            rep.comment("history generator's model of a day like this (its own queueing, not the server's): "
                        + ", ".join(f"{rid} wait {model['roles'][rid]['wait']['mean_s'] / 60:.1f} min"
                                    for rid in ROLES if model["roles"][rid]["wait"]["n"]))
        sim_h = (end_s - clock.start_s) / 3600
        rep.figure("office_day_sim_wall_s", wall,
                   f"{sim_h:.1f} simulated hours ({(clock.start_s + 0) / 3600:.2f} → {end_s / 3600:.2f} local) at {size.speed:.0f}×")
        allops = [x for k, xs in shared.latencies.items() if k != "login" for x in xs]
        nops = len(allops)
        rep.figure("office_day_api_p99_ms", percentile(allops, 99) if allops else None,
                   f"{nops:,} API calls by the simulated staff and kiosk; median {statistics.median(allops):.1f} ms; "
                   + ", ".join(f"{k} p99 {percentile(xs, 99):.0f}" for k, xs in sorted(shared.latencies.items())
                               if k in ("issue", "next", "finish", "transfer")) if allops else "")
        rep.figure("office_day_kiosk_lag_p99_s", percentile(shared.lateness, 99) if shared.lateness else None,
                   "simulated seconds a ticket was issued after its planned arrival (the harness keeping up)")
        rep.figure("office_day_daily_report_s", report_s,
                   f"events_between ({read_s:.2f} s) + daily_report on the simulated day ({len(events):,} events)")
        if shared.errors:
            rep.comment(f"{len(shared.errors)} API errors during the day, first: {shared.errors[0]}")
    finally:
        server.stop()  # and closes the office
        if keep:
            log(f"kept {data}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.office_day", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="an hour with a handful of counters, 1000×")
    p.add_argument("--speed", type=float, help="override the speed (100 for the full day)")
    p.add_argument("--keep", action="store_true", help="keep the simulated office folder")
    args = p.parse_args(argv)
    size = TINY if args.tiny else FULL
    if args.speed:
        size = DaySize(size.visits, size.counters, size.start_s, size.end_s, args.speed)
    rep = Reporter("office_day", budgets_on=not args.tiny)
    run(size, rep, args.keep, compare=not args.tiny)
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
