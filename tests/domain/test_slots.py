"""Slot arithmetic: lengths from the norms, each hour's share of the counters, the horizon,
blackouts and the lead time, and days when the clocks change (the fake clock, no server)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from booking_kit import T0, WEEKDAY_HOURS, BookingHarness, msk

from queue_server.domain.errors import InvalidSlot, SlotUnavailable
from queue_server.domain.slots import day_plan, iso_local

SAT = date(2026, 11, 21)


def plan(h: BookingHarness, service: str, day: date):
    return day_plan(h.config.catalog, h.config.hours, h.config.booking, service, day)


def test_slots_are_the_roles_service_norm_and_each_hour_gives_bookings_half_the_counters_time():
    """Worked by hand for the example office (share 0.5). Counter 1 serves reception and
    quick, so reception has half of it: 30 min an hour, half of that for bookings = 15 min
    = 3 slots of the administrator's 5 min. Consultation: counter 2 whole (60) + half of
    counter 3 (30) = 90 min, half = 45 = 3 slots of 15 min; payments: counter 4, 30 min =
    3 slots of 10; quick: halves of counters 1 and 3, 60 min, half = 30 = 2 slots of 15.
    At one start, half the counters serving the service (at least one)."""
    h = BookingHarness()
    expected = {"reception": (5, 3, 1), "consultation": (15, 3, 1), "payments": (10, 3, 1), "quick": (15, 2, 1)}
    for service, (minutes, per_hour, at_once) in expected.items():
        p = plan(h, service, SAT)
        assert {s.seconds for s in p.slots} == {minutes * 60}, service
        assert set(p.budget.values()) == {per_hour}, service
        assert {s.at_once for s in p.slots} == {at_once}, service
        # the demo office is open round the clock: slots from 00:00 while one still ends by 23:59:59
        assert len(p.slots) == 24 * 60 // minutes - 1, service


def test_an_hour_takes_its_share_and_no_more_walk_ins_keep_the_rest():
    h = BookingHarness()
    for hhmm in ("12:00", "12:05", "12:10"):
        h.make("reception", msk("2026-11-21", hhmm), phone=f"+7912000{hhmm.replace(':', '')}")
    with pytest.raises(SlotUnavailable):
        h.make("reception", msk("2026-11-21", "12:15"), phone="+79129999999")
    free = {iso_local(s.start, "Europe/Moscow")[11:16]: n for s, n in h.book.slots("reception", SAT, h.now)}
    assert [free[f"12:{m:02d}"] for m in range(0, 60, 5)] == [0] * 12
    assert free["13:00"] == 1 and free["11:55"] == 1


def test_one_start_takes_half_the_counters():
    h = BookingHarness()
    h.make("consultation", msk("2026-11-21", "12:00"))
    with pytest.raises(SlotUnavailable):
        h.make("consultation", msk("2026-11-21", "12:00"), phone="+79121111111")
    h.make("consultation", msk("2026-11-21", "12:15"), phone="+79121111111")


def test_a_counter_is_split_only_between_the_services_that_take_bookings():
    h = BookingHarness('[booking]\nservices = ["reception"]\n')
    assert set(plan(h, "reception", SAT).budget.values()) == {6}  # all of counter 1: 60 × 0.5 / 5
    assert plan(h, "quick", SAT).slots == ()
    assert h.book.unavailable("quick", SAT, h.now) == "not_bookable"


def test_the_share_follows_office_toml():
    h = BookingHarness('[booking]\nshare = 0.25\n')
    assert set(plan(h, "consultation", SAT).budget.values()) == {1}  # 90 × 0.25 / 15 = 1.5
    assert {s.at_once for s in plan(h, "consultation", SAT).slots} == {1}  # ⌈0.25 × 2⌉
    h = BookingHarness('[booking]\nshare = 0\n')
    assert plan(h, "consultation", SAT).slots == ()


def test_a_service_may_have_its_own_slot_length(monkeypatch):
    import booking_kit

    real = booking_kit.demo_config
    monkeypatch.setattr(booking_kit, "demo_config",
                        lambda: real().replace('id = "consultation"\n', 'id = "consultation"\nslot_min = 20\n'))
    h = BookingHarness(hours=WEEKDAY_HOURS)
    p = plan(h, "consultation", SAT)
    assert p.slots[1].start - p.slots[0].start == timedelta(minutes=20)
    assert set(p.budget.values()) == {2}  # 90 × 0.5 / 20 = 2.25


def test_working_hours_bound_the_slots():
    """08:00–17:00, last ticket 16:45: a slot starts by the last ticket and ends by closing."""
    h = BookingHarness(hours=WEEKDAY_HOURS)
    times = {sid: [iso_local(s.start, "Europe/Moscow")[11:16] for s in plan(h, sid, SAT).slots]
             for sid in ("reception", "consultation", "payments")}
    assert times["consultation"][0] == "08:00" and times["consultation"][-1] == "16:45"
    assert len(times["consultation"]) == 36
    assert times["payments"][-1] == "16:40" and len(times["payments"]) == 53
    assert times["reception"][-1] == "16:45" and len(times["reception"]) == 106


def test_the_horizon_the_blackout_and_the_lead_time():
    h = BookingHarness('[booking]\nblackout = ["2026-11-22"]\nhorizon_days = 3\nmin_lead_min = 60\n')
    today = date(2026, 11, 20)
    assert h.book.unavailable("reception", today + timedelta(days=3), h.now) is None
    assert h.book.unavailable("reception", today + timedelta(days=4), h.now) == "beyond_horizon"
    assert h.book.unavailable("reception", date(2026, 11, 22), h.now) == "blackout"
    assert h.book.unavailable("reception", today - timedelta(days=1), h.now) == "past"
    with pytest.raises(InvalidSlot, match="at most 3 days"):
        h.make("reception", msk("2026-11-24", "10:00"))
    with pytest.raises(InvalidSlot, match="no bookings on 22.11"):
        h.make("reception", msk("2026-11-22", "10:00"))
    # now is 10:00: 10:55 is too soon (60 min lead), 11:00 is not; 09:55 has passed
    free = {iso_local(s.start, "Europe/Moscow")[11:16]: n for s, n in h.book.slots("reception", today, h.now)}
    assert "09:55" not in free and free["10:55"] == 0 and free["11:00"] == 1
    with pytest.raises(SlotUnavailable, match="at least 60 minutes"):
        h.make("reception", msk("2026-11-20", "10:55"))
    with pytest.raises(InvalidSlot, match="has passed"):
        h.make("reception", msk("2026-11-20", "09:55"))
    with pytest.raises(InvalidSlot, match="not the start of a slot"):
        h.make("reception", msk("2026-11-20", "11:02"))
    h.make("reception", msk("2026-11-20", "11:00"))


BERLIN = "Europe/Berlin"


def berlin(day: str, hhmm: str, offset: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00{offset}")


@pytest.mark.parametrize(("day", "hours", "count"), [
    (date(2026, 3, 28), 24, 95), (date(2026, 3, 29), 23, 91), (date(2026, 10, 25), 25, 99)])
def test_a_day_when_the_clocks_change_has_the_slots_of_its_real_minutes(day, hours, count):
    """Round the clock in Berlin, 15-minute slots: 23 hours on the spring day, 25 in autumn;
    the slots follow one another by 15 real minutes, each with its own offset, and every
    local clock hour (the repeated autumn hour twice) has its own budget."""
    h = BookingHarness(timezone=BERLIN, now=berlin("2026-03-20", "10:00", "+01:00"))
    p = plan(h, "consultation", day)
    assert len(p.slots) == count
    assert all(b.start - a.start == timedelta(minutes=15) for a, b in zip(p.slots, p.slots[1:], strict=False))
    assert len(p.budget) == hours and set(p.budget.values()) == {3}
    shown = [iso_local(s.start, BERLIN)[11:] for s in p.slots]
    if day == date(2026, 3, 29):
        assert shown[7:9] == ["01:45:00+01:00", "03:00:00+02:00"]
        assert not any(t.startswith("02:") for t in shown)
    if day == date(2026, 10, 25):
        assert shown[8:16] == ["02:00:00+02:00", "02:15:00+02:00", "02:30:00+02:00", "02:45:00+02:00",
                               "02:00:00+01:00", "02:15:00+01:00", "02:30:00+01:00", "02:45:00+01:00"]


def test_an_office_day_across_the_change_keeps_its_local_hours():
    """08:00–17:00 in Berlin: the spring day has its 36 consultation slots from 08:00, at +02:00,
    an hour earlier in UTC than the day before; a booking at 09:00 local is 07:00 UTC."""
    h = BookingHarness(hours=WEEKDAY_HOURS, timezone=BERLIN, now=berlin("2026-03-27", "10:00", "+01:00"))
    before, after = plan(h, "consultation", date(2026, 3, 28)), plan(h, "consultation", date(2026, 3, 29))
    assert len(before.slots) == len(after.slots) == 36
    assert iso_local(before.slots[0].start, BERLIN) == "2026-03-28T08:00:00+01:00"
    assert iso_local(after.slots[0].start, BERLIN) == "2026-03-29T08:00:00+02:00"
    code = h.make("consultation", berlin("2026-03-29", "09:00", "+02:00"))
    assert h.book.get(code).start.isoformat() == "2026-03-29T07:00:00+00:00"
    # the same instant written with another offset is the same slot: taken
    with pytest.raises(SlotUnavailable):
        h.make("consultation", berlin("2026-03-29", "07:00", "+00:00"), phone="+79121111111")


def test_a_local_time_that_does_not_exist_is_not_a_slot():
    """02:30 on the spring day in Berlin never happens: no slot starts then."""
    h = BookingHarness(timezone=BERLIN, now=berlin("2026-03-27", "10:00", "+01:00"))
    with pytest.raises(InvalidSlot):
        h.make("consultation", berlin("2026-03-29", "02:30", "+01:00").replace(second=1))


def test_today_lists_only_slots_still_ahead():
    h = BookingHarness()
    starts = [s.start for s, _ in h.book.slots("reception", T0.date(), h.now)]
    assert starts[0] == T0 and all(s >= T0 for s in starts)


def test_an_hours_budget_is_the_local_clock_hour_even_at_a_half_hour_offset():
    """Kolkata is UTC+5:30: 10:00–10:59 local is one hour for the budget (3 reception bookings),
    though it straddles two UTC hours."""
    h = BookingHarness(timezone="Asia/Kolkata", now=datetime.fromisoformat("2026-11-20T09:00:00+05:30"))
    for i, hhmm in enumerate(("10:00", "10:05", "10:10")):
        h.make("reception", datetime.fromisoformat(f"2026-11-21T{hhmm}:00+05:30"), phone=f"+7912000000{i}")
    with pytest.raises(SlotUnavailable):
        h.make("reception", datetime.fromisoformat("2026-11-21T10:35:00+05:30"), phone="+79129999999")
    h.make("reception", datetime.fromisoformat("2026-11-21T11:00:00+05:30"), phone="+79129999999")
