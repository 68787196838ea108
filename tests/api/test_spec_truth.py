"""/api/openapi.json says what the server does: required bodies, bounds, patterns, headers."""
from __future__ import annotations

import re

import requests


def spec(live) -> dict:
    return requests.get(f"{live.url}/api/openapi.json", timeout=5).json()


def test_bodies_with_required_fields_are_marked_required(live_office):
    paths = spec(live_office)["paths"]
    assert paths["/api/v1/auth/login"]["post"]["requestBody"]["required"] is True
    assert paths["/api/v1/tickets"]["post"]["requestBody"]["required"] is True
    assert paths["/api/v1/counters/{counter_id}/next"]["post"]["requestBody"]["required"] is False
    r = requests.post(f"{live_office.url}/api/v1/tickets", timeout=5,
                      headers={"Authorization": f"Bearer {live_office.tokens['kiosk']}"})
    assert r.status_code == 422  # and indeed it is required
    ok = live_office.post("/api/v1/counters/1/pause", "op1", None)  # an empty body where none is required
    assert ok.status_code == 204


def test_limit_has_a_maximum_and_dates_a_strict_pattern(live_office):
    paths = spec(live_office)["paths"]
    limit = next(p for p in paths["/api/v1/journal"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100_000
    assert live_office.get("/api/v1/journal?limit=100001", "admin").status_code == 422
    date = next(p for p in paths["/api/v1/reports/daily"]["get"]["parameters"] if p["name"] == "date")
    pattern = re.compile(date["schema"]["pattern"])
    assert pattern.search("2026-11-20") and not pattern.search("0000-00-00")
    assert not pattern.search("9999-12-31")


def test_405_says_allow_and_csv_has_one_charset(live_office):
    r = requests.delete(f"{live_office.url}/api/v1/tickets", timeout=5)
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    csv = live_office.get("/api/v1/reports/daily?date=2026-11-20&format=csv", "head")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_every_operation_documents_429(live_office):
    for path, ops in spec(live_office)["paths"].items():
        for method, op in ops.items():
            assert "429" in op["responses"], (method, path)
