"""A lean keep-alive HTTP/1.1 client for the benchmarks (standard library `http.client`).

The benchmark's clients share the machine's two cores with the server, so their
own CPU time is part of every latency. `requests` spends about 1.4 ms of client
CPU per call here (measured: GET /healthz 2.4 ms round trip through requests,
1.0 ms through http.client, same server); a kiosk or a counter PC spends that on
its own CPU. This client does what the benchmarks need of a `requests.Session`
(post/get with JSON, status, json(), raise_for_status) on one persistent
connection, so the figures are the server's.
"""
from __future__ import annotations

import http.client
import json as jsonlib
from urllib.parse import urlsplit


class HttpError(RuntimeError):
    pass


class Response:
    def __init__(self, status: int, content: bytes):
        self.status_code, self.content = status, content

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content) if self.content else None

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HttpError(f"HTTP {self.status_code}: {self.content[:300]!r}")


class Session:
    """One keep-alive connection; reconnects once when the server closed an idle one."""

    def __init__(self, token: str | None = None):
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self._conn: http.client.HTTPConnection | None = None
        self._netloc = ""

    def post(self, url: str, json=None, timeout: float = 30) -> Response:
        return self.request("POST", url, b"" if json is None else jsonlib.dumps(json).encode(), timeout)

    def get(self, url: str, timeout: float = 30) -> Response:
        return self.request("GET", url, None, timeout)

    def request(self, method: str, url: str, body: bytes | None, timeout: float) -> Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            if self._conn is None or self._netloc != parts.netloc:
                self.close()
                self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
                self._netloc = parts.netloc
            try:
                self._conn.request(method, path, body=body, headers=self.headers)
                r = self._conn.getresponse()
                return Response(r.status, r.read())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closes a keep-alive connection idle for its keepalive time; the
                # request never reached the application, so sending it again is safe.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
