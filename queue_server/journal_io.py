"""Journal export and import as JSON Lines (format pinned in docs/journal.md).

An import is all or nothing: every line is checked first, and a line whose
type, service or counter this office does not know refuses the whole file
with its line number, so a half-imported day never skews a report.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from .domain.catalog import Catalog
from .domain.events import EVENT_TYPES, Event

REQUIRED = ("at", "type")


class ImportRefused(Exception):
    def __init__(self, line_no: int, reason: str):
        super().__init__(f"line {line_no}: {reason}")
        self.line_no, self.reason = line_no, reason


def to_jsonl(events: Iterable[Event]) -> Iterator[str]:
    for e in events:
        yield json.dumps(e.to_line(), ensure_ascii=False, separators=(",", ":")) + "\n"


def parse_jsonl(lines: Iterable[str | bytes], catalog: Catalog) -> list[Event]:
    """Parse and check every line; raise ImportRefused naming the first bad one."""
    return list(iter_jsonl(lines, catalog))


def iter_jsonl(lines: Iterable[str | bytes], catalog: Catalog) -> Iterator[Event]:
    """The events of `lines`, one at a time, each checked; ImportRefused at the first bad
    line. A file is read twice by `qserver import`: checked through, then imported."""
    for n, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        raw = raw.strip()
        if not raw:
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImportRefused(n, f"not JSON ({exc.msg})") from None
        if not isinstance(line, dict):
            raise ImportRefused(n, "a line must be a JSON object")
        for key in REQUIRED:
            if key not in line:
                raise ImportRefused(n, f"missing {key!r}")
        if line["type"] not in EVENT_TYPES:
            raise ImportRefused(n, f"unknown type {line['type']!r}")
        if line.get("service") is not None and line["service"] not in catalog.services:
            raise ImportRefused(n, f"unknown service {line['service']!r}")
        if line.get("counter") is not None and line["counter"] not in catalog.counters:
            raise ImportRefused(n, f"unknown counter {line['counter']!r}")
        if line["type"].startswith(("visit.", "step.")) and not isinstance(line.get("visit"), str):
            raise ImportRefused(n, "a visit or step event needs its visit id")
        to_service = (line.get("data") or {}).get("to_service") if isinstance(line.get("data"), dict) else None
        if line["type"] == "step.transferred" and to_service not in catalog.services:
            raise ImportRefused(n, f"unknown service to transfer to {to_service!r}")
        if line["type"] == "visit.issued" and not isinstance((line.get("data") or {}).get("number"), str):
            raise ImportRefused(n, "visit.issued needs data.number")
        try:
            event = Event.from_line(line)
        except (ValueError, TypeError, AttributeError) as exc:
            raise ImportRefused(n, f"bad value: {exc}") from None
        yield event
