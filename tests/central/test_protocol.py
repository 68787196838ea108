"""The push endpoint taken at its word: replays, gaps, divergence, and hostile bodies."""
from __future__ import annotations

import json

import pytest
import requests
from central_support import HEAD_PASSWORD, add_office, centre_lines, qcentral

from queue_server.cli import demo_config
from queue_server.config import parse_config


def _catalog() -> dict:
    import tomllib
    from pathlib import Path

    from queue_server.adapters.central_push import catalog_payload

    return catalog_payload(parse_config(tomllib.loads(demo_config()), Path("office.toml")))


def _line(seq: int, **over) -> dict:
    line = {"seq": seq, "uid": f"u{seq:031d}", "at": f"2026-11-20T07:{seq % 60:02d}:00.000Z",
            "type": "visit.issued", "visit": f"{seq:012x}", "step": 1, "service": "reception",
            "counter": None, "operator": None,
            "data": {"number": f"А{seq:03d}", "priority": None, "channel": "kiosk", "lang": "ru"}}
    line.update(over)
    return line


class Office:
    def __init__(self, centre, db_url: str, name: str):
        self.centre, self.db_url = centre, db_url
        self.id, self.token = add_office(db_url, name)

    def push(self, lines: list[dict], catalog: bool = True, **extra) -> requests.Response:
        body = {"protocol": 1, "office_seq": lines[-1]["seq"] if lines else 0, "lines": lines, **extra}
        if catalog:
            body["catalog"] = _catalog()
        return self.raw(json.dumps(body))

    def raw(self, data, token: str | None = None, content_type: str = "application/json") -> requests.Response:
        return requests.post(self.centre.url + "/api/v1/push", data=data, timeout=30, headers={
            "Authorization": f"Bearer {token or self.token}", "Content-Type": content_type})


@pytest.fixture
def office(centre, central_db):
    return Office(centre, central_db, "Протокол")


@pytest.fixture(scope="module")
def shared_office(shared_centre):
    return Office(shared_centre, shared_centre.db_url, "Общий")


def test_a_replayed_batch_changes_nothing(office):
    batch = [_line(s) for s in range(1, 11)]
    first = office.push(batch)
    assert first.status_code == 200 and first.json()["stored"] == 10
    again = office.push(batch)
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "stored": 0}
    overlapping = office.push([_line(s) for s in range(6, 16)])
    assert overlapping.json()["stored"] == 5 and overlapping.json()["next_seq"] == 16
    assert [line[0] for line in centre_lines(office.db_url, office.id)] == list(range(1, 16))


def test_a_gap_is_refused_with_the_seq_to_resume_from(office):
    office.push([_line(s) for s in range(1, 4)])
    r = office.push([_line(s) for s in range(7, 9)])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "gap" and r.json()["error"]["details"]["next_seq"] == 4
    assert len(centre_lines(office.db_url, office.id)) == 3


def test_a_different_line_under_a_stored_seq_stops_the_push_until_resync(office):
    office.push([_line(s) for s in range(1, 6)])
    other = [_line(s) for s in range(1, 6)]
    other[2] = _line(3, uid="x" * 32, visit="ffffffffffff")
    r = office.push(other + [_line(6)])
    assert r.status_code == 409 and r.json()["error"]["code"] == "diverged"
    assert r.json()["error"]["details"]["seq"] == 3
    assert len(centre_lines(office.db_url, office.id)) == 5  # nothing of that batch stored
    assert office.push([_line(6)]).json()["error"]["code"] == "diverged"  # stays stopped
    assert "DIVERGED at 3" in qcentral(office.db_url, "office", "list").stdout
    qcentral(office.db_url, "office", "resync", str(office.id))
    r = office.push(other + [_line(6)])
    assert r.status_code == 200, r.text
    assert [line[3] for line in centre_lines(office.db_url, office.id)][2] == "ffffffffffff"


def test_a_blanked_note_is_still_the_same_line(office):
    note = _line(1, type="step.transferred", data={"to_service": "payments", "note": "Иванов, 8-900-..."})
    assert office.push([note]).status_code == 200
    blanked = _line(1, type="step.transferred", uid="b" * 32, data={"to_service": "payments", "note": ""})
    r = office.push([blanked])  # the office blanked it since and resends it
    assert r.status_code == 200 and r.json()["stored"] == 0


@pytest.mark.parametrize(("body", "status", "code"), [
    ("not json", 400, "bad_json"),
    ("[" * 100_000 + "]" * 100_000, 400, "bad_json"),
    (json.dumps({"protocol": 2, "lines": []}), 422, "protocol"),
    (json.dumps({"protocol": 1, "lines": [], "extra": 1}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": {}}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [{**_line(1), "seq": "1"}]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [{**_line(1), "seq": 0}]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, at="yesterday")]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, at="2026-11-20T07:00:00")]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, type="DROP TABLE")]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, visit="x" * 500)]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, uid="../../etc")]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, data={"note": "a\u0000b"})]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, data={"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}})]}),
     422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, data={"note": "я" * 20_000})]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, hidden=1)]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1), _line(3)]}), 422, "invalid"),
    # lines no office writes (its event schema): a check-in without its ticket, a ticket
    # without its visit, an unknown type, a step 0, data the type does not have
    (json.dumps({"protocol": 1, "lines": [_line(1, type="booking.checked_in", visit=None,
                                                  data={"code": "K7QH2M"})]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, visit=None)]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, type="visit.teleported")]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, step=0)]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(1, data={"number": 7})]}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [_line(s) for s in range(1, 1002)]}), 413, "too_many_lines"),
    (json.dumps({"protocol": 1, "lines": [], "catalog": {"office_name": "x"}}), 422, "invalid"),
    (json.dumps({"protocol": 1, "lines": [], "catalog": {**_catalog(), "timezone": "Mars/Olympus"}}),
     422, "invalid"),
])
def test_hostile_bodies_are_refused_and_store_nothing(shared_office, body, status, code):
    office = shared_office
    r = office.raw(body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert centre_lines(office.db_url, office.id) == []


def test_a_body_over_the_limit_is_refused_unread(shared_office):
    office = shared_office
    r = office.raw(b"{" + b" " * (9 * 1024 * 1024) + b"}")
    assert r.status_code == 413


def test_not_json_content_type(shared_office):
    office = shared_office
    assert office.raw("{}", content_type="text/plain").status_code == 415


def test_tokens_do_only_their_job(office, centre, central_db):
    assert office.raw(json.dumps({"protocol": 1, "lines": []}), token="nonsense").status_code == 401
    qcentral(central_db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
    head = centre.login("boss")
    r = office.raw(json.dumps({"protocol": 1, "lines": []}), token=head)
    assert r.status_code == 403  # a person does not push journals
    assert centre.get("/api/v1/network", office.token).status_code == 403  # an office reads nothing
    assert centre.get(f"/api/v1/offices/{office.id}/state", office.token).status_code == 403
    new_token = qcentral(central_db, "office", "token", str(office.id)).stdout.strip().splitlines()[-1]
    assert office.raw(json.dumps({"protocol": 1, "lines": []})).status_code == 401  # the old one is revoked
    assert office.raw(json.dumps({"protocol": 1, "lines": []}), token=new_token).status_code == 200


def test_the_centre_never_issues_tickets_nor_calls(centre, office):
    for path in ("/api/v1/tickets", "/api/v1/counters/1/next", "/api/v1/counters/1/open"):
        r = requests.post(centre.url + path, json={"service_id": "reception"}, timeout=10,
                          headers={"Authorization": f"Bearer {office.token}"})
        assert r.status_code in (404, 405), path
