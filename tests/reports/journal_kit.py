"""A small kit to write office days as journal events with local clock times.

Tests build days THROUGH THE JOURNAL: every figure a test expects is worked
out by hand from the events written here, never from the engine.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import Catalog, Counter, Service, standard_roles
from queue_server.domain.events import Event


def catalog(tz: str = "Europe/Moscow") -> Catalog:
    services = {
        "adm": Service("adm", "Приём у администратора", "Administrator desk", "administrator", "А"),
        "con": Service("con", "Консультация", "Consultation", "consultant", "К"),
        "cash": Service("cash", "Касса", "Cash desk", "cashier", "П"),
    }
    counters = {
        "1": Counter("1", "Окно 1", ("adm",)),
        "2": Counter("2", "Окно 2", ("con",)),
        "3": Counter("3", "Касса 3", ("cash",)),
    }
    return Catalog("ЦОК Тестовый", standard_roles(), services, counters, timezone=tz)


class Day:
    """Events of one office day; times are local clock text 'HH:MM[:SS]'."""

    def __init__(self, day: date, tz: str = "Europe/Moscow") -> None:
        self.day = day
        self.zone = ZoneInfo(tz)
        self.events: list[Event] = []

    def at(self, clock: str, day_offset: int = 0, fold: int = 0) -> datetime:
        parts = [int(p) for p in clock.split(":")] + [0]
        local = datetime.combine(self.day + timedelta(days=day_offset), datetime.min.time())
        local = local.replace(hour=parts[0], minute=parts[1], second=parts[2],
                              tzinfo=self.zone, fold=fold)
        return local

    def add(self, type_: str, clock: str | datetime, visit: str | None = None,
            step: int | None = None, service: str | None = None, counter: str | None = None,
            operator: str | None = None, day_offset: int = 0, **data) -> Day:
        at = clock if isinstance(clock, datetime) else self.at(clock, day_offset)
        self.events.append(Event(type_, at, visit, step, service, counter, operator, data,
                                 seq=len(self.events) + 1))
        return self

    # the verbs of a visit, in the journal's words
    def issue(self, clock, visit, service, **kw):
        data = {"number": visit, "priority": kw.pop("priority", None), "channel": "kiosk",
                "lang": "ru"}
        return self.add("visit.issued", clock, visit, 1, service, day_offset=kw.pop("day_offset", 0),
                        **data)

    def call(self, clock, visit, step, service, counter, operator, **kw):
        return self.add("step.called", clock, visit, step, service, counter, operator, **kw)

    def recall(self, clock, visit, step, service, counter, operator, **kw):
        return self.add("step.recalled", clock, visit, step, service, counter, operator, **kw)

    def start(self, clock, visit, step, service, counter, operator, **kw):
        return self.add("step.started", clock, visit, step, service, counter, operator, **kw)

    def finish(self, clock, visit, step, service, counter, operator, kind=None, topic=None,
               outcome="served", **kw):
        return self.add("step.finished", clock, visit, step, service, counter, operator,
                        outcome=outcome, kind=kind, topic=topic, **kw)

    def transfer(self, clock, visit, step, service, counter, operator, to, **kw):
        return self.add("step.transferred", clock, visit, step, service, counter, operator,
                        to_service=to, note="", **kw)

    def no_show(self, clock, visit, step, service, counter, operator, **kw):
        return self.add("step.no_show", clock, visit, step, service, counter, operator, **kw)

    def cancel(self, clock, visit, step=None, service=None, **kw):
        return self.add("visit.cancelled", clock, visit, step, service, **kw)

    def counter(self, clock, what, counter, operator=None, **kw):
        return self.add("counter." + what, clock, None, None, None, counter, operator, **kw)

    def sorted(self) -> list[Event]:
        """Journal order: by time, then by the order written."""
        return sorted(self.events, key=lambda e: (e.at, e.seq))

    def lines(self) -> list[dict]:
        return [e.to_line() for e in self.sorted()]

    def rows(self) -> list[tuple]:
        """As SQLite would hand them: line-order tuples, data as JSON text."""
        import json
        out = []
        for e in self.sorted():
            line = e.to_line()
            out.append((line["seq"], line["at"], line["type"], line["visit"], line["step"],
                        line["service"], line["counter"], line["operator"],
                        json.dumps(line["data"], ensure_ascii=False)))
        return out


THE_DAY = date(2024, 3, 5)


def busy_morning(d: Day | None = None) -> Day:
    """Six visits of 5 March 2024 in Moscow with hand-computed figures.

    V1 administrator -> consultant -> cashier (three roles, cashier without a
    start: service from the call); V2 recalled twice, no start; V3 a no-show
    after a recall; V4 administrator -> consultant -> back to the
    administrator; V5 called at 19:50 and never finished (open at close);
    V6 cancelled while waiting. Plus noise the report must ignore: a visit
    issued the day before, one issued the day after, device events.
    """
    d = d or Day(THE_DAY)
    # noise before the day: issued yesterday, finished this morning
    d.issue("19:00", "V0", "adm", day_offset=-1)
    d.call("08:55", "V0", 1, "adm", "1", "opA")
    d.finish("08:58", "V0", 1, "adm", "1", "opA", kind="payment", topic="other")
    d.add("device.fault", "08:59", operator="kiosk-1", component="printer", kind="paper")
    d.counter("08:50", "opened", "1", "opA")
    d.counter("12:00", "paused", "1", "opA")
    d.counter("12:30", "resumed", "1", "opA")
    d.counter("18:00", "closed", "1", "opA")
    # V1: three roles
    d.issue("09:00", "V1", "adm")
    d.call("09:04", "V1", 1, "adm", "1", "opA")
    d.start("09:04:30", "V1", 1, "adm", "1", "opA")
    d.transfer("09:07:30", "V1", 1, "adm", "1", "opA", to="con")
    d.call("09:17:30", "V1", 2, "con", "2", "opB")
    d.start("09:18", "V1", 2, "con", "2", "opB")
    d.transfer("09:33", "V1", 2, "con", "2", "opB", to="cash")
    d.call("09:38", "V1", 3, "cash", "3", "opC")
    d.finish("09:43", "V1", 3, "cash", "3", "opC", kind="payment", topic="metering")
    # V2: recalled twice, no start event
    d.issue("09:10", "V2", "adm")
    d.call("09:15", "V2", 1, "adm", "1", "opA")
    d.recall("09:16", "V2", 1, "adm", "1", "opA")
    d.recall("09:17", "V2", 1, "adm", "1", "opA")
    d.finish("09:20", "V2", 1, "adm", "1", "opA", kind="consultation", topic="energy_supply")
    # V3: no-show
    d.issue("09:20", "V3", "adm")
    d.call("09:30", "V3", 1, "adm", "1", "opA")
    d.recall("09:31", "V3", 1, "adm", "1", "opA")
    d.no_show("09:32", "V3", 1, "adm", "1", "opA")
    # V4: back to the administrator
    d.issue("10:00", "V4", "adm")
    d.call("10:02", "V4", 1, "adm", "1", "opA")
    d.start("10:02", "V4", 1, "adm", "1", "opA")
    d.transfer("10:05", "V4", 1, "adm", "1", "opA", to="con")
    d.call("10:25", "V4", 2, "con", "2", "opB")
    d.start("10:25:30", "V4", 2, "con", "2", "opB")
    d.transfer("10:45:30", "V4", 2, "con", "2", "opB", to="adm")
    d.call("10:50:30", "V4", 3, "adm", "1", "opA")
    d.start("10:51", "V4", 3, "adm", "1", "opA")
    d.finish("10:55", "V4", 3, "adm", "1", "opA", kind="complaint", topic="power_quality",
             outcome="unresolved")
    # V6: cancelled while waiting
    d.issue("11:00", "V6", "con")
    d.cancel("11:30", "V6", 1, "con")
    # V5: open at close
    d.issue("19:30", "V5", "cash")
    d.call("19:50", "V5", 1, "cash", "3", "opC")
    d.start("19:51", "V5", 1, "cash", "3", "opC")
    # noise after the day
    d.issue("09:00", "V7", "adm", day_offset=1)
    d.call("09:01", "V7", 1, "adm", "1", "opA", day_offset=1)
    return d


def summary(n, mean, median, p90, top, share):
    return {"n": n, "mean_s": mean, "median_s": median, "p90_s": p90, "max_s": top,
            "within_norm_share": share}


NULL = summary(0, None, None, None, None, None)

# the hand-computed figures of busy_morning (see its docstring for the events)
EXPECTED_ROLES = {
    "administrator": {
        "steps": 5, "no_shows": 1, "recalls": 3, "open": 0,
        "norm": {"wait_s": 600, "service_s": 300},
        # waits V1 240, V2 300, V4 120, V4' 300; services V1 180, V2 180, V4 180, V4' 240
        "wait": summary(4, 240.0, 240.0, 300.0, 300.0, 1.0),
        "service": summary(4, 195.0, 180.0, 240.0, 240.0, 1.0),
        "verdict": {"wait_ok": True, "service_ok": True},
    },
    "consultant": {
        "steps": 3, "no_shows": 0, "recalls": 0, "open": 0,
        "norm": {"wait_s": 1200, "service_s": 900},
        # waits V1 600, V4 1200 (at the norm: within); services V1 900, V4 1200
        "wait": summary(2, 900.0, 600.0, 1200.0, 1200.0, 1.0),
        "service": summary(2, 1050.0, 900.0, 1200.0, 1200.0, 0.5),
        "verdict": {"wait_ok": True, "service_ok": False},
    },
    "cashier": {
        "steps": 2, "no_shows": 0, "recalls": 0, "open": 1,
        "norm": {"wait_s": 1200, "service_s": 600},
        # waits V1 300, V5 1200 (open: its wait counts); service V1 300 (from the call)
        "wait": summary(2, 750.0, 300.0, 1200.0, 1200.0, 1.0),
        "service": summary(1, 300.0, 300.0, 300.0, 300.0, 1.0),
        "verdict": {"wait_ok": True, "service_ok": True},
    },
    "admin_consultant": {
        "steps": 0, "no_shows": 0, "recalls": 0, "open": 0,
        "norm": {"wait_s": 1200, "service_s": 900},
        "wait": NULL, "service": NULL,
        "verdict": {"wait_ok": None, "service_ok": None},
    },
}
# totals V1 2580, V2 600, V3 720, V4 3300, V6 1800; V5 open
EXPECTED_VISITS = {
    "count": 6, "completed": 5, "no_shows": 1, "cancelled": 1, "transferred": 2,
    "transfers": 4, "open_at_close": 1, "norm_s": 3600,
    "total": summary(5, 1800.0, 1800.0, 3300.0, 3300.0, 1.0),
    "verdict": {"total_ok": True},
    "by_priority": {}, "by_channel": {"kiosk": 6},
}
