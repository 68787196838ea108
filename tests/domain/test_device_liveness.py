"""The rule that says which devices are down (domain/devices.py), with a fake clock (issue #13, item 4)."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from queue_server.domain import events as ev
from queue_server.domain.devices import Liveness, change_events
from queue_server.domain.events import Event
from queue_server.domain.hours import DayHours, WorkingHours

START = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 10:00 in Moscow, a Friday
WINDOW = timedelta(seconds=60)
HOURS = WorkingHours({d: DayHours(time(9), time(17, 45), time(18)) for d in ("mon", "tue", "wed", "thu", "fri")},
                     "Europe/Moscow")


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def journal(live: Liveness, now: datetime) -> list[Event]:
    """What a sweep journals at `now`, folded back as the service does."""
    down, up = live.changes(now)
    events = change_events(tuple(down), tuple(up), now)
    for e in events:
        live.apply(e)
    return events


def test_a_device_silent_past_the_window_goes_down_since_its_last_heartbeat_and_comes_back_at_the_next():
    live = Liveness(WINDOW, START)
    live.seen("kiosk-1", "kiosk", at(70))
    assert journal(live, at(120)) == []  # 50 s silent: fine
    (down,) = journal(live, at(131))
    assert (down.type, down.operator, down.data) == (ev.DEVICE_DOWN, "kiosk-1", {
        "kind": "kiosk", "since": "2026-11-20T07:01:10.000Z", "silent_s": 61})
    assert journal(live, at(200)) == []  # down once, not every sweep
    assert live.down_now() == [("kiosk-1", "kiosk", at(70))]
    live.seen("kiosk-1", "kiosk", at(300))
    (up,) = journal(live, at(300.5))
    assert (up.type, up.data) == (ev.DEVICE_UP, {"kind": "kiosk", "down_since": "2026-11-20T07:01:10.000Z",
                                                 "down_s": 230})
    assert live.down_now() == [] and journal(live, at(301)) == []


def test_no_false_alarm_after_a_restart_before_devices_had_time_to_beat():
    """The new server knows the devices' last heartbeats (kept in the database), all a while ago."""
    restarted = at(3600)
    live = Liveness(WINDOW, restarted)
    for i in range(20):
        live.known(f"board-{i}", "display", at(0))
    assert journal(live, restarted + timedelta(seconds=59)) == []  # the grace of one window
    for i in range(20):
        live.seen(f"board-{i}", "display", restarted + timedelta(seconds=10 + i))
    assert journal(live, restarted + timedelta(seconds=61)) == []  # they all came back in time: nothing at all


def test_one_that_does_not_come_back_after_a_restart_goes_down_after_the_grace():
    restarted = at(3600)
    live = Liveness(WINDOW, restarted)
    live.known("kiosk-1", "kiosk", at(0))
    assert journal(live, restarted + timedelta(seconds=30)) == []
    (down,) = journal(live, restarted + timedelta(seconds=60))
    assert down.data["since"] == "2026-11-20T07:00:00.000Z"  # its last heartbeat the office knows of


def test_a_device_never_heard_from_is_not_watched():
    live = Liveness(WINDOW, START)
    live.known("kiosk-new", "kiosk", None)
    assert journal(live, at(10_000)) == []


def test_twenty_devices_back_at_once_are_one_sweep_of_twenty_lines():
    live = Liveness(WINDOW, START)
    for i in range(20):
        live.seen(f"d{i}", "display", at(0))
    assert len(journal(live, at(100))) == 20
    for i in range(20):
        live.seen(f"d{i}", "display", at(200 + i / 10))
    back = journal(live, at(203))
    assert [e.type for e in back] == [ev.DEVICE_UP] * 20 and len({e.at for e in back}) == 1


def test_nobody_goes_down_while_the_office_is_closed_nor_before_a_window_after_opening():
    evening = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 17:30 in Moscow, Friday
    live = Liveness(WINDOW, START, HOURS)
    live.seen("kiosk-1", "kiosk", evening)
    live.seen("board-1", "display", evening + timedelta(minutes=29, seconds=30))  # 17:59:30, then switched off
    (down,) = journal(live, evening + timedelta(minutes=29, seconds=50))
    assert down.operator == "kiosk-1"  # silent for half an hour while open
    night = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 23:00: closed
    assert journal(live, evening + timedelta(minutes=31)) == journal(live, night) == []
    monday = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 09:00 Monday: open
    assert journal(live, monday + timedelta(seconds=59)) == []  # devices are being switched on
    (down,) = journal(live, monday + timedelta(seconds=61))  # still off: down, since Friday
    assert down.operator == "board-1" and down.data["since"] == "2026-11-20T14:59:30.000Z"


def test_a_device_added_again_or_revoked_is_no_longer_down():
    live = Liveness(WINDOW, START)
    live.seen("kiosk-1", "kiosk", at(0))
    live.seen("kiosk-2", "kiosk", at(0))
    journal(live, at(100))
    live.apply(Event(ev.ADMIN_DEVICE_ADDED, at(110), operator="admin", data={"device": "kiosk-1", "kind": "kiosk"}))
    live.apply(Event(ev.ADMIN_DEVICE_REVOKED, at(110), operator="admin", data={"device": "kiosk-2"}))
    assert live.down_now() == [] and journal(live, at(1000)) == []  # kiosk-1 waits for its first heartbeat


def test_a_heartbeat_with_microseconds_is_not_taken_for_a_return_once_journaled():
    """The journal keeps milliseconds: `since` read back must not look older than the last heartbeat."""
    live = Liveness(WINDOW, START)
    live.seen("kiosk-1", "kiosk", at(10.123456))
    (down,) = journal(live, at(80))
    assert down.data["since"] == "2026-11-20T07:00:10.123Z"
    assert journal(live, at(81)) == []  # not "up" again, and not down twice
