"""A `state` going to a full hall steps aside for a `called` (queue_server/fanout.py,
HallManager): the hall boards not yet reached hear of the call first, and still get
the refresh after it."""
from __future__ import annotations

import threading
import time

from queue_server.fanout import DirectSocketIO

SCREENS = 40


class Wire:
    """Stands in for engine.io's `send_packet`, the one door every push goes through:
    notes which event went to which screen, in order. A `called` can be held at the
    door, so the test decides how long the call is on its way."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.call_on_its_way = threading.Event()
        self.let_call_through = threading.Event()

    def send_packet(self, eio_sid: str, pkt) -> None:
        event = pkt.data.split('"')[1]  # '2["called",{...}]'
        if event == "called":
            self.call_on_its_way.set()
            assert self.let_call_through.wait(10)
        with self.lock:
            self.sent.append((event, eio_sid))

    def events_for(self, eio_sid: str) -> list[str]:
        with self.lock:
            return [e for e, sid in self.sent if sid == eio_sid]


def hall_of_screens() -> tuple[DirectSocketIO, Wire, list[str]]:
    sio = DirectSocketIO(async_mode="threading")
    wire = Wire()
    sio.eio.send_packet = wire.send_packet
    screens = [f"screen-{i:02d}" for i in range(SCREENS)]
    for eio_sid in screens:
        sio.manager.enter_room(sio.manager.connect(eio_sid, "/"), "/", "hall")
    return sio, wire, screens


def test_a_state_in_flight_waits_while_a_call_goes_out():
    sio, wire, screens = hall_of_screens()
    started_call = threading.Event()

    def call_when_the_state_is_under_way(eio_sid, pkt):
        if pkt.data.startswith('2["state"') and eio_sid == screens[2] and not started_call.is_set():
            started_call.set()
            threading.Thread(target=sio.emit, args=("called", {"number": "К007"}),
                             kwargs={"room": "hall"}).start()
            assert wire.call_on_its_way.wait(10)
        wire.send_packet(eio_sid, pkt)

    sio.eio.send_packet = call_when_the_state_is_under_way
    state = threading.Thread(target=sio.emit, args=("state", {"queues": []}), kwargs={"room": "hall"})
    state.start()
    time.sleep(0.3)  # the refresh has had ample time to reach every screen, were it not waiting
    held_back = [s for s in screens if not wire.events_for(s)]
    assert 0 < len(held_back) < SCREENS, "the refresh neither waited for the call nor was it under way"
    assert len(held_back) >= SCREENS - 8 - 3, "the refresh went on well past the start of the call"

    wire.let_call_through.set()
    state.join(10)
    assert not state.is_alive()
    for s in screens:
        events = wire.events_for(s)
        assert sorted(events) == ["called", "state"], (s, events)  # nobody misses either
    for s in held_back:
        assert wire.events_for(s) == ["called", "state"], s  # the call first, then the refresh


def test_a_call_does_not_wait_for_a_state():
    """The other way round nothing waits: a call goes out while a refresh is held up."""
    sio, wire, screens = hall_of_screens()
    wire.let_call_through.set()
    state_at_door = threading.Event()
    release_state = threading.Event()

    def hold_the_state(eio_sid, pkt):
        if pkt.data.startswith('2["state"') and eio_sid == screens[0]:
            state_at_door.set()
            assert release_state.wait(10)
        wire.send_packet(eio_sid, pkt)

    sio.eio.send_packet = hold_the_state
    state = threading.Thread(target=sio.emit, args=("state", {"queues": []}), kwargs={"room": "hall"})
    state.start()
    assert state_at_door.wait(10)
    sio.emit("called", {"number": "К008"}, room="hall")  # returns although the state is stuck
    assert all(wire.events_for(s) == ["called"] for s in screens)
    release_state.set()
    state.join(10)
    assert all(wire.events_for(s) == ["called", "state"] for s in screens)
