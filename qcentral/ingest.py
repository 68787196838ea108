"""Taking in an office's push: check every field, then store the lines exactly once, in order.

The office numbers its journal lines (seq, from 1, no gaps); the centre keeps,
per office, the highest seq below which it has every line (`offices.last_seq`).
A batch must continue from there:
- lines the centre already holds (a batch resent after a lost answer) are
  compared with what is stored and skipped: a replay changes nothing;
- a batch that starts past the next expected seq is refused with that seq
  (`gap`), and the office resends from it;
- a line that differs from the stored one at the same seq (an office restored
  from an old backup writes new facts under old numbers) stops that office's
  push (`diverged`) until an administrator resolves it (docs/central.md).
The office's row is locked for the transaction, so two pushes of one office
(two processes behind a proxy) take turns; different offices never wait on
each other.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta

import psycopg

from queue_server.domain.event_schema import BOOKING, PERSONAL, check_event, without_free_text
from queue_server.domain.events import Event, parse_at

PROTOCOL = 1
MAX_LINES = 1000
MAX_DATA_BYTES = 16 * 1024
MAX_TEXT = 200
MAX_DEPTH = 6
LINE_KEYS = frozenset({"seq", "uid", "at", "type", "visit", "step", "service", "counter", "operator", "data"})
BODY_KEYS = frozenset({"protocol", "office_seq", "catalog", "catalog_hash", "lines"})
_UID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TYPE = re.compile(r"^[a-z_]{1,30}\.[a-z_]{1,30}$")
_ID = re.compile(r"^[\w.-]{1,64}$")


class PushRefused(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def _bad(message: str) -> PushRefused:
    return PushRefused(422, "invalid", message)


def check_value(value, where: str, depth: int = 0) -> None:
    """Plain JSON of bounded depth with no NUL characters (PostgreSQL's text refuses them)."""
    if depth > MAX_DEPTH:
        raise _bad(f"{where}: nested too deep")
    if isinstance(value, str):
        if "\x00" in value:
            raise _bad(f"{where}: a NUL character")
    elif isinstance(value, dict):
        for k, v in value.items():
            check_value(k, where, depth + 1)
            check_value(v, f"{where}.{k}", depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check_value(v, f"{where}[{i}]", depth + 1)
    elif value is not None and not isinstance(value, bool | int | float):
        raise _bad(f"{where}: not a JSON value")


def _text(line: dict, key: str, where: str, pattern: re.Pattern | None = None) -> str | None:
    value = line.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or (pattern and not pattern.match(value)):
        raise _bad(f"{where}.{key}: expected a short text, got {str(value)[:40]!r}")
    return value


def check_line(line, i: int) -> dict:
    where = f"lines[{i}]"
    if not isinstance(line, dict):
        raise _bad(f"{where}: expected an object")
    unknown = set(line) - LINE_KEYS
    if unknown:
        raise _bad(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    seq = line.get("seq")
    if type(seq) is not int or not 1 <= seq < 2**62:
        raise _bad(f"{where}.seq: expected a positive whole number")
    if not isinstance(line.get("uid"), str) or not _UID.match(line["uid"]):
        raise _bad(f"{where}.uid: expected the line's key")
    if not isinstance(line.get("type"), str) or not _TYPE.match(line["type"]):
        raise _bad(f"{where}.type: expected an event type like visit.issued")
    at = line.get("at")
    try:
        if not isinstance(at, str) or len(at) > 40:
            raise ValueError
        parse_at(at)
    except ValueError:
        raise _bad(f"{where}.at: expected an ISO-8601 time with its zone") from None
    step = line.get("step")
    if step is not None and (type(step) is not int or not 0 <= step <= 10_000):
        raise _bad(f"{where}.step: expected a small whole number")
    for key in ("visit", "service", "counter"):
        _text(line, key, where, _ID)
    _text(line, "operator", where)
    data = line.get("data")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _bad(f"{where}.data: expected an object")
    check_value(data, f"{where}.data")
    if len(json.dumps(data, ensure_ascii=False)) > MAX_DATA_BYTES:
        raise _bad(f"{where}.data: larger than {MAX_DATA_BYTES} bytes")
    checked = {**{k: line.get(k) for k in LINE_KEYS}, "data": data}
    # the office's event schema, as an office holds its own journal when it replays it:
    # a line no office could have written (a check-in without its ticket) is not stored
    problem = check_event(Event.from_line(checked), strict=False)
    if problem:
        raise _bad(f"{where}: {problem}")
    return checked


def check_body(body) -> dict:
    if not isinstance(body, dict):
        raise _bad("the body must be a JSON object")
    unknown = set(body) - BODY_KEYS
    if unknown:
        raise _bad(f"unknown fields {', '.join(sorted(unknown))}")
    if body.get("protocol") != PROTOCOL:
        raise PushRefused(422, "protocol", f"this centre speaks push protocol {PROTOCOL}",
                          {"protocol": PROTOCOL})
    lines = body.get("lines")
    if not isinstance(lines, list):
        raise _bad("lines: expected a list")
    if len(lines) > MAX_LINES:
        raise PushRefused(413, "too_many_lines", f"at most {MAX_LINES} lines per batch")
    checked = [check_line(line, i) for i, line in enumerate(lines)]
    for i in range(1, len(checked)):
        if checked[i]["seq"] != checked[i - 1]["seq"] + 1:
            raise _bad(f"lines[{i}].seq: lines must follow each other (seq {checked[i - 1]['seq']} + 1)")
    office_seq = body.get("office_seq")
    if office_seq is not None and (type(office_seq) is not int or office_seq < 0):
        raise _bad("office_seq: expected a whole number")
    catalog = body.get("catalog")
    if catalog is not None:
        from .catalog import check_catalog  # the catalog's own rules

        check_catalog(catalog)
    return {"lines": checked, "office_seq": office_seq, "catalog": catalog}


def catalog_hash(catalog: dict) -> str:
    return hashlib.sha256(json.dumps(catalog, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def _fact(line: dict) -> str:
    """The line's content with any typed text blanked: a line the centre has blanked
    since (privacy) is still the same fact as the office's original."""
    e = Event.from_line(line)
    return (without_free_text(e, (PERSONAL, BOOKING)) or e).uid()


def _stored_line(row: tuple) -> dict:
    seq, at, type_, visit, step, service, counter, operator, data = row
    return {"seq": seq, "at": at.isoformat(), "type": type_, "visit": visit, "step": step,
            "service": service, "counter": counter, "operator": operator, "data": data}


def ingest(conn: psycopg.Connection, office_id: int, body: dict, now: datetime) -> dict:
    """Store a checked push (check_body) for one office; returns the answer's body or
    raises PushRefused. A refusal still commits the contact (the office is alive)."""
    with conn.transaction():
        answer = _ingest(conn, office_id, body, now)
    if isinstance(answer, PushRefused):
        raise answer
    return answer


def _ingest(conn: psycopg.Connection, office_id: int, body: dict, now: datetime) -> dict | PushRefused:
    lines, catalog = body["lines"], body["catalog"]
    row = conn.execute("SELECT last_seq, catalog_hash, diverged_seq FROM offices WHERE id = %s FOR UPDATE",
                       (office_id,)).fetchone()
    if row is None:
        return PushRefused(401, "unauthorized", "Unknown office")
    last_seq, stored_hash, diverged = row
    conn.execute("UPDATE offices SET last_contact = %s, office_seq = COALESCE(%s, office_seq) WHERE id = %s",
                 (now, body["office_seq"], office_id))
    next_seq = last_seq + 1
    if diverged is not None:
        return _diverged(diverged, next_seq)
    if lines and lines[0]["seq"] > next_seq:
        return PushRefused(409, "gap", f"the centre has every line before {next_seq}: send from there",
                           {"next_seq": next_seq})
    old = [line for line in lines if line["seq"] < next_seq]
    new = [line for line in lines if line["seq"] >= next_seq]
    if old:
        mismatch = _first_mismatch(conn, office_id, old)
        if mismatch is not None:
            conn.execute("UPDATE offices SET diverged_seq = %s, diverged_at = %s WHERE id = %s",
                         (mismatch, now, office_id))
            return _diverged(mismatch, next_seq)
    if catalog is not None:
        new_hash = catalog_hash(catalog)
        if new_hash != stored_hash:
            conn.execute("INSERT INTO office_catalogs (office_id, from_seq, hash, catalog) "
                         "VALUES (%s, %s, %s, %s) ON CONFLICT (office_id, from_seq) DO UPDATE "
                         "SET hash = EXCLUDED.hash, catalog = EXCLUDED.catalog",
                         (office_id, next_seq, new_hash, json.dumps(catalog, ensure_ascii=False)))
            conn.execute("UPDATE offices SET catalog_hash = %s WHERE id = %s", (new_hash, office_id))
            stored_hash = new_hash
    if new:
        _store(conn, office_id, new, now)
        next_seq = new[-1]["seq"] + 1
        conn.execute("UPDATE offices SET last_seq = %s WHERE id = %s", (next_seq - 1, office_id))
    return {"next_seq": next_seq, "stored": len(new), "catalog_hash": stored_hash}


def _store(conn: psycopg.Connection, office_id: int, lines: list[dict], now: datetime) -> None:
    """COPY the lines in; what a clerk typed arrives blanked when it is already older
    than the office keeps such text (privacy.keep_personal_days, sent with its catalog)."""
    keep_days = _keep_days(conn, office_id)
    horizon = now - timedelta(days=keep_days) if keep_days is not None else None
    with conn.cursor().copy("COPY journal (office_id, seq, uid, at, type, visit, step, service, "
                            "counter, operator, data) FROM STDIN") as copy:
        for line in lines:
            data = line["data"]
            if horizon is not None and parse_at(line["at"]) < horizon:
                blank = without_free_text(Event.from_line(line), (PERSONAL, BOOKING))
                data = blank.data if blank is not None else data
            copy.write_row((office_id, line["seq"], line["uid"], line["at"], line["type"], line["visit"],
                            line["step"], line["service"], line["counter"], line["operator"],
                            json.dumps(data, ensure_ascii=False)))


def _diverged(seq: int, next_seq: int) -> PushRefused:
    return PushRefused(409, "diverged", f"line {seq} differs from the line the centre holds under that "
                       "number (an office restored from an old backup?): push stopped until an "
                       "administrator resolves it", {"seq": seq, "next_seq": next_seq})


def _first_mismatch(conn: psycopg.Connection, office_id: int, lines: list[dict]) -> int | None:
    stored = {seq: (uid, rest) for seq, uid, *rest in conn.execute(
        "SELECT seq, uid, at, type, visit, step, service, counter, operator, data FROM journal "
        "WHERE office_id = %s AND seq BETWEEN %s AND %s", (office_id, lines[0]["seq"], lines[-1]["seq"]))}
    for line in lines:
        found = stored.get(line["seq"])
        if found is None:
            return line["seq"]
        uid, rest = found
        if uid != line["uid"] and _fact(_stored_line((line["seq"], *rest))) != _fact(line):
            return line["seq"]
    return None


def _keep_days(conn: psycopg.Connection, office_id: int) -> int | None:
    row = conn.execute("SELECT catalog->'keep_personal_days' FROM office_catalogs WHERE office_id = %s "
                       "ORDER BY from_seq DESC LIMIT 1", (office_id,)).fetchone()
    return row[0] if row and isinstance(row[0], int) else None


def resync(conn: psycopg.Connection, office_id: int) -> int:
    """Drop an office's lines from where it diverged, so it pushes its present journal
    again (after it was restored from an old backup). Returns the last seq kept."""
    with conn.transaction():
        row = conn.execute("SELECT diverged_seq, last_seq FROM offices WHERE id = %s FOR UPDATE",
                           (office_id,)).fetchone()
        if row is None:
            raise ValueError(f"no office {office_id}")
        keep = (row[0] if row[0] is not None else row[1] + 1) - 1
        from .facts import forget_after  # the days of those lines are built again as they come back

        forget_after(conn, office_id, keep)
        conn.execute("DELETE FROM journal WHERE office_id = %s AND seq > %s", (office_id, keep))
        conn.execute("UPDATE offices SET last_seq = %s, diverged_seq = NULL, diverged_at = NULL WHERE id = %s",
                     (keep, office_id))
    return keep
