"""Turn whatever the caller streams into one cheap row shape.

The engine reads every event once, so the per-event cost is the budget.
``operator.itemgetter``/``attrgetter`` run in C, which makes adapting a
dict, a tuple or an ``Event`` into the tuple
``(type, at, visit, step, service, counter, operator, data)`` almost free.

Accepted inputs (the first item decides, the stream must not mix them):

* ``dict`` -- a journal line with all nine pinned keys (``Event.to_line()``);
* ``tuple``/``list``/``sqlite3.Row`` -- the same nine columns in the pinned
  line order ``(seq, at, type, visit, step, service, counter, operator, data)``;
* ``queue_server.domain.events.Event``.

``at`` may be the journal's ISO text (``...Z``), an aware ``datetime`` or a
number of seconds since the epoch; ``data`` may be a dict, ``None`` or its
JSON text (as SQLite stores it).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from operator import attrgetter, itemgetter

FIELDS = ("type", "at", "visit", "step", "service", "counter", "operator", "data")
LINE_ORDER = ("seq", "at", "type", "visit", "step", "service", "counter", "operator", "data")

_from_dict = itemgetter(*FIELDS)
_from_obj = attrgetter(*FIELDS)
_from_seq = itemgetter(*(LINE_ORDER.index(f) for f in FIELDS))


class JournalFormatError(ValueError):
    """A row the engine cannot read; the message says which and why."""


def as_rows(events: Iterable) -> Iterator[tuple]:
    """An iterator of 8-tuples in ``FIELDS`` order, chosen by the first item."""
    it = iter(events)
    try:
        first = next(it)
    except StopIteration:
        return iter(())
    _check_at(first)
    stream = itertools.chain((first,), it)
    if isinstance(first, dict):
        return map(_from_dict, stream)
    if hasattr(first, "to_line"):
        return map(_from_obj, stream)
    if isinstance(first, tuple | list) or hasattr(first, "keys"):
        return map(_from_seq, stream)
    raise JournalFormatError(f"cannot read journal rows of type {type(first).__name__}")


def _check_at(first) -> None:
    """Refuse a time without a zone up front: it would silently shift hours."""
    try:
        if isinstance(first, dict):
            at = first["at"]
        elif hasattr(first, "to_line"):
            at = first.at
        else:
            at = first[1]
    except (KeyError, IndexError, TypeError) as exc:
        raise JournalFormatError(f"journal row without a time: {first!r}") from exc
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError as exc:
            raise JournalFormatError(f"unreadable time {at!r}") from exc
    if isinstance(at, datetime) and at.tzinfo is None:
        raise JournalFormatError(f"time without a zone: {at!r}")
