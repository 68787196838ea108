"""The few HTTP calls the display side makes, and the device-status reporter.

:class:`ServerApi` calls a counter's ``next`` (call-button pads) and reports
device faults; every call has a timeout and turns network trouble into a
result, never an exception the caller must know about.

:class:`StatusReporter` tells the server when a component (an LED board, a
button pad, the voice) fails or recovers — ``POST /api/v1/devices/status`` —
from a thread of its own, once per change, retrying until the server has
heard it; the device's own work never waits for the network.
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
