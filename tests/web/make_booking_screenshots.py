"""Screenshots of the booking pages for docs/bookings.md (docs/screenshots/book-*.png,
console-bookings.png, dashboard-bookings.png, bookings-page.png, report-bookings-ru.png).

Run from the repository root:  .venv/bin/python tests/web/make_booking_screenshots.py
A throwaway office with a fake clock (Friday 20.11.2026, 10:00 Moscow), a few bookings made
through the API, then the pages in headless Chromium: the public page on a phone (390×844),
the staff's at 1366×768. Not a test: pytest does not collect it.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import requests  # noqa: E402
from live_office import make_office_dir  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from web_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREEN,
    SHOTS,
    WebOffice,
    enter_with_session,
    free_port,
)

from queue_server.clock import FakeClock  # noqa: E402
from queue_server.report_service import build_report  # noqa: E402
from queue_server.reports.pdf_export import to_pdf  # noqa: E402

PHONE = {"width": 390, "height": 844}
HOURS = "".join(f'[hours.{d}]\nopen = "08:00"\nlast_ticket = "16:45"\nclose = "17:00"\n'
                for d in ("mon", "tue", "wed", "thu", "fri")) + '[hours.sat]\nopen = "09:00"\nlast_ticket = "13:45"\nclose = "14:00"\n'
PEOPLE = [("reception", "10:40", "Смирнова Ольга", "+79161230001"), ("consultation", "11:00", "Кузнецов Павел", None),
          ("payments", "11:20", "Попова Анна", "+79161230003"), ("reception", "12:00", "Васильев Олег", "+79161230004"),
          ("consultation", "09:30", "Соколова Ирина", "+79161230005")]


def at(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-20T{hhmm}:00+03:00").astimezone(UTC)


def office_with_hours(folder: Path) -> Path:
    """The example office, open on weekdays 08:00–17:00 and Saturdays 09:00–14:00."""
    data = make_office_dir(folder)
    toml = data / "office.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('hours = "always"   # the demo office never closes\n', "")
                    + HOURS, encoding="utf-8")
    return data


def book(office: WebOffice, service: str, hhmm: str, name: str, phone: str | None, who: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {office.tokens[who]}"} if who else {}
    r = requests.post(office.url + "/api/v1/bookings", headers=headers, timeout=5, json={
        "service_id": service, "start": f"2026-11-20T{hhmm}:00+03:00", "name": name, "phone": phone,
        "email": None if phone else "kuznetsov@example.ru"})
    r.raise_for_status()
    return r.json()


def morning(office: WebOffice) -> list[dict]:
    """Five bookings made the evening before; walk-ins and two early check-ins by 10:36."""
    office.tokens["kiosk"] = office.app.accounts.add_device("kiosk-1", "kiosk", office.clock.now())
    office.clock.set(datetime(2026, 11, 19, 15, 0, tzinfo=UTC))  # the evening before
    made = [book(office, *p) for p in PEOPLE]
    office.clock.set(at("10:00"))
    for login, counter in (("op2", "2"), ("op4", "4")):
        office.tokens[login] = office.login(login, counter)
    return made


def shoot_phone(browser, office: WebOffice, made: list[dict]) -> None:
    ctx = browser.new_context(viewport=PHONE, locale="ru-RU", is_mobile=True, has_touch=True, device_scale_factor=1)
    page = ctx.new_page()
    page.goto(office.url + "/book?service=consultation&date=2026-11-23")
    page.locator("#times input[name=slot][value$='T10:30:00+03:00']").check(force=True)
    page.fill("#f-name", "Иванова Мария")
    page.fill("#f-phone", "+7 912 345-67-89")
    page.screenshot(path=SHOTS / "book-phone-ru.png", full_page=True)
    page.get_by_label("Я согласен", exact=False).check()
    page.get_by_role("button", name="Записаться").click()
    page.wait_for_url("**made=1**")
    page.screenshot(path=SHOTS / "book-confirmed-phone.png", full_page=True)
    page.get_by_role("link", name="Перенести на другое время").click()
    page.locator("#pick input[name=date][value='2026-11-24']").check(force=True)
    page.wait_for_selector("#times")
    page.screenshot(path=SHOTS / "book-move-phone.png", full_page=True)
    office.clock.set(at("11:10"))  # Попова's 11:20 is within the phone's window
    page.goto(office.url + f"/b/{made[2]['code']}")
    page.screenshot(path=SHOTS / "book-checkin-phone.png", full_page=True)
    office.clock.set(at("10:00"))
    ctx.close()
    ctx = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(office.url + "/book?lang=en&service=payments&date=2026-11-21")
    page.locator("#times input[name=slot]").nth(3).check(force=True)
    page.screenshot(path=SHOTS / "book-phone-en.png", full_page=True)
    ctx.close()


def shoot_staff(browser, office: WebOffice, made: list[dict]) -> None:
    office.clock.set(at("10:30"))
    for service in ("reception", "consultation", "payments"):
        office.ticket(service)
    office.clock.set(at("10:35"))
    office.post(f"/api/v1/bookings/{made[0]['code']}/check-in", "kiosk")  # early for 10:40
    office.clock.set(at("10:42"))
    page = browser.new_context(viewport=SCREEN, locale="ru-RU").new_page()
    enter_with_session(page, office, "op1", "1", "/console")
    page.keyboard.press("KeyN")  # Смирнова's 10:40 is due: called before the walk-in of 10:30
    page.wait_for_selector("#visitor:not([hidden])")
    page.wait_for_selector("#bk-rows tr", state="attached")
    page.mouse.move(0, 0)
    page.screenshot(path=SHOTS / "console-bookings-called.png")
    page.get_by_role("button", name="Записи на сегодня").click()
    page.wait_for_selector("#bk-rows tr")
    page.screenshot(path=SHOTS / "console-bookings.png")
    page.keyboard.press("Escape")
    page.keyboard.press("KeyS")
    page.context.close()
    office.clock.set(at("10:55"))
    office.post(f"/api/v1/bookings/{made[1]['code']}/check-in", "kiosk")  # early for 11:00
    office.clock.set(at("11:02"))
    office.post("/api/v1/counters/2/next", "op2")  # Кузнецов, at 11:00
    dash = browser.new_context(viewport=SCREEN, locale="ru-RU").new_page()
    enter_with_session(dash, office, "head", None, "/dashboard")
    dash.get_by_role("button", name="Записи на сегодня").click()
    dash.wait_for_selector("#bk-rows tr")
    dash.screenshot(path=SHOTS / "dashboard-bookings.png")
    dash.context.close()
    cc = browser.new_context(viewport=SCREEN, locale="ru-RU").new_page()
    token = office.login("op3")
    cc.context.add_cookies([{"name": "qtoken", "value": token, "url": office.url, "httpOnly": True,
                             "sameSite": "Strict"}])
    cc.goto(office.url + "/bookings")
    cc.wait_for_selector("#bk-rows tr")
    cc.get_by_role("button", name="Записать по звонку…").click()
    cc.select_option("#bk-service", "consultation")
    cc.fill("#bk-date", "2026-11-23")
    cc.dispatch_event("#bk-date", "change")
    cc.wait_for_selector("#bk-time option[value$='T14:00:00+03:00']", state="attached")
    cc.select_option("#bk-time", "2026-11-23T14:00:00+03:00")
    cc.fill("#bk-name", "Морозов Денис")
    cc.fill("#bk-phone", "+7 903 555-00-11")
    cc.click("#bk-submit")
    cc.wait_for_selector("#bk-done:not([hidden])")
    cc.screenshot(path=SHOTS / "bookings-page.png")
    cc.context.close()
    # the rest of the day: Попова checks in from her phone and is called; Васильев comes 20 min late
    office.clock.set(at("11:15"))
    requests.post(office.url + f"/api/v1/bookings/{made[2]['code']}/check-in", json={}, timeout=5)
    office.clock.set(at("11:24"))
    office.post("/api/v1/counters/4/next", "op4")
    office.clock.set(at("12:20"))
    office.post(f"/api/v1/bookings/{made[3]['code']}/check-in", "kiosk")


def shoot_report(office: WebOffice) -> None:
    office.clock.set(datetime(2026, 11, 20, 21, 0, 30, tzinfo=UTC))
    office.app.extras["scheduler"].tick()  # midnight: the no-shows are marked
    report = build_report(office.app.store, office.app.config.catalog, date(2026, 11, 20))
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "r.pdf"
        pdf.write_bytes(to_pdf(report, "ru"))
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(Path(tmp) / "p")], check=True)
        pages = sorted(Path(tmp).glob("p-*.png"))
        (SHOTS / "report-bookings-ru.png").write_bytes(pages[-1].read_bytes())


def main() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
        office = WebOffice(office_with_hours(Path(tmp) / "office"), clock, free_port())
        office.start()
        try:
            made = morning(office)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shoot_phone(browser, office, made)
                shoot_staff(browser, office, made)
                browser.close()
            shoot_report(office)
        finally:
            office.stop()
    print("written: book-*.png, console-bookings*.png, dashboard-bookings.png, bookings-page.png, "
          "report-bookings-ru.png")


if __name__ == "__main__":
    main()
