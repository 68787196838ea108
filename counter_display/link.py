"""One Socket.IO connection to the office server, kept alive from a thread of its own.

Used by the hall board and counter displays (through :mod:`counter_display.client`,
which turns the callbacks into Qt signals) and by the headless LED bridge.

The link does its own reconnecting instead of python-socketio's: a fresh
client per attempt, retried with backoff forever, whether the server went
away, refused the token or was never there. Every successful (re)connect is
followed by the server's ``snapshot``, so the caller never has to ask.

Statuses passed to ``on_status(status, detail)``:

``connecting``     first attempt, nothing shown yet
``online``         connected; a snapshot is on its way (``online`` is always delivered first)
``reconnecting``   the connection was lost or an attempt failed; retrying
``refused``        the server answered but refused the token (retried slowly)

Why python-socketio's asyncio client, on an event loop of the link's own: events must
be handled in the order the server sent them — a ``state`` must not be handled before
the ``called`` that preceded it, nor two calls announced the wrong way round. The
threading client (``socketio.Client``) starts a new thread for every message, and
those threads may run in any order (on it, tests/display/test_link_order.py found
calls swapped in 5 runs of 5); it has no public switch to turn that off. ``socketio.SimpleClient`` puts its
events into a queue from those same threads, so its queue is no better ordered. The
asyncio client dispatches every message as an ``asyncio`` task, and the loop starts
tasks in the order they were made (``loop.call_soon`` is FIFO); our handlers are plain
functions that return without awaiting, so each runs to the end, in arrival order,
before the next begins. Everything (reading, handlers, reconnecting) runs on the one
``realtime-link`` thread; ``stop()`` reaches it with ``call_soon_threadsafe``. Ordering
by the ``seq`` in ``called`` and ``state`` could only ever drop a stale ``state``: a
call arriving out of order cannot be put back in place without waiting for a gap that
may never fill.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

import aiohttp
import socketio

log = logging.getLogger(__name__)

CONNECTING, ONLINE, RECONNECTING, REFUSED = "connecting", "online", "reconnecting", "refused"
Callback = Callable[[dict], None]
# OSError covers TimeoutError, which asyncio.wait_for raises (Python 3.11+).
CONNECT_ERRORS = (socketio.exceptions.ConnectionError, aiohttp.ClientError, ValueError, OSError)


def _ignore(*_args) -> None:
    pass


class RealtimeLink:
    """Connect, receive ``snapshot``/``state``/``called``, reconnect when lost.

    Callbacks run on the link's thread, one at a time, in the order the server sent
    the events; they must return quickly (post to the GUI thread, put into a queue).
    ``counter`` joins the counter's room too.
    """

    def __init__(
        self,
        server: str,
        token: str,
        *,
        counter: str | None = None,
        on_snapshot: Callback = _ignore,
        on_state: Callback = _ignore,
        on_called: Callback = _ignore,
        on_status: Callable[[str, str], None] = _ignore,
        on_services: Callable[[dict], None] | None = None,
        retry_initial_s: float = 0.25,
        retry_max_s: float = 5.0,
        connect_timeout_s: float = 5.0,
    ):
        self.server = server.rstrip("/")
        self.auth = {"token": token, **({"counter": str(counter)} if counter else {})}
        self.on_snapshot, self.on_state, self.on_called = on_snapshot, on_state, on_called
        self.on_status, self.on_services = on_status, on_services
        self.retry_initial_s, self.retry_max_s = retry_initial_s, retry_max_s
        self.connect_timeout_s = connect_timeout_s
        self.status = CONNECTING
        self.connects = 0  # successful connections so far (1 + reconnections)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # The running loop and what stop() must set on it (from another thread, through
        # call_soon_threadsafe): made by _run on the link's thread.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_stop: Callable[[], None] = _ignore

    # ---- life cycle -------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=lambda: asyncio.run(self._run()),
                                            name="realtime-link", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()  # before reading _loop: _run sets _loop before it reads _stop
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._on_stop)
            except RuntimeError:  # the loop has already finished
                pass
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # ---- the loop -----------------------------------------------------------
    async def _run(self) -> None:
        stopping = asyncio.Event()  # stop() was called
        wake = asyncio.Event()  # stop() was called, or the connection was lost
        self._on_stop = lambda: (stopping.set(), wake.set())
        self._loop = asyncio.get_running_loop()
        try:
            await self._keep_connected(stopping, wake)
        finally:
            self._loop = None

    async def _keep_connected(self, stopping: asyncio.Event, wake: asyncio.Event) -> None:
        delay = self.retry_initial_s
        while not self._stop.is_set():
            refused: list[str] = []
            # One HTTP session per attempt, closed with it. No overall time limit: the
            # WebSocket lives for hours; the handshake is bounded by wait_for below.
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.connect_timeout_s)
            async with aiohttp.ClientSession(timeout=timeout) as http:
                sio = self._client(refused, http, wake)
                wake.clear()
                try:
                    await asyncio.wait_for(
                        sio.connect(self.server, auth=self.auth, transports=["websocket"],
                                    wait_timeout=self.connect_timeout_s),
                        2 * self.connect_timeout_s)
                except CONNECT_ERRORS as exc:
                    await self._drop(sio)
                    if refused:
                        self._set_status(REFUSED, refused[0])
                        wait = self.retry_max_s * 2  # a wrong token will not fix itself quickly
                    else:
                        self._set_status(CONNECTING if self.connects == 0 else RECONNECTING,
                                         str(exc) or type(exc).__name__)
                        wait = delay
                    delay = min(delay * 2, self.retry_max_s)
                    await self._pause(stopping, wait)
                    continue
                delay = self.retry_initial_s
                if self.on_services is not None:
                    await self._fetch_services(http)
                while not self._stop.is_set() and sio.connected:
                    await self._pause(wake, 1.0)
                    wake.clear()
                await self._drop(sio)
            if not self._stop.is_set():
                log.warning("lost the server %s; reconnecting", self.server)
                self._set_status(RECONNECTING, "connection lost")

    def _client(self, refused: list[str], http: aiohttp.ClientSession,
                wake: asyncio.Event) -> socketio.AsyncClient:
        # Every handler is a plain function: it runs to the end before the next message's
        # task starts, which is what keeps the events in order (see the module's docstring).
        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)

        def connected() -> None:
            # in the task of the server's CONNECT packet, so before the snapshot's
            self.connects += 1
            self._set_status(ONLINE, "")

        def connect_error(data=None, *_) -> None:
            if sio.eio.state != "connected":
                return  # the server was not reached at all: just retry
            message = data.get("message") if isinstance(data, dict) else data
            refused.append(str(message or "refused"))

        sio.on("connect", connected)
        sio.on("connect_error", connect_error)
        sio.on("disconnect", lambda *_: wake.set())
        sio.on("snapshot", lambda body: self._deliver(self.on_snapshot, body))
        sio.on("state", lambda body: self._deliver(self.on_state, body))
        sio.on("called", lambda body: self._deliver(self.on_called, body))
        return sio

    async def _fetch_services(self, http: aiohttp.ClientSession) -> None:
        try:
            async with http.get(f"{self.server}/api/v1/services",
                                timeout=aiohttp.ClientTimeout(total=3)) as r:
                r.raise_for_status()
                services = await r.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("cannot read service names: %s", exc)
            return
        self._deliver(self.on_services, services)

    @staticmethod
    async def _pause(event: asyncio.Event, seconds: float) -> None:
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass

    @staticmethod
    async def _drop(sio: socketio.AsyncClient) -> None:
        try:
            await sio.disconnect()
        except Exception:  # a half-open client may fail to close; it is discarded anyway
            log.debug("disconnect failed", exc_info=True)

    def _set_status(self, status: str, detail: str) -> None:
        changed = status != self.status or status == REFUSED
        self.status = status
        if changed or status == ONLINE:
            self._deliver(self.on_status, status, detail)

    @staticmethod
    def _deliver(callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception:  # a display bug must not kill the connection
            log.exception("realtime callback failed")
