"""Helpers for the web page tests: a restartable live office, logging in from a page.

`web_office` is the same real server as the root `live_office` (real SQLite,
fake clock, staff and device tokens), but it can be
killed and started again on the SAME port and data folder, the way a server
process dies and comes back: `restart()` cuts every open connection, which is
what a browser sees when the process goes away.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import requests
from live_office import PASSWORD, free_port, start_server  # noqa: F401  (free_port: for the fixtures)

from queue_server.app import create_app
from queue_server.serve import ServerThread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREEN = {"width": 1366, "height": 768}
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


@dataclass
class WebOffice:
    data: Path
    clock: object
    port: int
    app: object = None
    server: ServerThread | None = None
    tokens: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.app = create_app(self.data, clock=self.clock, base_url=self.url)
        self.server = start_server(self.app, self.port)

    def stop(self) -> None:
        self.server.stop()  # drops every open connection, as a dying process does

    def restart(self) -> None:
        self.stop()
        self.start()

    # ---- API helpers, as a kiosk or another staff member would call --------
    def login(self, login: str, counter_id: str | None = None) -> str:
        r = requests.post(f"{self.url}/api/v1/auth/login", timeout=5,
                          json={"login": login, "password": PASSWORD, "counter_id": counter_id})
        r.raise_for_status()
        return r.json()["token"]

    def post(self, path: str, who: str, json: dict | None = None) -> requests.Response:
        return requests.post(self.url + path, json=json or {}, timeout=5,
                             headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def get(self, path: str, who: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return requests.get(self.url + path, headers=headers, timeout=5, **kw)

    def ticket(self, service_id: str = "reception", **extra) -> dict:
        r = self.post("/api/v1/tickets", "kiosk", {"service_id": service_id, **extra})
        assert r.status_code == 201, r.text
        return r.json()


def console_login(page, office: WebOffice, login: str = "op1", counter: str = "1",
                  password: str = PASSWORD, lang: str | None = None) -> None:
    url = office.url + "/console" + (f"?lang={lang}" if lang else "")
    page.goto(url)
    page.fill("#f-login", login)
    page.fill("#f-password", password)
    page.select_option("#f-counter", counter)
    page.click("form button[type=submit]")


def dashboard_login(page, office: WebOffice, login: str = "head", lang: str | None = None) -> None:
    page.goto(office.url + "/dashboard" + (f"?lang={lang}" if lang else ""))
    page.fill("#f-login", login)
    page.fill("#f-password", PASSWORD)
    page.click("form button[type=submit]")


def csrf_of(page) -> str:
    return page.get_attribute('meta[name="csrf-token"]', "content")


def text_of(page, selector: str) -> str:
    return re.sub(r"\s+", " ", page.inner_text(selector)).strip()


def open_console(page, office: WebOffice, login: str = "op1", counter: str = "1", lang: str | None = None) -> None:
    """Log in at the console and wait until the page is live (Socket.IO connected)."""
    console_login(page, office, login, counter, lang=lang)
    page.wait_for_selector("body[data-live=on]")


def enter_with_session(page, office: WebOffice, login: str, counter: str | None, path: str) -> None:
    """Skip the login form (tested on its own): log in through the API, hand the page the cookie."""
    token = office.login(login, counter)
    page.context.add_cookies([{"name": "qtoken", "value": token, "url": office.url,
                               "httpOnly": True, "sameSite": "Strict"}])
    page.goto(office.url + path)
    page.wait_for_selector("body[data-live=on]")
