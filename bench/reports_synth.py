"""Synthetic journals for the report benchmark (load, not known answers).

A day is simulated once per size (visits arrive over 12 opening hours, 70%
start at the administrator and three quarters of those are transferred to a
consultant or cashier, a quarter of calls are recalled, 3% are no-shows,
counters open, pause and close); a year repeats that day with each day's
own dates and visit ids, so generating 3-4 million journal lines takes
seconds rather than minutes. Times are UTC ISO text as the journal writes
them; the office is in Europe/Moscow (no DST), which keeps the repeated
day's UTC clock times valid on every date.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, timedelta

from queue_server.domain.catalog import Catalog, Counter, Service, standard_roles

TZ = "Europe/Moscow"
_UTC_OFFSET_S = 3 * 3600  # Moscow, all year round
SERVICES = {
    "adm": ("Администратор", "Administrator", "administrator", "A"),
    "con": ("Консультация", "Consultation", "consultant", "K"),
    "tc": ("Техприсоединение", "Technological connection", "consultant", "T"),
    "pay": ("Оплата", "Payment", "cashier", "P"),
    "met": ("Показания счётчика", "Meter readings", "cashier", "M"),
}
_SERVE_AT = {"adm": ("1", "2"), "con": ("3", "4", "5"), "tc": ("3", "4", "5"),
             "pay": ("6", "7"), "met": ("6", "7")}
_KINDS = ("application", "complaint", "consultation", "payment")
_TOPICS = ("technological_connection", "electricity_transmission", "energy_supply",
           "metering", "power_quality", "other")
_EMPTY: dict = {}


def synth_catalog() -> Catalog:
    services = {sid: Service(sid, ru, en, role, pfx)
                for sid, (ru, en, role, pfx) in SERVICES.items()}
    counters = {c: Counter(c, ("Касса " if c in "67" else "Окно ") + c,
                           tuple(s for s, cs in _SERVE_AT.items() if c in cs))
                for c in "1234567"}
    return Catalog("ЦОК Синтетический", standard_roles(), services, counters)


def _clock(sec: float) -> str:
    ms = int(sec * 1000)
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"


def day_template(visits: int, rng: random.Random) -> list[tuple]:
    """(utc clock text, type, visit no, step, service, counter, operator, data) in order."""
    t_open = 8 * 3600 - _UTC_OFFSET_S  # 08:00 local as UTC seconds of the day
    raw: list[tuple] = []
    for ctr in "1234567":
        op = "op" + ctr
        raw.append((t_open - 600, 0, "counter.opened", None, None, None, ctr, op, _EMPTY))
        raw.append((t_open + 4 * 3600, 0, "counter.paused", None, None, None, ctr, op, _EMPTY))
        raw.append((t_open + 4 * 3600 + 1800, 0, "counter.resumed", None, None, None, ctr, op, _EMPTY))
        raw.append((t_open + 12 * 3600 + 1800, 0, "counter.closed", None, None, None, ctr, op, _EMPTY))
    for i in range(visits):
        t = t_open + rng.random() * 12 * 3600
        svc = "adm" if rng.random() < 0.7 else rng.choice(("con", "tc", "pay", "met"))
        raw.append((t, 1, "visit.issued", i, 1, svc, None, None,
                    {"number": f"{SERVICES[svc][3]}{i % 1000:03d}", "priority": None,
                     "channel": "kiosk", "lang": "ru"}))
        step = 1
        while True:
            ctr = rng.choice(_SERVE_AT[svc])
            op = "op" + ctr
            t += rng.expovariate(1 / 500)
            raw.append((t, 2, "step.called", i, step, svc, ctr, op, _EMPTY))
            if rng.random() < 0.25:
                t += 20
                raw.append((t, 3, "step.recalled", i, step, svc, ctr, op, _EMPTY))
            if rng.random() < 0.03:
                t += 30
                raw.append((t, 4, "step.no_show", i, step, svc, ctr, op, _EMPTY))
                break
            t += rng.random() * 40
            raw.append((t, 5, "step.started", i, step, svc, ctr, op, _EMPTY))
            t += rng.expovariate(1 / 400)
            if svc == "adm" and rng.random() < 0.75:
                to = rng.choice(("con", "tc", "pay", "met"))
                raw.append((t, 6, "step.transferred", i, step, svc, ctr, op,
                            {"to_service": to, "note": ""}))
                svc, step = to, step + 1
                continue
            raw.append((t, 7, "step.finished", i, step, svc, ctr, op,
                        {"outcome": "served", "kind": rng.choice(_KINDS),
                         "topic": rng.choice(_TOPICS)}))
            break
    raw.sort(key=lambda r: (r[0], r[1]))
    return [(_clock(t), *rest) for t, _order, *rest in raw]


def journal_stream(first: date, days: int, visits_per_day: int, seed: int = 1,
                   as_tuples: bool = False) -> Iterator:
    """``days`` office days from ``first`` as journal-line dicts (or SQLite-like
    tuples with the data as JSON text), in journal order, made as they are read."""
    template = day_template(visits_per_day, random.Random(seed))
    seq = 0
    data_json: dict[int, str] = {}
    for d in range(days):
        prefix = (first + timedelta(days=d)).isoformat() + "T"
        ids = [f"{prefix[:-1]}-{i:05d}" for i in range(visits_per_day)]
        for clock, typ, vno, step, svc, ctr, op, data in template:
            seq += 1
            vid = ids[vno] if vno is not None else None
            if as_tuples:
                text = data_json.get(id(data))
                if text is None:
                    text = data_json[id(data)] = json.dumps(data)
                yield (seq, prefix + clock, typ, vid, step, svc, ctr, op, text)
            else:
                yield {"seq": seq, "at": prefix + clock, "type": typ, "visit": vid,
                       "step": step, "service": svc, "counter": ctr, "operator": op,
                       "data": data}


def journal(first: date, days: int, visits_per_day: int, seed: int = 1,
            as_tuples: bool = False) -> list:
    """The same journal, all in memory."""
    return list(journal_stream(first, days, visits_per_day, seed, as_tuples))
