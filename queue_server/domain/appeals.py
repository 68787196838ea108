"""The appeals registry (GOST R 53368-2009 §7): codes, deadlines, decisions.

An appeal — a complaint, an application, a question or a suggestion — is
registered with an identification code (§7.2), the facts §7.3 asks for and an
answer date; the clock runs in calendar days in the office's time zone. It can
be extended with a reason and a written notice (§7.6), is decided justified,
unjustified or partly with an answer (§7.7–7.8), and closes when the customer
accepts; a decision the customer does not accept leaves it open for another
look (§7.8). The registry lives for years, unlike a day's queue, so it is
folded from its own events over the whole journal (OfficeService.rebuild).

Each event carries what a report or a status page needs (the due date in force,
whether a decision was in time, what the record lacked), so the journal states
the facts and nothing is recomputed later from a configuration that may have
changed since.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from . import events as ev
from .catalog import APPEAL_TOPICS
from .codes import new_code, read_code, spaced
from .contacts import normalize_email, normalize_phone
from .errors import InvalidInput, InvalidState, NotFound
from .events import Event

KINDS = ("complaint", "application", "question", "suggestion")
TOPICS = APPEAL_TOPICS
CHANNELS = ("in_person", "phone", "post", "email", "web")
IN_PERSON = "in_person"
DECISIONS = ("justified", "unjustified", "partly")
REGISTERED, EXTENDED, DECIDED, DISPUTED, CLOSED = "registered", "extended", "decided", "disputed", "closed"
STATUSES = (REGISTERED, EXTENDED, DECIDED, DISPUTED, CLOSED)
AWAITING = (REGISTERED, EXTENDED, DISPUTED)  # the office owes an answer: the clock runs
DEFAULT_ANSWER_DAYS = 14  # GOST R 53368 §5.24; seed 000 slide 9
# The standard's table for remote service (seed 000 slide 8): by e-mail, a question or an
# application within 3 days, a complaint within 14.
DEFAULT_TERMS = {"question.email": 3, "application.email": 3}
MAX_TERM_DAYS = 366
MISSING_FIELDS = ("service", "contract", "contact")  # §7.4 and §6.2.1.9: what a complaint's record needs
CONTACT_KEYS = ("name", "email", "phone", "address")
LEN = {"text": 4000, "requested_action": 1000, "immediate_measures": 1000, "answer": 8000,
       "reason": 1000, "contract": 40, "name": 200, "email": 254, "phone": 32, "address": 300}
DUE_TIME = time(23, 59, 59)  # an answer is in time until the end of the due day


@dataclass(frozen=True)
class AppealRules:
    """How an office counts its deadlines (office.toml `[appeals]`), and how long after a
    visit the visitor may rate it (`ratings.window_hours`)."""

    timezone: str = "Europe/Moscow"
    answer_days: int = DEFAULT_ANSWER_DAYS
    terms: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TERMS))  # "kind" or "kind.channel"
    max_extension_days: int = 10
    closed_weekdays: frozenset[int] = frozenset()  # 0 = Monday: days the office does not work
    holidays: frozenset[date] = frozenset()
    move_off_closed_days: bool = True
    repeat_window_days: int = 365
    rating_window_hours: int = 24
    counter_rating_minutes: int = 5  # a counter display or pad rates the visit just served there

    def days_for(self, kind: str, channel: str) -> int:
        """Answer days for a kind on a channel: "kind.channel", else "kind", else the default."""
        return self.terms.get(f"{kind}.{channel}", self.terms.get(kind, self.answer_days))

    def due(self, start: datetime, days: int) -> tuple[date, datetime]:
        """The due date and the moment it ends: `days` calendar days after the local date
        of `start` (the term starts the next day), moved to the next working day when it
        falls on a day the office is closed (a weekday off or a holiday), as the Civil Code
        moves a term's last day (art. 193). The end of the day is local, so a DST change in
        between moves nothing."""
        zone = ZoneInfo(self.timezone)
        day = start.astimezone(zone).date() + timedelta(days=days)
        return self.due_on(day)

    def due_on(self, day: date) -> tuple[date, datetime]:
        zone = ZoneInfo(self.timezone)
        if self.move_off_closed_days:
            for _ in range(MAX_TERM_DAYS):
                if day.weekday() not in self.closed_weekdays and day not in self.holidays:
                    break
                day += timedelta(days=1)
        return day, datetime.combine(day, DUE_TIME, tzinfo=zone)


@dataclass
class Appeal:
    """One appeal as the registry knows it (folded from its events)."""

    code: str
    kind: str
    topic: str
    channel: str
    registered_at: datetime
    due_date: str
    due_at: datetime
    registered_by: str | None = None
    counter_id: str | None = None
    service_id: str | None = None
    visit_id: str | None = None
    contract: str = ""
    contact: dict = field(default_factory=dict)
    text: str = ""
    requested_action: str = ""
    immediate_measures: str = ""
    repeat_of: str | None = None
    missing: tuple[str, ...] = ()
    status: str = REGISTERED
    extended_days: int = 0
    history: list[dict] = field(default_factory=list)  # every change, for the staff's view
    decision: str | None = None
    answer: str = ""
    decided_at: datetime | None = None
    first_decided_at: datetime | None = None
    decided_in_time: bool | None = None
    closed_at: datetime | None = None
    accepted: bool | None = None
    slips: int = 0
    blanked: bool = False

    @property
    def awaiting(self) -> bool:
        return self.status in AWAITING

    def overdue(self, now: datetime) -> bool:
        return self.awaiting and now > self.due_at

    def due_within(self, now: datetime, days: int, timezone: str) -> bool:
        """Awaiting an answer, not overdue, and due today or within `days` calendar days (local)."""
        today = now.astimezone(ZoneInfo(timezone)).date()
        return self.awaiting and not self.overdue(now) and date.fromisoformat(self.due_date) <= today + timedelta(days=days)

    def public(self) -> dict:
        """What anyone with the code may see (§7.5): status and dates, nothing personal."""
        out = {"code": self.code, "status": self.status, "registered_at": ev.format_at(self.registered_at),
               "due_at": ev.format_at(self.due_at)}
        if self.decided_at is not None:
            out["decided_at"] = ev.format_at(self.decided_at)
        return out


def _text(name: str, value, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("{name} must be text", name=name)
    value = value.strip()
    if required and not value:
        raise InvalidInput("{name} is required", name=name)
    if len(value) > LEN[name]:
        raise InvalidInput("{name} is longer than {n} characters", name=name, n=LEN[name])
    return value


def _choice(name: str, value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInput("{name} must be one of: {allowed}", name=name, allowed=", ".join(allowed))
    return value


def clean_contact(contact: dict | None) -> dict:
    """The contact as the customer gave it, each part in its one written form; empty parts dropped."""
    if contact is None:
        return {}
    if not isinstance(contact, dict):
        raise InvalidInput("contact must be an object")
    out = {}
    for key, value in contact.items():
        if key not in CONTACT_KEYS:
            raise InvalidInput("contact has no field {name}", name=key)
        value = _text(key, value)
        if not value:
            continue
        if key == "email":
            value = normalize_email(value)
        elif key == "phone":
            value = normalize_phone(value)
        out[key] = value
    return out


def _same_customer(a: Appeal, contract: str, contact: dict) -> bool:
    if contract and a.contract and contract.casefold() == a.contract.casefold():
        return True
    return any(contact.get(k) and contact.get(k) == a.contact.get(k) for k in ("email", "phone"))


class AppealRegistry:
    """Every appeal of the office, by code; commands return events, `apply` folds them."""

    def __init__(self, rules: AppealRules):
        self.rules = rules
        self.appeals: dict[str, Appeal] = {}

    # ---- reading -------------------------------------------------------------
    def get(self, code: str) -> Appeal:
        """The appeal a typed or scanned code names; NotFound for anything else."""
        clean = read_code(code)
        appeal = self.appeals.get(clean) if clean else None
        if appeal is None:
            raise NotFound("No appeal {code}", code=(code or "")[:20])
        return appeal

    def find(self, code: str) -> Appeal | None:
        clean = read_code(code)
        return self.appeals.get(clean) if clean else None

    def listing(self, now: datetime, status: str | None = None, overdue: bool = False,
                due_within_days: int | None = None) -> list[Appeal]:
        """Appeals by due date: a status, only overdue ones, or those due within n calendar days."""
        out = []
        for a in self.appeals.values():
            if status == "open" and a.status == CLOSED:
                continue
            if status not in (None, "", "open") and a.status != status:
                continue
            if overdue and not a.overdue(now):
                continue
            if due_within_days is not None and not a.due_within(now, due_within_days, self.rules.timezone):
                continue
            out.append(a)
        return sorted(out, key=lambda a: (a.due_at, a.registered_at))

    # ---- commands: validate and return events -----------------------------------
    def register(self, now: datetime, who: str | None, *, kind: str, topic: str, channel: str, text: str,
                 requested_action: str | None = None, immediate_measures: str | None = None,
                 service_id: str | None = None, visit_id: str | None = None, contract: str | None = None,
                 contact: dict | None = None, counter_id: str | None = None, repeat_of: str | None = None,
                 known_service: Callable[[str], bool] = lambda s: True,
                 known_counter: Callable[[str], bool] = lambda c: True) -> Event:
        _choice("kind", kind, KINDS)
        _choice("topic", topic, TOPICS)
        _choice("channel", channel, CHANNELS)
        text = _text("text", text, required=True)
        contract = _text("contract", contract)
        people = clean_contact(contact)
        if service_id is not None and not known_service(service_id):
            raise InvalidInput("Unknown service {service_id}", service_id=service_id)
        if counter_id is not None and not known_counter(counter_id):
            raise InvalidInput("No counter {counter_id}", counter_id=counter_id)
        if repeat_of:
            repeat_of = self.get(repeat_of).code
        elif kind == "complaint":
            repeat_of = self._earlier_complaint(now, topic, contract, people)
        days = self.rules.days_for(kind, channel)
        due_date, due_at = self.rules.due(now, days)
        code = new_code(lambda c: c in self.appeals)
        missing = []
        if kind == "complaint":
            missing = [name for name, have in (("service", service_id), ("contract", contract),
                                               ("contact", people)) if not have]
        data = {"code": code, "kind": kind, "topic": topic, "channel": channel, "text": text,
                "requested_action": _text("requested_action", requested_action),
                "immediate_measures": _text("immediate_measures", immediate_measures),
                "contract": contract, "contact": people, "visit_id": visit_id, "answer_days": days,
                "due_date": due_date.isoformat(), "due_at": ev.format_at(due_at), "repeat_of": repeat_of,
                "missing": missing}
        return Event(ev.APPEAL_REGISTERED, now, service=service_id, counter=counter_id, operator=who, data=data)

    def _earlier_complaint(self, now: datetime, topic: str, contract: str, contact: dict) -> str | None:
        """A complaint of the same customer on the same topic within the repeat window (§7.11)."""
        since = now - timedelta(days=self.rules.repeat_window_days)
        earlier = [a for a in self.appeals.values()
                   if a.kind == "complaint" and a.topic == topic and a.registered_at >= since
                   and _same_customer(a, contract, contact)]
        return max(earlier, key=lambda a: a.registered_at).code if earlier else None

    def extend(self, now: datetime, who: str | None, code: str, days: int, reason: str) -> Event:
        a = self.get(code)
        if not a.awaiting:
            raise InvalidState("Appeal {code} is {status}: only an appeal awaiting its answer is extended",
                               code=a.code, status=a.status)
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise InvalidInput("days must be a whole number from 1")
        limit = self.rules.max_extension_days
        if limit and a.extended_days + days > limit:
            raise InvalidInput("An appeal is extended by {limit} days at most in all ({used} used)",
                               limit=limit, used=a.extended_days)
        reason = _text("reason", reason, required=True)
        due_date, due_at = self.rules.due_on(date.fromisoformat(a.due_date) + timedelta(days=days))
        return Event(ev.APPEAL_EXTENDED, now, operator=who, service=a.service_id, data={
            "code": a.code, "days": days, "reason": reason, "due_date": due_date.isoformat(),
            "due_at": ev.format_at(due_at), "late": now > a.due_at})

    def decide(self, now: datetime, who: str | None, code: str, decision: str, answer: str) -> Event:
        a = self.get(code)
        if not a.awaiting:
            raise InvalidState("Appeal {code} is {status}: only an appeal awaiting its answer is decided",
                               code=a.code, status=a.status)
        _choice("decision", decision, DECISIONS)
        answer = _text("answer", answer, required=True)
        rounds = [h for h in a.history if h["type"] == ev.APPEAL_DECIDED]
        rejected = any(h["decision"] == "unjustified" for h in rounds)
        return Event(ev.APPEAL_DECIDED, now, operator=who, service=a.service_id, data={
            "code": a.code, "decision": decision, "answer": answer, "round": len(rounds) + 1,
            "due_at": ev.format_at(a.due_at), "in_time": now <= a.due_at,
            "reversed": rejected and decision != "unjustified"})

    def close(self, now: datetime, who: str | None, code: str, accepted: bool) -> Event:
        """The customer's word on the decision: accepted closes it; not accepted leaves it open
        for another look (§7.8), with a new answer date counted from today."""
        a = self.get(code)
        if a.status != DECIDED:
            raise InvalidState("Appeal {code} is {status}: the customer accepts or rejects a decision",
                               code=a.code, status=a.status)
        if not isinstance(accepted, bool):
            raise InvalidInput("accepted must be true or false")
        data: dict = {"code": a.code, "accepted": accepted}
        if not accepted:
            due_date, due_at = self.rules.due(now, self.rules.days_for(a.kind, a.channel))
            data.update(due_date=due_date.isoformat(), due_at=ev.format_at(due_at))
        return Event(ev.APPEAL_CLOSED, now, operator=who, service=a.service_id, data=data)

    def slip_printed(self, now: datetime, who: str | None, code: str, counter_id: str | None,
                     error: str | None) -> Event:
        a = self.get(code)
        return Event(ev.APPEAL_SLIP, now, counter=counter_id, operator=who, service=a.service_id,
                     data={"code": a.code, "ok": error is None, "error": (error or "")[:300] or None})

    # ---- applying events ----------------------------------------------------------
    def apply(self, e: Event) -> None:
        d = e.data
        if e.type == ev.APPEAL_REGISTERED:
            self.appeals[d["code"]] = Appeal(
                code=d["code"], kind=d["kind"], topic=d["topic"], channel=d["channel"], registered_at=e.at,
                due_date=d["due_date"], due_at=ev.parse_at(d["due_at"]), registered_by=e.operator,
                counter_id=e.counter, service_id=e.service, visit_id=d.get("visit_id"),
                contract=d.get("contract") or "", contact=d.get("contact") or {}, text=d.get("text") or "",
                requested_action=d.get("requested_action") or "",
                immediate_measures=d.get("immediate_measures") or "", repeat_of=d.get("repeat_of"),
                missing=tuple(d.get("missing") or ()), blanked=not d.get("text"),
                history=[{"type": e.type, "at": e.at, "by": e.operator, "due_date": d["due_date"]}])
            return
        a = self.appeals.get(appeal_code_of(e) or "")
        if a is None:
            return
        entry = {"type": e.type, "at": e.at, "by": e.operator}
        if e.type == ev.APPEAL_EXTENDED:
            a.extended_days += d["days"]
            a.due_date, a.due_at = d["due_date"], ev.parse_at(d["due_at"])
            a.status = DISPUTED if a.status == DISPUTED else EXTENDED
            entry.update(days=d["days"], reason=d.get("reason") or "", due_date=d["due_date"], late=d.get("late"))
        elif e.type == ev.APPEAL_DECIDED:
            a.status, a.decision, a.answer, a.decided_at = DECIDED, d["decision"], d.get("answer") or "", e.at
            if a.first_decided_at is None:
                a.first_decided_at, a.decided_in_time = e.at, bool(d.get("in_time"))
            entry.update(decision=d["decision"], answer=d.get("answer") or "", in_time=d.get("in_time"),
                         reversed=d.get("reversed"))
        elif e.type == ev.APPEAL_CLOSED:
            a.accepted = d["accepted"]
            if d["accepted"]:
                a.status, a.closed_at = CLOSED, e.at
            else:
                a.status = DISPUTED
                a.due_date, a.due_at = d["due_date"], ev.parse_at(d["due_at"])
                entry.update(due_date=d["due_date"])
            entry.update(accepted=d["accepted"])
        elif e.type == ev.APPEAL_SLIP:
            a.slips += 1 if d.get("ok") else 0
            entry.update(counter=e.counter, ok=d.get("ok"), error=d.get("error"))
        elif e.type in (ev.MESSAGE_SENT, ev.MESSAGE_FAILED):
            entry.update(channel=d.get("channel"), purpose=d.get("purpose"), error=d.get("error"))
        else:
            return
        a.history.append(entry)

    def apply_blanked(self, code: str) -> None:
        """The appeal's personal data was blanked in the journal (JournalStore.blank_appeals)."""
        a = self.appeals.get(code)
        if a is not None:
            blank_appeal(a)


def blank_appeal(a: Appeal) -> None:
    a.contact, a.contract, a.text, a.requested_action, a.immediate_measures, a.answer = {}, "", "", "", "", ""
    a.history = [{k: ("" if k in ("reason", "answer") else v) for k, v in h.items()} for h in a.history]
    a.blanked = True


def spaced_code(code: str) -> str:
    """For print, e-mail and speech: "K7M2-QXPA"."""
    return spaced(code)


def appeal_code_of(e: Event) -> str | None:
    """The appeal an event is about: its `code`, or an outgoing message's `ref` "appeal:CODE"."""
    if e.type.startswith("appeal."):
        return e.data.get("code")
    ref = e.data.get("ref") or ""
    return ref[7:] if isinstance(ref, str) and ref.startswith("appeal:") else None
