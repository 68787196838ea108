"""The operator console in headless Chromium: log in, call, transfer, finish, log out."""
from __future__ import annotations

import pytest
from live_office import PASSWORD
from playwright.sync_api import expect
from web_helpers import console_login, csrf_of, enter_with_session, open_console

pytestmark = pytest.mark.browser


def fits_the_screen(page) -> bool:
    return page.evaluate("""() => document.documentElement.scrollHeight <= innerHeight
                                  && document.documentElement.scrollWidth <= innerWidth""")


def journal(office) -> list[dict]:
    import json

    text = office.get("/api/v1/journal", "head").text
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_log_in_call_transfer_finish_and_log_out_with_the_keyboard(web_office, page_for):
    page = page_for()
    page.goto(web_office.url + "/console")
    # keyboard only: the login field has the focus; Tab to the password, then the counter
    expect(page.locator("#f-login")).to_be_focused()
    page.keyboard.type("op1")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first counter: Окно 1
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#counter-name")).to_have_text("Окно 1")
    expect(page.locator("body")).to_have_attribute("data-live", "on")
    page.reload()  # the counter stays chosen
    expect(page.locator("#counter-name")).to_have_text("Окно 1")
    expect(page.locator("#counter-status")).to_have_text("открыто")
    expect(page.locator("body")).to_have_attribute("data-live", "on")

    web_office.ticket("reception")  # the queue updates live, no reload
    expect(page.locator('#queue-rows tr[data-queue="reception"] td.num')).to_have_text("1")
    page.keyboard.press("KeyN")
    expect(page.locator("#v-number")).to_have_text("А001")
    expect(page.locator("#v-state")).to_have_text("вызван")
    expect(page.locator("#v-reason")).to_contain_text("Единственный в очереди")
    expect(page.locator("#v-wait")).to_have_class("time norm-ok")
    page.keyboard.press("KeyS")
    expect(page.locator("#v-state")).to_have_text("обслуживается")

    # transfer to "quick", which this counter serves too, with a note
    page.keyboard.press("KeyT")
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-service-option="reception"]')).to_be_hidden()  # not to itself
    expect(dialog.locator('input[value="consultation"]')).to_be_focused()
    page.keyboard.press("ArrowDown")  # payments
    page.keyboard.press("ArrowDown")  # quick
    expect(dialog.locator('input[value="quick"]')).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("нужна справка")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#no-visitor")).to_be_visible()
    expect(page.locator('#queue-rows tr[data-queue="quick"] td.num')).to_have_text("1")

    # the same visit comes back with its history and the note
    page.keyboard.press("KeyN")
    expect(page.locator("#v-number")).to_have_text("А001")
    expect(page.locator("#v-service")).to_have_text("Быстрый вопрос")
    expect(page.locator("#v-note")).to_have_text("Примечание: нужна справка")
    expect(page.locator("#v-history-list li")).to_have_text("Администратор, Окно 1 — перенаправлен")
    assert fits_the_screen(page)  # 1366×768 with a visitor, a note and a history: no scrolling

    # finish in two touches, kind then topic (here by keyboard: Tab to the choice, Enter)
    page.keyboard.press("KeyF")
    expect(page.locator("#finish-dialog")).to_be_visible()
    expect(page.locator('[data-kind="application"]')).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # complaint; the focus moves on to the topics
    expect(page.locator('[data-topic="technological_connection"]')).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator('[data-topic="metering"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#finish-dialog")).to_be_hidden()
    expect(page.locator("#no-visitor")).to_be_visible()
    finished = [e for e in journal(web_office) if e["type"] == "step.finished"]
    assert finished[-1]["data"] == {"outcome": "served", "kind": "complaint", "topic": "metering"}
    transferred = next(e for e in journal(web_office) if e["type"] == "step.transferred")
    assert transferred["data"] == {"to_service": "quick", "note": "нужна справка"}

    page.locator("[data-logout]").click()
    expect(page.locator("#f-login")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "qtoken"]
    state = web_office.get("/api/v1/state", "head").json()
    assert next(c for c in state["counters"] if c["counter_id"] == "1")["status"] == "closed"


def test_an_action_that_does_not_reach_the_server_is_not_shown_as_done(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    web_office.ticket("reception")
    expect(page.locator('#queue-rows tr[data-queue="reception"] td.num')).to_have_text("1")
    page.route("**/api/v1/counters/1/next", lambda route: route.abort())
    page.locator('[data-action="next"]').click()
    expect(page.locator("#message")).to_contain_text("Нет связи с сервером: действие не выполнено")
    expect(page.locator("#no-visitor")).to_be_visible()
    expect(page.locator('[data-action="next"]')).to_be_enabled()  # still usable: try again
    page.unroute("**/api/v1/counters/1/next")
    page.locator('[data-action="next"]').click()
    expect(page.locator("#v-number")).to_have_text("А001")
    # a refusal from the server is shown in words, and changes nothing
    page.keyboard.press("KeyP")
    expect(page.locator("#pause-dialog")).to_be_hidden()  # no pause with a visitor at the counter


def test_pause_with_a_reason_and_resume(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    page.keyboard.press("KeyP")
    page.locator('[data-pause="paperwork"]').click()
    expect(page.locator("#counter-status")).to_have_text("пауза: работа с документами")
    expect(page.locator('[data-action="next"]')).to_be_disabled()
    expect(page.locator('[data-action="resume"]')).to_be_visible()
    page.keyboard.press("KeyP")
    expect(page.locator("#counter-status")).to_have_text("открыто")
    expect(page.locator('[data-action="next"]')).to_be_enabled()


def test_another_counter_is_out_of_reach_and_csrf_is_required(web_office, page_for):
    page = page_for()
    console_login(page, web_office, counter="2")  # op2 works there
    expect(page.locator(".form-error")).to_contain_text("уже работает другой оператор")
    open_console(page, web_office, counter="1")
    web_office.ticket("consultation")
    post = """async ([path, csrf]) => {
        const headers = {"Content-Type": "application/json"};
        if (csrf) headers["X-CSRF-Token"] = csrf;
        const r = await fetch(path, {method: "POST", headers, body: "{}"});
        return [r.status, (await r.json()).error.code];
    }"""
    assert page.evaluate(post, ["/api/v1/counters/2/next", csrf_of(page)]) == [403, "forbidden"]
    assert page.evaluate(post, ["/api/v1/counters/1/next", None]) == [403, "csrf"]
    state = web_office.get("/api/v1/state", "head").json()
    assert next(q for q in state["queues"] if q["service_id"] == "consultation")["waiting"] == 1


def test_english_view_is_remembered(web_office, page_for):
    page = page_for("en")
    open_console(page, web_office, lang="en")
    expect(page.locator("#counter-name")).to_have_text("Counter 1")
    expect(page.locator('[data-action="next"]')).to_contain_text("Call next")
    page.goto(web_office.url + "/console")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#no-visitor")).to_have_text("No visitor at the counter. Call the next one.")
