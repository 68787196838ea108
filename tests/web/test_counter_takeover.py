"""The web login keeps the domain's one rule for an occupied counter, with a confirm step.

The page refuses a counter another operator works at and offers the takeover;
ticked, it does what the API's `takeover` does (tests/test_counter_rule.py):
the old session ends at once and the counter passes to the newcomer.
"""
from __future__ import annotations

import re

import requests
from web_helpers import PASSWORD, console_login


def web_form(office, **fields):
    s = requests.Session()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', s.get(office.url + "/console").text).group(1)
    data = {"login": "op1", "password": PASSWORD, "counter_id": "2", "next": "console", "csrf_token": csrf,
            **fields}
    return s, s.post(office.url + "/login", data=data, allow_redirects=False)


def test_the_web_login_asks_before_a_takeover_and_then_does_what_the_api_does(web_office):
    s, r = web_form(web_office)
    assert r.status_code == 409 and "уже работает другой оператор (op2)" in r.text
    assert 'name="takeover"' in r.text and "qtoken" not in s.cookies
    assert web_office.get("/api/v1/state", "op2").status_code == 200
    s, r = web_form(web_office, takeover="1")
    assert r.status_code == 302 and "qtoken" in s.cookies
    assert web_office.get("/api/v1/state", "op2").status_code == 401  # the old session ended at once
    state = web_office.get("/api/v1/state", "head").json()
    assert next(c for c in state["counters"] if c["counter_id"] == "2")["operator"] == "op1"


def test_in_chromium_the_takeover_is_a_box_to_tick(web_office, page_for):
    page = page_for("ru")
    console_login(page, web_office, "op1", "2")
    page.wait_for_selector("#login-error")
    assert "op2" in page.inner_text("#login-error") and not page.is_checked("#f-takeover")
    page.fill("#f-password", PASSWORD)
    page.check("#f-takeover")
    page.click("form button[type=submit]")
    page.wait_for_selector("body[data-live=on]")
    assert page.inner_text("#counter-name") == "Окно 2"
    assert web_office.get("/api/v1/state", "op2").status_code == 401
