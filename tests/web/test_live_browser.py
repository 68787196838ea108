"""The dashboard live from other people's actions, and both pages across a server restart."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from web_helpers import dashboard_login, enter_with_session, open_console

pytestmark = pytest.mark.browser


def test_dashboard_follows_the_office_live_without_reloading(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "head", None, "/dashboard")
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("#alerts li")).to_have_text("Предупреждений нет.")

    # another operator's API action shows up
    ticket = web_office.ticket("consultation")
    expect(page.locator('#dash-queue-rows tr[data-queue="consultation"] td.num')).to_have_text("1")
    assert web_office.post("/api/v1/counters/2/next", "op2").status_code == 200
    row = page.locator('#dash-counter-rows tr[data-counter="2"]')
    expect(row).to_contain_text(ticket["number"])
    expect(row).to_contain_text("op2")
    expect(row.locator("[data-serving]")).to_have_class("badge norm-ok")
    expect(page.locator('#today-rows tr[data-role="consultant"] td.num').first).to_have_text("1")

    # a queue over its norm raises an alert (the administrator's norm is 10 minutes)
    web_office.ticket("reception")
    web_office.app.clock.advance(11 * 60)
    web_office.post("/api/v1/counters/3/pause", "op3", {"reason": "break"})  # any change pushes the state
    expect(page.locator('[data-alert="q:reception"]')).to_contain_text("Очередь «Администратор»")
    expect(page.locator('#dash-queue-rows [data-oldest="reception"]')).to_have_class("badge norm-over")
    expect(page.locator('#dash-counter-rows tr[data-counter="3"]')).to_contain_text("пауза: перерыв")

    # a device fault, then its recovery
    r = web_office.post("/api/v1/devices/status", "kiosk",
                        {"status": "fault", "component": "printer", "message": "нет бумаги"})
    assert r.status_code == 204
    fault = page.locator('[data-alert="d:kiosk-1|printer"]')
    expect(fault).to_contain_text("Устройство kiosk-1 (printer): нет бумаги")
    web_office.post("/api/v1/devices/status", "kiosk", {"status": "ok", "component": "printer"})
    expect(fault).to_have_count(0)
    assert page.evaluate("window.__notReloaded") is True
    assert page.evaluate("""() => document.documentElement.scrollHeight <= innerHeight
                                  && document.documentElement.scrollWidth <= innerWidth""")


def test_a_fault_reported_before_the_page_opened_is_shown(web_office, page_for):
    web_office.post("/api/v1/devices/status", "display", {"status": "fault", "component": "serial",
                                                          "message": "no answer"})
    page = page_for("en")
    dashboard_login(page, web_office, lang="en")
    expect(page.locator('[data-alert="d:board-1|serial"]')).to_contain_text("Device board-1 (serial): no answer")
    expect(page.locator("h2#dt-h")).to_contain_text("Today so far")


def test_links_to_daily_reports(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "admin", None, "/dashboard")
    href = page.get_attribute('[data-report="2026-11-20-pdf"]', "href")
    assert href == "/api/v1/reports/daily?date=2026-11-20&format=pdf"
    assert page.get_attribute('[data-report="2026-11-19-xlsx"]', "href") == (
        "/api/v1/reports/daily?date=2026-11-19&format=xlsx")
    form = page.locator("form.report-form")
    assert form.get_attribute("action") == "/api/v1/reports/daily"
    assert form.locator("input[name=date]").input_value() == "2026-11-20"


def test_an_operator_gets_a_clear_refusal(web_office, page_for):
    page = page_for()
    dashboard_login(page, web_office, login="op1")
    expect(page.locator(".refusal")).to_have_text(
        "Панель — для руководителя офиса и администратора системы. Вы вошли как оператор.")
    # the button works once the page's script has run: wait for that, not for a fixed time
    # (on a busy machine the click landed before common.js had attached its handler)
    page.wait_for_load_state("load")
    page.locator("[data-logout]").first.click()
    expect(page.locator("#f-login")).to_be_visible()


def test_console_and_dashboard_survive_a_server_restart(web_office, page_for):
    console = page_for()
    open_console(console, web_office)
    dash = page_for()
    enter_with_session(dash, web_office, "head", None, "/dashboard")

    web_office.stop()
    for page in (console, dash):
        expect(page.locator("#banner")).to_be_visible()
        expect(page.locator("#banner")).to_have_text("Восстанавливаем связь с сервером…")
    # an action while the server is away: an error, not a pretend success
    console.keyboard.press("KeyN")
    expect(console.locator("#message")).to_contain_text("Нет связи с сервером")
    expect(console.locator("#no-visitor")).to_be_visible()

    web_office.start()  # the same port, the same data folder
    for page in (console, dash):
        expect(page.locator("#banner")).to_be_hidden(timeout=10000)
    ticket = web_office.ticket("reception")
    expect(console.locator('#queue-rows tr[data-queue="reception"] td.num')).to_have_text("1")
    console.keyboard.press("KeyN")
    expect(console.locator("#v-number")).to_have_text(ticket["number"])
    expect(dash.locator('#dash-counter-rows tr[data-counter="1"]')).to_contain_text(ticket["number"])
