"""The office domain with a fake clock: numbering, transfers, recalls, no-shows."""
from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from queue_server.config import parse_config
from queue_server.domain import events as ev
from queue_server.domain.errors import CounterBusy, CounterNotOpen, InvalidState, OfficeClosed
from queue_server.domain.office import Office


def test_numbers_count_per_prefix_and_restart_each_local_day(office):
    assert office.issue().data["number"] == "А001"
    assert office.issue().data["number"] == "А002"
    assert office.issue("consultation").data["number"] == "К001"
    # 23:59 Moscow is still the same day; 00:00 Moscow is a new day (21:00 UTC).
    office.now = datetime(2026, 11, 20, 20, 59, tzinfo=UTC)
    assert office.issue().data["number"] == "А003"
    office.now = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    assert office.issue().data["number"] == "А001"


def test_tickets_still_waiting_at_midnight_are_cancelled_by_the_office(office):
    """Tickets are for one day: yesterday's А002 must not wait beside today's."""
    office.open("1")
    served = office.issue()
    left = office.issue()
    also_left = office.issue("consultation")
    office.next("1")
    assert office.do(office.office.end_of_day) == []  # the same evening: nothing to do
    office.now = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)  # 00:00 in Moscow
    events = office.do(office.office.end_of_day)
    assert [(e.type, e.visit, e.operator, e.data) for e in events] == [
        (ev.VISIT_CANCELLED, left.visit, None, {"reason": ev.DAY_OVER}),
        (ev.VISIT_CANCELLED, also_left.visit, None, {"reason": ev.DAY_OVER})]
    assert office.office.queues["reception"] == office.office.queues["consultation"] == []
    # the visitor at the counter is the clerk's to finish, however late
    assert office.office.counters["1"].current_visit == served.visit
    office.do(office.office.finish, "1", "op1", kind="consultation", topic="other")
    today = office.issue()
    assert today.data["number"] == "А001"
    assert office.do(office.office.end_of_day) == []
    assert office.next("1").visit == today.visit


def test_numbering_continues_after_rebuild_from_the_journal(office):
    for _ in range(3):
        office.issue()
    fresh = Office(office.office.catalog, office.office.hours)
    for e in office.journal:
        fresh.apply(e)
    assert fresh.issue("reception", office.now).data["number"] == "А004"


def test_transfer_keeps_the_visit_and_its_clock(office):
    office.open("1")
    office.open("2")
    issued = office.issue()
    office.tick(4)
    office.next("1")
    office.tick(1)
    office.do(office.office.start, "1", "op1")
    office.tick(3)
    (t,) = office.do(office.office.transfer, "1", "op1", service_id="consultation", note="заявление на ТП")
    assert t.type == ev.STEP_TRANSFERRED and t.data["to_service"] == "consultation"
    visit = office.office.visit(issued.visit)
    assert visit.number == "А001" and len(visit.steps) == 2 and visit.is_open
    second = visit.steps[1]
    assert second.service_id == "consultation" and second.queued_at == office.now
    assert second.note == "заявление на ТП"
    office.tick(6)
    called = office.next("2")
    assert called.visit == issued.visit and called.step == 2
    # The visit clock runs from the ticket, not from the transfer.
    assert visit.elapsed_s(office.now) == 14 * 60
    assert second.wait_s(office.now) == 6 * 60


def test_recalls_then_the_next_recall_is_a_no_show(office):
    office.open("1")
    office.issue()
    office.next("1")
    for expected in (1, 2):
        (e,) = office.do(office.office.recall, "1", "op1")
        assert e.type == ev.STEP_RECALLED and e.data["recall"] == expected
    (e,) = office.do(office.office.recall, "1", "op1")
    assert e.type == ev.STEP_NO_SHOW and e.data["auto"] is True
    assert office.office.counters["1"].current_visit is None
    assert not office.office.visit(e.visit).is_open


def test_counter_rules_a_clerk_would_expect(office):
    office.issue()
    with pytest.raises(CounterNotOpen):
        office.next("1")
    office.open("1")
    office.issue()
    office.next("1")
    with pytest.raises(CounterBusy):
        office.next("1")
    with pytest.raises(CounterBusy):
        office.do(office.office.pause, "1", "op1")
    office.do(office.office.finish, "1", "op1", kind="payment", topic="energy_supply")
    office.do(office.office.pause, "1", "op1", reason="paperwork")
    with pytest.raises(CounterNotOpen):
        office.next("1")
    office.do(office.office.resume, "1", "op1")
    assert office.next("1") is not None
    with pytest.raises(InvalidState):  # no-show only before service starts
        office.do(office.office.start, "1", "op1")
        office.do(office.office.no_show, "1", "op1")


def test_cancel_frees_the_counter_and_ends_the_visit(office):
    office.open("1")
    e = office.issue()
    office.next("1")
    office.do(office.office.cancel, e.visit, "admin")
    assert office.office.counters["1"].current_visit is None
    assert office.office.queues["reception"] == []
    assert office.next("1") is None


def served(office, counter: str, minutes: float, service: str = "reception") -> None:
    """One visitor of `service` called, started and finished after `minutes` at `counter`."""
    office.issue(service)
    office.next(counter)
    office.do(office.office.start, counter, f"op{counter}")
    office.tick(minutes)
    office.do(office.office.finish, counter, f"op{counter}")


def estimate(office, ticket) -> int:
    return office.office.estimate_for(office.office.visit(ticket.visit).current_step)


def test_estimated_wait_uses_people_ahead_open_counters_and_recent_service(office):
    office.open("1")
    first = office.issue()
    assert estimate(office, first) == 0
    # No service yet: the administrator's norm (5 min) is the typical service time.
    second = office.issue()
    assert estimate(office, second) == 300
    for _ in range(8):  # enough history: the median of recent services, 2 min
        served(office, "1", 2)
    third = office.issue()
    # Two ahead (the first two tickets), one open counter, typical service now 2 min.
    assert estimate(office, third) == 240
    office.open("3")  # counter 3 serves "quick" and "consultation", not reception: no change
    assert estimate(office, third) == 240


def test_estimated_wait_does_not_trust_one_short_service(office):
    """Issue #13: one 1.2 s "service" made 33 people ahead read as "about 1 min"."""
    office.open("1")
    office.issue()
    office.next("1")
    office.do(office.office.start, "1", "op1")
    office.tick(1.2 / 60)
    office.do(office.office.finish, "1", "op1")
    for _ in range(33):
        office.issue()
    last = office.issue()
    assert estimate(office, last) == 33 * 300  # the administrator's norm, not 33 × 1.2 s


def test_the_norm_is_a_floor_until_there_is_enough_history(office):
    office.open("1")
    for _ in range(3):
        served(office, "1", 9)
    office.issue()
    second = office.issue()
    assert estimate(office, second) == 9 * 60  # thin history above the norm counts: a floor, not a cap
    office.do(office.office.cancel, second.visit, "op1")
    for _ in range(4):
        served(office, "1", 3)
    third = office.issue()
    assert estimate(office, third) == 300  # 7 services: their median, 3 min, is under the floor
    served(office, "1", 3)  # the 8th: the median of recent services stands
    fourth = office.issue()
    assert estimate(office, fourth) == 2 * 3 * 60


def test_a_service_with_little_history_borrows_its_role_s():
    from queue_server.domain.eta import ServiceTimes

    times = ServiceTimes({"pay": "cashier", "meter": "cashier", "adm": "administrator"})
    for seconds in (100, 120, 140, 160, 180, 200, 220, 240, 5):  # the 5 s one is no service: not recorded
        times.record("pay", seconds)
    assert times.typical("pay", 600) == 170 and times.typical("meter", 600) == 170
    assert times.typical("adm", 300) == 300


def test_the_queue_keeps_the_journal_order_when_the_wall_clock_steps_back(office):
    """Issue #15: after the clock stepped back 10 minutes the newest ticket was called first.
    The order of arrival is the journal's; a later ticket never looks as if it waited longer."""
    office.open("1")
    first = office.issue()
    office.tick(2)
    second = office.issue()
    office.tick(-10)  # the wall clock steps back: the next ticket is stamped 8 minutes "before" the first
    newest = office.issue()
    office.tick(1)
    o = office.office
    steps = [o.visit(t.visit).current_step for t in (first, second, newest)]
    assert [o.ahead_of(s) for s in steps] == [0, 1, 2]
    now = o.steady(office.now)
    assert steps[0].wait_s(now) >= steps[1].wait_s(now) >= steps[2].wait_s(now) >= 0
    called = []
    for _ in range(3):
        called.append(office.next("1").visit)
        office.do(o.finish, "1", "op1")
    assert called == [first.visit, second.visit, newest.visit]


def test_tickets_of_the_same_instant_are_ahead_in_the_order_they_came(office):
    twin = office.issue()
    twin2 = office.issue()
    o = office.office
    assert [o.ahead_of(o.visit(v.visit).current_step) for v in (twin, twin2)] == [0, 1]


def test_tickets_only_within_working_hours():
    raw = tomllib.loads(
        Path(__file__).parents[2].joinpath("queue_server/office.example.toml").read_text(encoding="utf-8"))
    config = parse_config(raw, Path("office.toml"))
    office = Office(config.catalog, config.hours)
    friday_evening = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)  # 16:00 Moscow, Friday
    with pytest.raises(OfficeClosed) as exc:
        office.issue("reception", friday_evening)
    assert "23.11" in str(exc.value) and "08:00" in str(exc.value)  # opens Monday at 8
    assert office.issue("reception", datetime(2026, 11, 20, 12, 0, tzinfo=UTC))


def test_closed_visits_leave_memory_after_a_day_open_ones_stay(office):
    office.open("1")
    old_open = office.issue("payments")  # nobody serves payments at counter 1: stays queued
    done = office.issue()
    office.next("1")
    office.do(office.office.finish, "1", "op1")
    office.tick(27 * 60)
    office.issue()
    office.next("1")
    office.do(office.office.finish, "1", "op1")
    assert done.visit not in office.office.visits
    assert old_open.visit in office.office.visits


def test_a_queue_is_kept_in_queuing_order_so_its_head_waited_longest(office):
    from queue_server.snapshot import state_snapshot

    office.open("1")
    office.open("2")
    office.issue("consultation")
    office.tick(3)
    office.issue("reception")
    office.tick(1)
    office.issue("consultation")
    office.next("1")
    office.do(office.office.transfer, "1", "op1", service_id="consultation")  # joins at the back
    office.tick(2)
    queue = office.office.queues["consultation"]
    assert [s.queued_at for s in queue] == sorted(s.queued_at for s in queue)
    snapshot = state_snapshot(office.office, office.now)
    consultation = next(q for q in snapshot["queues"] if q["service_id"] == "consultation")
    assert consultation["waiting"] == 3 and consultation["oldest_wait_s"] == 6 * 60
