"""What clerks typed is kept at the centre no longer than at the office.

Each office sends its `privacy.keep_personal_days` with its catalog; lines
older than that lose their transfer note or cancel reason here too (the
office blanks its own copy every night). Lines that arrive already that old
are blanked on the way in (ingest.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

from queue_server.domain.event_schema import FREE_TEXT, NOT_TYPED


def blank_expired(conn: psycopg.Connection, now: datetime) -> int:
    changed = 0
    offices = conn.execute(
        "SELECT DISTINCT ON (office_id) office_id, catalog->'keep_personal_days' FROM office_catalogs "
        "ORDER BY office_id, from_seq DESC").fetchall()
    for office_id, keep_days in offices:
        if not isinstance(keep_days, int):
            continue
        horizon = now - timedelta(days=keep_days)
        for type_, key in FREE_TEXT:
            changed += conn.execute(
                "UPDATE journal SET data = jsonb_set(data, %s, '\"\"') WHERE office_id = %s AND type = %s "
                "AND at < %s AND coalesce(data->>%s, '') <> '' AND NOT (data->>%s = ANY(%s))",
                ([key], office_id, type_, horizon, key, key, list(NOT_TYPED))).rowcount
    return changed
