"""A year of office history, generated as journal lines and imported through the journal import.

The benchmark office ("ЦОК Бенчмарк") is a busy city customer service centre:
34 counters (10 administrator windows for reception and quick questions, 16
consultant windows for consultations and grid connection, 8 cashier windows
for payments and meter readings), Europe/Moscow, open 08:00–18:00 on weekdays
(Friday to 16:45), about 2,000 visits a day.

Each working day is *simulated*, not templated: visitors arrive by an hourly
profile (peaks at 10–12 and 14–16, Mondays busier, Fridays quieter), queue
at their service, and each counter calls by the server's own rule (wait in
units of the role's norm, plus the head start for priority categories and
transfers — queue_server/domain/policy.py). A called visitor may need a
recall, may not come at all (no-show after two recalls), walks to the counter
and is served for a time drawn around the service's typical duration; half of
the reception visitors are transferred to a consultant or the cashier, and
every finished step carries its outcome, the appeal's kind and its topic.
Counters open at eight, take a staggered lunch, and close once their queue is
empty after closing time. A visitor who waits past their patience leaves
(`visit.cancelled`).

The lines go to one JSON Lines file per month, and each file is imported with
`qserver import` — the same check-everything-then-commit import an office uses —
so the benchmark database is built by the code path real history takes.
The finished office folder is cached per size under ``$QUEUE_BENCH_CACHE``
(default ``~/.cache/queue-office-bench``) and reused by later runs; when days
have passed since it was built, only the missing working days are generated
and imported (the import is idempotent), so the history always ends
yesterday, as a real office's does.

``office_day.py`` reuses the model (arrivals, service times, fates) to play one
day through the live API.

    python -m bench.history --days 255 --visits-per-day 2000   # build or refresh the cache
    python -m bench.history --out year.jsonl --days 255        # just write the lines
"""
from __future__ import annotations

import argparse
import bisect
import fcntl
import heapq
import itertools
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from queue_server.domain.events import format_at
from queue_server.domain.policy import REASON_MESSAGES

from .common import log

GENERATOR_VERSION = 1
TZ = "Europe/Moscow"
PASSWORD = "bench-pass-1"
FULL_DAYS, FULL_VISITS_PER_DAY = 255, 2000  # ≈ 510,000 visits: a year of working days
TINY_DAYS, TINY_VISITS_PER_DAY = 3, 120

# id, role, prefix, name_ru, name_en
SERVICES = (
    ("reception", "administrator", "А", "Администратор", "Reception"),
    ("quick", "admin_consultant", "Б", "Быстрый вопрос", "Quick question"),
    ("consultation", "consultant", "К", "Консультация и заявления", "Consultation and applications"),
    ("connection", "consultant", "Т", "Технологическое присоединение", "Grid connection"),
    ("payments", "cashier", "О", "Оплата", "Payments"),
    ("meters", "cashier", "П", "Показания счётчиков", "Meter readings"),
)
ROLE = {s[0]: s[1] for s in SERVICES}
PREFIX = {s[0]: s[2] for s in SERVICES}
# Counter groups: (first, last counter number, services served)
COUNTER_GROUPS = (
    (1, 10, ("reception", "quick")),
    (11, 26, ("consultation", "connection")),
    (27, 34, ("payments", "meters")),
)
COUNTERS = {str(n): services for first, last, services in COUNTER_GROUPS
            for n in range(first, last + 1)}
WAIT_NORM_S = {"administrator": 600, "consultant": 1200, "cashier": 1200, "admin_consultant": 1200}
PRIORITY_HEAD_START = 1.0
TRANSFER_HEAD_START = 0.5


# ---- the office -------------------------------------------------------------------
def office_toml(hours: str = "weekdays", cheap_passwords: bool = False, name: str = "ЦОК Бенчмарк") -> str:
    """office.toml of the benchmark office.

    ``hours="always"`` for a server benchmarked at any hour of the day (ticket
    hours are checked against the real clock); ``"weekdays"`` for the
    simulated day. ``cheap_passwords``: argon2 at its lowest cost, and logins at
    any pace, where logins are not what is measured (the simulated day logs 34
    operators in from one machine).
    """
    out = ['hours = "always"\n' if hours == "always" else "",
           f'[office]\nname = "{name}"\ntimezone = "{TZ}"\nlanguage = "ru"\nmax_recalls = 2\n'
           'visit_norm_min = 60\n\n[server]\nhost = "127.0.0.1"\nport = 8080\n\n']
    if cheap_passwords:
        out.append("[security]\nargon2_time_cost = 1\nargon2_memory_kib = 1024\n\n"
                   "[limits]\nlogins_per_minute = 60000\n\n")
    if hours != "always":
        for day in ("mon", "tue", "wed", "thu"):
            out.append(f'[hours.{day}]\nopen = "08:00"\nlast_ticket = "17:45"\nclose = "18:00"\n')
        out.append('[hours.fri]\nopen = "08:00"\nlast_ticket = "16:30"\nclose = "16:45"\n\n')
    for sid, role, prefix, ru, en in SERVICES:
        out.append(f'[[services]]\nid = "{sid}"\nrole = "{role}"\nprefix = "{prefix}"\n'
                   f'name_ru = "{ru}"\nname_en = "{en}"\n\n')
    for cid, services in COUNTERS.items():
        kind = "Касса" if "payments" in services else "Окно"
        listed = ", ".join(f'"{s}"' for s in services)
        out.append(f'[[counters]]\nnumber = {cid}\nname = "{kind} {cid}"\nservices = [{listed}]\n\n')
    return "".join(out)


def operator_login(counter_id: str) -> str:
    return f"op{counter_id}"


STAFF = tuple((operator_login(c), "operator") for c in COUNTERS) + (("head", "head"), ("admin", "admin"))


def make_office(data: Path, hours: str = "weekdays", cheap_passwords: bool = False) -> Path:
    """A fresh office folder: office.toml, an empty journal, the staff accounts."""
    from queue_server.app import CONFIG_NAME, DB_NAME, hasher_for
    from queue_server.auth import Accounts
    from queue_server.config import load_config
    from queue_server.journal_store import JournalStore

    data.mkdir(parents=True, exist_ok=True)
    (data / CONFIG_NAME).write_text(office_toml(hours, cheap_passwords), encoding="utf-8")
    config = load_config(data / CONFIG_NAME)
    store = JournalStore(data / DB_NAME)
    try:
        hasher = hasher_for(config)
        accounts = Accounts(store, hasher=hasher)
        now = datetime.now(UTC)
        shared = hasher.hash(PASSWORD)  # one hash at the office's real cost, reused: 36 would take seconds
        with store.lock:  # one durable commit instead of one per account
            store.conn.execute("BEGIN IMMEDIATE")
            for login, role in STAFF:
                accounts.add_user(login, role, name=login, password_hash=shared, now=now)
            store.conn.execute("COMMIT")
    finally:
        store.close()
    return data


# ---- the model of a day -----------------------------------------------------------
# Arrivals per local hour (relative), from 08:00 to the last ticket.
HOURLY_PROFILE = {8: 0.75, 9: 1.05, 10: 1.35, 11: 1.35, 12: 1.0, 13: 0.9, 14: 1.15, 15: 1.15,
                  16: 0.9, 17: 0.5}
WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 0.95, 0.85)  # Mon…Fri; averages to 1
FIRST_SERVICE = {"reception": 0.40, "quick": 0.08, "consultation": 0.14, "connection": 0.05,
                 "payments": 0.25, "meters": 0.08}
TRANSFER_SHARE = 0.5  # of reception visits
TRANSFER_TO = {"consultation": 0.45, "connection": 0.15, "payments": 0.30, "meters": 0.10}
SERVICE_MEAN_S = {"reception": 200, "quick": 420, "consultation": 660, "connection": 900,
                  "payments": 300, "meters": 180}
SERVICE_SIGMA = 0.5  # lognormal spread
NO_SHOW = 0.03
NEEDS_RECALL = 0.08
RECALL_EVERY_S = 40
UNRESOLVED = 0.05
PRIORITY = {"disabled": 0.015, "veteran": 0.015, "appointment": 0.02}
CHANNEL = {"kiosk": 0.9, "counter": 0.05, "remote": 0.05}
ENGLISH = 0.03
LUNCH_S = 30 * 60
KINDS = {
    "reception": {"consultation": 0.7, "application": 0.2, "complaint": 0.1},
    "quick": {"consultation": 0.8, "application": 0.2},
    "consultation": {"application": 0.4, "consultation": 0.35, "complaint": 0.25},
    "connection": {"application": 0.7, "consultation": 0.3},
    "payments": {"payment": 1.0},
    "meters": {"payment": 0.6, "consultation": 0.4},
}
TOPICS = {
    "reception": {"other": 0.5, "energy_supply": 0.3, "metering": 0.2},
    "quick": {"energy_supply": 0.5, "metering": 0.3, "other": 0.2},
    "consultation": {"energy_supply": 0.3, "electricity_transmission": 0.2, "metering": 0.2,
                     "power_quality": 0.1, "other": 0.2},
    "connection": {"technological_connection": 1.0},
    "payments": {"energy_supply": 0.8, "metering": 0.2},
    "meters": {"metering": 1.0},
}


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    x = rng.random() * sum(weights.values())
    for key, w in weights.items():
        x -= w
        if x < 0:
            return key
    return key


def service_time_s(rng: random.Random, service: str) -> float:
    """A service duration around the service's typical one (lognormal, mean as given)."""
    mean = SERVICE_MEAN_S[service]
    mu = math.log(mean) - SERVICE_SIGMA ** 2 / 2
    return max(30.0, rng.lognormvariate(mu, SERVICE_SIGMA))


def hours_of(day: date) -> tuple[int, int, int]:
    """(open, last ticket, close) in local seconds of the day."""
    if day.weekday() == 4:
        return 8 * 3600, 16 * 3600 + 30 * 60, 16 * 3600 + 45 * 60
    return 8 * 3600, 17 * 3600 + 45 * 60, 18 * 3600


def visits_on(day: date, visits_per_day: int, rng: random.Random) -> int:
    return max(1, round(visits_per_day * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.93, 1.07)))


@dataclass
class Arrival:
    t: float  # local seconds of the day
    service: str
    priority: str | None
    channel: str
    lang: str
    no_show: bool  # will not come when called
    needs_recall: bool
    walk_s: float
    patience_s: float
    transfer_to: str | None  # where reception sends them, if anywhere


def arrivals(day: date, n: int, rng: random.Random, start_s: int | None = None,
             end_s: int | None = None) -> list[Arrival]:
    """n visitors of one day by the hourly profile, between opening and the last ticket."""
    open_s, last_s, _ = hours_of(day)
    start_s = open_s if start_s is None else start_s
    end_s = last_s if end_s is None else end_s
    pieces = []  # (from, to, weight)
    for hour, w in HOURLY_PROFILE.items():
        a, b = max(hour * 3600, start_s), min((hour + 1) * 3600, end_s)
        if b > a:
            pieces.append((a, b, w * (b - a)))
    cum = list(itertools.accumulate(p[2] for p in pieces))
    out = []
    for _ in range(n):
        x = rng.random() * cum[-1]
        a, b, _w = pieces[bisect.bisect_right(cum, x)] if x < cum[-1] else pieces[-1]
        t = rng.uniform(a, b)
        service = pick(rng, FIRST_SERVICE)
        r = rng.random()
        priority = None
        for kind, share in PRIORITY.items():
            if r < share:
                priority = kind
                break
            r -= share
        out.append(Arrival(
            t=t, service=service, priority=priority, channel=pick(rng, CHANNEL),
            lang="en" if rng.random() < ENGLISH else "ru", no_show=rng.random() < NO_SHOW,
            needs_recall=rng.random() < NEEDS_RECALL, walk_s=rng.uniform(10, 40),
            patience_s=rng.uniform(60, 150) * 60,
            transfer_to=pick(rng, TRANSFER_TO) if service == "reception" and rng.random() < TRANSFER_SHARE else None,
        ))
    out.sort(key=lambda a: a.t)
    return out


def finish_data(rng: random.Random, service: str) -> dict:
    return {"outcome": "unresolved" if rng.random() < UNRESOLVED else "served",
            "kind": pick(rng, KINDS[service]), "topic": pick(rng, TOPICS[service])}


def lunch_start_s(counter_id: str) -> int:
    """Staggered lunches: 12:00, 12:30 … 14:00 by the counter's place in its group."""
    n = int(counter_id)
    first = next(f for f, last, _ in COUNTER_GROUPS if f <= n <= last)
    return 12 * 3600 + ((n - first) % 5) * 1800


# ---- simulating a day ----------------------------------------------------------------
class _Step:
    __slots__ = ("visit", "index", "service", "queued", "head", "arrival", "number", "deadline",
                 "urgency")

    def __init__(self, visit, index, service, queued, head, arrival, number):
        self.visit, self.index, self.service, self.queued = visit, index, service, queued
        self.head, self.arrival, self.number = head, arrival, number
        self.deadline = queued + arrival.patience_s
        self.urgency = 0.0


def simulate_day(day: date, visits_per_day: int) -> list[tuple]:
    """One working day as (local seconds, order, type, visit, step, service, counter, operator, data),
    sorted in journal order."""
    rng = random.Random(f"{day.isoformat()}/{visits_per_day}/{GENERATOR_VERSION}")
    open_s, _last, close_s = hours_of(day)
    out: list[tuple] = []
    order = itertools.count()

    def emit(t, type_, visit=None, step=None, service=None, counter=None, operator=None, data=None):
        out.append((t, next(order), type_, visit, step, service, counter, operator, data or {}))

    group_of = {s: i for i, (_f, _l, services) in enumerate(COUNTER_GROUPS) for s in services}
    lanes: list[dict[tuple[str, float], deque]] = [{} for _ in COUNTER_GROUPS]
    waiting = [0] * len(COUNTER_GROUPS)
    status = {c: "closed" for c in COUNTERS}
    lunched = dict.fromkeys(COUNTERS, False)
    heap: list = []
    seq = itertools.count()

    def push(t, kind, payload):
        heapq.heappush(heap, (t, next(seq), kind, payload))

    def enqueue(step: _Step, t: float):
        g = group_of[step.service]
        lanes[g].setdefault((step.service, step.head), deque()).append(step)
        waiting[g] += 1
        free = [c for c in members[g] if status[c] == "idle"]
        if free:  # whichever idle operator presses "next" first
            dispatch(rng.choice(free), t)

    def choose(g: int, t: float) -> _Step | None:
        while True:
            best, best_u, best_lane = None, -1.0, None
            for (service, head), lane in lanes[g].items():
                if lane:
                    s = lane[0]
                    u = (t - s.queued) / WAIT_NORM_S[ROLE[service]] + head
                    if u > best_u or (best is not None and u == best_u and s.queued < best.queued):
                        best, best_u, best_lane = s, u, lane
            if best is None:
                return None
            best_lane.popleft()
            waiting[g] -= 1
            if best.deadline < t:  # gave up before being called
                emit(best.deadline, "visit.cancelled", best.visit, best.index, best.service,
                     data={"reason": "left"})
                continue
            best.urgency = best_u
            return best

    def dispatch(c: str, t: float):
        g = group_of[COUNTERS[c][0]]
        step = choose(g, t)
        if step is None:
            status[c] = "idle"
            return
        status[c] = "busy"
        op = operator_login(c)
        a = step.arrival
        norm = WAIT_NORM_S[ROLE[step.service]]
        wait = t - step.queued
        if waiting[g] == 0:
            code = "only"
        elif a.priority and step.index == 1 and wait / norm < 1:
            code = "priority"
        elif step.index > 1 and wait / norm < 0.5:
            code = "transfer"
        elif wait > norm:
            code = "over_norm"
        else:
            code = "longest_wait"
        reason = {"code": code, "template": REASON_MESSAGES[code],
                  "params": {"priority": a.priority or "", "wait_min": round(wait / 60, 1),
                             "norm_min": round(norm / 60, 1)},
                  "wait_s": round(wait, 1), "norm_s": norm, "priority": a.priority,
                  "urgency": round(step.urgency, 3), "waiting": waiting[g] + 1}
        emit(t, "step.called", step.visit, step.index, step.service, c, op, {"reason": reason})
        if a.no_show and step.index == 1:
            emit(t + RECALL_EVERY_S, "step.recalled", step.visit, step.index, step.service, c, op, {"recall": 1})
            emit(t + 2 * RECALL_EVERY_S, "step.recalled", step.visit, step.index, step.service, c, op, {"recall": 2})
            end = t + 3 * RECALL_EVERY_S
            emit(end, "step.no_show", step.visit, step.index, step.service, c, op, {"recalls": 2, "auto": False})
        else:
            came = t
            if a.needs_recall and step.index == 1:
                came += RECALL_EVERY_S
                emit(came, "step.recalled", step.visit, step.index, step.service, c, op, {"recall": 1})
            came += a.walk_s
            emit(came, "step.started", step.visit, step.index, step.service, c, op)
            end = came + service_time_s(rng, step.service)
            if step.index == 1 and a.transfer_to:
                emit(end, "step.transferred", step.visit, step.index, step.service, c, op,
                     {"to_service": a.transfer_to, "note": ""})
                push(end, "enqueue", _Step(step.visit, 2, a.transfer_to, end,
                                           TRANSFER_HEAD_START + (PRIORITY_HEAD_START if a.priority else 0),
                                           a, step.number))
            else:
                emit(end, "step.finished", step.visit, step.index, step.service, c, op,
                     finish_data(rng, step.service))
        push(end + rng.uniform(5, 20), "free", c)

    members = [[c for c, s in COUNTERS.items() if group_of[s[0]] == g] for g in range(len(COUNTER_GROUPS))]
    for c in COUNTERS:
        push(open_s - rng.uniform(60, 600), "open", c)
        push(lunch_start_s(c), "lunch", c)
        push(close_s, "close", c)
    numbers: dict[str, int] = {}
    n = visits_on(day, visits_per_day, rng)
    for i, a in enumerate(arrivals(day, n, rng)):
        numbers[PREFIX[a.service]] = numbers.get(PREFIX[a.service], 0) + 1
        push(a.t, "arrive", (i, a, f"{PREFIX[a.service]}{numbers[PREFIX[a.service]]:03d}"))

    def pause_for_lunch(c, t):
        lunched[c] = True
        status[c] = "lunch"
        emit(t, "counter.paused", counter=c, operator=operator_login(c), data={"reason": "lunch"})
        push(t + LUNCH_S, "back", c)

    def counter_free(c, t):
        g = group_of[COUNTERS[c][0]]
        if not lunched[c] and t >= lunch_start_s(c) and t < close_s - 3600:
            pause_for_lunch(c, t)
        elif t >= close_s and waiting[g] == 0:
            status[c] = "closed"
            emit(t, "counter.closed", counter=c, operator=operator_login(c))
        else:
            dispatch(c, t)

    visit_prefix = f"{day.toordinal():06x}"
    while heap:
        t, _s, kind, payload = heapq.heappop(heap)
        if kind == "arrive":
            i, a, number = payload
            vid = f"{visit_prefix}{i:06x}"
            emit(a.t, "visit.issued", vid, 1, a.service,
                 data={"number": number, "priority": a.priority, "channel": a.channel, "lang": a.lang})
            enqueue(_Step(vid, 1, a.service, a.t, PRIORITY_HEAD_START if a.priority else 0.0, a, number), t)
        elif kind == "enqueue":
            enqueue(payload, t)
        elif kind == "open":
            emit(t, "counter.opened", counter=payload, operator=operator_login(payload))
            status[payload] = "idle"
            dispatch(payload, t)
        elif kind in ("free", "back"):
            if kind == "back":
                emit(t, "counter.resumed", counter=payload, operator=operator_login(payload))
            counter_free(payload, t)
        elif kind == "lunch":
            if status[payload] == "idle" and not lunched[payload]:
                pause_for_lunch(payload, t)
        elif kind == "close":
            if status[payload] == "idle":
                counter_free(payload, t)
    # whoever is still queued after every counter closed gave up
    for g in range(len(COUNTER_GROUPS)):
        for lane in lanes[g].values():
            for s in lane:
                emit(min(s.deadline, close_s + 3600), "visit.cancelled", s.visit, s.index, s.service,
                     data={"reason": "left"})
    out.sort(key=lambda e: (e[0], e[1]))
    return out


def day_lines(day: date, visits_per_day: int) -> Iterator[str]:
    """The journal lines (JSON text with newline) of one simulated working day."""
    midnight_ms = int(datetime.combine(day, dtime(0), tzinfo=ZoneInfo(TZ)).timestamp() * 1000)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    dates: dict[int, str] = {}
    for t, _o, type_, visit, step, service, counter, operator, data in simulate_day(day, visits_per_day):
        days, ms = divmod(midnight_ms + int(t * 1000), 86_400_000)
        prefix = dates.get(days)
        if prefix is None:  # the journal's time format (format_at), without a strftime per line
            prefix = dates[days] = format_at(datetime.fromtimestamp(days * 86400, UTC))[:11]
        sec, ms = divmod(ms, 1000)
        minute, sec = divmod(sec, 60)
        hour, minute = divmod(minute, 60)
        at = f"{prefix}{hour:02d}:{minute:02d}:{sec:02d}.{ms:03d}Z"
        yield dumps({"at": at, "type": type_, "visit": visit,
                     "step": step, "service": service, "counter": counter, "operator": operator,
                     "data": data}) + "\n"


def working_days(last: date, count: int) -> list[date]:
    """The `count` weekdays up to and including `last`, oldest first."""
    days: list[date] = []
    d = last
    while len(days) < count:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days[::-1]


def local_today() -> date:
    return datetime.now(ZoneInfo(TZ)).date()


def write_jsonl(days: list[date], visits_per_day: int, out: Path) -> tuple[int, int]:
    """Write the days' lines to a file; (visits, lines)."""
    visits = lines = 0
    with open(out, "w", encoding="utf-8") as fh:
        for day in days:
            for line in day_lines(day, visits_per_day):
                fh.write(line)
                lines += 1
                if '"type":"visit.issued"' in line:
                    visits += 1
    return visits, lines


def qserver() -> str:
    exe = Path(sys.executable).with_name("qserver")
    return str(exe) if exe.exists() else "qserver"


def import_file(data: Path, path: Path) -> subprocess.Popen:
    """`qserver import --data DIR FILE`, started (the caller waits)."""
    return subprocess.Popen([qserver(), "import", "--data", str(data), str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_import(proc: subprocess.Popen, path: Path) -> str:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"qserver import {path.name} failed ({proc.returncode}): {err.strip()[-2000:]}")
    return out.strip()


def generate_and_import(data: Path, days: list[date], visits_per_day: int, scratch: Path) -> dict:
    """Month by month: write a JSONL file, import it with `qserver import` while the
    next month is generated. Returns counts and timings."""
    months: dict[tuple[int, int], list[date]] = {}
    for d in days:
        months.setdefault((d.year, d.month), []).append(d)
    visits = lines = 0
    gen_s = 0.0
    t0 = time.perf_counter()
    pending: tuple[subprocess.Popen, Path] | None = None
    for (y, m), month_days in sorted(months.items()):
        path = scratch / f"journal-{y:04d}-{m:02d}.jsonl"
        g0 = time.perf_counter()
        v, n = write_jsonl(month_days, visits_per_day, path)
        gen_s += time.perf_counter() - g0
        visits, lines = visits + v, lines + n
        if pending is not None:
            log(f"history: {_wait_import(*pending)} ({pending[1].name})")
            pending[1].unlink()
        pending = (import_file(data, path), path)
    if pending is not None:
        log(f"history: {_wait_import(*pending)} ({pending[1].name})")
        pending[1].unlink()
    return {"visits": visits, "lines": lines, "generate_s": round(gen_s, 1),
            "total_s": round(time.perf_counter() - t0, 1)}


# ---- the cache ------------------------------------------------------------------------
def cache_root() -> Path:
    root = os.environ.get("QUEUE_BENCH_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "queue-office-bench"


@dataclass
class History:
    path: Path  # the cached office folder (do not serve it: copy it first)
    meta: dict

    @property
    def visits(self) -> int:
        return self.meta["visits"]


def ensure_history(days: int = FULL_DAYS, visits_per_day: int = FULL_VISITS_PER_DAY,
                   last_day: date | None = None) -> History:
    """The cached office folder with `days` working days of history ending at `last_day`
    (default: the last working day before today), built or topped up as needed."""
    last_day = last_day or working_days(local_today() - timedelta(days=1), 1)[0]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    key = f"office-{visits_per_day}x{days}-v{GENERATOR_VERSION}"
    final = root / key
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two `make bench` at once: the second waits
        meta_path = final / "history.json"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
            have = date.fromisoformat(meta["last_day"])
            if have >= last_day:
                log(f"history: reusing {final} ({meta['visits']:,} visits, {meta['first_day']} … {meta['last_day']})")
                return History(final, meta)
            missing = [d for d in working_days(last_day, days) if d > have]
            if not missing:  # more than `days` working days have passed: start over
                shutil.rmtree(final)
            else:
                log(f"history: adding {len(missing)} working day(s) after {have} to {final}")
                scratch = final / "scratch"
                scratch.mkdir(exist_ok=True)
                got = generate_and_import(final, missing, visits_per_day, scratch)
                shutil.rmtree(scratch, ignore_errors=True)
                meta.update(last_day=last_day.isoformat(), visits=meta["visits"] + got["visits"],
                            lines=meta["lines"] + got["lines"])
                meta_path.write_text(json.dumps(meta, indent=1))
                return History(final, meta)
        building = root / f"{key}.building"
        shutil.rmtree(building, ignore_errors=True)
        day_list = working_days(last_day, days)
        log(f"history: generating {days} working days × ~{visits_per_day} visits "
            f"({day_list[0]} … {day_list[-1]}) and importing them into {final} — once per size")
        make_office(building, hours="always")
        scratch = building / "scratch"
        scratch.mkdir()
        got = generate_and_import(building, day_list, visits_per_day, scratch)
        shutil.rmtree(scratch, ignore_errors=True)
        meta = {"generator": GENERATOR_VERSION, "days": days, "visits_per_day": visits_per_day,
                "first_day": day_list[0].isoformat(), "last_day": day_list[-1].isoformat(),
                "visits": got["visits"], "lines": got["lines"], "generate_s": got["generate_s"],
                "generate_and_import_s": got["total_s"],
                "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
        (building / "history.json").write_text(json.dumps(meta, indent=1))
        building.rename(final)
        log(f"history: {got['visits']:,} visits, {got['lines']:,} journal lines in {got['total_s']} s "
            f"(generating {got['generate_s']} s)")
        return History(final, meta)


def copy_office(src: Path, dest: Path) -> Path:
    """A working copy of a cached office (the benchmark adds today's events to it)."""
    from queue_server.app import CONFIG_NAME, DB_NAME

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / CONFIG_NAME, dest / CONFIG_NAME)
    for suffix in ("", "-wal", "-shm"):
        if (src / (DB_NAME + suffix)).exists():
            shutil.copyfile(src / (DB_NAME + suffix), dest / (DB_NAME + suffix))
    return dest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.split("\n\n")[0])
    p.add_argument("--days", type=int, default=FULL_DAYS, help="working days of history")
    p.add_argument("--visits-per-day", type=int, default=FULL_VISITS_PER_DAY)
    p.add_argument("--tiny", action="store_true", help=f"{TINY_DAYS} days × {TINY_VISITS_PER_DAY} visits")
    p.add_argument("--out", help="only write the JSON Lines to this file (no import, no cache)")
    args = p.parse_args(argv)
    days, per_day = (TINY_DAYS, TINY_VISITS_PER_DAY) if args.tiny else (args.days, args.visits_per_day)
    if args.out:
        last = working_days(local_today() - timedelta(days=1), 1)[0]
        visits, lines = write_jsonl(working_days(last, days), per_day, Path(args.out))
        print(f"Wrote {lines:,} journal lines ({visits:,} visits) to {args.out}.")
        print(f"Import them into an office made by `{sys.argv[0]}`'s office_toml(): qserver import --data DIR {args.out}")
        return 0
    h = ensure_history(days, per_day)
    print(f"{h.path}: {h.visits:,} visits, {h.meta['lines']:,} journal lines, "
          f"{h.meta['first_day']} … {h.meta['last_day']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
