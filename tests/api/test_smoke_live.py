"""The live-office fixture itself: a ticket issued through it can be called."""


def test_ticket_then_call(live_office):
    t = live_office.ticket("reception")
    assert t["number"] == "А001"
    r = live_office.post("/api/v1/counters/1/next", "op1")
    assert r.status_code == 200
    assert r.json()["number"] == "А001"
    assert r.json()["reason"]["code"] == "only"
