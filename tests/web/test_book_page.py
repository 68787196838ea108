"""The public booking page on a phone in headless Chromium: book, see the code and its QR,
move, cancel, check in from the phone; English; keyboard only; the staff's panel.

The office is the example one (open round the clock), the clock fake at Friday 10:00."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect
from web_helpers import PASSWORD, enter_with_session, text_of

from queue_server.domain import events as ev

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    contexts = []

    def make(lang: str = "ru"):
        context = browser.new_context(viewport=PHONE, locale="ru-RU" if lang == "ru" else "en-GB",
                                      is_mobile=True, has_touch=True, device_scale_factor=2)
        context.set_default_timeout(8000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def created(office) -> list:
    return [e for e in office.app.store.events_after(0) if e.type == ev.BOOKING_CREATED]


def book_through_the_page(page, office, service: str = "Консультация и заявления", day: str = "2026-11-21",
                          time: str = "10:30", phone: str = "8 912 345-67-89") -> str:
    page.goto(office.url + "/book")
    page.get_by_label(service).check()  # the script reloads the page with the service's days
    page.wait_for_url(re.compile(r"service=consultation"))
    page.locator(f"#pick input[name=date][value='{day}']").check(force=True)
    page.wait_for_selector("#times")
    page.locator(f"#times input[name=slot][value$='T{time}:00+03:00']").check(force=True)
    page.fill("#f-name", "Иванова Мария")
    page.fill("#f-phone", phone)
    page.get_by_label(re.compile("согласен")).check()
    page.get_by_role("button", name="Записаться").click()
    page.wait_for_url(re.compile(r"/b/[0-9A-Z]{8}\?made=1"))
    return page.url.split("/b/")[1].split("?")[0]


def test_a_visitor_books_on_a_phone_and_sees_the_code_and_its_qr(web_office, phone):
    page = phone()
    code = book_through_the_page(page, web_office)
    assert "Вы записаны" in text_of(page, ".notice")
    assert text_of(page, ".code") == f"{code[:4]}-{code[4:]}"
    assert page.locator(".qr-box svg path").count() == 1
    assert "суббота, 21 ноября 2026, 10:30" in text_of(page, ".when")
    assert "+7*******89" in text_of(page, ".facts")
    (e,) = created(web_office)
    assert e.data["phone"] == "+79123456789" and e.data["lang"] == "ru" and e.service == "consultation"
    # nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_form_says_what_is_missing_and_keeps_what_was_typed(web_office, phone):
    page = phone()
    page.goto(web_office.url + "/book?service=consultation&date=2026-11-21")
    page.locator("#times input[name=slot]").first.check(force=True)
    page.fill("#f-name", "Иванова Мария")
    page.get_by_label(re.compile("согласен")).check()
    page.get_by_role("button", name="Записаться").click()
    page.wait_for_selector("#form-error")
    assert "Укажите телефон или адрес эл. почты" in text_of(page, "#form-error")
    assert page.input_value("#f-name") == "Иванова Мария"
    assert created(web_office) == []
    # without the consent (a form sent by hand: the page itself requires the box)
    r = requests.post(web_office.url + "/book", timeout=5, data={
        "service": "consultation", "slot": "2026-11-21T10:00:00+03:00", "name": "Иванова Мария",
        "phone": "+79123456789", "lang": "ru"})
    assert r.status_code == 422 and "согласие на обработку данных" in r.text
    assert created(web_office) == []


def test_move_then_cancel_from_the_link_in_the_confirmation(web_office, phone):
    page = phone()
    code = book_through_the_page(page, web_office)
    page.get_by_role("link", name="Перенести на другое время").click()
    page.locator("#pick input[name=date][value='2026-11-22']").check(force=True)
    page.wait_for_selector("#times")
    page.locator("#times input[name=slot][value$='T12:00:00+03:00']").check(force=True)
    page.get_by_role("button", name="Перенести запись").click()
    page.wait_for_url(re.compile(r"moved=1"))
    assert "воскресенье, 22 ноября 2026, 12:00" in text_of(page, ".when")
    page.get_by_role("link", name="Отменить запись").click()
    page.get_by_role("button", name="Да, отменить запись").click()
    page.wait_for_url(re.compile(r"cancelled=1"))
    assert "отменена" in text_of(page, ".status")
    types = [e.type for e in web_office.app.store.events_after(0) if e.data.get("code") == code]
    assert types == [ev.BOOKING_CREATED, ev.BOOKING_RESCHEDULED, ev.BOOKING_CANCELLED]


def test_the_phone_checks_in_near_the_slot_and_follows_the_queue(web_office, phone):
    page = phone()
    code = book_through_the_page(page, web_office, day="2026-11-20", time="11:00")
    assert page.get_by_role("button", name="Я в офисе: отметиться").count() == 0
    assert "с 10:45 до 11:15" in text_of(page, "main")
    web_office.clock.advance(minutes=50)  # 10:50
    page.goto(web_office.url + f"/b/{code}")
    page.get_by_role("button", name="Я в офисе: отметиться").click()
    page.wait_for_url(re.compile(r"checked=1"))
    assert "Ваш номер: К001" in text_of(page, "main")
    page.get_by_role("link", name="Следить за очередью").click()
    page.wait_for_url(re.compile(r"/t/"))
    assert text_of(page, "#number") == "К001"


def test_english_and_a_code_that_does_not_exist(web_office, phone):
    page = phone("en")
    page.goto(web_office.url + "/book?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert text_of(page, "h1") == "Book a visit to the office"
    assert "Consultation and applications" in text_of(page, "#pick")
    r = requests.get(web_office.url + "/b/ZZZZZZZZ?lang=en", timeout=5)
    assert r.status_code == 404 and "There is no booking with this code" in r.text


def test_keyboard_only_booking(web_office, phone):
    """Every step is reachable with Tab, arrows and Space, in reading order."""
    page = phone()
    page.goto(web_office.url + "/book?service=payments&date=2026-11-21")
    page.focus("#times input[name=slot]")
    page.keyboard.press("ArrowRight")  # the next time in the group
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-name"
    page.keyboard.type("Петров Пётр")
    page.keyboard.press("Tab")
    page.keyboard.type("+79161234567")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the consent
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"made=1"))
    (e,) = created(web_office)
    assert e.data["name"] == "Петров Пётр" and e.service == "payments"


def test_the_worker_solves_the_challenge_the_server_checks(web_office, phone):
    """The page's proof of work (static/book/pow-worker.js) and the server's check agree."""
    page = phone()
    page.goto(web_office.url + "/book")
    guard = web_office.app.extras["booking_guard"]
    challenge = guard.challenge()["challenge"]
    nonce = page.evaluate("""(c) => new Promise((resolve) => {
        const w = new Worker('/static/book/pow-worker.js');
        w.onmessage = (ev) => resolve(ev.data);
        w.postMessage({challenge: c, bits: 16});
    })""", challenge)
    guard.bits = 16
    assert guard.check_proof(f"{challenge}:{nonce}") is None


def test_a_form_past_the_free_bookings_carries_the_pages_proof(web_office, phone):
    """After an address's free bookings the server wants the proof: the page has solved it."""
    guard = web_office.app.extras["booking_guard"]
    guard.free_per_hour = 0
    page = phone()
    page.goto(web_office.url + "/book?service=payments&date=2026-11-21")
    # the pages' CSP (script-src 'self') refuses eval, so wait through locators, not wait_for_function
    expect(page.locator("input[name=proof]")).to_have_value(re.compile(":"), timeout=30000)
    page.locator("#times input[name=slot]").first.check(force=True)
    page.fill("#f-name", "Петров Пётр")
    page.fill("#f-email", "petrov@example.ru")
    page.get_by_label(re.compile("согласен")).check()
    page.get_by_role("button", name="Записаться").click()
    page.wait_for_url(re.compile(r"made=1"))
    assert len(created(web_office)) == 1


def test_staff_book_for_a_caller_and_check_in_from_the_console(web_office, page_for):
    page = page_for("ru")
    enter_with_session(page, web_office, "op1", "1", "/console")
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")  # the console still fits
    # the list opens from the top bar, where it covers nothing of the page's own
    page.locator("header.bar").get_by_role("button", name="Записи на сегодня").click()
    page.get_by_role("button", name="Записать по звонку…").click()
    page.select_option("#bk-service", "payments")
    page.fill("#bk-date", "2026-11-20")
    page.dispatch_event("#bk-date", "change")
    page.wait_for_selector("#bk-time option[value$='T11:00:00+03:00']", state="attached")
    page.select_option("#bk-time", "2026-11-20T11:00:00+03:00")
    page.fill("#bk-name", "Сидоров Иван")
    page.fill("#bk-phone", "+79035550011")
    page.click("#bk-submit")
    page.wait_for_selector("#bk-done:not([hidden])")
    (e,) = created(web_office)
    assert e.operator == "op1" and e.data["via"] == "staff"
    assert f"{e.data['code'][:4]}-{e.data['code'][4:]}" in text_of(page, "#bk-done")
    page.click("[data-bk-close]")
    row = page.locator(f"#bk-rows tr[data-code='{e.data['code']}']")
    row.wait_for()
    assert "Сидоров Иван" in text_of(page, f"#bk-rows tr[data-code='{e.data['code']}']")
    row.get_by_role("button", name="Отметить").click()
    expect(page.locator("#bk-note")).to_contain_text("номер")
    assert "О001" in text_of(page, "#bk-note")
    checked = [x for x in web_office.app.store.events_after(0) if x.type == ev.BOOKING_CHECKED_IN]
    assert checked[0].data["via"] == "counter" and checked[0].operator == "op1"


def test_a_contact_centre_clerk_logs_in_without_a_counter(web_office, page_for):
    page = page_for("ru")
    page.goto(web_office.url + "/bookings")
    page.fill("#f-login", "op4")
    page.fill("#f-password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/bookings$"))
    page.wait_for_selector("#bk-empty:not([hidden])")
    assert "Записей на сегодня нет" in text_of(page, "#bk-empty")


def test_a_refused_action_is_shown_on_the_page_not_carried_in_a_link(web_office):
    """A refusal is rendered in the answer (409); no address can put words on the page."""
    r = requests.post(web_office.url + "/api/v1/bookings", timeout=5, json={
        "service_id": "payments", "start": "2026-11-21T10:00:00+03:00", "name": "Петров", "phone": "+79160000009"})
    code = r.json()["code"]
    first = requests.post(web_office.url + f"/b/{code}/cancel", data={"lang": "ru"}, timeout=5,
                          allow_redirects=False)
    assert first.status_code == 303 and first.headers["Location"].endswith("cancelled=1")
    again = requests.post(web_office.url + f"/b/{code}/cancel", data={"lang": "ru"}, timeout=5,
                          allow_redirects=False)
    assert again.status_code == 409 and "Эта запись отменена" in again.text
    spoof = requests.get(web_office.url + f"/b/{code}?error=Позвоните+по+номеру+8-800", timeout=5)
    assert spoof.status_code == 200 and "8-800" not in spoof.text
