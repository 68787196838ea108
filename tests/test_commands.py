"""Commands as named objects, authorised by name in one table (issue #15, items 5 and 11).

Every command has one handler and one rule; each refusal of the table is tested
through the service layer, and the call-button pad's least privilege (next and
recall, nothing else; the issue found it could start, transfer, finish, no-show
and pause) through the API too.
"""
from __future__ import annotations

import dataclasses

import pytest
from live_office import make_office_dir
from tests_support import KIOSK, operator

from queue_server.app import create_app
from queue_server.auth import Forbidden, Principal
from queue_server.domain import commands as c
from queue_server.service.authz import RULES, SYSTEM
from queue_server.service.handlers import HANDLERS

PAD = Principal("device", "pad-1", "buttons")
BOARD = Principal("device", "board-1", "display")
HEAD = Principal("staff", "head", "head")
ADMIN = Principal("staff", "admin", "admin")
OP1, OP2 = operator("op1", "1"), operator("op2", "2")


def all_commands() -> set[type]:
    out, todo = set(), [c.Command]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub is not c.CounterCommand:
                out.add(sub)
    return out


def test_every_command_has_one_handler_and_one_rule_and_is_a_frozen_dataclass():
    assert set(HANDLERS) == set(RULES) == all_commands()
    for cls in all_commands():
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls
    assert c.CallNext("1").name == "CallNext"


COUNTER_COMMANDS = [c.StartService("1"), c.FinishService("1"), c.Transfer("1", "consultation"), c.NoShow("1"),
                    c.PauseCounter("1"), c.ResumeCounter("1"), c.OpenCounter("1"), c.CloseCounter("1")]
# (who, command): each is refused by the table, whatever the office's state
REFUSALS = (
    [(PAD, cmd) for cmd in COUNTER_COMMANDS]
    + [(PAD, c.IssueTicket("reception")), (PAD, c.CancelVisit("v"))]
    + [(KIOSK, cmd) for cmd in (c.CallNext("1"), c.Recall("1"), *COUNTER_COMMANDS, c.CancelVisit("v"), c.EndOfDay())]
    + [(BOARD, cmd) for cmd in (c.IssueTicket("reception"), c.CallNext("1"), c.CancelVisit("v"))]
    + [(HEAD, cmd) for cmd in (c.CallNext("1"), c.Recall("1"), *COUNTER_COMMANDS, c.CancelVisit("v"))]
    + [(OP1, cmd) for cmd in (c.CallNext("2"), c.Recall("2"), c.StartService("2"), c.FinishService("2"),
                              c.Transfer("2", "reception"), c.NoShow("2"), c.PauseCounter("2"),
                              c.ResumeCounter("2"), c.OpenCounter("2"), c.CloseCounter("2"))]
    + [(who, c.ReportDevice("fault")) for who in (OP1, HEAD, ADMIN)]
    + [(who, c.EndOfDay()) for who in (OP1, HEAD, ADMIN, PAD)]
    + [(Principal("system", "intruder", "system"), c.EndOfDay())]
)


@pytest.fixture(scope="module")
def office_app(tmp_path_factory):
    """One real office for the refusals: a refusal changes nothing."""
    app = create_app(make_office_dir(tmp_path_factory.mktemp("refusals") / "office"))
    app.service.handle(c.OpenCounter("1"), OP1)
    yield app
    app.close()


@pytest.mark.parametrize("who, command", REFUSALS, ids=[f"{w.subject}-{cmd.name}" for w, cmd in REFUSALS])
def test_the_table_refuses(office_app, who, command):
    app = office_app
    before = app.store.last_seq()
    with pytest.raises(Forbidden):
        app.service.handle(command, who)
    assert app.store.last_seq() == before


def test_an_operator_cannot_cancel_a_visitor_at_another_counter_but_a_waiting_one(live_office):
    app = live_office.app
    (at_2,) = app.service.handle(c.IssueTicket("consultation"), KIOSK)
    (waiting,) = app.service.handle(c.IssueTicket("payments"), KIOSK)
    app.service.handle(c.CallNext("2"), OP2)
    with pytest.raises(Forbidden, match="not 2"):
        app.service.handle(c.CancelVisit(at_2.visit), OP1)
    assert app.service.handle(c.CancelVisit(waiting.visit), OP1)[0].type == "visit.cancelled"


def test_the_office_itself_runs_the_midnight_sweep(live_office):
    assert live_office.app.service.handle(c.EndOfDay()) == []
    assert live_office.app.service.handle(c.EndOfDay(), SYSTEM) == []


@pytest.mark.parametrize("action, body", [("start", {}), ("finish", {}), ("transfer", {"service_id": "consultation"}),
                                          ("no-show", {}), ("pause", {"reason": "break"}), ("resume", {})])
def test_a_call_button_pad_only_calls(live_office, action, body):
    """Issue #15: a pad's token could start, transfer with a note, finish, no-show and pause."""
    live_office.ticket()
    assert live_office.post("/api/v1/counters/1/next", "buttons").status_code == 200
    r = live_office.post(f"/api/v1/counters/1/{action}", "buttons", body)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden" and "Recall" not in r.json()["error"]["message"]
    assert live_office.post("/api/v1/counters/1/recall", "buttons").status_code == 200
    step = live_office.get("/api/v1/state", "head").json()["counters"][0]["current"]
    assert step["state"] == "called" and step["recalls"] == 1


def test_the_api_docs_say_who_may_run_each_command(live_office):
    doc = live_office.get("/api/openapi.json").json()
    assert "buttons" in doc["paths"]["/api/v1/counters/{counter_id}/next"]["post"]["description"]
    assert "buttons" not in doc["paths"]["/api/v1/counters/{counter_id}/finish"]["post"]["description"]
