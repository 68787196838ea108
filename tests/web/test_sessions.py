"""The browser session over plain HTTP: cookies, CSRF, who may open which page."""
from __future__ import annotations

import re

import pytest
import requests
import socketio
from web_helpers import PASSWORD


def page_csrf(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, "no CSRF meta tag"
    return m.group(1)


def browser_login(office, login: str, counter: str | None = "1", target: str = "console") -> requests.Session:
    s = requests.Session()
    csrf = page_csrf(s.get(f"{office.url}/{target}").text)
    r = s.post(f"{office.url}/login", allow_redirects=False, data={
        "login": login, "password": PASSWORD, "counter_id": counter or "", "next": target, "csrf_token": csrf})
    assert r.status_code == 302, r.text
    return s


def test_login_sets_an_httponly_strict_cookie_and_binds_the_counter(web_office):
    s = requests.Session()
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    r = s.post(web_office.url + "/login", allow_redirects=False, data={
        "login": "op1", "password": PASSWORD, "counter_id": "1", "next": "console", "csrf_token": csrf})
    assert r.status_code == 302 and r.headers["Location"].endswith("/console")
    cookies = r.raw.headers.get_all("Set-Cookie")
    token_cookie = next(c for c in cookies if c.startswith("qtoken="))
    assert "HttpOnly" in token_cookie and "SameSite=Strict" in token_cookie and "Path=/" in token_cookie
    assert "Secure" not in token_cookie  # plain HTTP here; set when served over HTTPS
    page = s.get(web_office.url + "/console").text
    assert 'id="counter-name">Окно 1<' in page
    assert "qtoken" not in page and s.cookies["qtoken"] not in page  # the page never sees the token
    state = web_office.get("/api/v1/state", "head").json()
    assert next(c for c in state["counters"] if c["counter_id"] == "1")["operator"] == "op1"


def test_wrong_password_and_a_missing_counter_are_refused_in_words(web_office):
    s = requests.Session()
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    r = s.post(web_office.url + "/login", data={"login": "op1", "password": "nope", "counter_id": "1",
                                                "next": "console", "csrf_token": csrf})
    assert r.status_code == 401 and "Неверный логин или пароль." in r.text and "qtoken" not in s.cookies
    r = s.post(web_office.url + "/login", data={"login": "op1", "password": PASSWORD, "counter_id": "",
                                                "next": "console", "csrf_token": csrf})
    assert r.status_code == 422 and "Выберите окно" in r.text and "qtoken" not in s.cookies


def test_an_operator_cannot_log_in_at_a_counter_someone_else_works_at(web_office):
    s = requests.Session()
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    r = s.post(web_office.url + "/login", data={"login": "op1", "password": PASSWORD, "counter_id": "2",
                                                "next": "console", "csrf_token": csrf})
    assert r.status_code == 409 and "уже работает другой оператор" in r.text
    assert "qtoken" not in s.cookies
    state = web_office.get("/api/v1/state", "head").json()
    assert next(c for c in state["counters"] if c["counter_id"] == "2")["operator"] == "op2"


def test_cookie_writes_need_the_csrf_header(web_office):
    s = browser_login(web_office, "op1")
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    web_office.ticket("reception")
    r = s.post(web_office.url + "/api/v1/counters/1/next", json={})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = s.post(web_office.url + "/api/v1/counters/1/next", json={}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = s.post(web_office.url + "/api/v1/counters/1/next", json={},
               headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    assert web_office.get("/api/v1/state", "head").json()["queues"][0]["waiting"] == 1  # nothing happened
    r = s.post(web_office.url + "/api/v1/counters/1/next", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["number"] == "А001"
    assert s.get(web_office.url + "/api/v1/state").status_code == 200  # reads need no token


def test_the_login_form_needs_its_csrf_token_and_bearer_clients_need_none(web_office):
    s = requests.Session()
    s.get(web_office.url + "/console")
    r = s.post(web_office.url + "/login", data={"login": "op1", "password": PASSWORD, "counter_id": "1",
                                                "next": "console"})
    assert r.status_code == 403 and "qtoken" not in s.cookies
    # A kiosk (Authorization header, no cookie) is not affected, even with a stray cookie.
    r = requests.post(web_office.url + "/api/v1/tickets", json={"service_id": "reception"},
                      headers={"Authorization": f"Bearer {web_office.tokens['kiosk']}"},
                      cookies={"qtoken": "stale"})
    assert r.status_code == 201


def test_operator_session_for_counter_1_gets_403_at_counter_2(web_office):
    s = browser_login(web_office, "op1")
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    web_office.ticket("consultation")
    r = s.post(web_office.url + "/api/v1/counters/2/next", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_pages_refuse_the_wrong_role_in_words(web_office):
    op = browser_login(web_office, "op1")
    r = op.get(web_office.url + "/dashboard")
    assert r.status_code == 403 and "Вы вошли как оператор" in r.text
    assert op.get(web_office.url + "/api/v1/dashboard/today").status_code == 403
    head = browser_login(web_office, "head", counter=None, target="dashboard")
    assert head.get(web_office.url + "/dashboard").status_code == 200
    r = head.get(web_office.url + "/console")
    assert r.status_code == 403 and "панелью руководителя" in r.text


def test_logout_closes_the_counter_revokes_the_token_and_clears_the_cookie(web_office):
    s = browser_login(web_office, "op1")
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    token = s.cookies["qtoken"]
    r = s.post(web_office.url + "/api/v1/web/logout")
    assert r.status_code == 403  # CSRF applies to logging out too
    r = s.post(web_office.url + "/api/v1/web/logout", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 204 and "qtoken" not in s.cookies
    assert requests.get(web_office.url + "/api/v1/state", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    state = web_office.get("/api/v1/state", "head").json()
    assert next(c for c in state["counters"] if c["counter_id"] == "1")["status"] == "closed"
    assert 'id="f-login"' in s.get(web_office.url + "/console").text
    # API clients keep their own logout: this one is for the cookie session only
    r = web_office.post("/api/v1/web/logout", "head")
    assert r.status_code == 400 and r.json()["error"]["code"] == "not_a_browser_session"
    assert web_office.get("/api/v1/state", "head").status_code == 200


def test_language_switch_is_remembered_in_a_cookie(web_office):
    s = requests.Session()
    assert "Войти" in s.get(web_office.url + "/console").text
    assert ">Log in<" in s.get(web_office.url + "/console?lang=en").text
    assert s.cookies["qlang"] == "en"
    assert ">Log in<" in s.get(web_office.url + "/dashboard").text
    assert "Войти" in s.get(web_office.url + "/console?lang=ru").text


def test_socketio_accepts_the_session_cookie(web_office):
    s = browser_login(web_office, "head", counter=None, target="dashboard")
    got = []
    client = socketio.Client(reconnection=False)
    client.on("snapshot", got.append)
    client.connect(web_office.url, headers={"Cookie": f"qtoken={s.cookies['qtoken']}"},
                   transports=["websocket"], wait_timeout=5)
    try:
        client.sleep(0.5)
        assert got and got[0]["counters"]
    finally:
        client.disconnect()
    stranger = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        stranger.connect(web_office.url, headers={"Cookie": "qtoken=forged"}, transports=["websocket"],
                         wait_timeout=5)


def test_todays_figures_against_the_norms(web_office):
    clock = web_office.app.clock
    web_office.ticket("reception")
    clock.advance(300)
    assert web_office.post("/api/v1/counters/2/next", "op2").status_code == 204  # counter 2: consultation only
    s = browser_login(web_office, "op1")
    csrf = page_csrf(s.get(web_office.url + "/console").text)
    h = {"X-CSRF-Token": csrf}
    assert s.post(web_office.url + "/api/v1/counters/1/next", json={}, headers=h).status_code == 200
    clock.advance(60)
    s.post(web_office.url + "/api/v1/counters/1/start", json={}, headers=h)
    clock.advance(420)  # 7 min of service: over the administrator's 5
    s.post(web_office.url + "/api/v1/counters/1/finish", json={"kind": "consultation", "topic": "other"}, headers=h)
    r = web_office.get("/api/v1/dashboard/today", "head")
    assert r.status_code == 200
    today = r.json()
    assert today["date"] == "2026-11-20"
    admin_role = next(x for x in today["roles"] if x["role"] == "administrator")
    assert admin_role["wait_mean_s"] == 300.0 and admin_role["wait_norm_s"] == 600
    assert admin_role["service_mean_s"] == 420.0 and admin_role["service_within_share"] == 0.0
    assert today["visits"] == {"issued": 1, "completed": 1, "total_mean_s": 780.0, "norm_s": 3600,
                               "within_norm_share": 1.0}
    assert any(p == "/api/v1/dashboard/today" for p in web_office.get("/api/openapi.json").json()["paths"])
