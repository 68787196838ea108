"""The call policy with appointments: a booked visitor waits as a walk-in until the slot, is
called at it ahead of walk-ins who have waited less than two norms, and the reason names the
slot («Запись на 11:00»). Reception's wait norm is 10 min (the fake clock, no server)."""
from __future__ import annotations

from booking_kit import BookingHarness, msk

from queue_server.snapshot import explain

DAY = "2026-11-20"


def office_at(hhmm: str) -> BookingHarness:
    h = BookingHarness()
    h.now = msk(DAY, hhmm)
    return h


def test_at_its_slot_a_booked_visitor_is_called_first_and_the_reason_names_the_time():
    h = office_at("10:00")
    code = h.make("reception", msk(DAY, "11:00"))
    h.now = msk(DAY, "10:45")
    h.issue("reception")  # a walk-in, 15 min before the slot
    h.now = msk(DAY, "10:50")
    booked, _ = h.check_in(code)
    h.now = msk(DAY, "11:00")
    h.open("1")
    call = h.call("1")
    assert call.visit == booked.visit
    reason = call.data["reason"]
    assert reason["code"] == "appointment"
    assert reason["params"] == {"priority": "appointment", "wait_min": 0.0, "norm_min": 10.0, "due": "11:00"}
    assert explain(reason, "ru")["message"] == (
        "Запись на 11:00: вызван через 0.0 мин после времени записи, норматив 10.0 мин")
    assert explain(reason, "en")["message"].startswith("Appointment at 11:00")


def test_before_the_slot_a_booked_visitor_waits_as_a_walk_in():
    h = office_at("10:00")
    code = h.make("reception", msk(DAY, "11:00"))
    h.now = msk(DAY, "10:20")
    h.issue("reception")  # walked in before the booked visitor came
    h.now = msk(DAY, "10:30")
    booked, _ = h.check_in(code)
    h.now = msk(DAY, "10:35")
    later = h.issue("reception")
    h.now = msk(DAY, "10:40")
    h.open("1")
    first = h.call("1")
    assert h.number(first) == "А001" and first.data["reason"]["code"] == "over_norm"  # waited 20 of 10
    h.finish("1")
    second = h.call("1")  # 10:40: the booked visitor's turn comes as a walk-in, before the slot
    assert second.visit == booked.visit and second.data["reason"]["code"] == "longest_wait"
    h.finish("1")
    assert h.call("1").visit == later.visit


def test_the_head_start_is_bounded_a_walk_in_past_two_norms_goes_first():
    h = office_at("10:00")
    code = h.make("reception", msk(DAY, "11:00"))
    h.now = msk(DAY, "10:34")
    long_wait = h.issue("reception")  # 26 min by 11:00: 2.6 norms
    h.now = msk(DAY, "10:45")
    recent = h.issue("reception")  # 15 min by 11:00: 1.5 norms
    h.now = msk(DAY, "10:55")
    booked, _ = h.check_in(code)
    h.now = msk(DAY, "11:00")
    h.open("1")
    assert h.call("1").visit == long_wait.visit
    h.finish("1")
    call = h.call("1")
    assert call.visit == booked.visit and call.data["reason"]["code"] == "appointment"
    h.finish("1")
    assert h.call("1").visit == recent.visit


def test_a_visitor_a_few_minutes_late_counts_from_the_check_in():
    h = office_at("10:00")
    code = h.make("reception", msk(DAY, "11:00"))
    h.now = msk(DAY, "10:55")
    walk_in = h.issue("reception")  # 17 min by 11:12: 1.7 norms, against the booked 2 + 0.2
    h.open("1")
    h.now = msk(DAY, "11:10")  # ten minutes late, within the 15 allowed
    booked, checked = h.check_in(code)
    assert checked.data["late"] is False
    h.now = msk(DAY, "11:12")
    call = h.call("1")
    assert call.visit == booked.visit
    assert call.data["reason"]["params"]["wait_min"] == 2.0  # from the check-in, not the slot
    h.finish("1")
    assert h.call("1").visit == walk_in.visit


def test_two_due_appointments_go_in_the_order_of_their_slots():
    h = office_at("10:00")
    first = h.make("reception", msk(DAY, "11:00"), phone="+79120000001")
    second = h.make("reception", msk(DAY, "11:05"), phone="+79120000002")
    h.now = msk(DAY, "10:50")
    v2, _ = h.check_in(second)
    v1, _ = h.check_in(first)
    h.now = msk(DAY, "11:06")
    h.open("1")
    assert h.call("1").visit == v1.visit
    h.finish("1")
    assert h.call("1").visit == v2.visit


def test_a_late_visitor_turned_walk_in_has_no_head_start():
    h = office_at("10:00")
    code = h.make("reception", msk(DAY, "11:00"))
    h.now = msk(DAY, "11:10")
    walk_in = h.issue("reception")
    h.now = msk(DAY, "11:16")
    late, checked = h.check_in(code)
    assert checked.data["late"] is True
    h.now = msk(DAY, "11:17")
    h.open("1")
    assert h.call("1").visit == walk_in.visit
    h.finish("1")
    call = h.call("1")
    assert call.visit == late.visit and call.data["reason"]["code"] == "only"
