"""The booking API on a real server: the pinned shapes, refusals, staff and kiosk, a restart.

The office is the example one (open round the clock, Moscow), the clock fake at Friday
2026-11-20 10:00. Public calls carry no token; the kiosk and staff use theirs.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import requests

from queue_server.domain import events as ev

TOMORROW = "2026-11-21"


def public(live, method: str, path: str, headers: dict | None = None, **kw) -> requests.Response:
    """A call without a token; messages in English unless the headers ask otherwise."""
    return requests.request(method, live.url + path, timeout=5, headers={"Accept-Language": "en", **(headers or {})},
                            **kw)


def slots(live, service: str = "reception", day: str = TOMORROW) -> dict:
    r = public(live, "GET", f"/api/v1/slots?service_id={service}&date={day}")
    assert r.status_code == 200, r.text
    return r.json()


def book(live, start: str, service: str = "reception", who: str | None = None, **details) -> requests.Response:
    body = {"service_id": service, "start": start, "name": "Иванова Мария", "phone": "+7 912 345-67-89",
            "lang": "ru", **details}
    headers = live.headers(who) if who else {}
    return public(live, "POST", "/api/v1/bookings", json=body, headers=headers)


def first_free(live, service: str = "reception", day: str = TOMORROW) -> str:
    return next(s["start"] for s in slots(live, service, day)["slots"] if s["free"] > 0)


def journal_types(live) -> list[str]:
    return [e.type for e in live.app.store.events_after(0)]


def test_the_pinned_round_trip_slots_book_cancel_check_in(live_office):
    live = live_office
    body = slots(live)
    assert body["service_id"] == "reception" and body["date"] == TOMORROW
    assert body["slots"][0] == {"start": "2026-11-21T00:00:00+03:00", "free": 1, "time": "00:00"}
    assert all(re.fullmatch(r"2026-11-21T\d\d:\d\d:00\+03:00", s["start"]) for s in body["slots"])

    start = "2026-11-21T10:30:00+03:00"
    r = book(live, start)
    assert r.status_code == 201, r.text
    made = r.json()
    assert {"code", "service_id", "start", "manage_url"} <= made.keys()
    assert made["service_id"] == "reception" and made["start"] == start
    assert made["manage_url"] == f"{live.url}/b/{made['code']}"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", made["code"])
    assert made["phone"] == "+7*******89"  # the public answer does not spell the contact out
    assert next(s for s in slots(live)["slots"] if s["start"] == start)["free"] == 0

    taken = book(live, start, phone="+79990001122")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_unavailable"
    assert set(taken.json()["error"]) >= {"code", "message"}
    not_a_slot = book(live, "2026-11-21T10:32:00+03:00", phone="+79990001122")
    assert not_a_slot.status_code == 422 and not_a_slot.json()["error"]["code"] == "invalid_slot"

    r = public(live, "DELETE", f"/api/v1/bookings/{made['code']}")
    assert r.status_code == 204 and r.content == b""
    assert next(s for s in slots(live)["slots"] if s["start"] == start)["free"] == 1
    assert public(live, "DELETE", f"/api/v1/bookings/{made['code']}").status_code == 409

    today = book(live, "2026-11-20T11:00:00+03:00", phone="+79990001133").json()
    r = live.post(f"/api/v1/bookings/{today['code']}/check-in", "kiosk")
    assert r.status_code == 201, r.text
    ticket = r.json()
    assert {"visit_id", "number", "service_id", "issued_at", "position", "estimated_wait_s",
            "track_url"} <= ticket.keys()
    assert ticket["booking"]["code"] == today["code"] and ticket["booking"]["start"] == "2026-11-20T11:00:00+03:00"
    assert ticket["number"] == "А001" and ticket["booking"]["late"] is False
    types = journal_types(live)
    for pinned in (ev.BOOKING_CREATED, ev.BOOKING_CANCELLED, ev.BOOKING_CHECKED_IN):
        assert pinned in types
    visit = live.get(f"/api/v1/track/{ticket['visit_id']}").json()
    assert visit["known"] and visit["number"] == "А001"


def test_a_code_is_read_the_way_people_type_it(live_office):
    live = live_office
    code = book(live, "2026-11-20T11:00:00+03:00").json()["code"]
    typed = (code[:4] + "-" + code[4:]).lower().replace("1", "l").replace("0", "o")
    r = public(live, "GET", f"/api/v1/bookings/{typed}")
    assert r.status_code == 200 and r.json()["code"] == code
    r = live.post(f"/api/v1/bookings/{typed}/check-in", "kiosk")
    assert r.status_code == 201


def test_refusals_have_clear_words_and_change_nothing(live_office):
    live = live_office
    start = first_free(live)
    before = live.app.store.last_seq()
    cases = [
        ({"service_id": "reception", "start": start}, 422, "name"),
        ({"service_id": "reception", "start": start, "name": "Я", "phone": "+79120000000", "x": 1}, 422, "x"),
        ({"service_id": "reception", "start": "2026-11-21T10:30:00", "name": "Я", "phone": "+79120000000"},
         422, "offset"),
        ({"service_id": "reception", "start": "tomorrow", "name": "Я", "phone": "+79120000000"}, 422, "start"),
        ({"service_id": "nope", "start": start, "name": "Я", "phone": "+79120000000"}, 422, "nope"),
        ({"service_id": "reception", "start": start, "name": "Я" * 101, "phone": "+79120000000"}, 422, "name"),
        ({"service_id": "reception", "start": start, "name": "Я"}, 422, "phone"),
        ({"service_id": "reception", "start": start, "name": "Я", "email": "a@b.ru\r\nBcc: c@d.ru"}, 422, "e-mail"),
        ({"service_id": "reception", "start": "2026-12-30T10:00:00+03:00", "name": "Я", "phone": "+79120000000"},
         422, "14 days"),
        ({"service_id": "reception", "start": "2026-11-20T10:05:00+03:00", "name": "Я", "phone": "+79120000000"},
         409, "30 minutes"),
    ]
    for body, status, words in cases:
        r = public(live, "POST", "/api/v1/bookings", json=body)
        assert r.status_code == status, (body, r.text)
        assert words.lower() in r.json()["error"]["message"].lower(), (body, r.json())
    r = public(live, "POST", "/api/v1/bookings", data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 422)
    assert public(live, "GET", "/api/v1/slots?service_id=reception&date=2026-02-30").status_code == 422
    assert public(live, "GET", "/api/v1/slots?service_id=reception").status_code == 422
    assert public(live, "GET", "/api/v1/slots?service_id=nope&date=2026-11-21").status_code == 422
    assert public(live, "GET", "/api/v1/bookings/ZZZZZZZZ").status_code == 404
    assert public(live, "GET", "/api/v1/bookings/" + "x" * 60).status_code == 404
    assert public(live, "DELETE", "/api/v1/bookings/%00%01").status_code == 404
    assert live.app.store.last_seq() == before
    r = book(live, start, lang="ru")
    assert r.status_code == 201
    # Russian when asked
    r = public(live, "POST", "/api/v1/bookings", headers={"Accept-Language": "ru"},
               json={"service_id": "reception", "start": start, "name": "Я", "phone": "+79120000001"})
    assert r.status_code == 409 and "уже занято" in r.json()["error"]["message"]


def test_who_may_check_in_and_list(live_office):
    live = live_office
    code = book(live, "2026-11-20T11:00:00+03:00").json()["code"]
    for device in ("display", "buttons"):
        assert live.post(f"/api/v1/bookings/{code}/check-in", device).status_code == 403
    bad = requests.post(f"{live.url}/api/v1/bookings/{code}/check-in", json={},
                        headers={"Authorization": "Bearer nonsense"}, timeout=5)
    assert bad.status_code == 401
    # the public (a phone) only near the slot: 11:00 ± 15 min, and it is 10:00
    r = public(live, "POST", f"/api/v1/bookings/{code}/check-in", json={})
    assert r.status_code == 409 and "either side of 11:00" in r.json()["error"]["message"]
    assert public(live, "GET", "/api/v1/bookings?date=2026-11-20").status_code == 401
    listed = live.get("/api/v1/bookings?date=2026-11-20", "op1").json()
    assert [b["code"] for b in listed["bookings"]] == [code]
    assert listed["bookings"][0]["phone"] == "+79123456789" and listed["counts"] == {"due": 1}
    live.app.clock.advance(minutes=50)
    r = public(live, "POST", f"/api/v1/bookings/{code}/check-in", json={})
    assert r.status_code == 201 and r.json()["booking"]["code"] == code
    listed = live.get("/api/v1/bookings", "head").json()
    assert listed["bookings"][0]["status"] == "checked_in" and listed["bookings"][0]["number"] == "А001"
    assert listed["bookings"][0]["checked_in_via"] == "phone"


def test_staff_book_for_a_caller_outside_the_public_limits(live_office):
    live = live_office
    for i in range(8):  # more than an address may book freely in an hour
        r = book(live, first_free(live, "payments"), "payments", who="op2", phone=f"+7912000000{i}")
        assert r.status_code == 201, r.text
    e = [e for e in live.app.store.events_after(0) if e.type == ev.BOOKING_CREATED][-1]
    assert e.operator == "op2" and e.data["via"] == "staff"


def test_bookings_survive_a_restart_far_from_their_day(office_dir, clock):
    """The start-up replay reads two days; the booking book reads its own events from further back."""
    from live_office import start_live_office, stop_live_office

    live = start_live_office(office_dir, clock)
    try:
        start = "2026-11-30T10:00:00+03:00"
        code = book(live, start, "consultation").json()["code"]
    finally:
        stop_live_office(live)
    clock.set(datetime(2026, 11, 29, 7, 0, tzinfo=UTC))
    live = start_live_office(office_dir, clock)
    try:
        assert public(live, "GET", f"/api/v1/bookings/{code}").json()["start"] == start
        taken = next(s for s in slots(live, "consultation", "2026-11-30")["slots"] if s["start"] == start)
        assert taken["free"] == 0
        clock.advance(timedelta(days=1).total_seconds())
        r = live.post(f"/api/v1/bookings/{code}/check-in", "kiosk")
        assert r.status_code == 201, r.text
    finally:
        stop_live_office(live)
