"""One rule for an occupied counter, in the domain, for the API and the web alike (issue #15, item 6).

Logging in at a counter someone else works at is refused unless the newcomer
asks for a takeover. A takeover ends the old session's token for that counter
at once and is journaled; the visitor at the counter stays there and passes to
the newcomer (the HANDOVER rule, Office.open_counter). Before, an API login took
the counter over silently, the old token could still finish there and its
logout closed the newcomer's counter, while the web login refused.
"""
from __future__ import annotations

import json

import requests
from live_office import PASSWORD

from queue_server.domain import events as ev


def login(office, who: str, counter: str, **extra) -> requests.Response:
    return requests.post(f"{office.url}/api/v1/auth/login", timeout=5,
                         json={"login": who, "password": PASSWORD, "counter_id": counter, **extra})


def counter(office, counter_id: str) -> dict:
    state = office.get("/api/v1/state", "head").json()
    return next(c for c in state["counters"] if c["counter_id"] == counter_id)


def journal(office) -> list[dict]:
    return [json.loads(x) for x in office.get("/api/v1/journal", "head").text.splitlines()]


def test_an_api_login_at_an_occupied_counter_is_refused_without_a_takeover(live_office):
    seq = live_office.app.store.last_seq()
    r = login(live_office, "op1", "2")
    assert r.status_code == 409 and r.json()["error"]["code"] == "counter_taken"
    assert "op2" in r.json()["error"]["message"]
    assert counter(live_office, "2")["operator"] == "op2" and live_office.app.store.last_seq() == seq
    assert live_office.get("/api/v1/state", "op2").status_code == 200  # op2's session goes on
    assert login(live_office, "op2", "2").status_code == 200  # the same operator again: no takeover needed


def test_a_takeover_ends_the_old_session_and_hands_the_visitor_over(live_office):
    live_office.ticket("consultation")
    assert live_office.post("/api/v1/counters/2/next", "op2").status_code == 200
    visit = counter(live_office, "2")["current"]["visit_id"]
    r = login(live_office, "admin", "2", takeover=True)
    assert r.status_code == 200, r.text
    newcomer = {"Authorization": f"Bearer {r.json()['token']}"}
    # op2's token is dead at once: it cannot act there, nor close the newcomer's counter by logging out
    assert live_office.post("/api/v1/counters/2/finish", "op2").status_code == 401
    assert live_office.post("/api/v1/auth/logout", "op2").status_code == 401
    now = counter(live_office, "2")
    assert now["status"] == "open" and now["operator"] == "admin" and now["current"]["visit_id"] == visit
    closed, opened = [x for x in journal(live_office) if x["counter"] == "2"][-2:]
    assert (closed["type"], closed["operator"], closed["data"]) == (
        ev.COUNTER_CLOSED, "op2", {"reason": "taken_over", "by": "admin"})
    assert (opened["type"], opened["operator"], opened["data"]) == (
        ev.COUNTER_OPENED, "admin", {"taken_over_from": "op2", "handover": visit})
    r = requests.post(f"{live_office.url}/api/v1/counters/2/finish", json={}, headers=newcomer, timeout=5)
    assert r.status_code == 200 and r.json()["state"] == "finished"


def test_the_old_session_closes_only_its_own_counter(live_office):
    """After a takeover and a new login of the old operator elsewhere, nothing of theirs closes counter 2."""
    assert login(live_office, "op1", "2", takeover=True).status_code == 200
    assert counter(live_office, "1")["status"] == "open"  # op1's own counter 1 is not touched
    assert live_office.post("/api/v1/auth/logout", "op2").status_code == 401
    assert counter(live_office, "2")["operator"] == "op1"


def test_an_admin_works_beside_an_operator_without_moving_them(live_office):
    live_office.ticket("consultation")
    r = login(live_office, "admin", "2")
    assert r.status_code == 200 and counter(live_office, "2")["operator"] == "op2"
    token = {"Authorization": f"Bearer {r.json()['token']}"}
    assert requests.post(f"{live_office.url}/api/v1/auth/logout", headers=token, timeout=5).status_code == 204
    assert counter(live_office, "2")["status"] == "open"  # the admin's logout leaves op2's counter
