"""JSON schemas of request and response bodies (documented in /api/openapi.json)."""
from __future__ import annotations

from ..domain.catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, PRIORITIES

ID = {"type": "string", "minLength": 1, "maxLength": 64}
TIME = {"type": "string", "description": "ISO-8601 UTC"}
NULLABLE_STR = {"type": ["string", "null"]}

LOGIN = {
    "type": "object", "required": ["login", "password"], "additionalProperties": False,
    "properties": {"login": ID, "password": {"type": "string", "maxLength": 256},
                   "counter_id": {"type": ["string", "null"], "maxLength": 16}},
}
LOGIN_OK = {"type": "object", "required": ["token", "role", "counter_id"], "properties": {
    "token": {"type": "string"}, "role": {"type": "string"}, "counter_id": NULLABLE_STR}}

TICKET = {
    "type": "object", "required": ["service_id"], "additionalProperties": False,
    "properties": {"service_id": ID, "priority": {"enum": [*PRIORITIES, None]},
                   "lang": {"enum": ["ru", "en"]}, "channel": {"enum": ["kiosk", "counter", "remote"]}},
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
    "properties": {"outcome": {"enum": [*OUTCOMES, None]}, "kind": {"enum": [*APPEAL_KINDS, None]},
                   "topic": {"enum": [*APPEAL_TOPICS, None]}},
}
TRANSFER = {
    "type": "object", "required": ["service_id"], "additionalProperties": False,
    "properties": {"service_id": ID, "note": {"type": "string", "maxLength": 500}},
}
PAUSE = {"type": "object", "additionalProperties": False,
         "properties": {"reason": {"enum": ["break", "paperwork", "lunch", "other"]}}}
CANCEL = {"type": "object", "additionalProperties": False,
          "properties": {"reason": {"type": "string", "maxLength": 200}}}
DEVICE_STATUS = {
    "type": "object", "required": ["status"], "additionalProperties": False,
    "properties": {"status": {"enum": ["ok", "fault"]}, "component": {"type": "string", "maxLength": 40},
                   "message": {"type": "string", "maxLength": 300}},
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
