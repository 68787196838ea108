"""Tickets are for one day: what is still waiting at midnight leaves the queue.

The office cancels it (`visit.cancelled`, reason `day_over`), at midnight while
the server runs and at start-up when it was off at midnight, so the morning's
board and the estimated waits start from an empty hall.
"""
from __future__ import annotations

from datetime import UTC, datetime

from tests_support import KIOSK

from queue_server.app import create_app
from queue_server.clock import FakeClock
from queue_server.domain import events as ev
from queue_server.domain.commands import IssueTicket
from queue_server.realtime import track_view
from queue_server.snapshot import state_snapshot

EVENING = datetime(2026, 11, 20, 20, 30, tzinfo=UTC)  # 23:30 in Moscow


def waiting(app) -> dict[str, int]:
    state = app.service.read(state_snapshot)
    return {q["service_id"]: q["waiting"] for q in state["queues"] if q["waiting"]}


def issue(app, service: str = "reception"):
    (e,) = app.service.handle(IssueTicket(service), KIOSK)
    return e


def day_over_cancels(app) -> list[str]:
    return [e.visit for e in app.store.events_after(0)
            if e.type == ev.VISIT_CANCELLED and e.data.get("reason") == ev.DAY_OVER]


def test_at_midnight_the_waiting_tickets_leave_the_queue(office_dir):
    clock = FakeClock(EVENING)
    app = create_app(office_dir, clock=clock)
    try:
        late = [issue(app), issue(app, "consultation")]
        app.extras["scheduler"].tick()
        assert waiting(app) == {"reception": 1, "consultation": 1}  # 23:30: they wait on
        clock.set(datetime(2026, 11, 20, 21, 0, 20, tzinfo=UTC))  # 00:00:20
        app.extras["scheduler"].tick()
        assert waiting(app) == {}
        assert sorted(day_over_cancels(app)) == sorted(e.visit for e in late)
        assert app.service.read(lambda o, now: track_view(o, late[0].visit, now))["state"] == "cancelled"
        morning = issue(app)
        assert morning.data["number"] == "А001" and waiting(app) == {"reception": 1}
        app.extras["scheduler"].tick()  # once a night: the morning's ticket stays
        assert waiting(app) == {"reception": 1}
    finally:
        app.close()


def test_a_server_off_at_midnight_clears_them_when_it_starts(office_dir):
    clock = FakeClock(EVENING)
    app = create_app(office_dir, clock=clock)
    try:
        late = issue(app)
    finally:
        app.close()
    clock.set(datetime(2026, 11, 21, 5, 0, tzinfo=UTC))  # 08:00 the next day
    app = create_app(office_dir, clock=clock)
    try:
        assert waiting(app) == {}
        assert day_over_cancels(app) == [late.visit]
    finally:
        app.close()
    app = create_app(office_dir, clock=clock)  # a second start the same morning adds nothing
    try:
        assert day_over_cancels(app) == [late.visit]
    finally:
        app.close()
