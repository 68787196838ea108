"""Each role is refused what it may not do, with a JSON message."""
from __future__ import annotations

import pytest
import requests


def error_of(r: requests.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return body["error"]


@pytest.mark.parametrize("path", ["/api/v1/state", "/api/v1/journal"])
def test_no_token_is_401_with_a_message(live_office, path):
    r = requests.get(live_office.url + path, timeout=5)
    assert r.status_code == 401
    assert "токен" in error_of(r)["message"]


def test_wrong_password_is_401_and_says_so_in_english_when_asked(live_office):
    r = requests.post(f"{live_office.url}/api/v1/auth/login", json={"login": "op1", "password": "nope"},
                      headers={"Accept-Language": "en"}, timeout=5)
    assert r.status_code == 401 and error_of(r)["message"] == "Wrong login or password"


def test_an_operator_acts_only_at_their_own_counter(live_office):
    live_office.ticket("consultation")
    r = live_office.post("/api/v1/counters/2/next", "op1")
    assert r.status_code == 403
    assert error_of(r)["message"] == "Вы вошли за окном 1, а не 2"
    assert live_office.post("/api/v1/counters/2/next", "op2").status_code == 200
    # …nor finish or transfer another counter's visitor.
    assert live_office.post("/api/v1/counters/2/finish", "op3").status_code == 403
    assert live_office.post("/api/v1/counters/2/transfer", "op1", {"service_id": "payments"}).status_code == 403


def test_an_operator_cannot_cancel_a_visitor_at_another_counter(live_office):
    t = live_office.ticket("consultation")
    live_office.post("/api/v1/counters/2/next", "op2")
    assert live_office.post(f"/api/v1/visits/{t['visit_id']}/cancel", "op1").status_code == 403
    assert live_office.post(f"/api/v1/visits/{t['visit_id']}/cancel", "op2").status_code == 204


def test_the_head_watches_but_does_not_serve(live_office):
    live_office.ticket()
    assert live_office.get("/api/v1/state", "head").status_code == 200
    assert live_office.get("/api/v1/journal", "head").status_code == 200
    assert live_office.post("/api/v1/counters/1/next", "head").status_code == 403
    assert live_office.post("/api/v1/journal", "head").status_code == 403


def test_devices_do_only_their_job(live_office):
    # A display may watch but not issue tickets or call; a kiosk may not call or read the journal.
    assert live_office.post("/api/v1/tickets", "display", {"service_id": "reception"}).status_code == 403
    assert live_office.post("/api/v1/counters/1/next", "display").status_code == 403
    assert live_office.post("/api/v1/counters/1/next", "kiosk").status_code == 403
    assert live_office.get("/api/v1/journal", "kiosk").status_code == 403
    # A call-button pad presses "next" for a counter, through the same rules.
    live_office.ticket()
    assert live_office.post("/api/v1/counters/1/next", "buttons").json()["number"] == "А001"


def test_an_admin_may_step_in_and_import(live_office):
    live_office.ticket()
    assert live_office.post("/api/v1/counters/1/next", "admin").status_code == 200
    r = requests.post(f"{live_office.url}/api/v1/journal", data=b"", headers=live_office.headers("admin"), timeout=5)
    assert r.status_code == 200 and r.json() == {"imported": 0, "skipped": 0}


def test_logout_revokes_the_token_and_closes_the_counter(live_office):
    assert live_office.post("/api/v1/auth/logout", "op4").status_code == 204
    assert live_office.get("/api/v1/state", "op4").status_code == 401
    state = live_office.get("/api/v1/state", "head").json()
    assert next(c for c in state["counters"] if c["counter_id"] == "4")["status"] == "closed"


def test_bad_input_gets_a_clear_4xx(live_office):
    cases = [
        ({"service_id": "nope"}, 422, "nope"),
        ({}, 422, "service_id"),
        ({"service_id": "reception", "priority": "vip"}, 422, "priority"),
        ({"service_id": "reception", "extra": 1}, 422, "extra"),
    ]
    for body, status, word in cases:
        r = live_office.post("/api/v1/tickets", "kiosk", body)
        assert r.status_code == status and word in error_of(r)["message"], (body, r.text)
    r = requests.post(f"{live_office.url}/api/v1/tickets", data="not json", timeout=5,
                      headers={**live_office.headers("kiosk"), "Content-Type": "application/json"})
    assert r.status_code == 400
    r = live_office.post("/api/v1/counters/99/next", "admin")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"
    r = live_office.post("/api/v1/counters/1/finish", "op1", {"kind": "gossip"})
    assert r.status_code == 422
    assert live_office.post("/api/v1/counters/1/finish", "op1").status_code == 409  # nobody there
    assert requests.get(f"{live_office.url}/nowhere", timeout=5).status_code == 404
