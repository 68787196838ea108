"""Documentation that other people rely on stays complete."""
from __future__ import annotations

import re
from pathlib import Path

from queue_server.domain.event_schema import EVENT_TYPES, markdown_table
from queue_server.realtime import REALTIME_EVENTS

ROOT = Path(__file__).parents[1]


def test_every_socket_io_event_the_server_emits_is_documented():
    source = (ROOT / "queue_server/realtime.py").read_text(encoding="utf-8")
    emitted = set(re.findall(r'\.emit\("(\w+)"', source))
    doc = (ROOT / "docs/realtime.md").read_text(encoding="utf-8")
    assert emitted <= set(REALTIME_EVENTS)
    missing = [e for e in emitted if f"`{e}`" not in doc]
    assert not missing, missing


def test_every_journal_event_type_is_documented():
    doc = (ROOT / "docs/journal.md").read_text(encoding="utf-8")
    missing = [t for t in EVENT_TYPES if f"`{t}`" not in doc]
    assert not missing, missing


def test_the_journal_type_table_is_the_event_schema():
    """docs/journal.md's table of types is made from the one declaration of each type's data."""
    doc = (ROOT / "docs/journal.md").read_text(encoding="utf-8")
    begin, end = "<!-- event types: generated from queue_server/domain/event_schema.py -->\n", "<!-- end of event types -->"
    table = doc[doc.index(begin) + len(begin):doc.index(end)]
    assert table == markdown_table(), "paste this table into docs/journal.md:\n" + markdown_table()
