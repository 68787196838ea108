"""A day of bookings and walk-ins together (item 5 of issue #18): the fake clock runs an
office day through the real service layer, and both groups' waits stay within the norms.

The example office (counter 1: reception and quick questions, 2: consultation, 3:
consultation and quick questions, 4: cash desk), 09:00–17:00. The evening before, about
60 % of the bookable slots are taken (the slots themselves hold half of each hour's counter
time). On the day walk-ins arrive at random (a seeded generator: the same day every run);
booked visitors mostly come up to 20 minutes early, some up to 10 minutes late, a few up to
25 minutes late (then they are walk-ins), a few not at all. Clerks call the next visitor as
soon as they are free; a service takes 40–140 % of 0.8 × its role's norm.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from tests_support import KIOSK

from queue_server.app import create_app
from queue_server.auth import Principal
from queue_server.clock import FakeClock
from queue_server.domain import commands as c
from queue_server.domain.slots import hhmm
from queue_server.report_service import build_report
from queue_server.service.authz import PUBLIC
from queue_server.snapshot import explain

DAY = date(2026, 11, 20)
EVE = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # 18:00 in Moscow, the evening before
OPEN = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # 09:00
LAST_ARRIVAL = datetime(2026, 11, 20, 13, 30, tzinfo=UTC)  # 16:30
CLOSE = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # 17:00
WALK_INS_PER_HOUR = {"reception": 4.0, "consultation": 3.0, "payments": 2.5, "quick": 1.5}
BOOKED_SHARE = 0.6  # of the bookable slots: 30 % of the counters' time
TICK = timedelta(seconds=30)


@dataclass
class Visitor:
    service: str
    arrives: datetime
    code: str | None = None
    slot: datetime | None = None
    visit: str | None = None
    issued: datetime | None = None
    called: datetime | None = None
    reason: dict | None = None
    late: bool = False


@dataclass
class Counter:
    id: str
    who: Principal
    busy_until: datetime | None = None
    visitor: Visitor | None = None
    served: list = field(default_factory=list)


def run_day(data_dir, seed: int = 18, booked_share: float = BOOKED_SHARE):
    """One office day; walk-ins, bookings and service times each draw from their own
    seeded generator, so the same walk-ins come with or without bookings."""
    rng = random.Random(seed)  # bookings and how the booked visitors come
    walk = random.Random(seed + 1)
    serve = random.Random(seed + 2)
    clock = FakeClock(EVE)
    app = create_app(data_dir, clock=clock)
    handle = app.service.handle
    catalog = app.config.catalog
    visitors: list[Visitor] = []
    booked_n = 0
    # the evening before: book about 70 % of what the slots allow, from 09:30 to 16:30
    for service in WALK_INS_PER_HOUR:
        plan = app.service.read(lambda office, now, s=service: office.bookings.slots(s, DAY, now))
        for i, (slot, _free) in enumerate(plan):
            local = slot.start.astimezone(app.service.office.tz)
            if not (9 * 60 + 30 <= local.hour * 60 + local.minute <= 16 * 60 + 30) or rng.random() > booked_share:
                continue
            try:
                (e,) = handle(c.MakeBooking(service, slot.start, f"Гость {i}", f"+7912{rng.randrange(10**7):07d}"),
                              PUBLIC)
            except Exception:  # the hour's share is used up: the office says no, as it should
                continue
            booked_n += 1
            roll = rng.random()
            if roll < 0.06:
                continue  # never comes
            if roll < 0.80:
                arrives = slot.start - timedelta(minutes=rng.uniform(0, 20))
            elif roll < 0.94:
                arrives = slot.start + timedelta(minutes=rng.uniform(0, 10))
            else:
                arrives = slot.start + timedelta(minutes=rng.uniform(16, 25))
            visitors.append(Visitor(service, arrives, e.data["code"], slot.start))
    for service, per_hour in WALK_INS_PER_HOUR.items():
        t = OPEN
        while True:
            t += timedelta(hours=walk.expovariate(per_hour))
            if t > LAST_ARRIVAL:
                break
            visitors.append(Visitor(service, t))
    visitors.sort(key=lambda v: v.arrives)
    clock.set(OPEN)
    counters = [Counter(cid, Principal("staff", f"op{cid}", "operator", cid)) for cid in catalog.counters]
    for k in counters:
        handle(c.OpenCounter(k.id), k.who)
    by_visit: dict[str, Visitor] = {}
    pending = list(visitors)
    now = OPEN
    while now <= CLOSE + timedelta(hours=2):
        clock.set(now)
        while pending and pending[0].arrives <= now:
            v = pending.pop(0)
            if v.code:
                issued, checked = handle(c.CheckInBooking(v.code), KIOSK)
                v.late = checked.data["late"]
            else:
                (issued,) = handle(c.IssueTicket(v.service), KIOSK)
            v.visit, v.issued = issued.visit, now
            by_visit[v.visit] = v
        for k in counters:
            if k.visitor is not None and k.busy_until <= now:
                handle(c.FinishService(k.id), k.who)
                k.visitor = None
            if k.visitor is None:
                (call,) = handle(c.CallNext(k.id), k.who) or (None,)
                if call is None:
                    continue
                handle(c.StartService(k.id), k.who)
                v = by_visit[call.visit]
                v.called, v.reason = now, call.data["reason"]
                norm = catalog.role_of(v.service).service_norm_s
                k.visitor, k.busy_until = v, now + timedelta(seconds=norm * 0.8 * serve.uniform(0.4, 1.4))
        now += TICK
    clock.set(datetime(2026, 11, 20, 21, 0, 30, tzinfo=UTC))  # midnight: the day's no-shows are marked
    app.extras["scheduler"].tick()
    return app, visitors, booked_n


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def p90(xs: list[float]) -> float:
    """Nearest rank, as the reports count it."""
    return sorted(xs)[max(1, -(-90 * len(xs) // 100)) - 1]


@pytest.mark.parametrize("seed", [0, 3, 7])  # the three heaviest of the first twelve days (docs/bookings.md)
def test_a_day_of_bookings_and_walk_ins_keeps_both_within_the_norms(office_dir, capsys, seed):
    app, visitors, booked_n = run_day(office_dir, seed)
    try:
        catalog = app.config.catalog
        assert all(v.called for v in visitors), "everyone who came was called"
        walk_ins = [v for v in visitors if not v.code or v.late]
        on_time = [v for v in visitors if v.code and not v.late]
        assert len(on_time) > 40 and len(walk_ins) > 80
        figures = {}
        for role in ("administrator", "consultant", "cashier", "admin_consultant"):
            norm = catalog.roles[role].wait_norm_s
            walk = [(v.called - v.issued).total_seconds() for v in walk_ins if catalog.services[v.service].role == role]
            booked = [max(0.0, (v.called - max(v.slot, v.issued)).total_seconds())
                      for v in on_time if catalog.services[v.service].role == role]
            figures[role] = (len(walk), mean(walk) / 60, len(booked), mean(booked) / 60, p90(booked) / 60, norm / 60)
            assert mean(walk) <= norm, (role, figures[role])  # walk-ins keep their norm
            assert mean(booked) <= norm / 2, (role, figures[role])  # booked visitors are called near their time
            assert p90(booked) <= norm, (role, figures[role])
        with capsys.disabled():
            print(f"\nseed {seed}: {booked_n} booked ({len(on_time)} on time), {len(walk_ins)} walk-ins "
                  "(late bookings included)")
            for role, (nw, mw, nb, mb, xb, norm) in figures.items():
                print(f"  {role:17} walk-ins {nw:3} mean wait {mw:5.1f} min | booked {nb:3} mean from slot "
                      f"{mb:4.1f} p90 {xb:4.1f} min | norm {norm:.0f}")
        # a booked visitor called at or after the slot is called because of it, and says so
        tz = catalog.timezone
        due_calls = [v for v in on_time if v.called >= v.slot]
        assert due_calls and all(v.reason["code"] == "appointment" for v in due_calls)
        for v in due_calls:
            assert v.reason["params"]["due"] == hhmm(v.slot, tz)
            assert explain(v.reason, "ru")["message"].startswith(f"Запись на {hhmm(v.slot, tz)}:")
        # the late ones were told and queued as walk-ins; nobody else gets the appointment reason
        assert all(v.reason["code"] != "appointment" for v in walk_ins)
        # the day's report agrees with what happened
        report = build_report(app.store, catalog, DAY)["bookings"]
        assert report["kept"] == len(on_time) and report["late"] == sum(v.late for v in visitors)
        assert report["booked"] == booked_n and report["pending"] == 0
        assert report["no_show"] == booked_n - len([v for v in visitors if v.code])
        waits = [max(0.0, (v.called - max(v.slot, v.issued)).total_seconds()) for v in on_time]
        assert report["wait_from_slot"]["n"] == len(on_time)
        assert abs(report["wait_from_slot"]["mean_s"] - mean(waits)) <= 0.05
    finally:
        app.close()
