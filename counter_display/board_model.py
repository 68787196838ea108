"""What the hall board, a counter display and an LED board should show — no Qt here.

:class:`BoardModel` folds the server's ``snapshot``/``state`` bodies and
``called`` events into rows ready to draw: the latest calls (newest first,
the newest highlighted for a while), how many wait in each queue, each
counter's status, the connection status and the caption being spoken.
The widgets only paint it, so all of this is tested without a screen.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from counter_display.link import CONNECTING

KEEP_CALLS = 12  # the server keeps 12 recent calls too
MAX_CALL_AGE = timedelta(hours=2)  # older calls (yesterday's, after a restart) are not shown
HIGHLIGHT_S = 10.0  # the newest call stays highlighted this long …
BLINK_S = 6.0  # … and blinks for the first seconds of it
BLINK_PERIOD_S = 0.5


@dataclass(frozen=True)
class CallRow:
    number: str
    counter_id: str
    at: str
    lang: str = "ru"
    recall: bool = False
    visit_id: str = ""
    booked: str = ""  # «10:30» when called for a booking: the hall sees why it came first

    @property
    def key(self) -> tuple[str, str]:
        return (self.visit_id or self.number, self.at)


@dataclass(frozen=True)
class QueueRow:
    service_id: str
    name: str
    waiting: int
    over_norm: bool = False


@dataclass(frozen=True)
class CounterView:
    """One counter as its display shows it.

    ``status`` is ``open``, ``closed`` or ``paused``; ``number`` and
    ``step_state`` (``called``/``serving``) describe the visitor at it, if any.
    """

    counter_id: str
    name: str
    status: str = "closed"
    pause_reason: str | None = None
    number: str | None = None
    step_state: str | None = None
    lang: str = "ru"


def _parse_at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _call_row(body: dict) -> CallRow | None:
    if not body.get("number") or body.get("counter_id") is None:
        return None
    reason = body.get("reason") if isinstance(body.get("reason"), dict) else {}
    booked = body.get("appointment") or (
        (reason.get("params") or {}).get("due") if reason.get("code") == "appointment" else "")
    return CallRow(str(body["number"]), str(body["counter_id"]), str(body.get("at") or ""),
                   str(body.get("lang") or "ru"), bool(body.get("recall")), str(body.get("visit_id") or ""),
                   str(booked or "")[:8])


def counter_view(body: dict) -> CounterView:
    """A snapshot's ``counters[]`` entry → :class:`CounterView`."""
    current = body.get("current") or None
    return CounterView(
        counter_id=str(body.get("counter_id")),
        name=str(body.get("name") or body.get("counter_id")),
        status=str(body.get("status") or "closed"),
        pause_reason=body.get("pause_reason"),
        number=current.get("number") if current else None,
        step_state=current.get("state") if current else None,
        lang=current.get("lang", "ru") if current else "ru",
    )


class BoardModel:
    """The hall picture as rows. ``clock`` is monotonic seconds (injectable for tests)."""

    def __init__(self, *, keep: int = KEEP_CALLS, highlight_s: float = HIGHLIGHT_S,
                 blink_s: float = BLINK_S, max_age: timedelta = MAX_CALL_AGE,
                 clock: Callable[[], float] = time.monotonic):
        self.keep, self.highlight_s, self.blink_s, self.max_age = keep, highlight_s, blink_s, max_age
        self.clock = clock
        self.office = ""
        self.server_at: datetime | None = None
        self.seq = -1
        self.calls: list[CallRow] = []
        self.queues: list[QueueRow] = []
        self._raw_queues: list[dict] = []
        self.counters: dict[str, CounterView] = {}
        self.service_names: dict[str, str] = {}
        self.timezone: str | None = None  # the office's, for the clock (None: this PC's)
        self.connection, self.connection_detail = CONNECTING, ""
        self.caption: str | None = None
        self.highlight_key: tuple[str, str] | None = None
        self.highlight_since = 0.0
        self.has_state = False
        self.listeners: list[Callable[[str], None]] = []

    # ---- input from the server ------------------------------------------
    def apply_snapshot(self, body: dict) -> None:
        """The whole picture (on every connect): replaces everything but the highlight."""
        self._apply(body, force=True)

    def apply_state(self, body: dict) -> None:
        self._apply(body, force=False)

    def _apply(self, body: dict, force: bool) -> None:
        seq = body.get("seq")
        if not force and isinstance(seq, int) and seq < self.seq:
            return  # an older push overtaken by a newer one
        self.seq = seq if isinstance(seq, int) else self.seq
        self.office = body.get("office") or self.office
        self.server_at = _parse_at(body.get("at")) or self.server_at
        self._raw_queues = list(body.get("queues") or [])
        self._rebuild_queues()
        self.counters = {v.counter_id: v for v in map(counter_view, body.get("counters") or [])}
        rows = [r for r in map(_call_row, body.get("recent_calls") or []) if r is not None]
        self.calls = self._fresh(self._dedupe(rows))
        self.has_state = True
        self._changed("state")

    def apply_called(self, body: dict) -> CallRow | None:
        """A new call or recall: goes on top and is highlighted."""
        row = _call_row(body)
        if row is None:
            return None
        at = _parse_at(row.at)
        if at is not None and (self.server_at is None or at > self.server_at):
            self.server_at = at
        self.calls = self._fresh(self._dedupe([row, *self.calls]))
        seq = body.get("seq")
        if isinstance(seq, int) and seq > self.seq:
            self.seq = seq  # a `state` built before this call may still arrive: it is older
        self.highlight_key = row.key
        self.highlight_since = self.clock()
        cv = self.counters.get(row.counter_id)
        if cv is not None:
            self.counters[row.counter_id] = CounterView(
                cv.counter_id, cv.name, "open", None, row.number, "called", row.lang)
        self._changed("called")
        return row

    def set_service_names(self, body: dict | list, lang: str = "ru") -> None:
        """``GET /api/v1/services``: service names in ``lang`` and the office's time zone."""
        services = body.get("services", []) if isinstance(body, dict) else body
        if isinstance(body, dict) and body.get("timezone"):
            self.timezone = str(body["timezone"])
        key = "name_en" if lang == "en" else "name"
        self.service_names = {s["id"]: s.get(key) or s.get("name") or s["id"] for s in services if "id" in s}
        self._rebuild_queues()
        self._changed("services")

    def set_connection(self, status: str, detail: str = "") -> None:
        self.connection, self.connection_detail = status, detail
        self._changed("connection")

    def set_caption(self, caption: str | None) -> None:
        self.caption = caption
        self._changed("caption")

    # ---- what to draw -------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.connection == "online"

    def highlighted(self, row: CallRow) -> bool:
        """Whether ``row`` is the newest call and still inside its highlight time."""
        return (row.key == self.highlight_key and bool(self.calls) and self.calls[0].key == row.key
                and self.clock() - self.highlight_since < self.highlight_s)

    def blink_on(self, row: CallRow) -> bool:
        """The highlighted row's phase: True = drawn highlighted now (blinks, then steady)."""
        if not self.highlighted(row):
            return False
        age = self.clock() - self.highlight_since
        if age >= self.blink_s:
            return True
        return int(age / BLINK_PERIOD_S) % 2 == 0

    def animating(self) -> bool:
        """True while something on screen changes by itself (the blinking highlight)."""
        return bool(self.calls) and self.highlighted(self.calls[0])

    def latest_call(self) -> CallRow | None:
        return self.calls[0] if self.calls else None

    # ---- internals ----------------------------------------------------------
    def _rebuild_queues(self) -> None:
        self.queues = [QueueRow(q["service_id"], self.service_names.get(q["service_id"], q["service_id"]),
                                int(q.get("waiting", 0)), bool(q.get("over_norm"))) for q in self._raw_queues]

    def _dedupe(self, rows: list[CallRow]) -> list[CallRow]:
        """A recalled visitor moves to the top instead of being listed twice."""
        seen, out = set(), []
        for row in rows:
            ident = (row.visit_id or row.number, row.counter_id)
            if ident not in seen:
                seen.add(ident)
                out.append(row)
        return out[: self.keep]

    def _fresh(self, rows: list[CallRow]) -> list[CallRow]:
        if self.server_at is None:
            return rows
        oldest = self.server_at - self.max_age
        return [r for r in rows if (_parse_at(r.at) or self.server_at) >= oldest]

    def _changed(self, what: str) -> None:
        for listener in list(self.listeners):
            listener(what)
