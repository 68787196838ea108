"""Read whatever the caller streams without building anything per event.

The engine reads every event once, so the per-event cost is the budget.
Rather than adapting each row into one shape (a tuple per event costs more
than reading it), the engine subscripts the row it is given with keys
chosen once for the whole stream: names for a dict, positions for a tuple.

Accepted inputs (the first item decides; one stream must not mix them):

* ``dict`` -- a journal line with all nine pinned keys (``Event.to_line()``,
  ``json.loads`` of a journal line, a ``sqlite-utils`` row): fast path;
* ``tuple``/``list``/``sqlite3.Row`` -- the nine columns in the pinned line
  order ``(seq, at, type, visit, step, service, counter, operator, data)``,
  e.g. ``SELECT seq, at, type, visit, step, service, counter, operator, data
  FROM journal ORDER BY seq``: fast path;
* ``queue_server.domain.events.Event``: converted to line-order tuples
  (slower; meant for tests and small slices).

``at`` may be the journal's ISO text (``...Z``; fast), an aware ``datetime``
or seconds since the epoch; ``data`` may be a dict, ``None`` or its JSON text.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

FIELDS = ("type", "at", "visit", "step", "service", "counter", "operator", "data")
LINE_ORDER = ("seq", "at", "type", "visit", "step", "service", "counter", "operator", "data")
DICT_KEYS = FIELDS
SEQ_KEYS = tuple(LINE_ORDER.index(f) for f in FIELDS)

_event_as_line = attrgetter(*LINE_ORDER)


class JournalFormatError(ValueError):
    """A row the engine cannot read; the message says which and why."""


def source(events: Iterable) -> tuple[Iterator, tuple, Callable[[Any], datetime]]:
    """The rows to iterate, the subscripts of ``FIELDS`` in each row, and the
    function that makes an aware ``datetime`` of the rows' ``at``."""
    it = iter(events)
    try:
        first = next(it)
    except StopIteration:
        return iter(()), DICT_KEYS, to_datetime
    stream = itertools.chain((first,), it)
    if isinstance(first, dict):
        rows, keys = stream, DICT_KEYS
    elif hasattr(first, "to_line"):
        rows, keys = map(_event_as_line, stream), SEQ_KEYS
    elif isinstance(first, tuple | list) or hasattr(first, "keys"):
        if len(first) != len(LINE_ORDER):
            raise JournalFormatError(
                f"journal rows must have the {len(LINE_ORDER)} columns {LINE_ORDER}")
        rows, keys = stream, SEQ_KEYS
    else:
        raise JournalFormatError(f"cannot read journal rows of type {type(first).__name__}")
    parse = datetime.fromisoformat if isinstance(_first_at(first), str) else to_datetime
    return rows, keys, parse


def to_datetime(at) -> datetime:
    """An aware datetime of an ``at`` that is a datetime or epoch seconds."""
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise JournalFormatError(f"time without a zone: {at!r}")
        return at
    if isinstance(at, int | float):
        return datetime.fromtimestamp(at, UTC)
    if isinstance(at, str):
        return datetime.fromisoformat(at)
    raise JournalFormatError(f"unreadable time {at!r}")


def _first_at(first):
    """The first row's time, checked: a time without a zone would silently
    shift every hour, so it is refused up front."""
    try:
        if isinstance(first, dict):
            at = first["at"]
        elif hasattr(first, "to_line"):
            at = first.at
        else:
            at = first[1]
    except (KeyError, IndexError, TypeError) as exc:
        raise JournalFormatError(f"journal row without a time: {first!r}") from exc
    parsed = at
    if isinstance(at, str):
        try:
            parsed = datetime.fromisoformat(at)
        except ValueError as exc:
            raise JournalFormatError(f"unreadable time {at!r}") from exc
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        raise JournalFormatError(f"time without a zone: {at!r}")
    return at
