"""The bookings and the appeals registry in a company report: counted at the centre from each
office's pushed `booking.*` and `appeal.*` lines, as each office counts its own.

Three offices push a week of visits with bookings (kept, late, missed, cancelled, still to
come, made by staff) and appeals (registered, decided in time and late, one registered before
the period and decided in it, one overdue) through the real push endpoint to a real `qcentral`
on a throwaway PostgreSQL. The centre's report over all of them must count exactly what the
offices' own reports (report_service over a real SQLite journal of the same lines) add up to.
"""
from __future__ import annotations

import hashlib
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from central_support import HEAD_PASSWORD, add_office, qcentral
from test_company_reports import history, push, today

ROOT = Path(__file__).parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reports")]
from facts_kit import store_with  # noqa: E402

from bench.reports_synth import TZ, synth_catalog  # noqa: E402
from queue_server.domain import events as ev  # noqa: E402
from queue_server.domain.appeals import TOPICS, AppealRegistry, AppealRules  # noqa: E402
from queue_server.report_service import build_report  # noqa: E402
from queue_server.reports.daily import add_up  # noqa: E402

ZONE = ZoneInfo(TZ)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZONE).replace(hour=hour, minute=minute)


def booking(kind: str, when: datetime, code: str, slot: datetime, visit: str | None = None, **data) -> ev.Event:
    return ev.Event(kind, when, visit, service="con", data={"code": code, "start": ev.format_at(slot), **data})


def registers(k: int, first: date, days: int) -> list[ev.Event]:
    """Office k's bookings and appeals over the days from `first`: more of each the larger k."""
    out: list[ev.Event] = []
    made = {"minutes": 15, "name": "Имя", "phone": "+79120000000", "email": None, "lang": "ru"}
    for i in range(k + 2):
        day = first + timedelta(days=1 + i % (days - 1))
        slot = at(day, 10, 15 * i)
        code = f"B{k}{i:02d}"
        out.append(booking(ev.BOOKING_CREATED, at(day - timedelta(days=1), 9), code, slot,
                           via="staff" if i == 0 else "web", **made))
        if i % 4 == 0:
            out.append(booking(ev.BOOKING_CHECKED_IN, slot - timedelta(minutes=5), code, slot, f"v{code}",
                               late=False, via="kiosk"))
        elif i % 4 == 1:
            out.append(booking(ev.BOOKING_CHECKED_IN, slot + timedelta(minutes=20), code, slot, f"v{code}",
                               late=True, via="kiosk"))
        elif i % 4 == 2:
            out.append(booking(ev.BOOKING_CANCELLED, at(day, 8), code, slot, by="visitor"))
        else:  # marked after midnight: the wider lines count it (report_service, _registers)
            out.append(booking(ev.BOOKING_NO_SHOW, at(day + timedelta(days=1), 0, 1), code, slot))
    # the hall board silent for half an hour on the period's second day (and office 2's kiosk from
    # its fourth day to the end): the device downtime each office reports, and the centre too
    down = at(first + timedelta(days=1), 10)
    out.append(ev.Event(ev.DEVICE_DOWN, down + timedelta(minutes=1), operator="board-1",
                        data={"kind": "display", "since": ev.format_at(down), "silent_s": 61}))
    out.append(ev.Event(ev.DEVICE_UP, down + timedelta(minutes=30), operator="board-1",
                        data={"kind": "display", "down_since": ev.format_at(down), "down_s": 1800}))
    if k == 2:
        gone = at(first + timedelta(days=3), 12)
        out.append(ev.Event(ev.DEVICE_DOWN, gone, operator="kiosk-1",
                            data={"kind": "kiosk", "since": ev.format_at(gone), "silent_s": 61}))
    later = first + timedelta(days=days + 3)  # a slot after the period: made in it, not booked for it
    out.append(booking(ev.BOOKING_CREATED, at(first + 1 * timedelta(days=1), 11), f"B{k}99", at(later, 10),
                       via="web", **made))

    registry = AppealRegistry(AppealRules())

    def do(event: ev.Event) -> ev.Event:
        registry.apply(event)
        out.append(event)
        return event

    before = do(registry.register(at(first - timedelta(days=3), 12), "op1", kind="complaint", topic=TOPICS[0],
                                  channel="in_person", text="До периода", service_id="con", contract="7001",
                                  contact={"phone": "+79120000001"}))
    do(registry.decide(at(first + timedelta(days=1), 15), "op1", before.data["code"], "justified", "Ответ"))
    for i in range(k + 3):
        day = first + timedelta(days=i % days)
        a = do(registry.register(at(day, 11, i), "op2", kind=("complaint", "question", "application")[i % 3],
                                 topic=TOPICS[i % len(TOPICS)], channel=("in_person", "web", "phone")[i % 3],
                                 text=f"Обращение {i}", service_id="adm" if i % 2 else None,
                                 contract="" if i % 2 else "7002", contact={"email": f"c{k}{i}@example.org"}))
        if i % 3 == 1:
            do(registry.decide(at(day, 16), "op2", a.data["code"], ("justified", "unjustified", "partly")[i % 3],
                               "Ответ"))
    return out


def office_journal(k: int, seed: int, first: date, days: int, per_day: int) -> list[dict]:
    """Visits (the synthetic office, from three days before the period to today) and the
    office's registers of the period, in time order, numbered anew."""
    lines = history(seed, first - timedelta(days=3), days + 5, per_day)
    lines += [e.to_line() for e in registers(k, first, days)]
    lines.sort(key=lambda line: (datetime.fromisoformat(line["at"].replace("Z", "+00:00")).astimezone(UTC),
                                 line["seq"] or 0))
    for seq, line in enumerate(lines, start=1):
        line["seq"] = seq
        line["uid"] = hashlib.sha256(f"{seed}:{seq}".encode()).hexdigest()[:32]
    return lines


def test_bookings_and_appeals_at_the_centre_are_the_sum_of_the_offices(centre, central_db, tmp_path):
    days = 6
    first = today() - timedelta(days=days + 1)
    start, end = first, first + timedelta(days=days - 1)  # closed days
    own, to_today, names = [], [], []
    for k, (name, seed, per_day) in enumerate((("ЦОК Северный", 11, 40), ("ЦОК Южный", 12, 30),
                                               ("ЦОК Западный", 13, 20))):
        names.append(name)
        _office_id, token = add_office(central_db, name)
        lines = office_journal(k, seed, first, days, per_day)
        push(centre.url, token, lines)
        store = store_with(tmp_path / f"office{k}.sqlite", lines)
        try:
            own.append(build_report(store, synth_catalog(), start, end, today()))
            to_today.append(build_report(store, synth_catalog(), start, today(), today()))
        finally:
            store.close()
    qcentral(central_db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
    boss = centre.login("boss")
    r = centre.get(f"/api/v1/reports/period?from={start}&to={end}&offices=all", boss)
    assert r.status_code == 200, r.text
    company = r.json()
    assert len(company["offices"]) == 3
    # each office's figures in it, medians and 90th percentiles too (the histograms summed office
    # by office), are the office's own; and with today read from the journal beside the facts
    for report, alone in ((company, own), (centre.get(f"/api/v1/reports/period?from={start}&to={today()}"
                                                       "&offices=all", boss).json(), to_today)):
        assert ({o["name"]: (o["visits"], o["roles"]) for o in report["offices"]}
                == {name: (a["visits"], a["roles"]) for name, a in zip(names, alone, strict=True)})

    def counts(report: dict) -> dict:
        return {k: v for k, v in report["bookings"].items() if k != "wait_from_slot"}

    summed: dict = {}
    for report in own:
        add_up(summed, counts(report))
    assert counts(company) == summed
    registry: dict = {}
    for report in own:
        add_up(registry, report["appeals_registry"])
    assert company["appeals_registry"] == registry
    # what the offices had to count, by hand: k + 2 bookings for the period's slots (one in four
    # checked in on time, late, cancelled, missed; the first by staff) and one for a later slot
    assert [o["bookings"]["booked"] for o in own] == [2, 2, 3]
    assert summed == {"made": 9 + 3, "booked": 7, "kept": 3, "late": 3, "no_show": 1, "cancelled": 2,
                      "pending": 0, "by_staff": 3}
    # k + 3 appeals registered, those of i % 3 == 1 decided; one from before the period decided in it
    assert [o["appeals_registry"]["registered"] for o in own] == [3, 4, 5]
    assert registry["decided"] == 3 + (1 + 1 + 2)
    assert company["visits"]["count"] == sum(o["visits"]["count"] for o in own)
    # device downtime (round the clock: the offices' reports here are read without working hours),
    # each row naming its office, as the offices report it
    def by_office(rows: list[dict]) -> list[dict]:
        return sorted(rows, key=lambda row: (row["office"], row["device"]))

    assert by_office(company["devices"]) == by_office(
        [{**row, "office": name, "tz": TZ} for name, report in zip(names, own, strict=True)
         for row in report["devices"]])
    assert [(row["office"], row["device"], row["down_s"]) for row in by_office(company["devices"])] == [
        ("ЦОК Западный", "board-1", 1800.0), ("ЦОК Западный", "kiosk-1", 3 * 86400 - 12 * 3600),
        ("ЦОК Северный", "board-1", 1800.0), ("ЦОК Южный", "board-1", 1800.0)]
    pdf = centre.get(f"/api/v1/reports/period?from={start}&to={end}&offices=all&format=pdf", boss)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_unaligned_period_at_the_centre_is_the_offices_report(centre, central_db, tmp_path):
    """Two months to a Sunday, from a Wednesday: days, weeks and at least one whole month read
    from the centre's stored units, as the office reads its own (and as the journal says)."""
    from facts_kit import differences
    from test_company_reports import without_offices

    from queue_server.adapters.facts_sql import units
    from queue_server.reports import period_report

    end = today() - timedelta(days=1 + (today().weekday() + 1) % 7)  # a Sunday before today
    while not 8 <= end.day <= 28:  # a whole week after its month's start, the month not whole
        end -= timedelta(days=7)
    start = end - timedelta(days=60)
    start += timedelta(days=(2 - start.weekday()) % 7)  # a Wednesday
    assert {u for u, _d in units(start, end)} >= {"D", "W", "M"}
    office_id, token = add_office(central_db, "ЦОК Восточный")
    lines = history(21, start - timedelta(days=2), (today() - start).days + 3, 25)
    push(centre.url, token, lines)
    qcentral(central_db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
    r = centre.get(f"/api/v1/reports/period?from={start}&to={end}&offices={office_id}", centre.login("boss"))
    assert r.status_code == 200, r.text
    store = store_with(tmp_path / "office.sqlite", lines)
    try:
        at_office = build_report(store, synth_catalog(), start, end, today())
    finally:
        store.close()
    assert {**without_offices(r.json()), "office": at_office["office"]} == at_office
    assert differences(at_office, period_report(lines, synth_catalog(), start, end)) == []
    assert at_office["visits"]["count"] == 25 * ((end - start).days + 1)
