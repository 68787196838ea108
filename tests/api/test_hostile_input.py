"""Every malformed input answers 4xx with the pinned error body, never 500.

Hand-picked attacks that once gave 500 (deep JSON, a lone surrogate, dates at the
ends of the calendar), then hypothesis throwing arbitrary JSON, text with surrogates
and dates at the login, tickets, counter actions, reports and the journal import of
the real server.
"""
from __future__ import annotations

import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def raw(live, method: str, path: str, body: bytes | str, who: str | None = None,
        content_type: str = "application/json") -> requests.Response:
    headers = {"Content-Type": content_type}
    if who:
        headers["Authorization"] = f"Bearer {live.tokens[who]}"
    return requests.request(method, live.url + path, data=body, headers=headers, timeout=10)


def assert_refused(r: requests.Response, *statuses: int) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if statuses:
        assert r.status_code in statuses, (r.status_code, r.text[:300])
    error = r.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


def test_json_nested_1000_deep_on_the_login(live_office):
    assert_refused(raw(live_office, "POST", "/api/v1/auth/login", "[" * 1000 + "]" * 1000), 400)
    deep = '{"login": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    assert_refused(raw(live_office, "POST", "/api/v1/auth/login", deep), 400)


def test_a_lone_surrogate_in_a_service_id_or_a_note(live_office):
    assert_refused(raw(live_office, "POST", "/api/v1/tickets", '{"service_id": "\\ud800"}', "kiosk"), 400)
    live_office.ticket("reception")
    live_office.post("/api/v1/counters/1/next", "op1")
    r = raw(live_office, "POST", "/api/v1/counters/1/transfer",
            '{"service_id": "consultation", "note": "\\udfff звонить"}', "op1")
    assert_refused(r, 400)
    paired = raw(live_office, "POST", "/api/v1/counters/1/transfer",
                 '{"service_id": "consultation", "note": "\\ud83d\\ude00 ok"}', "op1")
    assert paired.status_code == 200, paired.text  # a real pair (an emoji) is fine


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "2026-13-01"])
def test_report_dates_out_of_range(live_office, day):
    assert_refused(live_office.get(f"/api/v1/reports/daily?date={day}", "head"), 422)
    assert_refused(live_office.get(f"/api/v1/reports/period?from={day}&to=2026-01-01", "head"), 422)


def test_import_lines_that_would_break_the_parser(live_office):
    deep = "[" * 2000 + "]" * 2000 + "\n"
    assert_refused(raw(live_office, "POST", "/api/v1/journal", deep, "admin", "application/x-ndjson"), 422)
    line = {"seq": 1, "at": "2026-11-20T07:00:00.000Z", "type": "visit.cancelled", "visit": "v1", "step": 1,
            "data": {"reason": "\\ud800"}}
    text = json.dumps(line).replace("\\\\ud800", "\\ud800") + "\n"
    assert_refused(raw(live_office, "POST", "/api/v1/journal", text, "admin", "application/x-ndjson"), 422)


text_with_surrogates = st.text(alphabet=st.characters(blacklist_categories=()), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text_with_surrogates,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text_with_surrogates, inner, max_size=4),
    max_leaves=12)


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=True)  # lone surrogates travel as \\udxxx escapes


@FUZZ
@given(body=json_values)
def test_fuzz_login(live_office, body):
    r = raw(live_office, "POST", "/api/v1/auth/login", as_json(body))
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_refused(r)


@FUZZ
@given(body=st.fixed_dictionaries({"service_id": text_with_surrogates},
                                  optional={"priority": json_values, "lang": json_values, "channel": json_values}))
def test_fuzz_tickets(live_office, body):
    r = raw(live_office, "POST", "/api/v1/tickets", as_json(body), "kiosk")
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_refused(r)


@FUZZ
@given(action=st.sampled_from(["next", "recall", "start", "finish", "transfer", "no-show", "pause", "resume"]),
       counter=st.sampled_from(["1", "99", "\u0661", "%00"]), body=json_values)
def test_fuzz_counter_actions(live_office, action, counter, body):
    r = raw(live_office, "POST", f"/api/v1/counters/{counter}/{action}", as_json(body), "admin")
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_refused(r)


@FUZZ
@given(day=st.dates().map(str) | st.text(max_size=12), fmt=st.sampled_from(["json", "csv", "pdf", "x"]))
def test_fuzz_reports(live_office, day, fmt):
    r = live_office.get("/api/v1/reports/daily", "head", params={"date": day, "format": fmt})
    assert r.status_code < 500, r.text
    r = live_office.get("/api/v1/reports/period", "head", params={"from": day, "to": day, "format": "json"})
    assert r.status_code < 500, r.text


@FUZZ
@given(lines=st.lists(json_values.map(as_json), min_size=1, max_size=5))
def test_fuzz_import(live_office, lines):
    r = raw(live_office, "POST", "/api/v1/journal", "\n".join(lines), "admin", "application/x-ndjson")
    assert r.status_code < 500, r.text
