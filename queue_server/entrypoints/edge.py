"""The server's edge: what every request and socket passes before the office sees it.

An ASGI middleware on the event loop, so a refusal costs no thread and reads
no body:

- request rate per address for the public (no staff or device token), and per
  token, far more generous, for staff and devices (a token counts as one only
  after the app has checked it: `Accounts.cached`, memory only); password logins
  per address at a person's pace, so a flood is refused here, before a request
  thread or a password hash is spent on it;
- a body limit per route, answered 413 before anything is read: a login or a
  ticket is a few hundred bytes, the journal import streams up to 512 MB;
- a cap on WebSocket connections per address (the Socket.IO server then caps
  joined sockets per address, and closes those that never join);
- the ASGI lifespan: binds the real-time server to the loop, stops it at the end.

Every refusal has the API's error body `{"error": {"code", "message"}}`.
"""
from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from collections import OrderedDict
from http.cookies import CookieError, SimpleCookie

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from ..i18n import server_gettext

DEFAULT_BODY_LIMIT = 16 * 1024
SOCKET_BODY_LIMIT = 64 * 1024
IMPORT_BODY_LIMIT = 512 * 1024 * 1024
BURST = 3  # a bucket holds this many seconds of its rate
# Password logins per address: a person logs in a few times a day; a flood gets 429 here,
# on the loop, before a request thread or a password hash is spent on it.
LOGIN_PATHS = frozenset({"/api/v1/auth/login", "/login"})
LOGIN_BURST = 5  # a shift change at one shared PC
MAX_BUCKETS = 100_000
TARPIT_MAX_S = 3.0  # a refused request's answer waits (up to) its Retry-After: a client that
# sends again as soon as it is answered is slowed to the rate it was told, at no cost here;
# never longer than a client's usual read timeout (5 s), so a slow answer is not a broken one
MAX_DEBT_S = 30.0
KNOWN_TOKEN_S = 3600.0  # a token the app accepted within this time counts as staff or device


def body_limit(method: str, path: str) -> int:
    """The largest request body a route takes: tiny everywhere but the journal import."""
    if method == "POST" and path.rstrip("/") == "/api/v1/journal":
        return IMPORT_BODY_LIMIT
    if path.startswith("/socket.io/"):
        return SOCKET_BODY_LIMIT
    return DEFAULT_BODY_LIMIT


class Buckets:
    """Token buckets by key: `rate` a second, bursts of BURST × rate; refused requests run up
    a debt (the longer a client ignores Retry-After, the longer it is told to wait).

    The edge's limits and the per-route limits of the public endpoints (api/public_limit.py,
    on request threads) are this one class; the lock is never contended on the loop, where
    each bucket set has one user."""

    def __init__(self, rate: float, clock=time.monotonic, capacity: float | None = None):
        self.rate = float(rate)
        self.capacity = capacity or max(1.0, self.rate * BURST)
        self.clock = clock
        self._state: OrderedDict[object, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key) -> float:
        """0 when the request may go; otherwise seconds until it could."""
        with self._lock:
            return self._take(key)

    def _take(self, key) -> float:
        now = self.clock()
        tokens, last = self._state.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            # A refused request still costs a token (down to MAX_DEBT_S of them): a client that
            # ignores Retry-After is told to wait longer each time (answered up to 3 s later).
            tokens = max(tokens - 1, -self.rate * MAX_DEBT_S)
            wait = (1 - tokens) / self.rate if self.rate > 0 else 60.0
        self._state[key] = (tokens, now)
        while len(self._state) > MAX_BUCKETS:
            self._state.popitem(last=False)
        return wait


def header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def scope_token(scope: dict) -> str | None:
    """The credential a request carries: a Bearer header, else the page's `qtoken` cookie."""
    auth = header(scope, b"authorization")
    if auth:
        if auth[:7].lower() != "bearer ":
            return None
        return auth[7:].strip() or None
    cookie = header(scope, b"cookie")
    if cookie:
        try:
            morsel = SimpleCookie(cookie).get("qtoken")
        except CookieError:
            return None
        return morsel.value if morsel else None
    return None


def address(scope: dict) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


class Edge:
    def __init__(self, inner, office_app):
        self.inner = inner
        self.office = office_app
        config = office_app.config
        self.public = Buckets(config.get("limits.public_requests_per_second"))
        self.logins = Buckets(config.get("limits.logins_per_minute") / 60, capacity=LOGIN_BURST)
        self.staff = Buckets(config.get("limits.staff_requests_per_second"))
        self.sockets_per_address = (config.get("limits.public_sockets_per_address")
                                    + config.get("limits.staff_sockets_per_address"))
        self._sockets: dict[str, int] = {}

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # ---- HTTP ---------------------------------------------------------------
    def _rate_wait(self, scope) -> float:
        token = scope_token(scope)
        if token and self.office.accounts.cached(token, KNOWN_TOKEN_S) is not None:
            return self.staff.take(("token", token))
        if token:  # not checked yet (or made up): the app checks it, at the public rate
            return self.public.take(("unchecked", address(scope)))
        return self.public.take(address(scope))

    async def _http(self, scope, receive, send):
        wait = self._rate_wait(scope)
        if not wait and scope.get("method") == "POST" and scope.get("path") in LOGIN_PATHS:
            peer = address(scope)
            wait = self.logins.take(peer) or self.office.accounts.throttle.edge_wait_s(peer)
        if wait > 0:
            await asyncio.sleep(min(wait, TARPIT_MAX_S))
            return await refuse(scope, send, 429, "too_many_requests",
                                "Too many requests: try again in {seconds} s", math.ceil(wait))
        limit = body_limit(scope.get("method", "GET"), scope.get("path", ""))
        length = header(scope, b"content-length")
        if length is not None:
            if not length.isdigit():
                return await refuse(scope, send, 400, "bad_request", "Bad Content-Length")
            if int(length) > limit:
                return await refuse(scope, send, 413, "too_large",
                                    "The request body is larger than this address takes ({limit} KB)",
                                    limit=limit // 1024)
            return await self.inner(scope, receive, send)
        if header(scope, b"transfer-encoding") is None:
            return await self.inner(scope, receive, send)
        # A streamed body of unknown length: a small one is read here (bounded) and
        # handed on whole; a large route's is counted as it streams and cut at the limit.
        if limit <= SOCKET_BODY_LIMIT:
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return None  # the client went away
                size += len(message.get("body", b""))
                if size > limit:
                    return await refuse(scope, send, 413, "too_large",
                                        "The request body is larger than this address takes ({limit} KB)",
                                        limit=limit // 1024)
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body, replayed = b"".join(chunks), False
            # handed on with its length, as if it had come so (WSGI reads by Content-Length)
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"transfer-encoding"]
                     + [(b"content-length", str(len(body)).encode())]}

            async def replay():
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await self.inner(scope, replay, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    return {"type": "http.disconnect"}
            return message
        return await self.inner(scope, counted, send)

    # ---- WebSocket --------------------------------------------------------
    async def _websocket(self, scope, receive, send):
        peer = address(scope)
        wait = self._rate_wait(scope)
        if wait > 0 or self._sockets.get(peer, 0) >= self.sockets_per_address:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        self._sockets[peer] = self._sockets.get(peer, 0) + 1
        closed = asyncio.Event()

        async def watched_send(message):
            if closed.is_set():
                return  # the connection is closed: late frames go nowhere
            await send(message)
            if message["type"] == "websocket.send" and message.get("text") == "1":
                # engine.io's CLOSE packet (a refused, revoked or never-joined socket): a
                # polite client closes on it, a hostile one would not; close it from here.
                closed.set()
                await send({"type": "websocket.close", "code": 1000})
            elif message["type"] == "websocket.close":
                closed.set()

        async def watched_receive():
            if closed.is_set():
                return {"type": "websocket.disconnect", "code": 1000}
            incoming = asyncio.ensure_future(receive())
            closing = asyncio.ensure_future(closed.wait())
            await asyncio.wait({incoming, closing}, return_when=asyncio.FIRST_COMPLETED)
            if incoming.done():
                closing.cancel()
                return incoming.result()
            incoming.cancel()
            return {"type": "websocket.disconnect", "code": 1000}
        try:
            await self.inner(scope, watched_receive, watched_send)
        finally:
            left = self._sockets.get(peer, 1) - 1
            if left > 0:
                self._sockets[peer] = left
            else:
                self._sockets.pop(peer, None)

    # ---- lifespan -----------------------------------------------------------
    async def _lifespan(self, receive, send):
        try:
            await self._lifespan_messages(receive, send)
        except asyncio.CancelledError:  # a forced stop (tests): the office is closed after it
            self.office.realtime.stop()

    async def _lifespan_messages(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.office.realtime.bind(asyncio.get_running_loop())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.office.realtime.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _lang(scope) -> str:
    accepted = parse_accept_header(header(scope, b"accept-language") or "", LanguageAccept)
    return accepted.best_match(["ru", "en"]) or "ru"


async def refuse(scope, send, status: int, code: str, template: str, seconds: int | None = None, **params):
    """Answer with the API's error body; 429 carries Retry-After."""
    _ = server_gettext(_lang(scope))
    if seconds is not None:
        params["seconds"] = seconds
    message = _(template).format(**params) if params else _(template)
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store")]
    if seconds is not None:
        headers.append((b"retry-after", str(seconds).encode()))
    if status >= 400 and status != 429:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
