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

from . import appeals as ap
from . import events as ev
from .bookings import CANCELLED_BY, CHECK_IN_VIA, DELIVERY_CHANNELS, MADE_VIA, NAME_LEN, PURPOSES
from .bookings import OUTCOMES as DELIVERY_OUTCOMES
from .catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, PRIORITIES
from .events import Event, parse_at
from .policy import REASON_MESSAGES

TEXT, INT, NUMBER, BOOL, OBJECT, LIST, TIME = "text", "int", "number", "bool", "object", "list", "time"
# How long typed text is kept (`Field.keep`): what clerks type about a visit
# (`privacy.keep_personal_days` after the event), a booking's name and contacts
# (`privacy.keep_booking_days` after its slot), and an appeal's file (its customer's
# name and contacts, what they wrote, the answer: `privacy.keep_appeal_days` after it closes).
PERSONAL, BOOKING, APPEAL = "personal", "booking", "appeal"
CHANNELS = ("kiosk", "counter", "remote")
LANGUAGES = ("ru", "en")
PAUSE_REASONS = ("break", "paperwork", "lunch", "other")
DEVICE_KINDS = ("kiosk", "display", "buttons")
TAKEN_OVER = "taken_over"
ID_LEN = 64  # visit ids, logins, counter and service ids
CODE_LEN = 16  # booking codes


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
    not_typed: tuple[str, ...] = ()  # the office's own codes in a free-text field
    fields: tuple[Field, ...] = ()  # an object's own keys
    names: tuple[str, ...] = ()  # a str.format template that may use only these plain {names}
    keep: str = PERSONAL  # which retention blanks free text: PERSONAL, BOOKING or APPEAL
    items: str = ""  # a list's element type (its choices, or an object's fields, as above)
    max_items: int | None = None
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
_BOOKING_CODE = Field("code", TEXT, required=True, null=False, max_len=CODE_LEN, doc="read aloud, e.g. K7M2QXPA")
_START = Field("start", TIME, required=True, null=False, doc="the slot, ISO-8601 UTC")
_CODE = Field("code", TEXT, required=True, null=False, max_len=16, doc="the appeal's identification code")
_DUE = (Field("due_date", TEXT, max_len=10, doc="the answer's due date, local"),
        Field("due_at", TEXT, max_len=30, doc="the end of that day, UTC"))


def _appeal_text(name: str, required: bool = False, doc: str = "") -> Field:
    return Field(name, TEXT, required=required, null=not required, max_len=ap.LEN[name], free_text=True,
                 keep=APPEAL, doc=doc)


_CONTACT = Field("contact", OBJECT, free_text=True, keep=APPEAL, doc="what the customer gave to be answered by",
                 fields=tuple(Field(k, TEXT, max_len=ap.LEN[k]) for k in ap.CONTACT_KEYS))
_SERVED = Field("served", LIST, items=OBJECT, max_items=20, doc="the visit's served steps: whom the rating is for",
                fields=(Field("service", TEXT, max_len=ID_LEN), Field("counter", TEXT, max_len=ID_LEN),
                        Field("operator", TEXT, max_len=ID_LEN)))

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
    EventSpec(ev.APPEAL_REGISTERED, "an appeal is registered (GOST R 53368 §7.2–7.3); `operator` registered it "
              "(null: the visitor, from a low rating), `counter` where, `service` what it is about", data=(
                  _CODE,
                  Field("kind", TEXT, required=True, null=False, choices=ap.KINDS),
                  Field("topic", TEXT, required=True, null=False, choices=ap.TOPICS),
                  Field("channel", TEXT, required=True, null=False, choices=ap.CHANNELS),
                  _appeal_text("text", True, "the customer's description"),
                  _appeal_text("requested_action", doc="the measures the customer asks for"),
                  _appeal_text("immediate_measures", doc="what was done at once"),
                  _appeal_text("contract"), _CONTACT,
                  Field("visit_id", TEXT, max_len=ID_LEN, doc="the visit it was registered from"),
                  Field("answer_days", INT), *_DUE,
                  Field("repeat_of", TEXT, max_len=16, doc="an earlier complaint of the same customer on the same "
                        "topic (§7.11)"),
                  Field("missing", LIST, items=TEXT, choices=ap.MISSING_FIELDS,
                        doc="what a complaint's record lacked (§7.4)"),
                  Field("rating", BOOL, doc="registered by the visitor after a low rating"))),
    EventSpec(ev.APPEAL_EXTENDED, "the answer date is moved (§7.6); the customer gets a written notice", data=(
        _CODE, Field("days", INT, required=True, null=False), _appeal_text("reason", True), *_DUE,
        Field("late", BOOL, doc="asked after the due date had passed"))),
    EventSpec(ev.APPEAL_DECIDED, "the appeal is decided and answered (§7.7–7.8)", data=(
        _CODE, Field("decision", TEXT, required=True, null=False, choices=ap.DECISIONS),
        _appeal_text("answer", True), Field("round", INT, doc="1 for the first decision, 2 after a rejection…"),
        Field("due_at", TEXT, max_len=30, doc="the due moment then in force"),
        Field("in_time", BOOL), Field("reversed", BOOL, doc="an earlier decision was `unjustified`"))),
    EventSpec(ev.APPEAL_CLOSED, "the customer's word on the decision: accepted closes the appeal; not accepted "
              "leaves it open with a new answer date (§7.8)", data=(
                  _CODE, Field("accepted", BOOL, required=True, null=False), *_DUE)),
    EventSpec(ev.APPEAL_SLIP, "the acknowledgement slip went to `counter`'s printer, or did not", data=(
        _CODE, Field("ok", BOOL), Field("error", TEXT, max_len=300))),
    EventSpec(ev.VISIT_RATED, "the visitor rated the finished visit (GOST R 53368 §8)", needs=("visit",), data=(
        Field("score", INT, required=True, null=False, choices=(1, 2, 3, 4, 5)),
        Field("comment", TEXT, max_len=500, free_text=True, doc="the visitor's own words"),
        Field("via", TEXT, choices=("track", "counter", "pad"), doc="the tracking page, the counter display, "
              "a rating pad"),
        Field("keys", INT, doc="a pad's number of keys (3 or 5)"), _SERVED)),
    EventSpec(ev.MESSAGE_SENT, "an e-mail or SMS went out", data=(
        Field("channel", TEXT, choices=("email", "sms")), Field("purpose", TEXT, max_len=40),
        Field("ref", TEXT, max_len=64, doc="what it is about, e.g. `appeal:K7M2QXPA`"),
        Field("error", TEXT, max_len=300))),
    EventSpec(ev.MESSAGE_FAILED, "an e-mail or SMS could not be sent (after retries)", data=(
        Field("channel", TEXT, choices=("email", "sms")), Field("purpose", TEXT, max_len=40),
        Field("ref", TEXT, max_len=64), Field("error", TEXT, max_len=300))),
    EventSpec(ev.JOURNAL_SET_ASIDE, "an event `qserver doctor --set-aside` took out of the replay; it keeps "
              "its `seq`, time and visit", data=(
                  Field("line", TEXT, required=True, null=False, free_text=True,
                        doc="the whole original line, as JSON text"),
                  Field("problem", TEXT, required=True, null=False, doc="why it was set aside"))),
    EventSpec(ev.BOOKING_CREATED, "a booking of a slot of `service` (docs/bookings.md); `operator`: the staff "
              "member who booked for a caller", needs=("service",), data=(
                  _BOOKING_CODE, _START, Field("minutes", INT, doc="the slot's length"),
                  Field("name", TEXT, max_len=NAME_LEN, free_text=True, keep=BOOKING),
                  Field("phone", TEXT, max_len=16, free_text=True, keep=BOOKING, doc="+79123456789"),
                  Field("email", TEXT, max_len=254, free_text=True, keep=BOOKING),
                  Field("lang", TEXT, choices=LANGUAGES), Field("via", TEXT, choices=MADE_VIA))),
    EventSpec(ev.BOOKING_RESCHEDULED, "the booking moves to another slot of its service", needs=("service",),
              data=(_BOOKING_CODE, _START, Field("minutes", INT), Field("was", TIME, doc="the slot it leaves"))),
    EventSpec(ev.BOOKING_CANCELLED, "the booking is cancelled: its slot is free again", needs=("service",),
              data=(_BOOKING_CODE, _START, Field("by", TEXT, choices=CANCELLED_BY))),
    EventSpec(ev.BOOKING_CHECKED_IN, "the visitor came: `visit` is the ticket issued for the booking",
              needs=("visit", "service"), data=(
                  _BOOKING_CODE, _START,
                  Field("late", BOOL, doc="later than `booking.late_min`: a walk-in ticket instead"),
                  Field("via", TEXT, choices=CHECK_IN_VIA))),
    EventSpec(ev.BOOKING_NO_SHOW, "nobody checked in for the booking by the end of its day", needs=("service",),
              data=(_BOOKING_CODE, _START)),
    EventSpec(ev.BOOKING_NOTIFIED, "a confirmation, reminder or cancellation went out, or failed for good",
              data=(_BOOKING_CODE, Field("channel", TEXT, choices=DELIVERY_CHANNELS),
                    Field("purpose", TEXT, choices=PURPOSES),
                    Field("outcome", TEXT, required=True, null=False, choices=DELIVERY_OUTCOMES),
                    Field("error", TEXT, max_len=300, doc="why it failed"))),
)
SCHEMA: dict[str, EventSpec] = {s.type: s for s in SPECS}
EVENT_TYPES = frozenset(SCHEMA)

# What a clerk or a visitor types: the only ways a name or a phone reaches the journal.
# Blanked after their retention (JournalStore.blank_texts, blank_bookings): a clerk's text
# `privacy.keep_personal_days` after the event, a booking's name and contacts
# `privacy.keep_booking_days` after its slot; the office's own codes in those
# fields (`not_typed`) are not typed text and stay.
FREE_TEXT = tuple((s.type, f.name) for s in SPECS for f in s.data if f.free_text and f.keep == PERSONAL)
BOOKING_TEXT = tuple((s.type, f.name) for s in SPECS for f in s.data if f.free_text and f.keep == BOOKING)
NOT_TYPED = tuple(sorted({code for s in SPECS for f in s.data for code in f.not_typed}))
# An appeal's file: kept `privacy.keep_appeal_days` after the appeal closes (JournalStore.blank_appeals).
APPEAL_TEXT = tuple((s.type, f.name) for s in SPECS for f in s.data if f.free_text and f.keep == APPEAL)
_BLANK = {TEXT: "", OBJECT: {}}


def field_of(type_: str, name: str) -> Field:
    """The declaration of one data field (the API takes its enums and lengths from here)."""
    return next(f for f in SCHEMA[type_].data if f.name == name)


def without_free_text(e: Event, keep: str | tuple[str, ...] = PERSONAL) -> Event | None:
    """The event with what was typed blanked (the texts kept as `keep` says: one retention or
    several), or None when it holds none."""
    keeps = (keep,) if isinstance(keep, str) else keep
    spec = SCHEMA.get(e.type)
    if spec is None:
        return None
    blank = {f.name: _BLANK[f.type] for f in spec.data if f.free_text and f.keep in keeps
             and e.data.get(f.name) not in (None, "", {}, *NOT_TYPED)}
    return replace(e, data={**e.data, **blank}) if blank else None


# ---- checking ---------------------------------------------------------------
_TYPE_OK: dict[str, Callable[[object], bool]] = {
    TEXT: lambda v: type(v) is str,
    INT: lambda v: type(v) is int,
    NUMBER: lambda v: type(v) is int or type(v) is float,
    BOOL: lambda v: type(v) is bool,
    OBJECT: lambda v: type(v) is dict,
    LIST: lambda v: type(v) is list,
    TIME: lambda v: type(v) is str and _is_time(v),
}
_TYPE_WORDS = {TEXT: "a string", INT: "a whole number", NUMBER: "a number", BOOL: "true or false",
               OBJECT: "an object", LIST: "a list", TIME: "a time with its zone, ISO-8601"}


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
        if f.type == LIST:
            problem = _check_list(v, f, f"{where}{f.name}", strict)
            if problem:
                return problem
            continue
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


def _check_list(values: list, f: Field, where: str, strict: bool) -> str | None:
    if f.max_items is not None and len(values) > f.max_items:
        return f"{where} has more than {f.max_items} items"
    for i, v in enumerate(values):
        if not _TYPE_OK[f.items](v):
            return f"{where}[{i}] must be {_TYPE_WORDS[f.items]}"
        if f.choices and v not in f.choices:
            return f"{where}[{i}] must be one of: {', '.join(map(str, f.choices))}"
        if f.fields:
            problem = _check_object(v, f.fields, f"{where}[{i}].", strict)
            if problem:
                return problem
    return None


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
        parts.append("/".join(f"`{c}`" for c in f.choices) + ("/null" if f.null and f.type != LIST else ""))
    elif f.fields:
        parts.append(f"{f.type} of " + ", ".join(f"`{x.name}`" for x in f.fields))
    elif f.type != TEXT:
        parts.append(f.type)
    if f.type == LIST and f.choices:
        parts[0] = "list of " + parts[0]
    if f.required:
        parts.append("required")
    if f.max_len:
        parts.append(f"≤ {f.max_len} characters")
    if f.free_text and f.keep == BOOKING:
        parts.append("personal: blanked `privacy.keep_booking_days` after the slot")
    elif f.free_text and f.keep == APPEAL:
        parts.append("the appeal's file: blanked `privacy.keep_appeal_days` after the appeal closes")
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


__all__ = ["APPEAL_TEXT", "BOOKING_TEXT", "EVENT_TYPES", "FREE_TEXT", "NOT_TYPED", "SCHEMA", "EventSpec", "Field",
           "check_event",
           "field_of", "markdown_table", "without_free_text"]
