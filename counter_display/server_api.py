"""The few HTTP calls the display side makes, and the device-status reporter.

:class:`ServerApi` calls a counter's ``next`` (call-button pads) and reports
device faults; every call has a timeout and turns network trouble into a
result, never an exception the caller must know about.

:class:`StatusReporter` tells the server when a component (an LED board, a
button pad, the voice) fails or recovers — ``POST /api/v1/devices/status`` —
from a thread of its own, once per change, retrying until the server has
heard it; the device's own work never waits for the network.

:class:`Heartbeat` tells the server the program is alive —
``POST /api/v1/devices/heartbeat`` every few seconds (the server says how often).
A screen beats from its GUI thread's timer (:meth:`Heartbeat.beat`), so a frozen
screen goes silent and the office is told; a headless bridge from a thread of its
own (:meth:`Heartbeat.start`). The request always runs on the heartbeat's thread.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)

COMPONENT_MAX = 40  # the API's limit
MESSAGE_MAX = 300


@dataclass(frozen=True)
class Reply:
    status: int  # HTTP status, 0 when the server could not be reached
    body: dict
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        return self.error or str(self.body.get("message") or self.body.get("error") or "")


class ServerApi:
    """Bearer-token HTTP to the office server; one ``requests`` session per thread."""

    def __init__(self, server: str, token: str, *, timeout: float = 5.0):
        self.server, self.token, self.timeout = server.rstrip("/"), token, timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
            s.headers["Authorization"] = f"Bearer {self.token}"
        return s

    def post(self, path: str, body: dict | None = None) -> Reply:
        try:
            r = self._session().post(self.server + path, json=body or {}, timeout=self.timeout)
        except requests.RequestException as exc:
            return Reply(0, {}, f"server unreachable: {exc.__class__.__name__}")
        try:
            data = r.json() if r.content else {}
        except ValueError:
            data = {}
        return Reply(r.status_code, data if isinstance(data, dict) else {})

    def call_next(self, counter_id: str) -> Reply:
        return self.post(f"/api/v1/counters/{counter_id}/next")

    def heartbeat(self) -> Reply:
        return self.post("/api/v1/devices/heartbeat")

    def device_status(self, status: str, component: str, message: str = "") -> Reply:
        return self.post("/api/v1/devices/status", {
            "status": status, "component": component[:COMPONENT_MAX], "message": message[:MESSAGE_MAX]})


class StatusReporter:
    """Reports ``fault``/``ok`` per component; only changes are sent, the latest wins."""

    def __init__(self, api: ServerApi | None, *, retry_s: float = 2.0):
        self.api, self.retry_s = api, retry_s
        self.sent: dict[str, str] = {}  # component → last status the server acknowledged
        self._pending: dict[str, tuple[str, str]] = {}
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def fault(self, component: str, message: str) -> None:
        self._want(component, "fault", message)

    def ok(self, component: str, message: str = "") -> None:
        if self.sent.get(component, "ok") == "ok" and component not in self._pending:
            return  # nothing to take back
        self._want(component, "ok", message)

    def _want(self, component: str, status: str, message: str) -> None:
        if self.api is None:
            return
        with self._cond:
            if self._pending.get(component, (None, None))[0] == status and status == "ok":
                return
            self._pending[component] = (status, message)
            self._cond.notify_all()
        self._start()

    def _start(self) -> None:
        with self._cond:
            if self._thread is None and not self._stop:
                self._thread = threading.Thread(target=self._run, name="device-status", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_sent(self, timeout: float | None = None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stop)
                if self._stop:
                    return
                component, (status, message) = next(iter(self._pending.items()))
            reply = self.api.device_status(status, component, message)
            with self._cond:
                if reply.ok:
                    self.sent[component] = status
                    if self._pending.get(component) == (status, message):
                        del self._pending[component]
                    self._cond.notify_all()
                    continue
                if 400 <= reply.status < 500:  # refused for good (token, body): retrying will not help
                    log.error("server refused the %s report of %s: %s", status, component, reply.message)
                    self._pending.pop(component, None)
                    self._cond.notify_all()
                    continue
                log.warning("cannot report %s of %s to the server (%s); retrying", status, component,
                            reply.message or reply.status)
                self._cond.wait(self.retry_s)


class Heartbeat:
    """``beat()`` asks for one heartbeat (never blocks); a thread of its own sends it.

    ``every_s`` is how often to beat: the server's answer sets it (a third of the
    office's ``devices.silent_after_s``). A beat asked for while one is on its way
    is not queued: a slow server gets one heartbeat at a time, and when it is down
    the next beat simply tries again, so nothing piles up and nothing floods it
    when it comes back. ``start()`` beats by itself (headless bridges, whose
    liveness is the process's); a screen calls ``beat()`` from its GUI timer.
    """

    def __init__(self, api: ServerApi | None, *, every_s: float = 15.0):
        self.api, self.every_s = api, every_s
        self.sent = 0  # heartbeats the server took
        self.last_status: int | None = None  # the last answer's HTTP status (0: unreachable)
        self._due = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._by_itself = False
        self._failing = False

    def beat(self) -> None:
        if self.api is None or self._stop.is_set():
            return
        self._due.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()

    def start(self) -> None:
        """Beat every ``every_s`` from this object's own thread."""
        self._by_itself = True
        self.beat()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._due.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._by_itself:
                self._due.wait(self.every_s)
            else:
                self._due.wait()
            self._due.clear()
            if self._stop.is_set():
                return
            self._send()

    def _send(self) -> None:
        reply = self.api.heartbeat() if self.api is not None else Reply(0, {})
        self.last_status = reply.status
        if reply.ok:
            self.sent += 1
            every = reply.body.get("every_s")
            if isinstance(every, int | float) and 1 <= every <= 3600:
                self.every_s = float(every)
            if self._failing:
                log.info("heartbeat: the server hears this device again")
            self._failing = False
        elif reply.status == 429:
            pass  # one came just before: nothing is lost
        elif not self._failing:  # said once per outage, not every few seconds
            self._failing = True
            log.warning("heartbeat not taken (%s); the next one tries again", reply.message or reply.status)
