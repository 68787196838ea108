"""Live push over Socket.IO: python-socketio's AsyncServer on the ASGI event loop.

Event names and payloads are pinned in docs/realtime.md (REALTIME_EVENTS is
checked against it by a test). An idle connection is a few objects on the
event loop, no thread. Everything that blocks (the office state's lock, SQLite
reads for tokens) runs on threads: the broadcaster thread drains the
service's outbox in journal order, builds each body under the lock, and hands
the emit to the loop through `asyncio.run_coroutine_threadsafe`; connect
handlers run their checks in a small thread pool. So a request thread never
waits on a client, and the loop never waits on the lock.

The hall network is not trusted: a connection must join the namespace with a
valid token (or a known ticket, for a visitor's phone) within JOIN_TIMEOUT_S,
each address holds a bounded number of live sockets, and revoking a token,
logging out or disabling a user or device drops its sockets at once
(`Realtime.disconnect`).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import socketio
from werkzeug.http import parse_cookie

from .auth import Accounts, AuthError
from .domain import events as ev
from .domain.events import format_at
from .service_layer import OfficeService
from .snapshot import board_snapshot, explain, state_snapshot

log = logging.getLogger(__name__)

REALTIME_EVENTS = {
    "snapshot": "The whole hall picture, sent to every client on (re)connect.",
    "state": "The same body as snapshot, pushed after every change of queues or counters.",
    "called": "A visitor is called or recalled to a counter: number, counter_id, service_id, reason, at, visit_id, seq.",
    "device": "A device reported a fault or recovery, went silent or came back, was added or revoked (dashboard only).",
    "track": "One ticket's place in the queue, to the visitor's phone following it.",
}
STATE_INTERVAL_S = 0.1
BOARD_STATE_INTERVAL_S = 0.5
# A phone following a ticket hears at once when its own ticket changes (called, served,
# sent on); that people ahead moved up is sent at most this often per ticket.
TRACK_INTERVAL_S = 3.0
TRACK_READ_CHUNK = 50  # tickets' views built per hold of the office lock (and of the GIL)
JOIN_TIMEOUT_S = 5.0  # an engine.io connection that has not joined the namespace by then is closed
SWEEP_EVERY_S = 1.0
# engine.io's own heartbeat (its defaults): every live socket is pinged this often; with
# 2,000 phones a shorter interval is hundreds of pings a second for nothing.
PING_INTERVAL_S = 25
PING_TIMEOUT_S = 20
ROOM_HALL = "hall"
ROOM_KIOSK = "kiosk"
ROOM_DASHBOARD = "dashboard"
# Who gets which `state`: staff screens every detail, devices the board-sized body.
ROOM_STATE_FULL = "state:full"
ROOM_STATE_BOARD = "state:board"
# The moments a visitor's own ticket changes: their phone hears of them at once.
OWN_TICKET_EVENTS = frozenset({ev.STEP_CALLED, ev.STEP_RECALLED, ev.STEP_STARTED, ev.STEP_FINISHED,
                               ev.STEP_TRANSFERRED, ev.STEP_NO_SHOW, ev.VISIT_CANCELLED})
# How long the broadcaster leaves what nobody needs at once (a new ticket, a counter paused)
# in the outbox: screens learn of it from `state`, STATE_INTERVAL_S apart anyway.
OUTBOX_LOOK_S = 0.05


def counter_room(counter_id: str) -> str:
    return f"counter:{counter_id}"


def visit_room(visit_id: str) -> str:
    return f"visit:{visit_id}"


@dataclass(frozen=True)
class Limits:
    """Live sockets one address may hold: phones following tickets, and staff or devices."""

    public_per_address: int = 8
    staff_per_address: int = 64


@dataclass(frozen=True)
class Client:
    sid: str
    address: str
    public: bool
    kind: str = ""  # "staff", "device" or "" for a visitor's phone
    subject: str = ""
    token_digest: str = ""
    visit_id: str = ""
    rooms: tuple[str, ...] = ()


class Refused(socketio.exceptions.ConnectionRefusedError):
    """A refused namespace join; the client gets the message in `connect_error`."""


class Realtime:
    def __init__(self, service: OfficeService, accounts: Accounts, limits: Limits | None = None):
        self.service = service
        self.accounts = accounts
        self.limits = limits or Limits()
        self.sio = socketio.AsyncServer(async_mode="asgi", always_connect=False, ping_interval=PING_INTERVAL_S,
                                        ping_timeout=PING_TIMEOUT_S, max_http_buffer_size=16 * 1024,
                                        logger=False, engineio_logger=False)
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnected)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool = ThreadPoolExecutor(4, thread_name_prefix="realtime")
        self._stop = threading.Event()
        self._state_due = threading.Event()  # something changed: the state pusher has work
        self._lock = threading.Lock()  # guards the registries below (loop and threads read them)
        self._clients: dict[str, Client] = {}
        self._per_address: Counter[tuple[str, bool]] = Counter()
        self._visits: dict[str, set[str]] = {}  # visit id → sids following it
        self._room_sizes: Counter[str] = Counter()  # state rooms → members
        self._track_sent: dict[str, tuple[float, dict]] = {}  # visit id → (when, view)
        self._dirty: set[str] = set()  # services whose queue or estimate changed
        self._stale: set[str] = set()  # followed tickets whose view may have changed
        self._unjoined: dict[str, float] = {}  # engine.io sid → first seen without a namespace
        self._threads: list[threading.Thread] = []
        self._sweeper: asyncio.Task | None = None
        self.join_timeout_s = JOIN_TIMEOUT_S
        accounts.on_revoke(self._revoked)
        service.outbox.wake_for = self._wake_for

    # ---- the event loop ---------------------------------------------------
    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called on the loop when the server starts: from now on emits go there."""
        self._loop = loop
        self._sweeper = loop.create_task(self._sweep())  # held: the loop keeps only weak references

    async def shutdown(self) -> None:
        self.stop()
        await self.sio.shutdown()

    def _emit(self, event: str, data, **where) -> None:
        """Emit from any thread: the loop runs it; this thread does not wait."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.sio.emit(event, data, **where), loop)
        except RuntimeError:  # the loop is closing
            pass

    async def _sweep(self) -> None:
        """Close engine.io connections that never joined the namespace (or were refused)."""
        while not self._stop.is_set():
            await asyncio.sleep(SWEEP_EVERY_S)
            try:
                await self._sweep_once()
            except Exception:  # the sweeper must outlive any one bad connection
                log.exception("sweep failed")

    async def _sweep_once(self) -> None:
        eio = self.sio.eio
        now = time.monotonic()
        live = set(eio.sockets)
        for eio_sid in live:
            if self.sio.manager.sid_from_eio_sid(eio_sid, "/") is not None:
                self._unjoined.pop(eio_sid, None)
            elif now - self._unjoined.setdefault(eio_sid, now) >= self.join_timeout_s:
                self._unjoined.pop(eio_sid, None)
                try:
                    await eio.disconnect(eio_sid)
                except Exception:  # already gone
                    log.debug("closing %s failed", eio_sid, exc_info=True)
        for gone in set(self._unjoined) - live:
            del self._unjoined[gone]

    # ---- connections ----------------------------------------------------
    async def _connect(self, sid: str, environ: dict, auth: dict | None):
        address = client_address(environ)
        auth = auth if isinstance(auth, dict) else {}
        loop = asyncio.get_running_loop()
        client, rooms, first = await loop.run_in_executor(self._pool, self._admit, sid, address, environ, auth)
        with self._lock:
            cap = self.limits.public_per_address if client.public else self.limits.staff_per_address
            if self._per_address[(address, client.public)] >= cap:
                raise Refused("Too many connections from this address")
            self._register(client)
        for room in rooms:
            await self.sio.enter_room(sid, room)
        # The CONNECT answer goes out when this handler returns; the first body after it.
        asyncio.get_running_loop().create_task(self._send_first(sid, *first))
        return True

    def _admit(self, sid: str, address: str, environ: dict, auth: dict):
        """Who is connecting and which rooms they join (on a pool thread: it may read SQLite)."""
        visit_id = auth.get("visit")
        if isinstance(visit_id, str) and not auth.get("token"):
            # The visitor's phone following a ticket: sees only that ticket.
            if len(visit_id) > 64 or not self.service.read(lambda o, now: visit_id in o.visits):
                raise Refused("unknown ticket")
            rooms = [visit_room(visit_id)]
            client = Client(sid, address, public=True, visit_id=visit_id, rooms=tuple(rooms))
            view = self.track(visit_id)
            self._track_sent[visit_id] = (time.monotonic(), view)
            return client, rooms, ("track", view)
        token = auth.get("token") or cookie_token(environ)
        try:
            p = self.accounts.authenticate(token if isinstance(token, str) else None, self.service.clock.now())
        except AuthError as exc:
            raise Refused(str(exc)) from None
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
        device = p.kind == "device"
        rooms.append(ROOM_STATE_BOARD if device else ROOM_STATE_FULL)
        client = Client(sid, address, public=False, kind=p.kind, subject=p.subject,
                        token_digest=token_digest(token), rooms=tuple(rooms))
        return client, rooms, ("snapshot", self.service.read(board_snapshot if device else state_snapshot))

    def _register(self, client: Client) -> None:
        self._clients[client.sid] = client
        self._per_address[(client.address, client.public)] += 1
        for room in client.rooms:
            self._room_sizes[room] += 1
        if client.visit_id:
            self._visits.setdefault(client.visit_id, set()).add(client.sid)

    async def _send_first(self, sid: str, event: str, body: dict) -> None:
        for _ in range(100):  # the CONNECT answer is queued before this runs; be sure anyway
            if self.sio.manager.is_connected(sid, "/"):
                break
            await asyncio.sleep(0.01)
        await self.sio.emit(event, body, to=sid)

    async def _disconnected(self, sid: str, reason=None) -> None:
        with self._lock:
            client = self._clients.pop(sid, None)
            if client is None:
                return
            key = (client.address, client.public)
            self._per_address[key] -= 1
            if self._per_address[key] <= 0:
                del self._per_address[key]
            for room in client.rooms:
                self._room_sizes[room] -= 1
            if client.visit_id:
                sids = self._visits.get(client.visit_id, set())
                sids.discard(sid)
                if not sids:
                    self._visits.pop(client.visit_id, None)
                    self._track_sent.pop(client.visit_id, None)

    def disconnect(self, *, token: str | None = None, token_hash: str | None = None,
                   kind: str | None = None, subject: str | None = None) -> int:
        """Drop the live sockets of a token, or of every token of a user or device, at once.

        The one entry point for logout, token revocation and (later) disabling a
        user or device. Callable from any thread; returns how many sockets go."""
        digest = token_hash or (token_digest(token) if token else None)
        if digest is None and subject is None:
            raise ValueError("name a token or a subject")
        with self._lock:
            sids = [c.sid for c in self._clients.values() if not c.public and (
                (digest is not None and c.token_digest == digest)
                or (subject is not None and c.subject == subject and (kind is None or c.kind == kind)))]
        loop = self._loop
        if sids and loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._drop(sids), loop)
        return len(sids)

    def _revoked(self, token_hash: str | None = None, kind: str | None = None,
                 subject: str | None = None) -> None:
        self.disconnect(token_hash=token_hash, kind=kind, subject=subject)

    async def _drop(self, sids: list[str]) -> None:
        for sid in sids:
            eio_sid = self.sio.manager.eio_sid_from_sid(sid, "/")
            await self.sio.disconnect(sid)
            if eio_sid is not None:
                await self.sio.eio.disconnect(eio_sid)

    def live_digests(self) -> set[str]:
        """The token hashes of every live staff or device socket (Accounts.sync checks them)."""
        with self._lock:
            return {c.token_digest for c in self._clients.values() if c.token_digest}

    def connected(self) -> dict[str, int]:
        """Live sockets by kind (for tests, benchmarks and the logs)."""
        with self._lock:
            out = Counter("public" if c.public else c.kind for c in self._clients.values())
        return dict(out)

    def track(self, visit_id: str) -> dict:
        return self.service.read(lambda o, now: track_view(o, visit_id, now))

    # ---- broadcasting -----------------------------------------------------
    def start(self) -> None:
        for target, name in ((self._broadcast_loop, "broadcaster"), (self._state_loop, "state-pusher")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self.service.outbox.put([])
        self._state_due.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _broadcast_loop(self) -> None:
        """`called` and `device` go out at once, in journal order, and so does the `track`
        of a visitor whose own ticket changed; `state` is left to the state pusher, so a
        call never waits behind a `state` going to every screen. What nobody needs at once
        (a new ticket, a counter paused) is picked up at the next look, OUTBOX_LOOK_S."""
        outbox = self.service.outbox
        while not self._stop.is_set():
            batches = outbox.take(OUTBOX_LOOK_S)
            if not batches or not self._clients:
                continue  # nobody is listening: nothing to build, no pusher to wake
            batch = [e for b in batches for e in b]  # an empty batch asks for a state refresh
            try:
                self._publish_events(batch)
            except Exception:  # a push must never kill the broadcaster
                log.exception("push failed")
            self._state_due.set()

    def _wake_for(self, batch: list) -> bool:
        """Whether the broadcaster must hear of `batch` at once (Outbox.put, on the request
        thread, under the office's lock): a call, a device push, or a change of a ticket a
        phone follows. Read without the registries' lock: a client that joins meanwhile
        gets its first picture on joining, and a batch misjudged waits OUTBOX_LOOK_S."""
        if not self._clients:
            return False
        visits = self._visits
        return any(e.type in URGENT_EVENTS or (e.type in OWN_TICKET_EVENTS and e.visit in visits)
                   for e in batch)

    def _state_loop(self) -> None:
        """`state` at most every STATE_INTERVAL_S to staff screens and every
        BOARD_STATE_INTERVAL_S to devices; phones' `track` when their view changed,
        at most every TRACK_INTERVAL_S each.

        A whole-hall `state` to every client after every ticket would cost more
        CPU than the tickets themselves in a busy hour. A tenth of a second is
        far below what a clerk can notice; a board learns of every call at once
        from `called` (whose `seq` lets it ignore a `state` older than the call),
        and its queue lengths may lag half a second.
        """
        due = {ROOM_STATE_FULL: [False, 0.0, STATE_INTERVAL_S],  # dirty, last sent, interval
               ROOM_STATE_BOARD: [False, 0.0, BOARD_STATE_INTERVAL_S],
               "track": [False, 0.0, TRACK_INTERVAL_S]}
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
                        if room == "track":
                            self._publish_tracks()
                        else:
                            self._publish_state(room)
                    except Exception:  # a push must never kill the pusher
                        log.exception("state push failed")
                    d[0], d[1] = False, time.monotonic()

    def _mark_dirty(self, batch: list) -> None:
        """Services whose queue or estimate these events changed: only phones following a
        ticket of one of them need a new view (an empty batch, after an import: all)."""
        catalog = self.service.config.catalog
        dirty = set()
        for e in batch:
            if e.service:
                dirty.add(e.service)
            to_service = (e.data or {}).get("to_service") if isinstance(e.data, dict) else None
            if to_service:
                dirty.add(to_service)
            if e.counter and e.type.startswith("counter.") and e.counter in catalog.counters:
                dirty.update(catalog.counters[e.counter].services)
        with self._lock:
            self._dirty.update(dirty if batch else catalog.services)

    def _publish_events(self, batch: list) -> None:
        self._mark_dirty(batch)
        own = []
        for e in batch:
            if e.type in (ev.STEP_CALLED, ev.STEP_RECALLED):
                body = self._called_body(e)
                self._emit("called", body, room=[ROOM_HALL, counter_room(e.counter), ROOM_DASHBOARD])
            elif e.type in DEVICE_PUSHES:
                self._emit("device", device_body(e), room=ROOM_DASHBOARD)
            if e.type in OWN_TICKET_EVENTS and e.visit:
                own.append(e.visit)
        with self._lock:
            followed = [v for v in dict.fromkeys(own) if v in self._visits]
        for visit_id in followed:
            self._send_track(visit_id, self.track(visit_id))

    def _send_track(self, visit_id: str, view: dict) -> None:
        self._track_sent[visit_id] = (time.monotonic(), view)
        self._emit("track", view, room=visit_room(visit_id))

    def _send_tracks(self, views: list[tuple[str, dict]]) -> None:
        """Many phones' `track`, emitted one after another by one coroutine: each emit
        yields to the loop, so a `called` meanwhile goes out between two of them instead
        of waiting behind hundreds."""
        loop = self._loop
        if not views or loop is None or loop.is_closed():
            return
        now = time.monotonic()
        for visit_id, view in views:
            self._track_sent[visit_id] = (now, view)

        async def one_by_one():
            for visit_id, view in views:
                await self.sio.emit("track", view, room=visit_room(visit_id))
        try:
            asyncio.run_coroutine_threadsafe(one_by_one(), loop)
        except RuntimeError:
            pass

    def _publish_state(self, audience: str) -> None:
        with self._lock:
            listening = self._room_sizes.get(audience, 0) > 0
        if listening:
            build = state_snapshot if audience == ROOM_STATE_FULL else board_snapshot
            self._emit("state", self.service.read(build), room=audience)

    def _publish_tracks(self) -> None:
        """Phones whose view changed (people ahead moved up), each at most every TRACK_INTERVAL_S.

        Only tickets in a queue that changed since the last round are looked at, and their
        views are built a chunk at a time, with a pause between chunks: neither the office
        lock nor the GIL is held long enough to delay a `called` (2,000 views at once took
        the GIL for ~60 ms every 3 s and put a `called` 90 ms late)."""
        with self._lock:
            followed = list(self._visits)
            dirty, self._dirty = self._dirty, set()
        if dirty and followed:
            def in_dirty(office, _now):
                return [v for v in followed if v in office.visits
                        and office.visits[v].current_step.service_id in dirty]
            self._stale.update(self.service.read(in_dirty))
        now = time.monotonic()
        due = [v for v in self._stale if now - self._track_sent.get(v, (0.0, None))[0] >= TRACK_INTERVAL_S]
        for i in range(0, len(due), TRACK_READ_CHUNK):
            chunk = due[i:i + TRACK_READ_CHUNK]
            views = self.service.read(lambda o, at, chunk=chunk: [track_view(o, v, at) for v in chunk])
            changed = []
            for visit_id, view in zip(chunk, views, strict=True):
                self._stale.discard(visit_id)
                sent = self._track_sent.get(visit_id)
                if sent is None or sent[1] != view:
                    changed.append((visit_id, view))
            self._send_tracks(changed)
            time.sleep(0.001)  # let the loop and request threads have the GIL
        with self._lock:
            self._stale &= set(self._visits)  # phones that left
        if self._stale:
            self._state_due.set()  # come back for those sent to too recently

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


# What the dashboard hears of devices: faults, silence, and an administrator adding or revoking one
# (its alerts go). `device` is the device's name; an administrator's act names its actor `by`.
DEVICE_PUSHES = frozenset({ev.DEVICE_FAULT, ev.DEVICE_OK, ev.DEVICE_DOWN, ev.DEVICE_UP,
                           ev.ADMIN_DEVICE_ADDED, ev.ADMIN_DEVICE_REVOKED})
URGENT_EVENTS = frozenset({ev.STEP_CALLED, ev.STEP_RECALLED, *DEVICE_PUSHES})  # pushed as they happen


def device_body(e) -> dict:
    data = dict(e.data) if isinstance(e.data, dict) else {}
    if e.type in (ev.ADMIN_DEVICE_ADDED, ev.ADMIN_DEVICE_REVOKED):
        return {**data, "device": data.get("device"), "type": e.type, "at": format_at(e.at), "by": e.operator}
    return {"device": e.operator, "type": e.type, "at": format_at(e.at), **data}


def token_digest(token) -> str:
    return hashlib.sha256(token.encode()).hexdigest() if isinstance(token, str) and token else ""


def client_address(environ: dict) -> str:
    """The peer's IP address (engine.io's ASGI environ keeps the ASGI scope)."""
    client = (environ.get("asgi.scope") or {}).get("client")
    return str(client[0]) if client else environ.get("REMOTE_ADDR", "")


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
