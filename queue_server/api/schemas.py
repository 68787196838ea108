"""JSON schemas of request and response bodies (documented in /api/openapi.json).

A body that becomes an event's data takes its enums and lengths from the
event schema (domain/event_schema.py), so the API never accepts what the
journal would refuse.
"""
from __future__ import annotations

from ..domain import events as ev
from ..domain.event_schema import Field, field_of


def _enum(type_: str, name: str) -> dict:
    f: Field = field_of(type_, name)
    return {"enum": [*f.choices, None] if f.null else list(f.choices)}


def _text(type_: str, name: str) -> dict:
    return {"type": "string", "maxLength": field_of(type_, name).max_len}


ID = {"type": "string", "minLength": 1, "maxLength": 64}
TIME = {"type": "string", "description": "ISO-8601 UTC"}
NULLABLE_STR = {"type": ["string", "null"]}

LOGIN = {
    "type": "object", "required": ["login", "password"], "additionalProperties": False,
    "properties": {"login": ID, "password": {"type": "string", "maxLength": 256},
                   "counter_id": {"type": ["string", "null"], "maxLength": 16},
                   "takeover": {"type": "boolean", "description": "take the counter over from the operator "
                                "working there: their session ends, the visitor at the counter passes to you"}},
}
LOGIN_OK = {"type": "object", "required": ["token", "role", "counter_id"], "properties": {
    "token": {"type": "string"}, "role": {"type": "string"}, "counter_id": NULLABLE_STR}}

TICKET = {
    "type": "object", "required": ["service_id"], "additionalProperties": False,
    "properties": {"service_id": ID, "priority": _enum(ev.VISIT_ISSUED, "priority"),
                   "lang": _enum(ev.VISIT_ISSUED, "lang"), "channel": _enum(ev.VISIT_ISSUED, "channel")},
}
TICKET_OK = {"type": "object", "required": ["visit_id", "number", "service_id", "issued_at", "position",
                                            "estimated_wait_s", "track_url"],
             "properties": {"visit_id": {"type": "string"}, "number": {"type": "string"},
                            "service_id": {"type": "string"}, "issued_at": TIME,
                            "position": {"type": "integer"}, "ahead": {"type": "integer"},
                            "estimated_wait_s": {"type": "integer"}, "track_url": {"type": "string"},
                            "service_name": {"type": "string"}, "office": {"type": "string"}}}

FINISH = {
    "type": "object", "additionalProperties": False,
    "properties": {name: _enum(ev.STEP_FINISHED, name) for name in ("outcome", "kind", "topic")},
}
TRANSFER = {
    "type": "object", "required": ["service_id"], "additionalProperties": False,
    "properties": {"service_id": ID, "note": _text(ev.STEP_TRANSFERRED, "note")},
}
PAUSE = {"type": "object", "additionalProperties": False,
         "properties": {"reason": {"enum": list(field_of(ev.COUNTER_PAUSED, "reason").choices)}}}
CANCEL = {"type": "object", "additionalProperties": False,
          "properties": {"reason": _text(ev.VISIT_CANCELLED, "reason")}}
DEVICE_STATUS = {
    "type": "object", "required": ["status"], "additionalProperties": False,
    "properties": {"status": {"enum": ["ok", "fault"]}, "component": _text(ev.DEVICE_FAULT, "component"),
                   "message": _text(ev.DEVICE_FAULT, "message")},
}
EMPTY = {"type": "object", "additionalProperties": False, "properties": {}}

STEP_VIEW = {"type": "object", "required": ["visit_id", "number", "service_id", "state"], "properties": {
    "visit_id": {"type": "string"}, "number": {"type": "string"}, "service_id": {"type": "string"},
    "state": {"type": "string"}, "reason": {"type": ["object", "null"]}}}
STATE = {"type": "object", "required": ["office", "at", "queues", "counters", "recent_calls"], "properties": {
    "office": {"type": "string"}, "at": TIME, "seq": {"type": "integer"},
    "queues": {"type": "array", "items": {"type": "object", "required": ["service_id", "waiting", "oldest_wait_s"]}},
    "counters": {"type": "array", "items": {"type": "object", "required": ["counter_id", "status"]}},
    "recent_calls": {"type": "array", "items": {"type": "object"}}}}
SERVICES = {"type": "object", "required": ["services"], "properties": {
    "services": {"type": "array", "items": {"type": "object", "required": ["id", "name", "role", "prefix"]}}}}
TRACK = {"type": "object", "required": ["visit_id", "known"], "properties": {
    "visit_id": {"type": "string"}, "known": {"type": "boolean"}, "number": {"type": "string"},
    "ahead": {"type": "integer"}, "estimated_wait_s": {"type": "integer"}}}
IMPORTED = {"type": "object", "required": ["imported", "skipped"], "properties": {
    "imported": {"type": "integer"}, "skipped": {"type": "integer"}}}

# ---- bookings (docs/bookings.md) -----------------------------------------------
START = {"type": "string", "minLength": 10, "maxLength": 40,
         "description": "ISO-8601 with the offset, e.g. 2026-11-20T10:30:00+03:00"}
BOOKING = {
    "type": "object", "required": ["service_id", "start", "name"], "additionalProperties": False,
    "properties": {"service_id": ID, "start": START,
                   "name": {"type": "string", "minLength": 1, "maxLength": field_of(ev.BOOKING_CREATED, "name").max_len},
                   "phone": {"type": ["string", "null"], "maxLength": 32},
                   "email": {"type": ["string", "null"], "maxLength": field_of(ev.BOOKING_CREATED, "email").max_len},
                   "lang": _enum(ev.BOOKING_CREATED, "lang")},
}
RESCHEDULE = {"type": "object", "required": ["start"], "additionalProperties": False, "properties": {"start": START}}
BOOKING_OK = {"type": "object", "required": ["code", "service_id", "start", "manage_url"], "properties": {
    "code": {"type": "string"}, "service_id": {"type": "string"}, "start": START,
    "manage_url": {"type": "string"}, "state": {"type": "string"}, "status": {"type": "string"},
    "minutes": {"type": "integer"}}}
SLOTS = {"type": "object", "required": ["service_id", "date", "slots"], "properties": {
    "service_id": {"type": "string"}, "date": {"type": "string"},
    "unavailable": {"enum": ["not_bookable", "past", "beyond_horizon", "blackout", "closed", None]},
    "slots": {"type": "array", "items": {"type": "object", "required": ["start", "free"], "properties": {
        "start": START, "free": {"type": "integer", "minimum": 0}}}}}}
CHALLENGE = {"type": "object", "required": ["challenge", "bits"], "properties": {
    "challenge": {"type": "string"}, "bits": {"type": "integer"}, "expires_in_s": {"type": "integer"}}}
CHECK_IN_OK = {**TICKET_OK, "required": [*TICKET_OK["required"], "booking"],
               "properties": {**TICKET_OK["properties"], "booking": {
                   "type": "object", "required": ["code", "start"],
                   "properties": {"code": {"type": "string"}, "start": START, "late": {"type": "boolean"}}}}}
BOOKING_LIST = {"type": "object", "required": ["date", "bookings"], "properties": {
    "date": {"type": "string"}, "bookings": {"type": "array", "items": BOOKING_OK},
    "counts": {"type": "object"}}}
