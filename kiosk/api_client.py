"""HTTP calls to the office server. Blocking: call them from a worker thread only.

Errors come back as two kinds a screen can act on: ServerUnavailable (no answer:
show "out of service" and keep checking) and ServerRefused (an answer that says
no, e.g. the office is closed: show the server's sentence).
"""
from __future__ import annotations

import threading

USER_AGENT = "qkiosk/0.1"


class ServerUnavailable(Exception):
    """The server did not answer (down, unreachable, timed out, or failing with 5xx)."""


class ServerRefused(Exception):
    """The server answered with a refusal; ``message`` is its sentence for people."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def is_auth(self) -> bool:
        return self.status in (401, 403)


class ServerClient:
    def __init__(self, base_url: str, token: str, timeout: float = 5.0, connect_timeout: float = 2.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = (min(connect_timeout, timeout), timeout)
        self._local = threading.local()  # one requests.Session per worker thread

    def _session(self):
        s = getattr(self._local, "session", None)
        if s is None:
            import requests  # here, on a worker thread: it loads while the window is built

            s = requests.Session()
            s.headers.update({"User-Agent": USER_AGENT, "Authorization": f"Bearer {self.token}"})
            self._local.session = s
        return s

    def _drop_session(self) -> None:
        s = getattr(self._local, "session", None)
        if s is not None:
            s.close()
            self._local.session = None

    def _call(self, method: str, path: str, lang: str = "ru", json: dict | None = None):
        import requests

        try:
            r = self._session().request(method, self.base_url + path, json=json, timeout=self.timeout,
                                        headers={"Accept-Language": lang})
        except requests.RequestException as exc:
            self._drop_session()  # pooled connections to a restarted server are stale
            raise ServerUnavailable(str(exc)) from exc
        if r.status_code >= 500:
            raise ServerUnavailable(f"server error {r.status_code}")
        if r.status_code >= 400:
            try:
                err = r.json()["error"]
                raise ServerRefused(r.status_code, err.get("code", ""), err.get("message", ""))
            except (ValueError, KeyError, TypeError):
                raise ServerRefused(r.status_code, "error", r.text[:200]) from None
        if r.status_code == 204 or not r.content:
            return None
        try:
            return r.json()
        except ValueError as exc:
            raise ServerUnavailable(f"not JSON from {path}") from exc

    def healthz(self) -> dict:
        return self._call("GET", "/healthz")

    def services(self, lang: str = "ru") -> dict:
        return self._call("GET", "/api/v1/services", lang)

    def check_token(self) -> None:
        """Any guarded read: a 401 here means the device token was revoked or mistyped."""
        self._call("GET", "/api/v1/state")

    def issue_ticket(self, service_id: str, priority: str | None, lang: str) -> dict:
        body = {"service_id": service_id, "lang": lang, "channel": "kiosk"}
        if priority:
            body["priority"] = priority
        return self._call("POST", "/api/v1/tickets", lang, body)

    def check_in(self, code: str, lang: str) -> dict:
        """A booking's ticket (POST /api/v1/bookings/<code>/check-in): the answer is a ticket's."""
        return self._call("POST", f"/api/v1/bookings/{code}/check-in", lang, {})

    def report_status(self, status: str, component: str, message: str = "") -> None:
        self._call("POST", "/api/v1/devices/status", json={
            "status": status, "component": component, "message": message[:300]})
