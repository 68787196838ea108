"""The console tells the clerk what each action did, and never contradicts itself.

Headless Chromium against the real server: every action answered by the server
says so in words; "could not reach the server" goes as soon as the server answers
again; on a pause the console does not ask to call the next visitor; numbers are
written in the page's locale.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from web_helpers import enter_with_session

pytestmark = pytest.mark.browser


def test_every_action_is_confirmed_in_words(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    message = page.locator("#message")
    web_office.ticket("reception")
    web_office.ticket("reception")
    expect(page.locator('#queue-rows tr[data-queue="reception"] td.num')).to_have_text("2")
    page.keyboard.press("KeyN")
    expect(message).to_have_text("Вызван А001.")
    page.keyboard.press("KeyR")
    expect(message).to_have_text("Повторно вызван А001.")
    page.keyboard.press("KeyX")
    expect(message).to_have_text("А001: отмечен как неявка.")
    page.keyboard.press("KeyN")
    expect(message).to_have_text("Вызван А002.")
    page.keyboard.press("KeyS")
    expect(message).to_have_text("Идёт обслуживание: А002.")
    page.keyboard.press("KeyT")
    page.locator('#transfer-dialog input[value="quick"]').check()
    page.locator("[data-transfer-now]").click()
    expect(message).to_have_text("А002 направлен: Быстрый вопрос.")
    page.keyboard.press("KeyN")
    expect(message).to_have_text("Вызван А002.")
    page.keyboard.press("KeyF")
    page.locator("[data-finish-now]").click()
    expect(message).to_have_text("А002: обслуживание завершено.")


def test_on_a_pause_the_console_does_not_ask_to_call_the_next(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    expect(page.locator("#no-visitor")).to_have_text("У окна нет посетителя. Вызовите следующего.")
    page.keyboard.press("KeyP")
    page.locator('[data-pause="break"]').click()
    expect(page.locator("#counter-status")).to_have_text("пауза: перерыв")
    expect(page.locator("#no-visitor")).to_have_text(
        "Посетителя нет: окно на паузе. Чтобы вызывать, продолжите работу.")
    expect(page.locator("#message")).to_have_text("Пауза: перерыв.")
    page.keyboard.press("KeyP")
    expect(page.locator("#message")).to_have_text("Окно снова работает.")
    expect(page.locator("#no-visitor")).to_have_text("У окна нет посетителя. Вызовите следующего.")


def test_no_connection_goes_away_when_the_server_is_back(web_office, page_for):
    """It stayed 20+ s after the connection came back: it must go when the live link is back."""
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    web_office.stop()
    expect(page.locator("body")).to_have_attribute("data-live", "off", timeout=15000)
    page.locator('[data-action="next"]').click()
    message = page.locator("#message")
    expect(message).to_contain_text("Нет связи с сервером: действие не выполнено")
    web_office.start()
    expect(page.locator("body")).to_have_attribute("data-live", "on", timeout=15000)
    expect(message).to_be_hidden()


def test_a_refusal_stays_until_the_clerk_acts(web_office, page_for):
    """Only the "no connection" message goes by itself; the server's own refusal stays."""
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    page.evaluate("Q.say('Окно занято', 'error')")
    page.evaluate("Q.api('GET', '/api/v1/state')")
    expect(page.locator("#message")).to_have_text("Окно занято")


def test_minutes_are_written_in_the_page_language(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "op1", "1", "/console")
    assert page.evaluate("Q.minutes(192)") == "3,2"
    assert page.evaluate("Q.minutes(600)") == "10"
