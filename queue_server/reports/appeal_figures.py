"""The appeals registry in a report: `appeals_registry`, and the quarterly monitoring form.

Counted from the registry's own lines (`appeal.*`), which carry each fact as it
was (the due date in force, whether a decision was in time, what a record
lacked), so a figure never depends on today's office.toml. The registry's
history before the period matters (an appeal registered last month may be
decided or overdue in this one): the caller passes every `appeal.*` line up to
the period's end (report_service reads them through the type index); without
them, the lines of the period alone are used.

Definitions (docs/reports.md):

* registered — appeals registered in the period; by kind, topic and channel, and
  the monitoring matrix kind × topic × in person / remote;
* decided — appeals whose FIRST decision falls in the period; decided_in_time —
  those decided by the due date then in force (extensions count; the end of the
  due day, office time); decided_late — the rest; redecided — later decisions
  (after the customer did not accept) in the period;
* overdue — appeals awaiting an answer whose due date has passed, at the end of the
  period (or at `as_of`, when the period has not ended);
* extended — appeals whose answer date was moved in the period;
* §7.11 indicators, over complaints: repeated (registered naming an earlier complaint
  of the same customer on the same topic), unjustified (decisions "unjustified"),
  rejected_then_justified (decided justified or partly after an "unjustified"),
  late_actions (decisions after the due date, and extensions asked after it), and
  record_violations (complaints registered without a service, a contract number or
  any contact, §7.4 and §6.2.1.9).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from queue_server.domain import events as ev
from queue_server.domain.appeals import (
    CHANNELS,
    DECISIONS,
    IN_PERSON,
    KINDS,
    TOPICS,
    AppealRegistry,
    AppealRules,
)
from queue_server.domain.events import Event, parse_at

PLACES = ("in_person", "remote")


def as_events(lines: Iterable) -> list[Event]:
    """Events of the registry's types, from Event objects or journal-line dicts."""
    out = []
    for line in lines:
        if isinstance(line, Exception):  # an unreadable journal row: `qserver doctor` names it
            continue
        e = line if isinstance(line, Event) else None
        if e is None:
            at = line["at"]
            e = Event(line["type"], at if isinstance(at, datetime) else parse_at(at), line.get("visit"),
                      line.get("step"), line.get("service"), line.get("counter"), line.get("operator"),
                      line.get("data") or {}, line.get("seq"))
        if e.type in ev.APPEAL_TYPES:
            out.append(e)
    return out


def place(channel: str) -> str:
    return "in_person" if channel == IN_PERSON else "remote"


def registry_figures(lines: Iterable, start: datetime, end: datetime, as_of: datetime | None = None) -> dict:
    """The registry's figures for start <= at < end (see the module's definitions)."""
    registry = AppealRegistry(AppealRules())
    kinds = dict.fromkeys(KINDS, 0)
    topics = dict.fromkeys(TOPICS, 0)
    channels = dict.fromkeys(CHANNELS, 0)
    matrix = {k: {t: dict.fromkeys(PLACES, 0) for t in TOPICS} for k in KINDS}
    decisions = dict.fromkeys(DECISIONS, 0)
    f = {"registered": 0, "decided": 0, "decided_in_time": 0, "decided_late": 0, "redecided": 0,
         "not_accepted": 0, "closed": 0}
    ind = {"repeated": 0, "unjustified": 0, "rejected_then_justified": 0, "late_actions": 0,
           "record_violations": 0}
    extended: set[str] = set()
    for e in as_events(lines):
        if e.at >= end:
            break
        d = e.data
        inside = e.at >= start
        known = registry.appeals.get(d.get("code") or "")
        complaint = (d.get("kind") if e.type == ev.APPEAL_REGISTERED else known.kind if known else None) == "complaint"
        if inside and e.type == ev.APPEAL_REGISTERED:
            f["registered"] += 1
            kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
            topics[d["topic"]] = topics.get(d["topic"], 0) + 1
            channels[d["channel"]] = channels.get(d["channel"], 0) + 1
            matrix.setdefault(d["kind"], {}).setdefault(d["topic"], dict.fromkeys(PLACES, 0))[place(d["channel"])] += 1
            if complaint:
                ind["repeated"] += bool(d.get("repeat_of"))
                ind["record_violations"] += bool(d.get("missing"))
        elif inside and e.type == ev.APPEAL_DECIDED:
            decisions[d["decision"]] = decisions.get(d["decision"], 0) + 1
            if (d.get("round") or 1) == 1 and (known is None or known.first_decided_at is None):
                f["decided"] += 1
                f["decided_in_time" if d.get("in_time") else "decided_late"] += 1
            else:
                f["redecided"] += 1
            if complaint:
                ind["unjustified"] += d["decision"] == "unjustified"
                ind["rejected_then_justified"] += bool(d.get("reversed"))
                ind["late_actions"] += not d.get("in_time")
        elif inside and e.type == ev.APPEAL_EXTENDED:
            extended.add(d["code"])
            if complaint:
                ind["late_actions"] += bool(d.get("late"))
        elif inside and e.type == ev.APPEAL_CLOSED:
            f["closed" if d["accepted"] else "not_accepted"] += 1
        registry.apply(e)
    moment = min(end, as_of) if as_of is not None else end
    appeals = registry.appeals.values()
    return {**f, "extended": len(extended),
            "overdue": sum(1 for a in appeals if a.overdue(moment)),
            "open_at_end": sum(1 for a in appeals if a.status != "closed"),
            "by_kind": kinds, "by_topic": topics, "by_channel": channels,
            "by_place": {p: sum(n for ch, n in channels.items() if place(ch) == p) for p in PLACES},
            "by_decision": decisions, "by_kind_topic_place": matrix, "indicators": ind}


def quarter_report(lines: Iterable, office: str, tz: str, quarter: str, days: tuple[str, str], start: datetime,
                   end: datetime, as_of: datetime | None = None) -> dict:
    """The quarterly «Мониторинг обращений» (seed 002, slide 10): appeals by kind, each by
    topic, in person and remote, with shares; and the registry's figures for the quarter."""
    fig = registry_figures(lines, start, end, as_of)
    total = fig["registered"]
    matrix = fig["by_kind_topic_place"]

    def share(n: int, of: int) -> float | None:
        return round(n / of, 4) if of else None

    rows = []
    for kind in KINDS:
        by_topic = matrix.get(kind, {})
        n = sum(sum(v.values()) for v in by_topic.values())
        places = {p: sum(v[p] for v in by_topic.values()) for p in PLACES}
        rows.append({"kind": kind, "n": n, "share": share(n, total),
                     "places": {p: {"n": m, "share": share(m, total)} for p, m in places.items()},
                     "topics": [{"topic": t, "n": sum(by_topic.get(t, {}).values()),
                                 "share": share(sum(by_topic.get(t, {}).values()), n),
                                 "places": dict(by_topic.get(t, dict.fromkeys(PLACES, 0)))} for t in TOPICS]})
    places = {p: sum(r["places"][p]["n"] for r in rows) for p in PLACES}
    return {"version": 1, "kind": "appeals_quarter", "quarter": quarter, "office": office, "tz": tz,
            "from": days[0], "to": days[1], "total": total,
            "places": {p: {"n": n, "share": share(n, total)} for p, n in places.items()},
            "kinds": rows, "appeals_registry": fig}
