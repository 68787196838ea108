"""Fixtures for the web pages: a restartable live office and one Chromium per module."""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect
from web_helpers import CHROMIUM, CHROMIUM_ARGS, SCREEN, WebOffice, free_port

# Every expect() waits for its condition and passes the moment it holds; the bound is
# only how long a busy 2-core CI machine may take (the default 5 s failed there once).
expect.set_options(timeout=30_000)


@pytest.fixture
def web_office(office_dir, clock):
    """A live office like `live_office`, restartable on the same port; op2–op4 at counters 2–4.

    Counter 1 is left free for the browser's operator (op1) to log in at.
    """
    office = WebOffice(office_dir, clock, free_port())
    office.start()
    now = clock.now()
    office.tokens["kiosk"] = office.app.accounts.add_device("kiosk-1", "kiosk", now)
    office.tokens["display"] = office.app.accounts.add_device("board-1", "display", now)
    for login, counter in (("op2", "2"), ("op3", "3"), ("op4", "4"), ("head", None), ("admin", None)):
        office.tokens[login] = office.login(login, counter)
    yield office
    office.stop()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (pages get their own context per test)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser):
    """page_for(lang='ru') -> a fresh page (own cookies) at 1366×768; closed after the test."""
    contexts = []

    def make(lang: str = "ru"):
        context = browser.new_context(viewport=SCREEN, locale="ru-RU" if lang == "ru" else "en-GB")
        context.set_default_timeout(8000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
