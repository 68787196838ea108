"""Cookie sessions and pages: CSRF whatever other headers say, and headers that keep pages private."""
from __future__ import annotations

import requests
from live_office import PASSWORD


def browser_session(live, login: str = "head") -> requests.Session:
    s = requests.Session()
    page = s.get(f"{live.url}/dashboard", timeout=5)
    csrf = s.cookies.get("qcsrf")
    assert page.status_code == 200 and csrf
    r = s.post(f"{live.url}/login", data={"login": login, "password": PASSWORD, "next": "dashboard",
                                          "csrf_token": csrf}, timeout=5, allow_redirects=False)
    assert r.status_code in (302, 303), r.text[:300]
    return s


def test_a_non_bearer_authorization_header_does_not_skip_csrf(live_office):
    s = browser_session(live_office, "admin")
    for header in ("Basic YWRtaW46eA==", "Token abc", "Bearer", "bearer "):
        r = s.post(f"{live_office.url}/api/v1/tickets", json={"service_id": "reception"},
                   headers={"Authorization": header}, timeout=5)
        assert r.status_code in (401, 403), (header, r.status_code, r.text[:200])
    assert live_office.get("/api/v1/state", "admin").json()["queues"][0]["waiting"] == 0  # nothing issued
    with_csrf = s.post(f"{live_office.url}/api/v1/tickets", json={"service_id": "reception"},
                       headers={"X-CSRF-Token": s.cookies.get("qcsrf")}, timeout=5)
    assert with_csrf.status_code == 201  # the page itself still works


def test_staff_pages_send_csp_no_framing_nosniff_no_store(live_office):
    s = browser_session(live_office, "head")
    for path in ("/console", "/dashboard"):
        r = s.get(f"{live_office.url}{path}", timeout=5)
        h = r.headers
        assert "script-src 'self'" in h["Content-Security-Policy"] and "unsafe-inline" not in \
            h["Content-Security-Policy"].split("script-src")[1].split(";")[0], path
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Frame-Options"] == "DENY" and h["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in h["Cache-Control"], path
    login_page = requests.get(f"{live_office.url}/console", timeout=5)
    assert "no-store" in login_page.headers["Cache-Control"]
    assert "Content-Security-Policy" in requests.get(live_office.url + "/t/x", timeout=5).headers
