"""Days are cut by the office's time zone, DST days included; periods add up their days."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from journal_kit import THE_DAY, Day, busy_morning, catalog, summary

from queue_server.reports import daily_report, period_report

BERLIN = "Europe/Berlin"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def visit(d: Day, visit_id: str, issued: str, called: str, finished: str) -> None:
    d.add("visit.issued", utc(issued), visit_id, 1, "adm", channel="kiosk")
    d.add("step.called", utc(called), visit_id, 1, "adm", "1", "opA")
    d.add("step.finished", utc(finished), visit_id, 1, "adm", "1", "opA", kind="payment")


def test_spring_forward_day_in_berlin():
    """31 March 2024: 02:00 CET jumps to 03:00 CEST; the local day is 23 hours,
    2024-03-30T23:00Z to 2024-03-31T22:00Z."""
    d = Day(date(2024, 3, 31), BERLIN)
    visit(d, "before", "2024-03-30T22:30:00", "2024-03-30T22:35:00", "2024-03-30T22:40:00")
    visit(d, "A", "2024-03-30T23:30:00", "2024-03-30T23:40:00", "2024-03-30T23:45:00")  # 00:30 CET
    visit(d, "B", "2024-03-31T00:50:00", "2024-03-31T01:10:00", "2024-03-31T01:20:00")  # 01:50 CET
    visit(d, "C", "2024-03-31T07:30:00", "2024-03-31T07:35:00", "2024-03-31T07:40:00")  # 09:30 CEST
    visit(d, "after", "2024-03-31T22:30:00", "2024-03-31T22:35:00", "2024-03-31T22:40:00")
    r = daily_report(d.lines(), catalog(BERLIN), date(2024, 3, 31), BERLIN)
    assert r["visits"]["count"] == 3
    # B waited 20 real minutes across the jump (01:50 CET -> 03:10 CEST), not 80
    assert r["roles"]["administrator"]["wait"] == summary(3, 700.0, 600.0, 1200.0, 1200.0, 0.6667)
    hours = {h["hour"]: h for h in r["hours"]}
    assert list(hours) == list(range(0, 10))
    assert [hours[h]["arrivals"] for h in (0, 1, 2, 3, 9)] == [1, 1, 0, 0, 1]
    assert hours[1]["wait_mean_s"] == 1200.0 and hours[9]["wait_mean_s"] == 300.0
    assert hours[3]["waiting_max"] == 1  # B was still waiting when 03:00 CEST began
    assert hours[2]["waiting_max"] == 0 and hours[2]["wait_mean_s"] is None


def test_fall_back_day_in_berlin():
    """27 October 2024: 03:00 CEST falls back to 02:00 CET; the local day is 25
    hours and its two 02:xx hours share the bucket of hour 2."""
    d = Day(date(2024, 10, 27), BERLIN)
    visit(d, "D", "2024-10-27T00:30:00", "2024-10-27T00:40:00", "2024-10-27T00:45:00")  # 02:30 CEST
    visit(d, "E", "2024-10-27T01:30:00", "2024-10-27T01:50:00", "2024-10-27T01:55:00")  # 02:30 CET
    visit(d, "F", "2024-10-27T22:30:00", "2024-10-27T22:45:00", "2024-10-27T22:50:00")  # 23:30 CET
    visit(d, "after", "2024-10-27T23:10:00", "2024-10-27T23:15:00", "2024-10-27T23:20:00")
    r = daily_report(d.lines(), catalog(BERLIN), date(2024, 10, 27), BERLIN)
    assert r["visits"]["count"] == 3
    hours = {h["hour"]: h for h in r["hours"]}
    assert hours[2]["arrivals"] == 2 and hours[2]["wait_mean_s"] == 900.0
    assert hours[23]["arrivals"] == 1 and hours[23]["wait_mean_s"] == 900.0
    assert r["visits"]["total"]["mean_s"] == 1200.0  # 900, 1500, 1200 s


def test_the_same_instants_are_other_hours_in_moscow():
    d = Day(date(2024, 3, 31), BERLIN)
    visit(d, "C", "2024-03-31T07:30:00", "2024-03-31T07:35:00", "2024-03-31T07:40:00")
    r = daily_report(d.lines(), catalog(), date(2024, 3, 31), "Europe/Moscow")
    assert [h["hour"] for h in r["hours"]] == [10]  # 07:30Z is 10:30 in Moscow


def two_days() -> Day:
    """busy_morning on 5 March and V7 on 6 March: issued 09:00, called 09:01, open."""
    return busy_morning()


def test_a_period_adds_up_its_days():
    r = period_report(two_days().lines(), catalog(), THE_DAY, date(2024, 3, 6), "Europe/Moscow")
    assert (r["kind"], r["from"], r["to"]) == ("period", "2024-03-05", "2024-03-06")
    assert "date" not in r
    v = r["visits"]
    assert (v["count"], v["completed"], v["open_at_close"]) == (7, 5, 2)
    # V7's open step adds its wait of 60 s: waits 60, 120, 240, 300, 300
    admin = r["roles"]["administrator"]
    assert admin["steps"] == 6 and admin["open"] == 1
    assert admin["wait"] == summary(5, 204.0, 240.0, 300.0, 300.0, 1.0)
    first, second = r["days"]
    assert first == {
        "date": "2024-03-05", "visits": 6, "no_shows": 1, "cancelled": 1, "open_at_close": 1,
        "total_mean_s": 1800.0, "total_within_norm_share": 1.0,
        "roles": {
            "administrator": {"steps": 5, "wait_mean_s": 240.0, "service_mean_s": 195.0},
            "consultant": {"steps": 3, "wait_mean_s": 900.0, "service_mean_s": 1050.0},
            "cashier": {"steps": 2, "wait_mean_s": 750.0, "service_mean_s": 300.0},
            "admin_consultant": {"steps": 0, "wait_mean_s": None, "service_mean_s": None},
        },
    }
    assert (second["date"], second["visits"], second["open_at_close"]) == ("2024-03-06", 1, 1)
    assert second["total_mean_s"] is None and second["total_within_norm_share"] is None
    assert second["roles"]["administrator"] == {"steps": 1, "wait_mean_s": 60.0,
                                                "service_mean_s": None}
    hours = {h["hour"]: h for h in r["hours"]}
    assert hours[9]["arrivals"] == 4  # three on the 5th, V7 on the 6th


def test_a_one_day_period_equals_the_daily_report_plus_days():
    lines = busy_morning().lines()
    daily = daily_report(lines, catalog(), THE_DAY)
    period = period_report(lines, catalog(), THE_DAY, THE_DAY)
    for key in ("roles", "visits", "hours", "services", "counters", "operators", "appeals"):
        assert period[key] == daily[key], key
    assert len(period["days"]) == 1


def test_a_period_must_not_end_before_it_starts():
    import pytest
    with pytest.raises(ValueError, match="before"):
        period_report([], catalog(), THE_DAY, date(2024, 3, 4))


def test_a_ticket_the_office_cancelled_at_midnight_was_open_at_close():
    """Tickets still waiting at midnight are cancelled by the office (`day_over`):
    in the day's report and in a period's they are open at close, not visits of
    five hours that ended in a cancel, and nobody waits for them the next day."""
    d = Day(THE_DAY)
    d.issue("19:00", "A1", "adm").call("19:05", "A1", 1, "adm", "1", "opA")
    d.finish("19:10", "A1", 1, "adm", "1", "opA", kind="payment", topic="other")
    d.issue("19:30", "A2", "adm")
    d.cancel("00:00", "A2", 1, "adm", day_offset=1, reason="day_over")
    d.issue("09:00", "B1", "adm", day_offset=1)
    d.call("09:20", "B1", 1, "adm", "1", "opA", day_offset=1)
    d.finish("09:25", "B1", 1, "adm", "1", "opA", kind="payment", topic="other", day_offset=1)
    day = daily_report(d.lines(), catalog(), THE_DAY)["visits"]
    assert (day["count"], day["completed"], day["cancelled"], day["open_at_close"]) == (2, 1, 0, 1)
    assert day["total"]["max_s"] == 600.0
    r = period_report(d.lines(), catalog(), THE_DAY, date(2024, 3, 6))
    first, second = r["days"]
    assert (first["visits"], first["cancelled"], first["open_at_close"], first["total_mean_s"]) == (2, 0, 1, 600.0)
    assert r["visits"]["total"]["max_s"] == 1500.0
    hours = {h["hour"]: h for h in r["hours"]}
    assert hours[9]["waiting_max"] == 1  # B1 alone: A2 no longer waits the next morning


@pytest.mark.parametrize("tz, day", [
    ("America/St_Johns", date(2024, 3, 10)),   # -3:30 → -2:30 at 02:00 local: 05:30 UTC
    ("America/St_Johns", date(2024, 11, 3)),   # back again: 02:00 local happens twice
    ("Australia/Lord_Howe", date(2024, 4, 7)),  # a half-hour DST shift
    ("Asia/Kathmandu", date(2024, 6, 1)),      # +5:45, no DST
    ("Europe/London", date(2024, 3, 31)),      # UTC+0 → +1
])
def test_hours_follow_the_zone_through_odd_offsets_and_transitions(tz, day):
    """Local hours are worked out once per UTC hour when the zone's offset holds
    through it; they must still be the zone's own answer minute by minute."""
    zone = ZoneInfo(tz)
    first = datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
    d = Day(day, tz)
    expected = [0] * 24
    for i in range(0, 26 * 60, 7):  # every 7 minutes through the local day and past it
        at = first + timedelta(minutes=i)
        local = at.astimezone(zone)
        if local.date() != day:
            continue
        d.issue(at, f"V{i}", "adm")
        expected[local.hour] += 1
    r = daily_report(d.lines(), catalog(tz), day, tz)
    arrivals = {h["hour"]: h["arrivals"] for h in r["hours"] if h["arrivals"]}
    assert arrivals == {h: n for h, n in enumerate(expected) if n}
    assert r["visits"]["count"] == sum(expected)


def test_a_visit_served_past_midnight_ends_with_its_day_in_a_period_too():
    """A visit belongs to the day it was issued and is read up to that day's midnight:
    a visitor still at the counter at midnight is open at close in the day's report,
    and in a period's alike (so a period is exactly the sum of its days). The counter
    left open overnight counts as closed at the day's last activity, not all night."""
    d = Day(THE_DAY)
    d.counter("22:00", "opened", "1", "opA")
    d.issue("23:40", "N1", "adm").call("23:50", "N1", 1, "adm", "1", "opA")
    d.start("23:51", "N1", 1, "adm", "1", "opA")
    d.finish("00:20", "N1", 1, "adm", "1", "opA", day_offset=1, kind="payment", topic="other")
    d.counter("00:30", "closed", "1", "opA", day_offset=1)
    d.issue("09:00", "M1", "adm", day_offset=1).call("09:05", "M1", 1, "adm", "1", "opA", day_offset=1)
    d.finish("09:10", "M1", 1, "adm", "1", "opA", day_offset=1, kind="payment", topic="other")
    day = daily_report(d.lines(), catalog(), THE_DAY)
    period = period_report(d.lines(), catalog(), THE_DAY, date(2024, 3, 6))
    first = period["days"][0]
    assert (first["visits"], first["open_at_close"], first["total_mean_s"]) == (1, 1, None)
    assert day["visits"]["open_at_close"] == 1
    assert period["visits"]["open_at_close"] == 1 and period["visits"]["completed"] == 1
    admin = period["roles"]["administrator"]
    assert (admin["open"], admin["wait"]["n"], admin["service"]["n"]) == (1, 2, 1)  # N1's wait, M1's both
    assert admin["service"]["max_s"] == 300.0  # N1's 29 minutes past midnight are not read
    # never closed that day: closed at its last step's end (none ended after it opened)
    assert period["counters"][0]["open_s"] == day["counters"][0]["open_s"] == 0.0
