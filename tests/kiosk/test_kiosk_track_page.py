"""The visitor's tracking page: one ticket, no login, nothing about anyone else; live in Chromium."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import requests

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_page_shows_one_ticket_and_nothing_else(live_office):
    other = live_office.ticket("reception")
    mine = live_office.ticket("reception", lang="en")
    r = requests.get(f"{live_office.url}/t/{mine['visit_id']}", timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    html = r.text
    assert mine["number"] in html and 'lang="en"' in html  # the ticket's language by default
    assert other["number"] not in html and other["visit_id"] not in html
    assert "/static/track/socket.io.min.js" in html
    ru = requests.get(f"{live_office.url}/t/{mine['visit_id']}?lang=ru", timeout=5).text
    assert "Ваш номер" in ru and 'lang="ru"' in ru


def test_unknown_ticket_is_a_404_page_in_words(live_office):
    for visit in ("0123456789ab", "../etc", "x" * 80):
        r = requests.get(f"{live_office.url}/t/{visit}", headers={"Accept-Language": "ru"}, timeout=5)
        assert r.status_code == 404
    assert "Талон не найден" in requests.get(f"{live_office.url}/t/0123456789ab?lang=ru", timeout=5).text


def test_static_files_are_served_locally(live_office):
    for name in ("track.js", "socket.io.min.js"):
        r = requests.get(f"{live_office.url}/static/track/{name}", timeout=5)
        assert r.status_code == 200 and len(r.content) > 1000


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM), reason="no chromium")
def test_ahead_count_goes_down_live_in_a_phone_browser(live_office):
    from playwright.sync_api import expect, sync_playwright

    first = live_office.ticket("reception")
    live_office.ticket("reception")
    mine = live_office.ticket("reception")
    assert mine["ahead"] == 2
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True, locale="ru-RU")
            page.goto(f"{live_office.url}/t/{mine['visit_id']}")
            expect(page.locator("#number")).to_have_text(mine["number"])
            expect(page.locator("#ahead")).to_have_text("Перед вами в очереди: 2")
            expect(page.locator("#conn")).to_have_text("Обновляется автоматически", timeout=10000)
            # a counter calls someone ahead: no reload, the page follows
            assert live_office.post("/api/v1/counters/1/next", "op1").json()["number"] == first["number"]
            expect(page.locator("#ahead")).to_have_text("Перед вами в очереди: 1", timeout=10000)
            out = os.environ.get("KIOSK_SCREENSHOTS")
            if out:
                Path(out).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(out) / "kiosk-track-phone.png"), full_page=True)
            live_office.post("/api/v1/counters/1/finish", "op1")
            assert live_office.post("/api/v1/counters/1/next", "op1").status_code == 200
            expect(page.locator("#ahead")).to_have_text("Вы следующий", timeout=10000)
            live_office.post("/api/v1/counters/1/finish", "op1")
            live_office.post("/api/v1/counters/1/next", "op1")
            expect(page.locator("#status")).to_have_text("Вас приглашают: Окно 1!", timeout=10000)
            # the page never saw another visitor's number
            assert first["number"] not in page.content()
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM), reason="no chromium")
def test_a_call_names_the_counter_as_the_office_names_it(live_office):
    """«Касса 4», not «окно 4»: the page uses the counter's own name from office.toml."""
    from playwright.sync_api import expect, sync_playwright

    mine = live_office.ticket("payments")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(locale="ru-RU")
            page.goto(f"{live_office.url}/t/{mine['visit_id']}")
            expect(page.locator("#conn")).to_have_text("Обновляется автоматически", timeout=10000)
            assert live_office.post("/api/v1/counters/4/next", "op4").json()["number"] == mine["number"]
            expect(page.locator("#status")).to_have_text("Вас приглашают: Касса 4!", timeout=10000)
            page.goto(f"{live_office.url}/t/{mine['visit_id']}?lang=en")  # and as first drawn by the server
            expect(page.locator("#status")).to_have_text("Please go to Касса 4 now!", timeout=10000)
        finally:
            browser.close()
