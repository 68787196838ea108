"""Screenshots of the web pages at 1366×768 for docs/web.md (docs/screenshots/).

Run from the repository root:  .venv/bin/python tests/web/make_screenshots.py
It builds a throwaway office with a fake clock, plays a short morning through
the API and photographs the pages in headless Chromium. Not a test: pytest
does not collect it (the name does not start with test_).
"""
from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from live_office import make_office_dir  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from web_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREEN,
    SHOTS,
    WebOffice,
    console_login,
    enter_with_session,
    free_port,
)

from queue_server.clock import FakeClock  # noqa: E402


def morning(office: WebOffice) -> None:
    """Visitors waiting, counters busy, one on a pause, one transferred with a note."""
    clock = office.clock
    office.tokens["kiosk"] = office.app.accounts.add_device("kiosk-1", "kiosk", clock.now())
    office.tokens["display"] = office.app.accounts.add_device("board-1", "display", clock.now())
    for login, counter in (("op2", "2"), ("op3", "3"), ("op4", "4")):
        office.tokens[login] = office.login(login, counter)
    office.ticket("reception")
    clock.advance(60)
    office.ticket("payments", priority="veteran")
    for service in ("consultation", "payments", "consultation"):
        clock.advance(75)
        office.ticket(service)
    office.post("/api/v1/counters/4/next", "op4")
    office.post("/api/v1/counters/4/start", "op4")
    office.post("/api/v1/counters/2/next", "op2")
    clock.advance(240)
    office.post("/api/v1/counters/3/pause", "op3", {"reason": "paperwork"})
    clock.advance(200)


def main() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clock = FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
        office = WebOffice(make_office_dir(Path(tmp) / "office"), clock, free_port())
        office.start()
        try:
            morning(office)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shoot(browser, office)
                browser.close()
        finally:
            office.stop()


def shoot(browser, office: WebOffice) -> None:
    page = browser.new_context(viewport=SCREEN, locale="ru-RU").new_page()
    page.goto(office.url + "/console")
    page.screenshot(path=SHOTS / "console-login.png")
    taken = browser.new_context(viewport=SCREEN, locale="ru-RU").new_page()
    console_login(taken, office, "op1", "2")  # op2 works there: the page asks before a takeover
    taken.wait_for_selector("#f-takeover")
    taken.fill("#f-password", "********")
    taken.screenshot(path=SHOTS / "console-login-takeover.png")
    taken.context.close()

    console_login(page, office)
    page.wait_for_selector("body[data-live=on]")
    page.keyboard.press("KeyN")       # the first visitor at the administrator…
    page.wait_for_selector("#visitor:not([hidden])")
    page.keyboard.press("KeyS")
    page.wait_for_selector("#v-state:text('обслуживается')")
    office.clock.advance(150)
    page.keyboard.press("KeyT")       # …is sent on to the quick-question desk with a note
    page.check('#transfer-dialog input[value="quick"]')
    page.fill("#transfer-note", "Нужна справка об отсутствии задолженности")
    page.screenshot(path=SHOTS / "console-transfer.png")
    page.click("[data-transfer-now]")
    page.wait_for_selector("#no-visitor:not([hidden])")
    office.clock.advance(30)
    office.ticket("reception")
    page.keyboard.press("KeyN")       # and comes back to this counter's second queue
    page.wait_for_selector("#v-history:not([hidden])")
    page.mouse.move(0, 0)
    page.screenshot(path=SHOTS / "console-called.png")
    page.keyboard.press("KeyF")
    page.click('[data-kind="application"]')
    page.screenshot(path=SHOTS / "console-finish.png")
    page.keyboard.press("Escape")

    office.clock.advance(8 * 60)
    office.post("/api/v1/devices/status", "kiosk",
                {"status": "fault", "component": "printer", "message": "Нет бумаги"})
    for lang, name in (("ru", "dashboard-ru.png"), ("en", "dashboard-en.png")):
        dash = browser.new_context(viewport=SCREEN, locale="ru-RU").new_page()
        enter_with_session(dash, office, "head", None, f"/dashboard?lang={lang}")
        dash.wait_for_selector("#today-rows tr")
        dash.wait_for_selector("[data-alert^='d:']")
        dash.screenshot(path=SHOTS / name)
    print("written:", ", ".join(sorted(p.name for p in SHOTS.glob("*.png")
                                       if p.name.startswith(("console-", "dashboard-")))))


if __name__ == "__main__":
    main()
