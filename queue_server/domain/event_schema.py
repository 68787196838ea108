"""The journal's event schema: each event type's `data`, declared once.

One declaration per type says which fields its `data` holds, their types,
which are required, and which hold text a clerk types (blanked for privacy
after `privacy.keep_personal_days`). Everything that reads or writes the
journal uses it: the journal store checks what it appends, an import checks
every line before applying any, the API takes its enums and lengths from it,
and the type table in docs/journal.md is generated from it
(tests/test_docs.py). A new feature adds its event types here, as entries.
Entries are only ever added or widened, never narrowed: a type, field or
choice that a journal already holds must stay valid, or the start-up replay
would refuse that journal (so the call reason's sentence is checked for its
placeholders, not against today's wording).

Checking is plain Python (a few comparisons per field): it runs on every
acknowledged action, where a general JSON-schema validator would cost more
than the rest of the domain's work.
"""
from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import events as ev
from .bookings import CANCELLED_BY, CHECK_IN_VIA, DELIVERY_CHANNELS, MADE_VIA, NAME_LEN, PURPOSES
from .bookings import OUTCOMES as DELIVERY_OUTCOMES
from .catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, PRIORITIES
from .events import Event, parse_at
from .policy import REASON_MESSAGES

TEXT, INT, NUMBER, BOOL, OBJECT, TIME = "text", "int", "number", "bool", "object", "time"
CHANNELS = ("kiosk", "counter", "remote")
LANGUAGES = ("ru", "en")
PAUSE_REASONS = ("break", "paperwork", "lunch", "other")
DEVICE_KINDS = ("kiosk", "display", "buttons")
TAKEN_OVER = "taken_over"
ID_LEN = 64  # visit ids, logins, counter and service ids
CODE_LEN = 16  # booking codes
# How long a free text is kept: what a clerk typed, `privacy.keep_personal_days` from the
# event; a booking's name and contacts, `privacy.keep_booking_days` after its slot.
PERSONAL, BOOKING = "personal", "booking"


@dataclass(frozen=True)
class Field:
    """One key of an event's `data`."""

    name: str
    type: str
    required: bool = False
    null: bool = True  # null (or absent) allowed
    choices: tuple = ()
    max_len: int | None = None
    free_text: bool = False  # typed by a clerk or a visitor: may hold a name or a phone
    keep: str = PERSONAL  # which retention blanks it (PERSONAL or BOOKING)
    not_typed: tuple[str, ...] = ()  # the office's own codes in a free-text field
    fields: tuple[Field, ...] = ()  # an object's own keys
    names: tuple[str, ...] = ()  # a str.format template that may use only these plain {names}
    doc: str = ""


@dataclass(frozen=True)
class EventSpec:
    """One event type: what its line must carry besides `at` and `type`."""

    type: str
    meaning: str
    data: tuple[Field, ...] = ()
    needs: tuple[str, ...] = ()  # line fields that must be set: visit, service, counter
    doc: str = ""


def _reason_params() -> tuple[Field, ...]:
    return (Field("wait_min", NUMBER, required=True, null=False),
            Field("norm_min", NUMBER, required=True, null=False),
            Field("priority", TEXT, required=True, max_len=ID_LEN),
            Field("due", TEXT, max_len=16, doc="an appointment's local time, e.g. 10:30"))


CALL_REASON = Field(
    "reason", OBJECT, doc="why this visitor (docs/call-policy.md)",
    fields=(Field("code", TEXT, required=True, null=False, choices=tuple(REASON_MESSAGES)),
            Field("template", TEXT, required=True, null=False, max_len=300, names=("priority", "wait_min", "norm_min", "due"),
                  doc="the sentence, translated when shown"),
            Field("params", OBJECT, required=True, null=False, fields=_reason_params()),
            Field("wait_s", NUMBER), Field("norm_s", NUMBER), Field("priority", TEXT, max_len=ID_LEN),
            Field("urgency", NUMBER), Field("waiting", INT)))

_VISIT, _STEP = ("visit", "service"), ("visit",)
_CODE = Field("code", TEXT, required=True, null=False, max_len=CODE_LEN, doc="read aloud, e.g. K7M2QXPA")
_START = Field("start", TIME, required=True, null=False, doc="the slot, ISO-8601 UTC")

SPECS: tuple[EventSpec, ...] = (
    EventSpec(ev.VISIT_ISSUED, "a ticket; step 1 is queued in `service` at that instant", needs=_VISIT, data=(
        Field("number", TEXT, required=True, null=False, max_len=16, doc="as printed, e.g. А012"),
        Field("priority", TEXT, choices=PRIORITIES),
        Field("channel", TEXT, choices=CHANNELS),
        Field("lang", TEXT, choices=LANGUAGES),
        Field("booking", TEXT, max_len=CODE_LEN, doc="the booking checked in with this ticket"),
        Field("due", TIME, doc="an appointment's slot: called at it (docs/call-policy.md)"))),
    EventSpec(ev.STEP_CALLED, "the step is called to `counter`", needs=(*_STEP, "counter"),
              data=(CALL_REASON,)),
    EventSpec(ev.STEP_RECALLED, "called again", needs=_STEP, data=(
        Field("recall", INT, doc="1, 2, …"),)),
    EventSpec(ev.STEP_STARTED, "the visitor came: service starts", needs=_STEP),
    EventSpec(ev.STEP_FINISHED, "service over; the visit ends", needs=_STEP, data=(
        Field("outcome", TEXT, choices=OUTCOMES),
        Field("kind", TEXT, choices=APPEAL_KINDS),
        Field("topic", TEXT, choices=APPEAL_TOPICS))),
    EventSpec(ev.STEP_TRANSFERRED, "the step ends; step+1 is queued in `to_service` at the same instant "
              "(same visit, same number)", needs=_STEP, data=(
                  Field("to_service", TEXT, required=True, null=False, max_len=ID_LEN),
                  Field("note", TEXT, max_len=500, free_text=True, doc="for the next clerk"))),
    EventSpec(ev.STEP_NO_SHOW, "the called visitor did not come; the visit ends", needs=_STEP, data=(
        Field("recalls", INT), Field("auto", BOOL, doc="true when the recall limit made it"))),
    EventSpec(ev.VISIT_CANCELLED, "the visit ends (the visitor left)", needs=_STEP, data=(
        Field("reason", TEXT, max_len=200, free_text=True, not_typed=(ev.DAY_OVER,),
              doc="`day_over` when the office cancelled a ticket still waiting at midnight "
                  "(`operator` is then null)"),)),
    EventSpec(ev.COUNTER_OPENED, "an operator logged in at `counter`", needs=("counter",), data=(
        Field("taken_over_from", TEXT, max_len=ID_LEN, doc="the operator whose session a takeover ended"),
        Field("handover", TEXT, max_len=ID_LEN,
              doc="the visit at the counter, passed to the newcomer by a takeover"))),
    EventSpec(ev.COUNTER_CLOSED, "the operator logged out, or was taken over", needs=("counter",), data=(
        Field("reason", TEXT, choices=(TAKEN_OVER,), doc="`taken_over` when another operator took it over"),
        Field("by", TEXT, max_len=ID_LEN, doc="who took it over"))),
    EventSpec(ev.COUNTER_PAUSED, "a pause", needs=("counter",), data=(
        Field("reason", TEXT, choices=PAUSE_REASONS),)),
    EventSpec(ev.COUNTER_RESUMED, "the pause is over", needs=("counter",)),
    EventSpec(ev.DEVICE_FAULT, "a kiosk printer out of paper, a silent LED board; `operator` holds the "
              "device name", data=(
                  Field("kind", TEXT, choices=DEVICE_KINDS), Field("component", TEXT, max_len=40),
                  Field("message", TEXT, max_len=300))),
    EventSpec(ev.DEVICE_OK, "the device recovered; `operator` holds the device name", data=(
        Field("kind", TEXT, choices=DEVICE_KINDS), Field("component", TEXT, max_len=40),
        Field("message", TEXT, max_len=300))),
    EventSpec(ev.JOURNAL_SET_ASIDE, "an event `qserver doctor --set-aside` took out of the replay; it keeps "
              "its `seq`, time and visit", data=(
                  Field("line", TEXT, required=True, null=False, free_text=True,
                        doc="the whole original line, as JSON text"),
                  Field("problem", TEXT, required=True, null=False, doc="why it was set aside"))),
    EventSpec(ev.BOOKING_CREATED, "a booking of a slot of `service` (docs/bookings.md); `operator`: the staff "
              "member who booked for a caller", needs=("service",), data=(
                  _CODE, _START, Field("minutes", INT, doc="the slot's length"),
                  Field("name", TEXT, max_len=NAME_LEN, free_text=True, keep=BOOKING),
                  Field("phone", TEXT, max_len=16, free_text=True, keep=BOOKING, doc="+79123456789"),
                  Field("email", TEXT, max_len=254, free_text=True, keep=BOOKING),
                  Field("lang", TEXT, choices=LANGUAGES), Field("via", TEXT, choices=MADE_VIA))),
    EventSpec(ev.BOOKING_RESCHEDULED, "the booking moves to another slot of its service", needs=("service",),
              data=(_CODE, _START, Field("minutes", INT), Field("was", TIME, doc="the slot it leaves"))),
    EventSpec(ev.BOOKING_CANCELLED, "the booking is cancelled: its slot is free again", needs=("service",),
              data=(_CODE, _START, Field("by", TEXT, choices=CANCELLED_BY))),
    EventSpec(ev.BOOKING_CHECKED_IN, "the visitor came: `visit` is the ticket issued for the booking",
              needs=("visit", "service"), data=(
                  _CODE, _START,
                  Field("late", BOOL, doc="later than `booking.late_min`: a walk-in ticket instead"),
                  Field("via", TEXT, choices=CHECK_IN_VIA))),
    EventSpec(ev.BOOKING_NO_SHOW, "nobody checked in for the booking by the end of its day", needs=("service",),
              data=(_CODE, _START)),
    EventSpec(ev.BOOKING_NOTIFIED, "a confirmation, reminder or cancellation went out, or failed for good",
              data=(_CODE, Field("channel", TEXT, choices=DELIVERY_CHANNELS),
                    Field("purpose", TEXT, choices=PURPOSES),
                    Field("outcome", TEXT, required=True, null=False, choices=DELIVERY_OUTCOMES),
                    Field("error", TEXT, max_len=300, doc="why it failed"))),
)
SCHEMA: dict[str, EventSpec] = {s.type: s for s in SPECS}
EVENT_TYPES = frozenset(SCHEMA)

# What a clerk or a visitor types: the only ways a name or a phone reaches the journal.
# Blanked after their retention (JournalStore.blank_texts): a clerk's text
# `privacy.keep_personal_days` after the event, a booking's name and contacts
# `privacy.keep_booking_days` after its slot; the office's own codes in those
# fields (`not_typed`) are not typed text and stay.
FREE_TEXT = tuple((s.type, f.name) for s in SPECS for f in s.data if f.free_text and f.keep == PERSONAL)
BOOKING_TEXT = tuple((s.type, f.name) for s in SPECS for f in s.data if f.free_text and f.keep == BOOKING)
NOT_TYPED = tuple(sorted({code for s in SPECS for f in s.data for code in f.not_typed}))


def field_of(type_: str, name: str) -> Field:
    """The declaration of one data field (the API takes its enums and lengths from here)."""
    return next(f for f in SCHEMA[type_].data if f.name == name)


def without_free_text(e: Event) -> Event | None:
    """The event with every typed text blanked (a clerk's, a booking's), or None when it holds none."""
    data = None
    for type_, key in FREE_TEXT + BOOKING_TEXT:
        if e.type == type_ and e.data.get(key) not in (None, "", *NOT_TYPED):
            data = {**(data or e.data), key: ""}
    return None if data is None else replace(e, data=data)


# ---- checking ---------------------------------------------------------------
_TYPE_OK: dict[str, Callable[[object], bool]] = {
    TEXT: lambda v: type(v) is str,
    INT: lambda v: type(v) is int,
    NUMBER: lambda v: type(v) is int or type(v) is float,
    BOOL: lambda v: type(v) is bool,
    OBJECT: lambda v: type(v) is dict,
    TIME: lambda v: type(v) is str and _is_time(v),
}
_TYPE_WORDS = {TEXT: "a string", INT: "a whole number", NUMBER: "a number", BOOL: "true or false",
               OBJECT: "an object", TIME: "a time with its zone, ISO-8601"}


def _is_time(text: str) -> bool:
    if len(text) > 40:
        return False
    try:
        parse_at(text)
    except ValueError:
        return False
    return True


def _check_object(value: dict, fields: tuple[Field, ...], where: str, strict: bool) -> str | None:
    for f in fields:
        v = value.get(f.name)
        if v is None:
            if f.required and (not f.null or f.name not in value):
                return f"{where}{f.name} is required"
            continue
        if not _TYPE_OK[f.type](v):
            return f"{where}{f.name} must be {_TYPE_WORDS[f.type]}"
        if f.choices and v not in f.choices:
            return f"{where}{f.name} must be one of: {', '.join(map(str, f.choices))}"
        if strict and f.max_len is not None and len(v) > f.max_len:
            return f"{where}{f.name} is longer than {f.max_len} characters"
        if f.names and not _plain_template(v, f.names):
            return f"{where}{f.name} may use only {{{'}, {'.join(f.names)}}}"
        if f.fields:
            problem = _check_object(v, f.fields, f"{where}{f.name}.", strict)
            if problem:
                return problem
    if strict:
        known = _NAMES.get(id(fields))
        if known is None:
            known = _NAMES[id(fields)] = frozenset(f.name for f in fields)
        for k in value:
            if k not in known:
                return f"{where}{k} is not a field of this event"
    return None


_NAMES: dict[int, frozenset[str]] = {}  # the field names of each declared tuple of fields


def _plain_template(text: str, names: tuple[str, ...]) -> bool:
    """A format template whose fields are plain names from `names`: no attribute or
    index lookups, conversions or format specs (shown to clerks via str.format)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return False
    return all(name is None or (name in names and not spec and conv is None) for _, name, spec, conv in parts)


def check_event(e: Event, strict: bool = True) -> str | None:
    """What is wrong with the event as a journal line, or None.

    `strict` (appends and imports) also refuses data keys the type does not
    declare and texts over their length; a replay of what is already in the
    journal is not strict, since neither stops the office applying it.
    """
    spec = SCHEMA.get(e.type) if type(e.type) is str else None
    if spec is None:
        return f"unknown type {e.type!r}"
    for name in spec.needs:
        value = getattr(e, name)
        if type(value) is not str or not value:
            return f"a {e.type} event needs its {name}"
    for name in ("visit", "service", "counter", "operator"):
        value = getattr(e, name)
        if value is not None and (type(value) is not str or (strict and len(value) > ID_LEN)):
            return f"{name} must be a string of at most {ID_LEN} characters"
    if e.step is not None and (type(e.step) is not int or e.step < 1):
        return "step must be a whole number from 1"
    if type(e.data) is not dict:
        return f"{e.type}: data must be an object"
    problem = _check_object(e.data, spec.data, "data.", strict)
    return f"{e.type}: {problem}" if problem else None


# ---- documentation ------------------------------------------------------------
def _describe(f: Field) -> str:
    parts = []
    if f.choices:
        parts.append("/".join(f"`{c}`" for c in f.choices) + ("/null" if f.null else ""))
    elif f.fields:
        parts.append(f"{f.type} of " + ", ".join(f"`{x.name}`" for x in f.fields))
    elif f.type != TEXT:
        parts.append(f.type)
    if f.required:
        parts.append("required")
    if f.max_len:
        parts.append(f"≤ {f.max_len} characters")
    if f.free_text and f.keep == BOOKING:
        parts.append("personal: blanked `privacy.keep_booking_days` after the slot")
    elif f.free_text:
        parts.append("may hold what a clerk typed: blanked after `privacy.keep_personal_days`")
    if f.doc:
        parts.append(f.doc)
    return f"`{f.name}`" + (f" ({'; '.join(parts)})" if parts else "")


def markdown_table() -> str:
    """The type table of docs/journal.md, made from the declarations above."""
    rows = ["| type | data | meaning |", "|---|---|---|"]
    for s in SPECS:
        data = ", ".join(_describe(f) for f in s.data) or "—"
        rows.append(f"| `{s.type}` | {data} | {s.meaning} |")
    return "\n".join(rows) + "\n"


__all__ = ["BOOKING_TEXT", "EVENT_TYPES", "FREE_TEXT", "NOT_TYPED", "SCHEMA", "EventSpec", "Field", "check_event",
           "field_of", "markdown_table", "without_free_text"]
