"""/admin in headless Chromium (issue #15, item 5) and a device-down alert on the dashboard (#13, item 4).

Screenshots (docs/screenshots/admin-*.png, dashboard-device-down.png) are written when
WEB_SCREENSHOTS=1 is set: the device's token on one of them is new at every run.
"""
from __future__ import annotations

import os

import pytest
import requests
from live_office import PASSWORD
from playwright.sync_api import expect
from web_helpers import SHOTS, enter_with_session, open_console

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a-quite-new-phrase-7"


def shot(page, name: str) -> None:
    if os.environ.get("WEB_SCREENSHOTS"):
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def watch_csp(page) -> list[str]:
    """Console errors (a CSP violation, a script error) seen by the page; a refusal the page
    asked for and shows (a 4xx answer) is not one."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def fits(page) -> bool:
    return page.evaluate("""() => document.documentElement.scrollHeight <= innerHeight
                                  && document.documentElement.scrollWidth <= innerWidth""")


def admin_lines(office) -> list[tuple]:
    return [(e.type, e.operator, e.data.get("login") or e.data.get("device"))
            for e in office.app.store.events_after(0) if e.type.startswith("admin.")]


def test_the_administrator_manages_staff_from_the_page(web_office, page_for):
    page = page_for()
    errors = watch_csp(page)
    enter_with_session(page, web_office, "admin", None, "/admin")
    rows = page.locator("#user-rows tr")
    expect(rows).to_have_count(6)
    expect(page.locator('#user-rows tr[data-user="op1"]')).to_contain_text("оператор")
    expect(page.locator('#user-rows tr[data-user="admin"] [data-act="disable"]')).to_have_count(0)  # not yourself

    # a new clerk: a common password is refused in Russian, a good one is taken
    page.click("#add-user summary")
    page.fill("#u-login", "petrova")
    page.fill("#u-name", "Петрова А. В.")
    page.select_option("#u-role", "operator")
    page.fill("#u-password", "qwerty123456")
    page.click("#user-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("пароль: слишком распространённый")
    page.fill("#u-password", NEW_PASSWORD)
    page.click("#user-form button[type=submit]")
    expect(page.locator('#user-rows tr[data-user="petrova"]')).to_contain_text("Петрова А. В.")
    expect(page.locator("#message")).to_contain_text("petrova сохранён.")

    # disabling op1 ends their console at once, in their own browser
    op2 = page_for()
    open_console(op2, web_office, "op1", "1")
    page.click('#user-rows tr[data-user="op1"] [data-act="disable"]')
    expect(page.locator('#user-rows tr[data-user="op1"]')).to_contain_text("отключена")
    expect(op2.locator("#message")).to_contain_text("Сеанс завершён")
    assert requests.post(f"{web_office.url}/api/v1/auth/login", json={"login": "op1", "password": PASSWORD},
                         timeout=5).json()["error"]["code"] == "account_disabled"
    page.click('#user-rows tr[data-user="op1"] [data-act="enable"]')
    expect(page.locator('#user-rows tr[data-user="op1"]')).to_contain_text("активна")

    # a password reset through the dialog: the two fields must agree
    page.click('#user-rows tr[data-user="op3"] [data-act="password"]')
    expect(page.locator("#password-dialog")).to_be_visible()
    page.fill("#pw-new", NEW_PASSWORD)
    page.fill("#pw-again", NEW_PASSWORD + "x")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#pw-error")).to_have_text("Пароли не совпадают.")
    shot(page, "admin-password")
    page.fill("#pw-again", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-dialog")).to_be_hidden()
    assert web_office.get("/api/v1/state", "op3").status_code == 401  # their session is over
    assert requests.post(f"{web_office.url}/api/v1/auth/login", json={"login": "op3", "password": NEW_PASSWORD},
                         timeout=5).status_code == 200

    # removing asks first
    page.click('#user-rows tr[data-user="op4"] [data-act="remove"]')
    expect(page.locator("#cf-h")).to_have_text("Удалить op4?")
    page.click("#confirm-dialog [data-close]")
    expect(page.locator('#user-rows tr[data-user="op4"]')).to_have_count(1)
    page.click('#user-rows tr[data-user="op4"] [data-act="remove"]')
    page.click("#cf-yes")
    expect(page.locator('#user-rows tr[data-user="op4"]')).to_have_count(0)
    assert fits(page)
    shot(page, "admin-ru")
    assert admin_lines(web_office) == [
        ("admin.user_added", "admin", "petrova"), ("admin.user_disabled", "admin", "op1"),
        ("admin.user_enabled", "admin", "op1"), ("admin.password_set", "admin", "op3"),
        ("admin.user_removed", "admin", "op4")]
    assert errors == []


def test_the_administrator_adds_and_revokes_devices_and_sees_them_live(web_office, page_for):
    office, clock = web_office, web_office.app.clock
    office.app.devices.stop()  # the test sweeps by hand with the fake clock
    page = page_for()
    errors = watch_csp(page)
    enter_with_session(page, office, "admin", None, "/admin")
    expect(page.locator('#device-rows tr[data-device="kiosk-1"] [data-state]')).to_have_text("сигнала ещё не было")
    assert office.post("/api/v1/devices/heartbeat", "kiosk").status_code == 200
    clock.advance(61)
    office.app.devices.sweep()  # kiosk-1 went silent: pushed, the page re-reads its list
    expect(page.locator('#device-rows tr[data-device="kiosk-1"] [data-state]')).to_have_text("не отвечает с 10:00")

    page.click("#add-device summary")
    page.fill("#d-name", "kiosk-2")
    page.select_option("#d-kind", "kiosk")
    page.click("#device-form button[type=submit]")
    expect(page.locator("#new-token")).to_be_visible()
    token = page.locator("#new-token-value").inner_text().strip()
    assert len(token) >= 40
    assert requests.post(f"{office.url}/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 201
    expect(page.locator('#device-rows tr[data-device="kiosk-2"]')).to_contain_text("киоск")
    assert fits(page)
    shot(page, "admin-device-token")
    page.click("#hide-token")
    expect(page.locator("#new-token")).to_be_hidden()

    page.click('#device-rows tr[data-device="kiosk-2"] [data-act="revoke"]')
    expect(page.locator("#cf-h")).to_have_text("Отозвать kiosk-2?")
    page.click("#cf-yes")
    expect(page.locator('#device-rows tr[data-device="kiosk-2"]')).to_have_count(0)
    assert requests.post(f"{office.url}/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert errors == []


def test_the_page_is_for_the_administrator_only(web_office, page_for):
    page = page_for()
    enter_with_session(page, web_office, "head", None, "/dashboard")
    response = page.goto(web_office.url + "/admin")
    assert response.status == 403
    expect(page.locator(".refusal")).to_have_text("Сотрудниками и устройствами управляет администратор.")
    expect(page.locator('a.btn[href="/dashboard"]')).to_be_visible()
    assert web_office.get("/api/v1/admin/users", "head").status_code == 403

    fresh = page_for()
    fresh.goto(web_office.url + "/admin")  # no session: the login form, back here after it
    expect(fresh.locator("#login-h")).to_be_visible()
    fresh.fill("#f-login", "admin")
    fresh.fill("#f-password", PASSWORD)
    fresh.click("form button[type=submit]")
    expect(fresh).to_have_url(web_office.url + "/admin")
    expect(fresh.locator("#user-rows tr")).to_have_count(6)


def test_a_disabled_account_is_told_so_at_the_login_form(web_office, page_for):
    assert requests.post(f"{web_office.url}/api/v1/admin/users/head/disable", timeout=5,
                         headers={"Authorization": f"Bearer {web_office.tokens['admin']}"}).status_code == 204
    page = page_for()
    page.goto(web_office.url + "/dashboard")
    page.fill("#f-login", "head")
    page.fill("#f-password", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Учётная запись отключена: обратитесь к администратору офиса.")


def test_the_page_in_english(web_office, page_for):
    page = page_for("en")
    errors = watch_csp(page)
    enter_with_session(page, web_office, "admin", None, "/admin?lang=en")
    expect(page.locator("#au-h")).to_have_text("Staff")
    expect(page.locator('#user-rows tr[data-user="head"]')).to_contain_text("office head")
    expect(page.locator('#device-rows tr[data-device="board-1"]')).to_contain_text("not heard from yet")
    assert fits(page)
    shot(page, "admin-en")
    assert errors == []


def test_the_dashboard_raises_a_silent_device_and_a_long_printer_fault(web_office, page_for):
    office, clock = web_office, web_office.app.clock
    office.app.devices.stop()
    page = page_for()
    enter_with_session(page, office, "admin", None, "/dashboard")
    for who in ("kiosk", "display"):
        assert office.post("/api/v1/devices/heartbeat", who).status_code == 200
    office.post("/api/v1/devices/status", "kiosk", {"status": "fault", "component": "printer",
                                                    "message": "нет бумаги"})
    fault = page.locator('[data-alert="d:kiosk-1|printer"]')
    expect(fault).to_contain_text("Устройство kiosk-1 (printer): нет бумаги")
    clock.advance(40)
    assert office.post("/api/v1/devices/heartbeat", "kiosk").status_code == 200  # the kiosk itself is alive
    clock.advance(30)
    office.app.devices.sweep()  # the board has been silent for 70 s
    down = page.locator('[data-alert="down:board-1"]')
    expect(down).to_have_text("Устройство board-1 (табло) не отвечает с 10:00")
    clock.advance(300)
    assert office.post("/api/v1/devices/heartbeat", "kiosk").status_code == 200
    office.ticket("reception")  # any change pushes the state, and the page's clock with it
    long_fault = page.locator('[data-alert="d:kiosk-1|printer:long"]')
    expect(long_fault).to_contain_text("Киоск kiosk-1: принтер не работает 6 мин: нет бумаги")
    expect(long_fault).to_have_class("alert-over alert-printer-long")
    assert fits(page)
    shot(page, "dashboard-device-down")
    assert office.post("/api/v1/devices/heartbeat", "display").status_code == 200
    office.app.devices.sweep()
    expect(down).to_have_count(0)
    office.post("/api/v1/devices/status", "kiosk", {"status": "ok", "component": "printer"})
    expect(long_fault).to_have_count(0)
    expect(page.locator('[data-alert="down:kiosk-1"]')).to_have_count(0)
    expect(page.locator('#alerts a[href="/admin"], .bar a[href="/admin"]')).to_have_count(1)  # the admin's way there
