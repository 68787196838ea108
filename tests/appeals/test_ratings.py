"""Visitors rate a finished visit 1–5, once, within a day, from the tracking link (no login)
or at the counter (display, rating pad); the rating is credited to every service, counter
and operator that served the visit; a low score with a comment may become a complaint."""
from __future__ import annotations

import requests

from queue_server.domain import events as ev


def served_visit(live, transfer: bool = False) -> str:
    """A visit served at counter 1 (and, with `transfer`, finished at counter 2)."""
    t = live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    live.post("/api/v1/counters/1/start", "op1")
    live.app.clock.advance(120)
    if transfer:
        live.post("/api/v1/counters/1/transfer", "op1", {"service_id": "consultation"})
        live.post("/api/v1/counters/2/next", "op2")
        live.post("/api/v1/counters/2/start", "op2")
        live.app.clock.advance(300)
        live.post("/api/v1/counters/2/finish", "op2", {})
    else:
        live.post("/api/v1/counters/1/finish", "op1", {})
    return t["visit_id"]


def rate(live, visit_id: str, body: dict, headers: dict | None = None) -> requests.Response:
    return requests.post(f"{live.url}/api/v1/visits/{visit_id}/rating", json=body, headers=headers or {}, timeout=5)


def test_a_finished_visit_is_rated_once_and_credited_to_everyone_who_served_it(live_office):
    live = live_office
    waiting = live.ticket("payments")["visit_id"]
    assert rate(live, waiting, {"score": 5}).status_code == 409  # not finished yet
    visit = served_visit(live, transfer=True)
    r = rate(live, visit, {"score": 4, "comment": "Быстро и вежливо"})
    assert r.status_code == 201 and r.json() == {"visit_id": visit, "score": 4, "complaint_offered": False}
    second = rate(live, visit, {"score": 1})
    assert second.status_code == 409 and second.json()["error"]["code"] == "invalid_state"
    (rated,) = [e for e in live.app.store.events_after(0) if e.type == ev.VISIT_RATED]
    assert (rated.visit, rated.operator, rated.data["score"], rated.data["via"]) == (visit, None, 4, "track")
    assert rated.data["served"] == [{"service": "reception", "counter": "1", "operator": "op1"},
                                    {"service": "consultation", "counter": "2", "operator": "op2"}]
    report = live.get("/api/v1/reports/daily?date=2026-11-20", "head").json()["feedback"]
    assert (report["n"], report["mean"], report["distribution"]) == (1, 4.0, {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0})
    assert [(o["id"], o["n"]) for o in report["by_operator"]] == [("op1", 1), ("op2", 1)]
    assert [(c["id"], c["n"]) for c in report["by_counter"]] == [("1", 1), ("2", 1)]


def test_too_late_no_show_unknown_and_bad_scores_are_refused(live_office):
    live = live_office
    visit = served_visit(live)
    for bad in ({"score": 0}, {"score": 6}, {"score": "5"}, {"score": 3.5}, {}, {"score": 5, "comment": "x" * 501},
                {"score": 5, "extra": True}):
        assert rate(live, visit, bad).status_code == 422, bad
    assert rate(live, "0123456789ab", {"score": 5}).status_code == 404
    assert rate(live, "not a visit!", {"score": 5}).status_code == 404
    t = live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    live.post("/api/v1/counters/1/no-show", "op1")
    assert rate(live, t["visit_id"], {"score": 1}).status_code == 409  # nobody served them
    live.app.clock.advance(24 * 3600 + 60)
    late = rate(live, visit, {"score": 5})
    assert late.status_code == 409 and "24" in late.json()["error"]["message"]
    assert not [e for e in live.app.store.events_after(0) if e.type == ev.VISIT_RATED]


def test_devices_at_the_counter_rate_and_staff_or_a_kiosk_cannot(live_office):
    live = live_office
    first, second, third = served_visit(live), served_visit(live), served_visit(live)
    assert rate(live, first, {"score": 5}, live.headers("op1")).status_code == 403  # the clerk cannot rate themself
    assert rate(live, first, {"score": 5}, live.headers("kiosk")).status_code == 403
    assert rate(live, first, {"score": 5, "keys": 3}, live.headers("buttons")).status_code == 201
    assert rate(live, second, {"score": 2}, live.headers("display")).status_code == 201
    assert rate(live, third, {"score": 3}).status_code == 201
    vias = {e.visit: (e.data["via"], e.data.get("keys")) for e in live.app.store.events_after(0) if e.type == ev.VISIT_RATED}
    assert vias == {first: ("pad", 3), second: ("counter", None), third: ("track", None)}


def test_a_low_score_with_a_comment_becomes_a_complaint_if_the_visitor_wants(live_office):
    live = live_office
    polite, rude = served_visit(live), served_visit(live)
    assert rate(live, polite, {"score": 2}).json()["complaint_offered"] is False  # no comment: nothing to register
    assert requests.post(f"{live.url}/api/v1/visits/{polite}/complaint", json={}, timeout=5).status_code == 409
    r = rate(live, rude, {"score": 1, "comment": "Оператор нагрубил и не принял заявление"})
    assert r.json()["complaint_offered"] is True
    c = requests.post(f"{live.url}/api/v1/visits/{rude}/complaint", json={"contact": {"email": "v@example.ru"}}, timeout=5)
    assert c.status_code == 201 and set(c.json()) == {"code", "status", "registered_at", "due_at", "status_url"}
    record = live.get(f"/api/v1/appeals/{c.json()['code']}", "head").json()
    assert (record["kind"], record["channel"], record["text"], record["visit_id"], record["registered_by"]) == (
        "complaint", "web", "Оператор нагрубил и не принял заявление", rude, None)
    assert record["service_id"] == "reception" and record["contact"] == {"email": "v@example.ru"}
    again = requests.post(f"{live.url}/api/v1/visits/{rude}/complaint", json={}, timeout=5)
    assert again.status_code == 409


def test_ratings_are_rate_limited_per_address(live_office):
    live = live_office
    codes = [rate(live, f"{i:012x}", {"score": 5}).status_code for i in range(12)]
    assert codes[:10] == [404] * 10 and codes[-1] == 429


def test_the_counters_display_or_pad_rates_the_visit_just_served_there(live_office):
    live = live_office
    assert live.post("/api/v1/counters/1/rating", "buttons", {"score": 5}).status_code == 409  # nobody served yet
    visit = served_visit(live)
    assert live.post("/api/v1/counters/1/rating", "kiosk", {"score": 5}).status_code == 403
    assert live.post("/api/v1/counters/1/rating", "op1", {"score": 5}).status_code == 403
    r = live.post("/api/v1/counters/1/rating", "buttons", {"score": 3, "keys": 3})
    assert r.status_code == 201 and r.json() == {"visit_id": visit, "number": "А001", "score": 3}
    assert live.post("/api/v1/counters/1/rating", "display", {"score": 5}).status_code == 409  # once
    # the counter has called the next visitor: the one before has left, and is not rated for them
    second = served_visit(live)
    live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    live.post("/api/v1/counters/1/no-show", "op1")
    assert live.post("/api/v1/counters/1/rating", "display", {"score": 1}).status_code == 409
    # minutes later, nothing to rate either
    third = served_visit(live)
    live.app.clock.advance(6 * 60)
    assert live.post("/api/v1/counters/1/rating", "display", {"score": 1}).status_code == 409
    assert live.post("/api/v1/counters/9/rating", "display", {"score": 1}).status_code == 404
    rated = {e.visit: e.data for e in live.app.store.events_after(0) if e.type == ev.VISIT_RATED}
    assert list(rated) == [visit] and rated[visit]["via"] == "pad" and rated[visit]["keys"] == 3
    assert second not in rated and third not in rated
