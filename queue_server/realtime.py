"""Live push over Socket.IO (python-socketio, threading mode).

Event names and payloads are pinned in docs/realtime.md (REALTIME_EVENTS is
checked against it by a test). A broadcaster thread drains the service's
outbox in order, so journal order is push order and no request thread ever
waits on a slow client.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

import socketio
from werkzeug.http import parse_cookie

from .auth import Accounts, AuthError
from .domain import events as ev
from .domain.events import format_at
from .fanout import DirectSocketIO
from .service_layer import OfficeService
from .snapshot import board_snapshot, explain, state_snapshot

log = logging.getLogger(__name__)

REALTIME_EVENTS = {
    "snapshot": "The whole hall picture, sent to every client on (re)connect.",
    "state": "The same body as snapshot, pushed after every change of queues or counters.",
    "called": "A visitor is called or recalled to a counter: number, counter_id, service_id, reason, at, visit_id, seq.",
    "device": "A device reported a fault or recovery (dashboard only).",
    "track": "One ticket's place in the queue, to the visitor's phone following it.",
}
STATE_INTERVAL_S = 0.1
BOARD_STATE_INTERVAL_S = 0.5
# A loaded machine may take a while to finish a handshake: a snapshot sent before it is lost.
SNAPSHOT_WAIT_S = 15.0
ROOM_HALL = "hall"
ROOM_KIOSK = "kiosk"
ROOM_DASHBOARD = "dashboard"
# Who gets which `state`: staff screens every detail, devices the board-sized body.
ROOM_STATE_FULL = "state:full"
ROOM_STATE_BOARD = "state:board"


def counter_room(counter_id: str) -> str:
    return f"counter:{counter_id}"


def visit_room(visit_id: str) -> str:
    return f"visit:{visit_id}"


class Realtime:
    def __init__(self, service: OfficeService, accounts: Accounts):
        self.service = service
        self.accounts = accounts
        self.sio = DirectSocketIO(async_mode="threading", always_connect=False,
                                   ping_interval=10, ping_timeout=10)
        self.sio.on("connect", self._connect)
        self._stop = threading.Event()
        self._state_due = threading.Event()  # something changed: the state pusher has work
        self._thread: threading.Thread | None = None

    # ---- connections ----------------------------------------------------
    def _connect(self, sid: str, environ: dict, auth: dict | None):
        auth = auth if isinstance(auth, dict) else {}
        visit_id = auth.get("visit")
        if isinstance(visit_id, str) and not auth.get("token"):
            # The visitor's phone following a ticket: sees only that ticket.
            if not self.service.read(lambda o, now: visit_id in o.visits):
                raise socketio.exceptions.ConnectionRefusedError("unknown ticket")
            self.sio.enter_room(sid, visit_room(visit_id))
            self.sio.start_background_task(self._send_when_connected, sid, "track", visit_id)
            return True
        try:
            token = auth.get("token") or cookie_token(environ)
            p = self.accounts.authenticate(token, self.service.clock.now())
        except AuthError as exc:
            raise socketio.exceptions.ConnectionRefusedError(str(exc)) from None
        rooms = []
        if p.kind == "device" and p.role == "display":
            rooms.append(ROOM_HALL)
            if auth.get("counter") in self.service.config.catalog.counters:
                rooms.append(counter_room(auth["counter"]))
        elif p.kind == "device" and p.role == "kiosk":
            rooms.append(ROOM_KIOSK)
        elif p.kind == "device":
            rooms.append(ROOM_HALL)
        elif p.role == "operator":
            rooms.append(ROOM_HALL)
            if p.counter_id:
                rooms.append(counter_room(p.counter_id))
        else:
            rooms += [ROOM_HALL, ROOM_DASHBOARD]
        rooms.append(ROOM_STATE_BOARD if p.kind == "device" else ROOM_STATE_FULL)
        for room in rooms:
            self.sio.enter_room(sid, room)
        self.sio.start_background_task(self._send_when_connected, sid, "snapshot", None)
        return True

    def _send_when_connected(self, sid: str, kind: str, visit_id: str | None) -> None:
        """The connect handler runs before the handshake completes; wait for it."""
        deadline = time.monotonic() + SNAPSHOT_WAIT_S
        while not self.sio.manager.is_connected(sid, "/"):
            if time.monotonic() > deadline:
                return  # the client gave up; it gets a snapshot when it connects again
            time.sleep(0.005)
        if kind == "track":
            self.sio.emit("track", self.track(visit_id), to=sid)
        else:
            self.sio.emit("snapshot", self.service.read(state_snapshot), to=sid)

    def track(self, visit_id: str) -> dict:
        return self.service.read(lambda o, now: track_view(o, visit_id, now))

    # ---- broadcasting -----------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._broadcast_loop, name="broadcaster", daemon=True)
        self._thread.start()
        threading.Thread(target=self._state_loop, name="state-pusher", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self.service.outbox.put([])
        self._state_due.set()

    def _broadcast_loop(self) -> None:
        """`called` and `device` go out at once, in journal order; `state` is left to
        the state pusher, so a call never waits behind a `state` going to 200 screens."""
        outbox = self.service.outbox
        while not self._stop.is_set():
            batch = list(outbox.get())  # an empty list asks for a state refresh
            try:
                while True:
                    batch += outbox.get_nowait()
            except queue.Empty:
                pass
            try:
                self._publish_events(batch)
            except Exception:  # a push must never kill the broadcaster
                log.exception("push failed")
            self._state_due.set()

    def _state_loop(self) -> None:
        """`state` at most every STATE_INTERVAL_S to staff screens and every
        BOARD_STATE_INTERVAL_S to devices.

        A whole-hall `state` to every client after every ticket would cost more
        CPU than the tickets themselves in a busy hour. A tenth of a second is
        far below what a clerk can notice; a board learns of every call at once
        from `called` (whose `seq` lets it ignore a `state` older than the call),
        and its queue lengths may lag half a second.
        """
        due = {ROOM_STATE_FULL: [False, 0.0, STATE_INTERVAL_S],  # dirty, last sent, interval
               ROOM_STATE_BOARD: [False, 0.0, BOARD_STATE_INTERVAL_S]}
        while not self._stop.is_set():
            now = time.monotonic()
            waits = [max(0.0, every - (now - last)) for dirty, last, every in due.values() if dirty]
            if self._state_due.wait(min(waits) if waits else None):
                self._state_due.clear()
                for d in due.values():
                    d[0] = True
            if self._stop.is_set():
                return
            for room, d in due.items():
                if d[0] and time.monotonic() - d[1] >= d[2]:
                    try:
                        self._publish_state(room)
                    except Exception:  # a push must never kill the pusher
                        log.exception("state push failed")
                    d[0], d[1] = False, time.monotonic()

    def _publish_events(self, batch: list) -> None:
        for e in batch:
            if e.type in (ev.STEP_CALLED, ev.STEP_RECALLED):
                body = self._called_body(e)
                self.sio.emit("called", body, room=[ROOM_HALL, counter_room(e.counter), ROOM_DASHBOARD])
            elif e.type in (ev.DEVICE_FAULT, ev.DEVICE_OK):
                self.sio.emit("device", {"device": e.operator, "type": e.type, "at": format_at(e.at),
                                         **e.data}, room=ROOM_DASHBOARD)

    def _publish_state(self, audience: str) -> None:
        rooms = self.sio.manager.rooms.get("/", {})
        if rooms.get(audience):
            build = state_snapshot if audience == ROOM_STATE_FULL else board_snapshot
            self.sio.emit("state", self.service.read(build), room=audience)
        if audience != ROOM_STATE_FULL:
            return
        # Visitors following tickets: anyone in the same queues may have moved up.
        for room in list(rooms):
            if isinstance(room, str) and room.startswith("visit:"):
                self.sio.emit("track", self.track(room[6:]), room=room)

    def _called_body(self, e) -> dict:
        def read(office, now):
            visit = office.visits.get(e.visit)
            return {
                "number": visit.number if visit else None,
                "counter_id": e.counter,
                "service_id": e.service,
                "reason": explain((e.data or {}).get("reason"), office.catalog.language),
                "at": format_at(e.at),
                "visit_id": e.visit,
                "lang": visit.lang if visit else "ru",
                "recall": e.type == ev.STEP_RECALLED,
                "seq": e.seq,
            }
        return self.service.read(read)


def cookie_token(environ: dict) -> str | None:
    """A web page's session: the HttpOnly `qtoken` cookie (queue_server/web, docs/web.md)."""
    return parse_cookie(environ.get("HTTP_COOKIE", "")).get("qtoken") or None


def track_view(office, visit_id: str, now) -> dict:
    """What the visitor's phone shows: their ticket only, nothing about others."""
    visit = office.visits.get(visit_id)
    if visit is None:
        return {"visit_id": visit_id, "known": False}
    step = visit.current_step
    waiting = step.state == "queued"
    ahead = office.ahead_of(step) if waiting else 0
    return {
        "visit_id": visit_id,
        "known": True,
        "number": visit.number,
        "service_id": step.service_id,
        "state": step.state,
        "ahead": ahead,
        "estimated_wait_s": office.estimate_for(step, ahead) if waiting else 0,
        "counter_id": step.counter_id if not waiting else None,
        "lang": visit.lang,
    }
