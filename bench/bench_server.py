"""The queue server's speed, measured on the real `qserver run` with a year of history.

What runs: a working copy of the cached benchmark office (bench/history.py: a
year of simulated history, ≥ 500,000 visits, imported through `qserver
import`), served by `qserver run --data DIR --port P` as a subprocess — uvicorn,
one process, the production server — on 127.0.0.1. The clients are in this
process (HTTP: one keep-alive `http.client` connection per client thread,
bench/http_client.py; the measuring Socket.IO clients: python-socketio) plus
helper processes: one holding the extra Socket.IO clients at the protocol level
(bench/sio_clients.py: one epoll thread reads them all, each from its own
loopback address, as phones in a hall), one sending a bad-login flood
(bench/login_flood.py). Client and server share the machine's cores, so every
figure includes the clients' own CPU time: a pessimistic picture of an office,
whose clients are other PCs and phones.

After start-up the hall is set to a peak hour — 18 counters busy with a
visitor, 40 tickets waiting — and every later figure is measured in that hall.
Where a figure is a ratio, both sides run in the same run, rounds alternated
(A B B A …), because this VM's speed moves by a third within minutes. In order:

1. start-up: process start → `/healthz` answers (median of several starts);
2. one client's ticket round trip against the naive floor: bench/serving_models.py's
   `naive` app, the same serving stack doing one durable SQLite insert per request,
   alternated with the office's tickets (each round's tickets cancelled afterwards);
3. tickets from 4 and 16 concurrent clients;
4. the operation mix with 16 clients, each at its own counter: issue a ticket,
   call the next visitor, finish with kind and topic — "ticket operations/s";
5. 500 unauthenticated sockets held open (never joining: the server closes each
   after 5 s, the helper opens another) against quiet, alternated;
6. a bad-login flood from 450 clients at 450 addresses, alternated with quiet;
7. the hall: 40 staff/board clients (5 measuring ones connect last), `next` → `called`;
   then 2,000 phones following tickets (8 per address), `next` → `called` at the hall
   and → `track` "called" at the called visitor's own phone (a phone per call, from
   its own address), the server's RSS, and the mix with them all listening.

    python -m bench.bench_server           # full size, budgets checked
    python -m bench.bench_server --tiny    # tiny size, budgets printed, not checked
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from . import history as H
from .bench_serving import Proto
from .common import (
    Reporter,
    cpu_reference_ms,
    cpu_seconds,
    fdatasync_ms,
    free_port,
    load1,
    log,
    percentile,
    rss_kb,
    thread_count,
)
from .http_client import Session
from .sio_clients import Holder, RawClient, Watcher, address_pool


@dataclass(frozen=True)
class Size:
    history_days: int
    history_visits_per_day: int
    startups: int
    ticket_levels: dict[int, int]  # concurrent clients → tickets per client per round
    ticket_rounds: int
    mix_clients: int
    mix_seconds: float
    push_samples: int
    watchers: int  # measuring Socket.IO clients at each level (≤ clients)
    push_rounds: int
    push_warmup: int  # calls before the counted ones at each level
    busy_counters: int  # counters (outside the mix) kept busy with a visitor: a peak-hour hall
    busy_waiting: int  # tickets waiting in the administrators' and consultants' queues
    settle_s: float  # quiet time after clients connect or leave
    hall_clients: int  # staff screens and boards connected (watchers among them)
    phones: int  # visitors' phones following their tickets
    idle_sockets: int  # unauthenticated sockets held open
    idle_tickets: int  # tickets per round in the idle-socket and flood comparisons
    flood_clients: int
    flood_seconds: float


FULL = Size(H.FULL_DAYS, H.FULL_VISITS_PER_DAY, startups=3,
            ticket_levels={1: 300, 4: 100, 16: 40}, ticket_rounds=3,
            mix_clients=16, mix_seconds=15, push_samples=150, watchers=5, push_rounds=3, push_warmup=10,
            busy_counters=18, busy_waiting=40, settle_s=1.0,
            hall_clients=40, phones=2000, idle_sockets=500, idle_tickets=200, flood_clients=450, flood_seconds=8)
TINY = Size(H.TINY_DAYS, H.TINY_VISITS_PER_DAY, startups=1,
            ticket_levels={1: 10, 4: 3, 16: 1}, ticket_rounds=1,
            mix_clients=2, mix_seconds=0.5, push_samples=3, watchers=2, push_rounds=1, push_warmup=0,
            busy_counters=1, busy_waiting=2, settle_s=0.1,
            hall_clients=4, phones=16, idle_sockets=10, idle_tickets=10, flood_clients=10, flood_seconds=1)
PUSH_COUNTER = "27"  # a cashier window: payments and meter readings
MIX_COUNTERS = ("1", "2", "3", "4", "5", "11", "12", "13", "14", "15", "16", "17", "18", "27", "28", "29")


# ---- the server process ---------------------------------------------------------------
class Server:
    """`qserver run` as a subprocess group; start() returns seconds to a healthy /healthz."""

    def __init__(self, data: Path, port: int):
        self.data, self.port = data, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = data / "server.log"

    def start(self, timeout: float = 180) -> float:
        logfile = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([H.qserver(), "run", "--data", str(self.data), "--port", str(self.port)],
                                     stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
        logfile.close()
        with requests.Session() as s:
            while time.perf_counter() - t0 < timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"qserver run exited with {self.proc.returncode}:\n{self.tail()}")
                try:
                    if s.get(self.url + "/healthz", timeout=1).ok:
                        return time.perf_counter() - t0
                except requests.RequestException:
                    pass
                time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"qserver run did not answer /healthz in {timeout} s:\n{self.tail()}")

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def prepare(work: Path, kiosks: int) -> dict:
    """Device tokens in the working copy, written before the server starts; the office's
    settings as shipped (a history cached before them may carry an old `threads`)."""
    from queue_server.app import CONFIG_NAME, DB_NAME

    config = work / CONFIG_NAME
    config.write_text("".join(line for line in config.read_text(encoding="utf-8").splitlines(keepends=True)
                              if not line.startswith("threads =")), encoding="utf-8")
    from queue_server.auth import Accounts, new_token
    from queue_server.journal_store import JournalStore

    store = JournalStore(work / DB_NAME)
    try:
        now = datetime.now(UTC)
        names = {"kiosks": [f"bench-kiosk-{i}" for i in range(kiosks)], "display": "bench-hall-board"}
        with store.transaction() as conn:  # one durable commit instead of one per token

            def add(name: str, kind: str) -> str:
                token, digest = new_token()
                Accounts.write_device(conn, name, kind, digest, now)
                return token

            tokens = {"kiosks": [add(n, "kiosk") for n in names["kiosks"]],
                      "display": add(names["display"], "display")}
        return tokens
    finally:
        store.close()


def session(token: str) -> Session:
    """A kiosk's or operator's keep-alive HTTP client (bench/http_client.py: its own
    CPU is ~0.2 ms a call, where `requests` spends ~1.4 ms on these shared cores)."""
    return Session(token)


def login(url: str, who: str, counter_id: str | None = None, source: str = "127.0.0.1") -> str:
    """A staff login from `source`: each counter's PC has its own address (the server
    takes logins from one address at a person's pace)."""
    host, port = url.removeprefix("http://").split(":")
    for _ in range(60):
        conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
        conn.request("POST", "/api/v1/auth/login", headers={"Content-Type": "application/json"},
                     body=json.dumps({"login": who, "password": H.PASSWORD, "counter_id": counter_id}))
        r = conn.getresponse()
        body = r.read()
        conn.close()
        if r.status == 429:  # a password check at a time: come back when told
            time.sleep(float(r.getheader("Retry-After") or 1))
            continue
        if r.status != 200:
            raise RuntimeError(f"login {who}: {r.status} {body[:200]!r}")
        return json.loads(body)["token"]
    raise RuntimeError(f"login {who}: still refused")


def login_many(url: str, who: list[tuple[str, str | None]]) -> list[str]:
    """Several logins at once (each is an argon2 hash at the office's real cost), each from
    its own PC's address."""
    sources = address_pool("127.80.0.1", len(who))
    with ThreadPoolExecutor(4) as ex:
        return list(ex.map(lambda w: login(url, *w[0], source=w[1]), zip(who, sources, strict=True)))


# ---- phases --------------------------------------------------------------------------------
def ms(xs) -> list[float]:
    return [x * 1000 for x in xs]


def services_for(counter_id: str) -> tuple[str, ...]:
    return H.COUNTERS[counter_id]


class Phone:
    """A visitor's phone following one ticket (protocol level, from its own address): notes
    when the `track` saying "called" arrives."""

    def __init__(self, url: str, visit_id: str, source: str):
        self.client = RawClient(url, {"visit": visit_id}, None, source, timeout=10)
        self.called_at: float | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        ws = self.client.ws
        try:
            while True:
                msg = ws.recv()
                if msg == "2":
                    ws.send("3")
                elif msg.startswith('42["track"') and '"state":"called"' in msg:
                    self.called_at = time.perf_counter()
                    return
        except Exception:
            return

    def wait(self, timeout: float = 5.0) -> float | None:
        self.thread.join(timeout)
        return self.called_at

    def close(self) -> None:
        self.client.close()


def push_level(url: str, display: str, watchers_n: int, samples: int, rounds: int, kiosk: Session,
               operator: Session, settle_s: float, warmup: int, phones: list[str] | None = None
               ) -> list[tuple[list[float], list[float], list[float]]]:
    """Per round: (hall push latencies ms, `next` HTTP latencies ms, phone latencies ms).
    The watchers connect now, after every other client: the last the server sends to.
    With `phones` (source addresses), each called ticket is followed by a phone of its own,
    which must hear `track` "called". `warmup` calls go first and are not counted."""
    watchers = [Watcher(url, {"token": display}) for _ in range(watchers_n)]
    time.sleep(settle_s)
    rng = random.Random(watchers_n)
    lost = 0

    def call(pushes: list[float], nexts: list[float], phone_times: list[float], k: int) -> None:
        nonlocal lost
        r = kiosk.post(f"{url}/api/v1/tickets", json={"service_id": rng.choice(services_for(PUSH_COUNTER))},
                       timeout=30)
        r.raise_for_status()
        visit_id = r.json()["visit_id"]
        phone = Phone(url, visit_id, phones[k % len(phones)]) if phones else None
        time.sleep(0.05)  # the ticket's own `state` push goes out first
        t0 = time.perf_counter()
        r = operator.post(f"{url}/api/v1/counters/{PUSH_COUNTER}/next", json={}, timeout=30)
        nexts.append(time.perf_counter() - t0)
        r.raise_for_status()
        if r.json().get("visit_id") != visit_id:
            raise RuntimeError(f"next called {r.json().get('number')}, not the ticket just issued")
        for w in watchers:
            t = w.wait_for(visit_id)
            if t is None:
                lost += 1
            else:
                pushes.append(t - t0)
        if phone is not None:
            t = phone.wait()
            if t is None:
                lost += 1
            else:
                phone_times.append(t - t0)
            phone.close()
        operator.post(f"{url}/api/v1/counters/{PUSH_COUNTER}/finish",
                      json={"kind": "payment", "topic": "energy_supply"}, timeout=30).raise_for_status()
        time.sleep(0.05 + rng.random() * 0.05)

    out = []
    k = 0
    try:
        for _ in range(warmup):
            call([], [], [], k)
            k += 1
        for _ in range(rounds):
            pushes, nexts, phone_times = [], [], []
            for _ in range(max(1, samples // rounds)):
                call(pushes, nexts, phone_times, k)
                k += 1
            out.append((ms(pushes), ms(nexts), ms(phone_times)))
            time.sleep(settle_s)
    finally:
        for w in watchers:
            w.close()
    if lost:
        log(f"push: {lost} `called`/`track` events did not arrive within 5 s")
    return out


def busy_hall(url: str, kiosk: Session, counters: list[str], waiting: int, seed: int = 7) -> None:
    """A peak hour: a visitor at each of `counters`, `waiting` more queued for the administrators
    and consultants (none for the cashiers, whose counter 27 measures the pushes)."""
    rng = random.Random(seed)
    tokens = login_many(url, [(H.operator_login(c), c) for c in counters])
    for c, token in zip(counters, tokens, strict=True):
        with session(token) as op:
            kiosk.post(f"{url}/api/v1/tickets", json={"service_id": services_for(c)[0]},
                       timeout=30).raise_for_status()
            op.post(f"{url}/api/v1/counters/{c}/next", json={}, timeout=30).raise_for_status()
            op.post(f"{url}/api/v1/counters/{c}/start", json={}, timeout=30).raise_for_status()
    for _ in range(waiting):
        service = rng.choice(("reception", "reception", "quick", "consultation", "connection"))
        kiosk.post(f"{url}/api/v1/tickets", json={"service_id": service}, timeout=30).raise_for_status()


def issue_round(url: str, kiosk_tokens: list[str], clients: int, per_client: int,
                seed: int) -> tuple[list[float], float, list[str]]:
    """Tickets alone: (latencies s, wall seconds, visit ids)."""
    barrier = threading.Barrier(clients + 1)
    lat: list[list[float]] = [[] for _ in range(clients)]
    visits: list[list[str]] = [[] for _ in range(clients)]
    errors: list[str] = []

    def client(k: int):
        rng = random.Random(seed * 100 + k)
        s = session(kiosk_tokens[k % len(kiosk_tokens)])
        try:
            for _ in range(2):  # warm the connection
                r = s.post(f"{url}/api/v1/tickets", json={"service_id": "quick"}, timeout=30)
                visits[k].append(r.json()["visit_id"])
            barrier.wait()
            for _ in range(per_client):
                body = {"service_id": H.pick(rng, H.FIRST_SERVICE)}
                t0 = time.perf_counter()
                r = s.post(f"{url}/api/v1/tickets", json=body, timeout=30)
                lat[k].append(time.perf_counter() - t0)
                if r.status_code != 201:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                else:
                    visits[k].append(r.json()["visit_id"])
        except Exception as exc:
            errors.append(repr(exc))
            barrier.abort()
        finally:
            s.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"ticket issue failed: {errors[:3]}")
    return [x for xs in lat for x in xs], wall, [v for vs in visits for v in vs]


def cancel_all(url: str, admin_token: str, visit_ids: list[str]) -> None:
    """Empty the queues again (not timed)."""
    def worker(chunk):
        with session(admin_token) as s:
            for vid in chunk:
                s.post(f"{url}/api/v1/visits/{vid}/cancel", json={"reason": "bench"}, timeout=30)
    chunks = [visit_ids[i::8] for i in range(8)]
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(worker, chunks))


def mix_round(url: str, operators: list[tuple[str, str]], kiosk_tokens: list[str],
              seconds: float) -> tuple[int, float, dict[str, list[float]]]:
    """Each client at its counter: issue → next → finish, for `seconds`.
    Returns (operations done, wall seconds, latencies ms by operation)."""
    barrier = threading.Barrier(len(operators) + 1)
    stop = threading.Event()
    lat: dict[str, list[float]] = {"issue": [], "next": [], "finish": []}
    lock = threading.Lock()
    counts = [0] * len(operators)
    errors: list[str] = []

    def client(k: int, counter_id: str, op_token: str):
        rng = random.Random(k)
        mine: dict[str, list[float]] = {"issue": [], "next": [], "finish": []}
        kiosk, op = session(kiosk_tokens[k % len(kiosk_tokens)]), session(op_token)
        base = f"{url}/api/v1/counters/{counter_id}"
        try:
            barrier.wait()
            while not stop.is_set():
                t0 = time.perf_counter()
                r = kiosk.post(f"{url}/api/v1/tickets",
                               json={"service_id": rng.choice(services_for(counter_id))}, timeout=30)
                t1 = time.perf_counter()
                mine["issue"].append(t1 - t0)
                if r.status_code != 201:
                    raise RuntimeError(f"ticket: {r.status_code} {r.text[:200]}")
                r = op.post(f"{base}/next", json={}, timeout=30)
                t2 = time.perf_counter()
                mine["next"].append(t2 - t1)
                counts[k] += 2
                if r.status_code == 204:  # another counter took it
                    continue
                if r.status_code != 200:
                    raise RuntimeError(f"next: {r.status_code} {r.text[:200]}")
                service = r.json()["service_id"]
                r = op.post(f"{base}/finish", json=H.finish_data(rng, service), timeout=30)
                mine["finish"].append(time.perf_counter() - t2)
                if r.status_code != 200:
                    raise RuntimeError(f"finish: {r.status_code} {r.text[:200]}")
                counts[k] += 1
        except Exception as exc:
            errors.append(repr(exc))
            barrier.abort()
        finally:
            kiosk.close()
            op.close()
            with lock:
                for key, xs in mine.items():
                    lat[key] += xs

    threads = [threading.Thread(target=client, args=(k, c, t)) for k, (c, t) in enumerate(operators)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"operation mix failed: {errors[:3]}")
    return sum(counts), wall, {k: ms(v) for k, v in lat.items()}


# ---- the run ------------------------------------------------------------------------------------
class Cpu:
    """CPU time the server's worker spends on a phase, per operation."""

    def __init__(self, pid: int | None):
        self.pid = pid
        self.t0 = cpu_seconds(pid) if pid else None

    def per_op_ms(self, ops: int) -> float | None:
        t1 = cpu_seconds(self.pid) if self.pid else None
        if self.t0 is None or t1 is None or not ops:
            return None
        return (t1 - self.t0) * 1000 / ops


def by_round(rounds: list[list[float]], p: float) -> tuple[float, str]:
    """The median over rounds of each round's p-th percentile, and the rounds' values as text."""
    values = [percentile(xs, p) for xs in rounds if xs]
    return statistics.median(values), ", ".join(f"{v:.1f}" for v in values)


def load_note() -> str:
    la = load1()
    return f"load average {la:.1f}" if la is not None else ""


def naive_round(naive, n: int) -> list[float]:
    """n tickets from the naive floor (bench/serving_models.py, `naive`), one client."""
    with Session() as s:
        for _ in range(2):
            s.post(naive.url + "/ticket", json={"service_id": "quick"}).raise_for_status()
        out = []
        for _ in range(n):
            t0 = time.perf_counter()
            s.post(naive.url + "/ticket", json={"service_id": "quick"}).raise_for_status()
            out.append(time.perf_counter() - t0)
    return out


def ticket_round(url: str, kiosk_token: str, admin: str, n: int, seed: int) -> list[float]:
    """One client's tickets (seconds each); cancelled afterwards, off the clock."""
    xs, _wall, visits = issue_round(url, [kiosk_token], 1, n, seed)
    cancel_all(url, admin, visits)
    return xs


SETTLE_S = 0.5  # after each alternated round: see alternated()


def alternated(label: str, n_rounds: int, a, b) -> tuple[list[list[float]], list[list[float]]]:
    """Rounds of a and b alternated (a b b a a b …), so both see the same phases of the VM;
    a pause after each round lets its server's background work (the office's WAL checkpoint
    waits for a pause of 0.1 s) finish before the other's round, as it would between visitors."""
    ra, rb = [], []
    for i in range(n_rounds):
        first, second = (a, b) if i % 2 == 0 else (b, a)
        for fn in (first, second):
            (ra if fn is a else rb).append(ms(fn()))
            time.sleep(SETTLE_S)
        log(f"{label}: round {i + 1}/{n_rounds}")
    return ra, rb


def flood_process(url: str, clients: int, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.login_flood", url, str(clients), str(seconds)],
                            cwd=str(Path(__file__).resolve().parent.parent), stdout=subprocess.PIPE, text=True)


def run(size: Size, rep: Reporter, keep: bool = False, only: str | None = None) -> None:
    hist = H.ensure_history(size.history_days, size.history_visits_per_day)
    db_mb = (hist.path / "office.sqlite").stat().st_size / 1e6
    rep.figure("history_visits", hist.visits,
               f"{hist.meta['lines']:,} journal lines, {hist.meta['first_day']} … {hist.meta['last_day']}, "
               f"database {db_mb:,.0f} MB; generated and imported via `qserver import`"
               + (f" in {hist.meta['generate_and_import_s']:.0f} s (cached)" if "generate_and_import_s" in hist.meta else ""))
    tmp = tempfile.mkdtemp(prefix="qbench-server-")
    work = H.copy_office(hist.path, Path(tmp) / "office")
    tokens = prepare(work, kiosks=max(size.ticket_levels))
    disk = fdatasync_ms(work)
    rep.figure("disk_fdatasync_median_ms", disk["median"],
               f"4 KiB write + fdatasync where the journal lives (each ticket waits for one); "
               f"p99 {disk['p99']:.1f} ms, max {disk['max']:.1f} ms")
    ref = cpu_reference_ms()
    rep.figure("cpu_reference_start_ms", ref["median"],
               f"a fixed pure-Python loop before the run (best {ref['min']:.0f} ms): the VM's speed, "
               "which every figure below follows; lower is faster")
    server = Server(work, free_port())
    holder: Holder | None = None
    naive: Proto | None = None
    try:
        # 1. start-up with the whole history in the journal
        starts = []
        for i in range(size.startups):
            starts.append(server.start())
            if i < size.startups - 1:
                server.stop()
        weekday = datetime.now(ZoneInfo(H.TZ)).strftime("%A")
        rep.figure("server_startup_s", statistics.median(starts),
                   f"process start → /healthz, median of {len(starts)}: "
                   + ", ".join(f"{s:.2f}" for s in starts) + f"; replays today and yesterday ({weekday} today)")
        url = server.url
        pid = server.proc.pid
        log(f"server: {url}, pid {pid}")

        mix_at = MIX_COUNTERS[:size.mix_clients]
        staff = login_many(url, [("admin", None), (H.operator_login(PUSH_COUNTER), PUSH_COUNTER)]
                           + [(H.operator_login(c), c) for c in mix_at])
        admin, push_op = staff[0], session(staff[1])
        operators = list(zip(mix_at, staff[2:], strict=True))
        kiosk = session(tokens["kiosks"][0])

        busy = [c for c in H.COUNTERS if c not in MIX_COUNTERS][-size.busy_counters:]
        busy_hall(url, kiosk, busy, size.busy_waiting)
        state = kiosk.get(f"{url}/api/v1/state", timeout=30)
        state.raise_for_status()
        waiting = sum(q["waiting"] for q in state.json()["queues"])
        rep.figure("state_push_kb", len(state.content) / 1024,
                   f"the board-sized `state` body pushed to devices after every change: {len(H.COUNTERS)} counters, "
                   f"{len(busy)} of them with a visitor, {waiting} waiting (the hall all later figures run in)")

        # 2. one client's ticket against the naive floor, alternated in the same run
        naive = Proto("naive", Path(tmp))  # the same serving stack, one durable insert a request
        k0 = tokens["kiosks"][0]
        seeds = iter(range(1000))
        office_r, naive_r = alternated(
            "tickets vs naive", size.ticket_rounds * 2,
            lambda: ticket_round(url, k0, admin, size.ticket_levels[1], next(seeds)),
            lambda: naive_round(naive, size.ticket_levels[1]))
        naive.stop()
        naive = None
        med, med_r = by_round(office_r, 50)
        p99, p99_r = by_round(office_r, 99)
        nmed, nmed_r = by_round(naive_r, 50)
        np99, np99_r = by_round(naive_r, 99)
        rep.figure("ticket_issue_http_1c_median_ms", med, f"by round: {med_r}")
        rep.figure("ticket_issue_http_1c_p99_ms", p99, f"by round: {p99_r}; " + load_note())
        rep.figure("naive_insert_1c_median_ms", nmed,
                   f"the naive floor (uvicorn + a2wsgi + Flask, one durable SQLite insert), by round: {nmed_r}")
        rep.figure("naive_insert_1c_p99_ms", np99, f"by round: {np99_r}")
        rep.figure("ticket_issue_1c_median_vs_naive", med / nmed,
                   f"ticket median {med:.2f} ms / naive {nmed:.2f} ms; rounds alternated "
                   f"({len(office_r)} each of {size.ticket_levels[1]})")
        rep.figure("ticket_issue_1c_p99_vs_naive", p99 / np99, f"ticket p99 {p99:.2f} ms / naive {np99:.2f} ms")
        if only == "ticket1":
            return

        # 3. tickets from 4 and 16 clients (throughput, latency under contention)
        for clients, per_client in size.ticket_levels.items():
            if clients == 1:
                continue
            rounds, rates, cpus = [], [], []
            for rnd in range(size.ticket_rounds):
                log(f"tickets: {clients} client(s) × {per_client}, round {rnd + 1}/{size.ticket_rounds}")
                cpu = Cpu(pid)
                xs, wall, visits = issue_round(url, tokens["kiosks"], clients, per_client, seed=rnd)
                time.sleep(0.2)
                cpus.append(cpu.per_op_ms(len(xs)))
                rounds.append(ms(xs))
                rates.append(len(xs) / wall)
                cancel_all(url, admin, visits)
            med, med_r = by_round(rounds, 50)
            p99, p99_r = by_round(rounds, 99)
            cpu_ms = statistics.median([c for c in cpus if c is not None] or [float("nan")])
            rep.figure(f"ticket_issue_http_{clients}c_median_ms", med, f"by round: {med_r}")
            rep.figure(f"ticket_issue_http_{clients}c_p99_ms", p99, f"by round: {p99_r}; " + load_note())
            rep.figure(f"ticket_issue_{clients}c_per_s", statistics.median(rates),
                       "median of rounds: " + ", ".join(f"{r:.0f}" for r in rates)
                       + f"; server CPU {cpu_ms:.2f} ms per ticket (with its push)")

        # 4. the operation mix, no Socket.IO clients
        log(f"mix: {len(operators)} clients for {size.mix_seconds} s")
        cpu, client_cpu0 = Cpu(pid), time.process_time()
        done, wall, lat = mix_round(url, operators, tokens["kiosks"], size.mix_seconds)
        cpu_ms = cpu.per_op_ms(done)
        client_ms = (time.process_time() - client_cpu0) * 1000 / max(done, 1)
        allops = lat["issue"] + lat["next"] + lat["finish"]
        rep.figure(f"ticket_ops_mix_{len(operators)}c_per_s", done / wall,
                   f"issue + next + finish, each client at its own counter; {done} operations in {wall:.1f} s; "
                   f"server CPU {cpu_ms:.2f} ms, the clients' own {client_ms:.2f} ms per operation; " + load_note())
        rep.figure(f"ticket_ops_mix_{len(operators)}c_p99_ms", percentile(allops, 99),
                   f"median {percentile(allops, 50):.1f} ms; p99 issue {percentile(lat['issue'], 99):.1f}, "
                   f"next {percentile(lat['next'], 99):.1f}, finish {percentile(lat['finish'], 99):.1f} ms")

        # 5. unauthenticated idle sockets held open (reopened as the server closes them)
        holder = Holder(url)
        idle_sources = address_pool("127.50.0.1", size.idle_sockets)  # an attacker's machine each

        def quiet_round():
            holder.idle(0, [])
            return ticket_round(url, k0, admin, size.idle_tickets, next(seeds))

        held: list[int] = []

        def idle_round():
            held.append(holder.idle(size.idle_sockets, idle_sources))
            xs = ticket_round(url, k0, admin, size.idle_tickets, next(seeds))
            held.append(holder.idle(size.idle_sockets, idle_sources))
            return xs
        quiet_r, idle_r = alternated(f"{size.idle_sockets} idle sockets", size.ticket_rounds, quiet_round, idle_round)
        holder.idle(0, [])
        qmed, _ = by_round(quiet_r, 50)
        imed, imed_r = by_round(idle_r, 50)
        rep.figure("ticket_issue_500idle_median_vs_quiet", imed / qmed,
                   f"ticket median {imed:.2f} ms with {size.idle_sockets} unauthenticated sockets held open "
                   f"(never joining: each is closed after 5 s and opened again; open at the start and end "
                   f"of each round: {', '.join(map(str, held))}) / {qmed:.2f} ms quiet; "
                   f"rounds alternated; with them by round: {imed_r}")

        # 6. a bad-login flood
        def flood_round():
            flood = flood_process(url, size.flood_clients, size.flood_seconds + 1)
            time.sleep(1.0)  # the flood is on
            t_end = time.monotonic() + size.flood_seconds
            xs = []
            while time.monotonic() < t_end:
                xs += ticket_round(url, k0, admin, 20, next(seeds))
            out = flood.communicate(timeout=120)[0].strip().splitlines()
            flood_counts.append(out[-1] if out else "{}")
            return xs
        flood_counts: list[str] = []
        quiet_r, flood_r = alternated(f"login flood of {size.flood_clients}", 2,
                                      lambda: ticket_round(url, k0, admin, size.idle_tickets, next(seeds)),
                                      flood_round)
        fp99, fp99_r = by_round(flood_r, 99)
        fmed, _ = by_round(flood_r, 50)
        qp99, _ = by_round(quiet_r, 99)
        rep.figure(f"ticket_issue_loginflood_{size.flood_clients}c_p99_ms", fp99,
                   f"median {fmed:.2f} ms; by round: {fp99_r}; quiet p99 {qp99:.2f} ms in the same run; "
                   f"{size.flood_clients} clients from as many addresses sending wrong passwords as fast as "
                   f"answered; their answers: {'; '.join(flood_counts)}")

        # 7. the hall: staff and boards, then phones following their tickets
        hall_extra = size.hall_clients - size.watchers
        holder.join(hall_extra, {"token": tokens["display"]}, address_pool("127.90.0.1", hall_extra))  # a PC each
        log(f"push: {size.hall_clients} hall clients")
        cpu = Cpu(pid)
        rounds = push_level(url, tokens["display"], size.watchers, size.push_samples, size.push_rounds,
                            kiosk, push_op, size.settle_s, size.push_warmup)
        hall_p99, hall_r = by_round([p for p, _n, _ph in rounds], 99)
        rep.figure(f"called_push_hall_{size.hall_clients}c_p99_ms", hall_p99,
                   f"median {by_round([p for p, _n, _ph in rounds], 50)[0]:.1f} ms; rounds {hall_r}; "
                   f"server CPU {cpu.per_op_ms(3 * size.push_samples):.1f} ms per operation; " + load_note())
        log(f"phones: {size.phones} tickets issued and followed")
        phone_visits = issue_for_phones(url, tokens["kiosks"], size.phones)
        phone_sources = address_pool("127.60.0.1", size.phones // 8 + 1)
        t0 = time.perf_counter()
        holder.follow(phone_visits, phone_sources)
        took = time.perf_counter() - t0
        n_all = size.phones + size.hall_clients
        cpu = Cpu(pid)
        rounds = push_level(url, tokens["display"], size.watchers, size.push_samples, size.push_rounds,
                            kiosk, push_op, size.settle_s, size.push_warmup,
                            phones=address_pool("127.70.0.1", 64))
        hall_p99, hall_r = by_round([p for p, _n, _ph in rounds], 99)
        phone_p99, phone_r = by_round([ph for _p, _n, ph in rounds], 99)
        rep.figure(f"called_push_hall_{n_all}c_p99_ms", hall_p99,
                   f"median {by_round([p for p, _n, _ph in rounds], 50)[0]:.1f} ms; rounds {hall_r}; "
                   f"{holder.count} held by the helper ({size.phones} phones, {hall_extra} boards) + "
                   f"{size.watchers} watchers; the phones joined in {took:.1f} s; "
                   f"server CPU {cpu.per_op_ms(3 * size.push_samples):.1f} ms per operation; " + load_note())
        rep.figure(f"track_called_phone_{n_all}c_p99_ms", phone_p99,
                   f"`next` sent → the called visitor's phone hears `track` \"called\"; median "
                   f"{by_round([ph for _p, _n, ph in rounds], 50)[0]:.1f} ms; rounds {phone_r}")
        time.sleep(size.settle_s)
        rep.figure(f"server_rss_{n_all}c_mb", (rss_kb(pid) or 0) / 1024,
                   f"server VmRSS with {n_all} Socket.IO clients connected ({thread_count(pid)} threads: "
                   f"{thread_names(pid)})")
        log(f"mix: {len(operators)} clients for {size.mix_seconds} s with {n_all} Socket.IO clients listening")
        cpu = Cpu(pid)
        done, wall, lat = mix_round(url, operators, tokens["kiosks"], size.mix_seconds)
        allops = lat["issue"] + lat["next"] + lat["finish"]
        rep.figure(f"ticket_ops_mix_{len(operators)}c_{n_all}ws_per_s", done / wall,
                   f"issue + next + finish with {n_all} Socket.IO clients listening; median "
                   f"{percentile(allops, 50):.1f}, p99 {percentile(allops, 99):.1f} ms; server CPU "
                   f"{cpu.per_op_ms(done):.2f} ms per operation; " + load_note())
        holder.close()
        holder = None

        ref = cpu_reference_ms()
        rep.figure("cpu_reference_end_ms", ref["median"], f"the same loop after the run (best {ref['min']:.0f} ms)")
        rep.figure("server_rss_end_mb", (rss_kb(pid) or 0) / 1024,
                   f"server VmRSS after everything; peak (VmHWM) {(rss_kb(pid, 'VmHWM') or 0) / 1024:.0f} MB "
                   "(concurrent logins: argon2 takes 64 MiB each)")
    finally:
        if holder is not None:
            holder.close()
        if naive is not None:
            naive.stop()
        server.stop()
        if keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def thread_names(pid: int) -> str:
    """The process's threads by name (Linux: /proc/PID/task/*/comm), most first."""
    from collections import Counter

    names: Counter[str] = Counter()
    for comm in Path(f"/proc/{pid}/task").glob("*/comm"):
        try:
            names[comm.read_text().strip().rstrip("0123456789_-")] += 1
        except OSError:
            pass
    return ", ".join(f"{n} {name}" for name, n in names.most_common(6))


def issue_for_phones(url: str, kiosk_tokens: list[str], n: int) -> list[str]:
    """n tickets for the phones, in the administrators' and consultants' queues."""
    services = ("reception", "consultation", "connection", "quick")

    def worker(k: int) -> list[str]:
        out = []
        with session(kiosk_tokens[k % len(kiosk_tokens)]) as s:
            for i in range(k, n, 8):
                r = s.post(f"{url}/api/v1/tickets", json={"service_id": services[i % len(services)]}, timeout=30)
                r.raise_for_status()
                out.append(r.json()["visit_id"])
        return out
    with ThreadPoolExecutor(8) as ex:
        return [v for vs in ex.map(worker, range(8)) for v in vs]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bench_server", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="tiny size, budgets printed but not checked")
    p.add_argument("--keep", action="store_true", help="keep the working office folder")
    p.add_argument("--only", choices=["ticket1"],
                   help="ticket1: stop after the 1-client ticket against the naive floor (for A/B runs)")
    p.add_argument("--rounds", type=int, help="rounds of each measurement (default: the size's)")
    args = p.parse_args(argv)
    size = TINY if args.tiny else FULL
    if args.rounds:
        size = replace(size, ticket_rounds=args.rounds)
    rep = Reporter("server", budgets_on=not args.tiny)
    t0 = time.perf_counter()
    run(size, rep, args.keep, args.only)
    rep.comment(f"bench_server took {time.perf_counter() - t0:.0f} s")
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
