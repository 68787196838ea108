"""Live push through a real server and the real python-socketio client."""
from __future__ import annotations

import queue
import time

import pytest
import socketio


def connect(live, token: str | None, auth_extra: dict | None = None):
    received: queue.Queue = queue.Queue()
    client = socketio.Client(reconnection=False)
    for name in ("snapshot", "state", "called", "device", "track"):
        client.on(name, (lambda n: lambda data: received.put((n, data)))(name))
    auth = {"token": token} if token else {}
    auth.update(auth_extra or {})
    client.connect(live.url, auth=auth, transports=["websocket"], wait_timeout=5)
    return client, received


def wait_until(received: queue.Queue, name: str, ok, timeout: float = 5.0):
    """The first `name` event whose body satisfies ok(): pushes are coalesced,
    so an earlier picture may still arrive first."""
    while not ok(body := wait_for(received, name, timeout)):
        pass
    return body


def wait_for(received: queue.Queue, name: str, timeout: float = 5.0):
    while True:
        kind, data = received.get(timeout=timeout)
        if kind == name:
            return data


def test_a_call_reaches_the_hall_as_a_called_event(live_office):
    client, received = connect(live_office, live_office.tokens["display"])
    try:
        snapshot = wait_for(received, "snapshot")
        assert {c["counter_id"] for c in snapshot["counters"]} == {"1", "2", "3", "4"}
        ticket = live_office.ticket("payments")
        wait_until(received, "state",
                   lambda st: next(q for q in st["queues"] if q["service_id"] == "payments")["waiting"] == 1)
        assert live_office.post("/api/v1/counters/4/next", "op4").status_code == 200
        called = wait_for(received, "called")
        assert called["number"] == ticket["number"] == "О001"
        assert called["counter_id"] == "4" and called["service_id"] == "payments"
        assert called["visit_id"] == ticket["visit_id"]
        assert called["reason"]["code"] == "only" and "норматив" in called["reason"]["message"]
        assert called["at"].endswith("Z")
        live_office.post("/api/v1/counters/4/recall", "op4")
        assert wait_for(received, "called")["recall"] is True
    finally:
        client.disconnect()


def test_boards_get_the_board_sized_state_and_staff_every_detail(live_office):
    board, board_rx = connect(live_office, live_office.tokens["display"])
    head, head_rx = connect(live_office, live_office.tokens["admin"])
    try:
        for rx in (board_rx, head_rx):
            wait_for(rx, "snapshot")
        ticket = live_office.ticket("reception")
        live_office.post("/api/v1/counters/1/next", "op1")

        def serving(st):
            return next(c for c in st["counters"] if c["counter_id"] == "1")["current"]

        board_state = wait_until(board_rx, "state", serving)
        on_board = serving(board_state)
        on_dashboard = wait_until(head_rx, "state", serving)
        # The board has what it draws: the number at the counter, and whether it is called.
        assert on_board["number"] == ticket["number"] and on_board["state"] == "called"
        assert on_board["called_at"].endswith("Z")
        # …and nothing a hall device has no use for (nor the staff member's login).
        assert "reason" not in on_board and "history" not in on_board
        counter1 = next(c for c in on_dashboard["counters"] if c["counter_id"] == "1")
        assert counter1["operator"] == "op1"
        assert counter1["current"]["reason"]["code"] == "only"
        assert all("operator" not in c for c in board_state["counters"])
    finally:
        board.disconnect()
        head.disconnect()


def test_a_reconnecting_client_gets_the_snapshot_with_what_it_missed(live_office):
    client, received = connect(live_office, live_office.tokens["display"])
    wait_for(received, "snapshot")
    client.disconnect()
    live_office.ticket("reception")
    live_office.post("/api/v1/counters/1/next", "op1")
    client, received = connect(live_office, live_office.tokens["display"])
    try:
        snapshot = wait_for(received, "snapshot")
        assert snapshot["recent_calls"][0]["number"] == "А001"
        counter1 = next(c for c in snapshot["counters"] if c["counter_id"] == "1")
        assert counter1["status"] == "open" and counter1["current"]["number"] == "А001"
    finally:
        client.disconnect()


def test_operators_hear_only_their_counter_and_the_hall(live_office):
    client, received = connect(live_office, live_office.tokens["op2"])
    try:
        wait_for(received, "snapshot")
        live_office.ticket("consultation")
        live_office.post("/api/v1/counters/2/next", "op2")
        assert wait_for(received, "called")["counter_id"] == "2"
    finally:
        client.disconnect()


@pytest.mark.parametrize("auth", [None, "not-a-token"])
def test_no_or_wrong_token_is_refused(live_office, auth):
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(live_office, auth)


def test_a_visitor_phone_follows_only_its_own_ticket(live_office):
    first = live_office.ticket("reception")
    mine = live_office.ticket("reception")
    client, received = connect(live_office, None, {"visit": mine["visit_id"]})
    try:
        track = wait_for(received, "track")
        assert track["number"] == "А002" and track["ahead"] == 1
        assert first["number"] not in str(track)
        live_office.post("/api/v1/counters/1/next", "op1")
        assert wait_until(received, "track", lambda t: t["ahead"] == 0)["number"] == "А002"
    finally:
        client.disconnect()


def test_calls_and_a_followed_tickets_changes_wake_the_broadcaster_new_tickets_do_not(live_office):
    """A new ticket waits for the broadcaster's next look (Outbox): screens learn of it
    from `state`, and waking a thread per ticket slowed every ticket. A call, and a
    change of a ticket a phone follows, go out at once."""
    from datetime import UTC, datetime

    from queue_server.domain import events as ev
    from queue_server.domain.events import Event

    outbox = live_office.app.service.outbox
    at = datetime.now(UTC)

    def wakes(kind: str, visit: str) -> bool:
        return outbox.wake_for([Event(kind, at, visit=visit, step=1, service="reception", counter="1")])

    mine, other = live_office.ticket("reception"), live_office.ticket("reception")
    client, received = connect(live_office, None, {"visit": mine["visit_id"]})
    try:
        wait_for(received, "track")
        assert wakes(ev.STEP_CALLED, other["visit_id"])  # the hall hears every call at once
        assert wakes(ev.STEP_STARTED, mine["visit_id"])  # the phone following it
        assert not wakes(ev.STEP_STARTED, other["visit_id"])  # nobody follows that one
        assert not wakes(ev.VISIT_ISSUED, "a-new-visit")
    finally:
        client.disconnect()
    deadline = time.monotonic() + 5
    while live_office.app.realtime.connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not wakes(ev.STEP_CALLED, other["visit_id"])  # nobody listening: nothing to wake for
