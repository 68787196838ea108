"""The live-office fixture itself: a ticket issued through it can be called."""


def test_ticket_then_call(live_office):
    t = live_office.ticket("reception")
    assert t["number"] == "А001"
    r = live_office.post("/api/v1/counters/1/next", "op1")
    assert r.status_code == 200
    assert r.json()["number"] == "А001"
    assert r.json()["reason"]["code"] == "only"


def test_services_tell_names_roles_norms_and_the_office_time_zone(live_office):
    body = live_office.get("/api/v1/services").json()
    assert body["timezone"] == "Europe/Moscow" and body["language"] == "ru"
    reception = next(s for s in body["services"] if s["id"] == "reception")
    assert reception["name"] == "Администратор" and reception["prefix"] == "А"
    assert reception["norm"] == {"wait_s": 600, "service_s": 300} and reception["counters"] == ["1"]
