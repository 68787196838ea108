"""The office's side of the link to the company's centre (qcentral): push the journal.

A background thread reads the journal after the last line the centre
acknowledged and POSTs it in batches (`[central]` in office.toml,
docs/central.md). It wakes after every commit burst (OfficeService.committed)
and at least every `central.interval_s` seconds, when it sends at least an
empty batch so the centre knows the link is up.

The office never waits on it: the thread reads with its own SQLite
connection, holds the journal's writer lock only for the one-row write of
its position, and never while talking to the network. When the centre is
unreachable it retries with a growing pause (1 s … interval); the office goes
on issuing tickets and its reports never depend on the link.

The centre keys every line by the office's seq: a batch sent twice is stored
once; one that would leave a gap is refused with the seq the centre expects,
and the pusher resumes from there (so it also recovers when the centre was
restored from a backup). The position is kept in the office database's `meta`
table, so a restart resumes where the last acknowledged batch ended.
"""
from __future__ import annotations

import http.client
import json
import logging
import ssl
import threading
import time
from urllib.parse import urlsplit

from ..config import ConfigError

log = logging.getLogger("queue_server.central_push")
META_KEY = "central_next_seq"
PROTOCOL = 1
PUSH_PATH = "/api/v1/push"
# A commit burst (a busy minute's tickets and calls) goes in one batch: at most a push a second.
DEBOUNCE_S = 1.0
# The position is written to the office database at most this often (and at stop): each write
# is a durable commit under the journal's writer lock. Lost on a crash, it costs a resend of
# those seconds' lines, which the centre recognises and skips.
SAVE_EVERY_S = 10.0
TIMEOUT_S = 15.0
MAX_ANSWER = 1024 * 1024
_COLUMNS = "seq, uid, at, type, visit, step, service, counter, operator, data"


class LinkError(Exception):
    """The centre could not be reached or answered with a server error: retry later."""


class Refused(Exception):
    """The centre refused the push for a reason a retry will not fix by itself."""


def catalog_payload(config) -> dict:
    """What the centre needs to fold this office's journal and name things (docs/central.md)."""
    c = config.catalog
    return {
        "office_name": c.office_name, "timezone": c.timezone, "language": c.language,
        "visit_norm_s": c.visit_norm_s, "max_recalls": c.max_recalls,
        "keep_personal_days": config.get("privacy.keep_personal_days"),
        "roles": [{"id": r.id, "name_ru": r.name_ru or r.id, "name_en": r.name_en or r.name_ru or r.id,
                   "wait_norm_s": r.wait_norm_s, "service_norm_s": r.service_norm_s} for r in c.roles.values()],
        "services": [{"id": s.id, "name_ru": s.name_ru, "name_en": s.name_en or s.name_ru, "role": s.role,
                      "prefix": s.prefix} for s in c.services.values()],
        "counters": [{"id": k.id, "name": k.name or k.id, "services": list(k.services)}
                     for k in c.counters.values()],
    }


class CentralPusher:
    def __init__(self, store, config, wake: threading.Event):
        url = config.get("central.url")
        self.token = config.get("central.token")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{config.path}: central.url: expected http://… or https://…, got {url!r}")
        if not self.token:
            raise ConfigError(f"{config.path}: central.token: the office's push token "
                              "(`qcentral office add NAME` prints it) is missing")
        self.store = store
        self.wake = wake
        self.interval_s = max(1, config.get("central.interval_s"))
        self.batch = min(1000, max(1, config.get("central.batch_lines")))
        self.catalog = catalog_payload(config)
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port
        self._path = parts.path.rstrip("/") + PUSH_PATH
        self._ssl = ssl.create_default_context(cafile=config.get("central.ca_file") or None) if self._https else None
        self._conn: http.client.HTTPConnection | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._centre_catalog: str | None = None  # the centre's hash of our catalog, once it has it
        self.next_seq = self._saved_position()
        self._saved = self.next_seq
        self._saved_at = time.monotonic()
        self.state = "starting"  # up / down / refused, for logs and tests
        self.pushes = 0

    # ---- position -------------------------------------------------------------
    def _saved_position(self) -> int:
        rows = self.store.query("SELECT value FROM meta WHERE key = ?", (META_KEY,))
        try:
            return max(1, int(rows[0][0])) if rows else 1
        except ValueError:
            return 1

    def _advance(self, next_seq: int) -> None:
        self.next_seq = next_seq
        if time.monotonic() - self._saved_at >= SAVE_EVERY_S:
            self.save_position()

    def save_position(self) -> None:
        if self.next_seq != self._saved:
            self.store.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                               (META_KEY, str(self.next_seq)))
            self._saved = self.next_seq
        self._saved_at = time.monotonic()

    # ---- the thread -------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="central-push", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(5)
        self._close()
        try:
            self.save_position()
        except Exception:  # the database may be closing: the centre will tell where to resume
            log.warning("central push: could not save the position at stop", exc_info=True)

    def _loop(self) -> None:
        pause = 0.0
        while not self._stop.is_set():
            if pause:
                self._stop.wait(pause)  # commits do not shorten a retry pause: no hammering a dead link
            else:
                self.wake.wait(self.interval_s)
                self._stop.wait(DEBOUNCE_S)
            if self._stop.is_set():
                return
            self.wake.clear()
            try:
                self.push_pending()
                pause = 0.0
            except LinkError as exc:
                pause = min(self.interval_s, max(1.0, pause * 2))
                self._set_state("down", f"centre unreachable ({exc}); retrying in {pause:.0f} s")
            except Refused as exc:
                pause = float(self.interval_s)
                self._set_state("refused", f"the centre refused the push: {exc}; retrying every {pause:.0f} s")
            except Exception:  # never let the thread die: the office must keep its link
                pause = float(self.interval_s)
                log.exception("central push failed")

    def _set_state(self, state: str, message: str) -> None:
        if state != self.state:
            (log.info if state == "up" else log.warning)("central push: %s", message)
        self.state = state

    # ---- one round ------------------------------------------------------------------
    def push_pending(self) -> None:
        """Send everything after the acknowledged position (at least one request)."""
        for _round in range(100_000):
            if self._stop.is_set():
                return
            lines = self._lines_from(self.next_seq)
            body = {"protocol": PROTOCOL, "office_seq": self.store.last_seq(), "lines": lines}
            if self._centre_catalog is None:
                body["catalog"] = self.catalog
            status, answer = self._post(body)
            self.pushes += 1
            if status == 200:
                if "catalog" in body:
                    self._centre_catalog = answer.get("catalog_hash")
                elif answer.get("catalog_hash") != self._centre_catalog:
                    self._centre_catalog = None  # the centre lost it (restored?): send it again
                self._advance(int(answer["next_seq"]))
                self._set_state("up", f"link up, centre at seq {self.next_seq - 1}")
                if len(lines) < self.batch and self._centre_catalog is not None:
                    return
                continue
            error = answer.get("error", {}) if isinstance(answer, dict) else {}
            if status == 409 and error.get("code") == "gap":
                self._advance(int(error["details"]["next_seq"]))
                continue
            if status >= 500 or status == 429:
                raise LinkError(f"HTTP {status}: {error.get('message', '')}")
            raise Refused(f"HTTP {status} {error.get('code', '')}: {error.get('message', '')}")

    def _lines_from(self, seq: int) -> list[dict]:
        rows = self.store.query(f"SELECT {_COLUMNS} FROM events WHERE seq >= ? ORDER BY seq LIMIT ?",
                                (seq, self.batch))
        return [{"seq": s, "uid": uid, "at": at, "type": type_, "visit": visit, "step": step,
                 "service": service, "counter": counter, "operator": operator,
                 "data": json.loads(data) if data else {}}
                for s, uid, at, type_, visit, step, service, counter, operator, data in rows]

    def _post(self, body: dict) -> tuple[int, dict]:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        for attempt in (1, 2):  # a kept-alive connection the centre closed meanwhile: once more, fresh
            conn = self._connection()
            try:
                conn.request("POST", self._path, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read(MAX_ANSWER)
                status = response.status
                break
            except (OSError, http.client.HTTPException) as exc:
                self._close()
                if attempt == 2 or isinstance(exc, ssl.SSLCertVerificationError | TimeoutError):
                    raise LinkError(str(exc) or type(exc).__name__) from None
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {}
        if status == 200 and not isinstance(answer.get("next_seq"), int):
            raise LinkError("the centre's answer has no next_seq (is the URL a qcentral?)")
        return status, answer

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(self._host, self._port, timeout=TIMEOUT_S,
                                                         context=self._ssl)
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=TIMEOUT_S)
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def start_central_push(app) -> CentralPusher | None:
    """Start the pusher when office.toml has `[central] url`; its stop joins the app's stoppers."""
    if not app.config.get("central.url"):
        return None
    try:
        pusher = CentralPusher(app.store, app.config, app.service.committed)
    except ConfigError:
        app.close()  # the office's threads have started: a refused start leaves none behind
        raise
    app.extras["central_push"] = pusher
    app.extras.setdefault("stoppers", []).append(pusher.stop)
    pusher.start()
    return pusher
