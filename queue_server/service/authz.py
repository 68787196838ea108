"""Who may run which command: one table, checked in one place.

Least privilege by the command's name: a kiosk issues tickets and nothing
else; a call-button pad calls the next visitor and recalls, nothing else; an
operator acts at the counter of their session; an administrator may step in
anywhere; the office head watches and reports but does not serve. Checked by
`authorize`, which the service layer runs under the writer's lock, so a rule
that depends on the office's state (whose counter a visitor is at) sees the
state the command will act on.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..auth import Forbidden, Principal
from ..domain import commands as c
from ..domain.event_schema import DEVICE_KINDS
from ..domain.model import ACTIVE_STEP_STATES
from ..domain.office import Office

COUNTER, VISIT = "counter", "visit"
SERVING = ("operator", "admin")
HEADS = ("head", "admin")
STAFF = ("operator", "head", "admin")
# The office itself (the midnight sweep, start-up): not a login, never a token.
SYSTEM = Principal("system", "", "system")
# Anyone without a login: a visitor booking a time (/book), acting on a booking whose
# code they hold, rating their visit from the tracking page (the visit's id is the key).
# One principal for all of them; each public endpoint keeps its per-address rate
# (api/public_limit.py) and, for bookings, the proof of work (api/booking_guard.py).
PUBLIC = Principal("public", "", "public")


@dataclass(frozen=True)
class Rule:
    staff: tuple[str, ...] = ()  # staff roles that may run it
    devices: tuple[str, ...] = ()  # device kinds that may run it
    system: bool = False  # the office itself
    public: bool = False  # anyone without a login (PUBLIC): a code or the visit's link is the key
    place: str = ""  # COUNTER: an operator only at their session's counter; VISIT: at the visit's counter

    def describe(self) -> str:
        who = [*self.staff, *(f"a {d} device" for d in self.devices)] + (["the office itself"] if self.system else [])
        who += ["anyone, without a login (a code or the visit's link)"] if self.public else []
        where = {COUNTER: " (an operator at the counter of their session)",
                 VISIT: " (an operator only for a visitor at their counter)"}.get(self.place, "")
        return ", ".join(who) + where


RULES: dict[type[c.Command], Rule] = {
    c.IssueTicket: Rule(staff=("operator", "head", "admin"), devices=("kiosk",)),
    c.OpenCounter: Rule(staff=SERVING, place=COUNTER),
    c.CloseCounter: Rule(staff=SERVING, place=COUNTER),
    c.CallNext: Rule(staff=SERVING, devices=("buttons",), place=COUNTER),
    c.Recall: Rule(staff=SERVING, devices=("buttons",), place=COUNTER),
    c.StartService: Rule(staff=SERVING, place=COUNTER),
    c.FinishService: Rule(staff=SERVING, place=COUNTER),
    c.Transfer: Rule(staff=SERVING, place=COUNTER),
    c.NoShow: Rule(staff=SERVING, place=COUNTER),
    c.PauseCounter: Rule(staff=SERVING, place=COUNTER),
    c.ResumeCounter: Rule(staff=SERVING, place=COUNTER),
    c.CancelVisit: Rule(staff=SERVING, place=VISIT),
    c.EndOfDay: Rule(system=True),
    c.ReportDevice: Rule(devices=DEVICE_KINDS),
    c.MakeBooking: Rule(staff=STAFF, public=True),
    c.RescheduleBooking: Rule(staff=STAFF, public=True),
    c.CancelBooking: Rule(staff=STAFF, public=True),
    c.CheckInBooking: Rule(staff=STAFF, devices=("kiosk",), public=True),
    c.MarkBookingNoShows: Rule(system=True),
    c.RecordBookingMessage: Rule(system=True),
    c.RegisterAppeal: Rule(staff=STAFF),
    c.ExtendAppeal: Rule(staff=HEADS),
    c.DecideAppeal: Rule(staff=HEADS),
    c.CloseAppeal: Rule(staff=HEADS),
    c.RecordAppealSlip: Rule(staff=STAFF),
    c.RateVisit: Rule(devices=("display", "buttons"), public=True),
    c.RateAtCounter: Rule(devices=("display", "buttons")),
    c.ComplainAfterRating: Rule(public=True),
    c.RecordDelivery: Rule(system=True),
}


def authorize(who: Principal, command: c.Command, office: Office) -> None:
    """Raise Forbidden unless `who` may run `command` on the office as it is now."""
    rule = RULES[type(command)]
    if who.kind == "staff":
        allowed = who.role in rule.staff
    elif who.kind == "device":
        allowed = who.role in rule.devices
    elif who.kind == "public":
        allowed = rule.public and who == PUBLIC
    else:
        allowed = rule.system and who == SYSTEM
    if not allowed:
        raise Forbidden("Not allowed for this account: {command}", command=command.name)
    if who.kind != "staff" or who.role != "operator":
        return  # an admin steps in anywhere; a pad is wired to the counter it calls for
    if rule.place == COUNTER:
        assert isinstance(command, c.CounterCommand)
        _at(who, command.counter_id)
    elif rule.place == VISIT:
        assert isinstance(command, c.CancelVisit)
        visit = office.visits.get(command.visit_id)
        step = visit.current_step if visit is not None else None
        if step is not None and step.counter_id and step.state in ACTIVE_STEP_STATES:
            _at(who, step.counter_id)


def _at(who: Principal, counter_id: str) -> None:
    if who.counter_id != counter_id:
        raise Forbidden("You are logged in at counter {mine}, not {counter_id}",
                        mine=who.counter_id or "—", counter_id=counter_id)
