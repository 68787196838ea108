"""The outbox between a command's commit and the real-time pushes: a ticket must not
wake the broadcaster (on two cores the woken thread slowed each ticket by ~0.15 ms),
a call must."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from queue_server.domain import events as ev
from queue_server.domain.events import Event
from queue_server.service.office_service import Outbox

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ISSUED = [Event(ev.VISIT_ISSUED, AT, visit="v1", step=1, service="reception")]
CALLED = [Event(ev.STEP_CALLED, AT, visit="v1", step=1, service="reception", counter="1")]


def taker(outbox: Outbox, timeout: float):
    """take() on a thread of its own, as the broadcaster does: (batches, seconds it waited)."""
    got: list = []
    started = time.monotonic()
    thread = threading.Thread(target=lambda: got.append((outbox.take(timeout), time.monotonic() - started)))
    thread.start()
    time.sleep(0.3)  # it is waiting by now (a thread starts in well under a millisecond)
    return thread, got


def test_what_nobody_needs_at_once_waits_for_the_next_look_and_keeps_its_order():
    outbox = Outbox()
    outbox.wake_for = lambda batch: batch[0].type == ev.STEP_CALLED
    thread, got = taker(outbox, timeout=5.0)
    outbox.put(ISSUED)
    thread.join(0.5)
    assert thread.is_alive(), "a new ticket woke the broadcaster"
    outbox.put(CALLED)
    thread.join(2.0)
    batches, waited = got[0]
    assert batches == [ISSUED, CALLED]  # journal order, the lazy batch first
    assert waited < 2.0


def test_a_look_without_a_wake_still_finds_the_batch():
    outbox = Outbox()
    outbox.wake_for = lambda batch: False
    thread, got = taker(outbox, timeout=0.4)
    outbox.put(ISSUED)
    thread.join(3.0)
    assert got[0][0] == [ISSUED]
    assert outbox.take(0.01) == []  # taken once


def test_a_refresh_of_everything_always_wakes():
    outbox = Outbox()
    outbox.wake_for = lambda batch: False
    thread, got = taker(outbox, timeout=5.0)
    outbox.put([])  # after an import, or to stop the broadcaster
    thread.join(2.0)
    assert not thread.is_alive() and got[0][0] == [[]]
