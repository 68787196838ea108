"""The link hands events on in the order the server sent them (counter_display/link.py).

A real server calls 300 visitors back to back; its broadcaster sends each `called`
as soon as it is committed, so they reach the socket in bursts. The hall board must
see them in journal order: a swapped pair would show the wrong number on top and
announce two visitors the wrong way round. python-socketio's threading client starts
a thread per message; with the interpreter switching threads as often as it can (as
on a busy two-core hall PC) those threads swap calls every run.
"""
from __future__ import annotations

import sys
import threading

from display_helpers import journal, wait_for
from tests_support import KIOSK, operator

from counter_display.link import RealtimeLink
from queue_server.domain import commands as c

CALLS = 300


def test_calls_and_states_are_handed_on_in_the_order_the_server_sent_them(live_office):
    seen: list[tuple[str, int | str]] = []
    lock = threading.Lock()

    def record(kind: str):
        def on(body, *_):
            with lock:
                seen.append((kind, body if isinstance(body, str) else body["seq"]))
        return on

    link = RealtimeLink(live_office.url, live_office.tokens["display"], on_snapshot=record("snapshot"),
                        on_state=record("state"), on_called=record("called"), on_status=record("status"))
    link.start()
    try:
        assert wait_for(lambda: ("status", "online") in seen and any(k == "snapshot" for k, _ in seen))
        service, op1 = live_office.app.service, operator("op1", "1")
        for _ in range(CALLS):
            service.handle(c.IssueTicket("reception"), KIOSK)
        before = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # any thread may be interrupted anywhere, at once
        try:
            for _ in range(CALLS):
                service.handle(c.CallNext("1"), op1)
                service.handle(c.NoShow("1"), op1)
            assert wait_for(lambda: sum(k == "called" for k, _ in seen) >= CALLS, timeout=30)
        finally:
            sys.setswitchinterval(before)
    finally:
        link.stop()

    sent = [e["seq"] for e in journal(live_office) if e["type"] == "step.called"]
    called = [seq for k, seq in seen if k == "called"]
    assert called == sent, "calls handed on out of the server's order"
    states = [seq for k, seq in seen if k == "state"]
    assert states == sorted(states), "a state handed on after a newer one"
    kinds = [k for k, _ in seen]
    assert kinds.index("status") < kinds.index("snapshot"), "online comes before the snapshot"
