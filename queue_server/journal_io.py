"""Journal export and import as JSON Lines (format pinned in docs/journal.md).

This module only reads and writes lines. What a line must hold, and whether
the office can apply it after the journal and the lines before it, is
checked by the import itself (`JournalStore.import_events`, with the domain's
event schema and `JournalCheck`): all or nothing, the first bad line refuses
the whole file with its line number.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator

from .domain.events import Event

REQUIRED = ("at", "type")
Numbered = tuple[int, Event]


class ImportRefused(Exception):
    def __init__(self, line_no: int, reason: str):
        super().__init__(f"line {line_no}: {reason}")
        self.line_no, self.reason = line_no, reason


def to_jsonl(events: Iterable[Event]) -> Iterator[str]:
    for e in events:
        yield json.dumps(e.to_line(), ensure_ascii=False, separators=(",", ":")) + "\n"


def parse_jsonl(lines: Iterable[str | bytes]) -> list[Numbered]:
    """Every line read, each with its line number; ImportRefused names the first unreadable one."""
    return list(iter_jsonl(lines))


def iter_jsonl(lines: Iterable[str | bytes]) -> Iterator[Numbered]:
    """(line number, event) of `lines`, one at a time; ImportRefused at the first line that
    is not a journal line at all. `qserver import` reads a file twice this way: checked
    through, then imported."""
    for n, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ImportRefused(n, "not UTF-8 text") from None
        raw = raw.strip()
        if not raw:
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImportRefused(n, f"not JSON ({exc.msg})") from None
        except RecursionError:
            raise ImportRefused(n, "nested too deeply") from None
        if not isinstance(line, dict):
            raise ImportRefused(n, "a line must be a JSON object")
        for key in REQUIRED:
            if key not in line:
                raise ImportRefused(n, f"missing {key!r}")
        try:
            event = Event.from_line(line)
        except (ValueError, TypeError, AttributeError) as exc:
            raise ImportRefused(n, f"bad value: {exc}") from None
        yield n, event


class Fingerprint:
    """A file's lines passed through, hashed on the way: `qserver import` checks a
    file in one pass and imports it in a second; if the bytes differ the second
    time (the file changed in between), the import is refused and rolled back."""

    def __init__(self, expected: bytes | None = None):
        self.expected = expected
        self.digest: bytes | None = None

    def lines(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        sha = hashlib.sha256()
        n = 0
        for raw in lines:
            n += 1
            sha.update(raw)
            yield raw
        self.digest = sha.digest()
        if self.expected is not None and self.digest != self.expected:
            raise ImportRefused(n, "the file changed since it was checked")


def counted(items: Iterable, box: list[int]) -> Iterator:
    """The items as they come, counted in box[0] (an import's first pass counts its lines)."""
    for item in items:
        box[0] += 1
        yield item
