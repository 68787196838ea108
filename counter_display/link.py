"""One Socket.IO connection to the office server, kept alive from a thread of its own.

Used by the hall board and counter displays (through :mod:`counter_display.client`,
which turns the callbacks into Qt signals) and by the headless LED bridge.

The link does its own reconnecting instead of python-socketio's: a fresh
client per attempt, retried with backoff forever, whether the server went
away, refused the token or was never there. Every successful (re)connect is
followed by the server's ``snapshot``, so the caller never has to ask.

Statuses passed to ``on_status(status, detail)``:

``connecting``     first attempt, nothing shown yet
``online``         connected; a snapshot is on its way
``reconnecting``   the connection was lost or an attempt failed; retrying
``refused``        the server answered but refused the token (retried slowly)
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import engineio
import requests
import socketio

log = logging.getLogger(__name__)

CONNECTING, ONLINE, RECONNECTING, REFUSED = "connecting", "online", "reconnecting", "refused"
Callback = Callable[[dict], None]


def _ignore(*_args) -> None:
    pass


class _InOrderEngineIO(engineio.Client):
    """Delivers messages on the reading thread, one after another.

    Stock engine.io starts a new thread per message, so a ``state`` could be
    handled before the ``called`` that preceded it, and two calls could be
    announced in the wrong order. Our handlers only hand the event on (a Qt
    signal, a queue), so running them in line costs nothing and keeps order.
    """

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class _InOrderClient(socketio.Client):
    def _engineio_client_class(self):
        return _InOrderEngineIO


class RealtimeLink:
    """Connect, receive ``snapshot``/``state``/``called``, reconnect when lost.

    Callbacks run on the link's threads and must return quickly (post to the
    GUI thread, put into a queue). ``counter`` joins the counter's room too.
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
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sio: socketio.Client | None = None

    # ---- life cycle -------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="realtime-link", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # ---- the loop -----------------------------------------------------------
    def _run(self) -> None:
        delay = self.retry_initial_s
        while not self._stop.is_set():
            refused: list[str] = []
            sio = self._client(refused)
            self._wake.clear()
            try:
                sio.connect(self.server, auth=self.auth, transports=["websocket"],
                            wait_timeout=self.connect_timeout_s)
            except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
                self._drop(sio)
                if refused:
                    self._set_status(REFUSED, refused[0])
                    wait = self.retry_max_s * 2  # a wrong token will not fix itself quickly
                else:
                    self._set_status(CONNECTING if self.connects == 0 else RECONNECTING, str(exc))
                    wait = delay
                delay = min(delay * 2, self.retry_max_s)
                self._stop.wait(wait)
                continue
            self._sio = sio
            self.connects += 1
            delay = self.retry_initial_s
            self._set_status(ONLINE, "")
            if self.on_services is not None:
                self._fetch_services()
            while not self._stop.is_set() and sio.connected:
                self._wake.wait(1.0)  # set on disconnect and on stop
                self._wake.clear()
            self._sio = None
            self._drop(sio)
            if not self._stop.is_set():
                log.warning("lost the server %s; reconnecting", self.server)
                self._set_status(RECONNECTING, "connection lost")

    def _client(self, refused: list[str]) -> socketio.Client:
        # websocket-client checks each text frame's UTF-8 in pure Python unless told not to
        # (9 ms for a 21 KB push on a slow PC); decoding the text checks it anyway.
        sio = _InOrderClient(reconnection=False, handle_sigint=False,
                             websocket_extra_options={"skip_utf8_validation": True})

        def connect_error(data=None, *_):
            if sio.eio.state != "connected":
                return  # the server was not reached at all: just retry
            message = data.get("message") if isinstance(data, dict) else data
            refused.append(str(message or "refused"))

        sio.on("connect_error", connect_error)
        sio.on("disconnect", lambda *_: self._wake.set())
        sio.on("snapshot", lambda body: self._deliver(self.on_snapshot, body))
        sio.on("state", lambda body: self._deliver(self.on_state, body))
        sio.on("called", lambda body: self._deliver(self.on_called, body))
        return sio

    def _fetch_services(self) -> None:
        try:
            r = requests.get(f"{self.server}/api/v1/services", timeout=3)
            r.raise_for_status()
            self._deliver(self.on_services, r.json())
        except (requests.RequestException, ValueError) as exc:
            log.warning("cannot read service names: %s", exc)

    @staticmethod
    def _drop(sio: socketio.Client) -> None:
        try:
            sio.disconnect()
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
