"""Journal export → import into an empty office gives the same state and journal."""
from __future__ import annotations

import json

import requests
from tests_support import drive_a_morning


def test_export_then_import_into_an_empty_office_is_identical(live_office, tmp_path, office_dir_factory):
    drive_a_morning(live_office)
    exported = live_office.get("/api/v1/journal", "head").text
    lines = [json.loads(x) for x in exported.splitlines()]
    assert [x["seq"] for x in lines] == list(range(1, len(lines) + 1))
    assert {"visit.issued", "step.called", "step.started", "step.finished", "step.transferred",
            "step.no_show", "counter.opened"} <= {x["type"] for x in lines}
    for line in lines:
        assert set(line) == {"seq", "at", "type", "visit", "step", "service", "counter", "operator", "data"}

    from live_office import start_live_office, stop_live_office

    other = start_live_office(office_dir_factory("other"), live_office.app.clock)
    try:
        # The new office's own logins add counter.opened events; compare the journals before them.
        before = other.get("/api/v1/journal", "head").text.splitlines()
        r = requests.post(f"{other.url}/api/v1/journal", data=exported.encode(), headers=other.headers("admin"), timeout=10)
        assert r.status_code == 200 and r.json()["imported"] == len(lines) - _common(before, lines)
        again = requests.post(f"{other.url}/api/v1/journal", data=exported.encode(), headers=other.headers("admin"), timeout=10)
        assert again.json()["imported"] == 0  # importing the same file twice changes nothing
        state_a = live_office.get("/api/v1/state", "head").json()
        state_b = other.get("/api/v1/state", "head").json()
        for key in ("queues", "counters", "recent_calls"):
            assert state_a[key] == state_b[key], key
    finally:
        stop_live_office(other)


def _common(before: list[str], lines: list[dict]) -> int:
    """Events of the fresh office (its own logins) that are the same facts as exported ones."""
    strip = lambda d: {k: v for k, v in d.items() if k != "seq"}  # noqa: E731
    exported = [strip(x) for x in lines]
    return sum(1 for b in before if strip(json.loads(b)) in exported)


def test_import_into_an_empty_office_keeps_the_same_journal(office_dir_factory, clock):
    """Exact round trip on an office nobody has logged into."""
    from live_office import start_live_office, stop_live_office

    a = start_live_office(office_dir_factory("a"), clock)
    try:
        drive_a_morning(a)
        exported = a.get("/api/v1/journal", "head").text
    finally:
        stop_live_office(a)
    from queue_server.app import create_app

    b = create_app(office_dir_factory("b"), clock=clock)
    try:
        from queue_server.journal_io import parse_jsonl, to_jsonl

        b.service.import_events(parse_jsonl(exported.splitlines()))
        assert "".join(to_jsonl(b.store.events_after(0))) == exported
    finally:
        b.close()


def test_a_bad_line_refuses_the_whole_file_with_its_number(live_office):
    good = {"seq": 1, "at": "2026-11-20T07:00:00.000Z", "type": "visit.issued", "visit": "v1", "step": 1,
            "service": "reception", "counter": None, "operator": None, "data": {"number": "А900"}}
    bad = dict(good, seq=2, visit="v2", service="astrology")
    body = (json.dumps(good) + "\n" + json.dumps(bad) + "\n").encode()
    r = requests.post(f"{live_office.url}/api/v1/journal", data=body, headers=live_office.headers("admin"), timeout=5)
    assert r.status_code == 422
    assert r.json()["error"]["details"]["line"] == 2 and "astrology" in r.json()["error"]["message"]
    assert "v1" not in live_office.get("/api/v1/journal", "head").text  # nothing applied


def test_the_same_fact_twice_in_one_instant_is_kept_and_round_trips(live_office, office_dir_factory):
    """Pause, resume, pause, resume within one millisecond (a fake clock that stands still)."""
    for _ in range(2):
        assert live_office.post("/api/v1/counters/3/pause", "op3", {"reason": "break"}).status_code == 204
        assert live_office.post("/api/v1/counters/3/resume", "op3").status_code == 204
    exported = live_office.get("/api/v1/journal", "head").text
    assert exported.count('"counter.resumed"') == 2
    from queue_server.app import create_app
    from queue_server.journal_io import parse_jsonl, to_jsonl

    other = create_app(office_dir_factory("copy"), clock=live_office.app.clock)
    try:
        events = parse_jsonl(exported.splitlines())
        assert other.service.import_events(events) == len(events)
        assert other.service.import_events(events) == 0
        assert "".join(to_jsonl(other.store.events_after(0))) == exported
    finally:
        other.close()
