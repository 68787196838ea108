"""The company's view: /api/v1/network and an office's drill-down agree with the offices themselves;
a branch head sees only the branch; the /network pages in a real Chromium (Russian and English)."""
from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import requests
from central_support import (
    HEAD_PASSWORD,
    add_office,
    caught_up,
    pusher,
    pushing_office,
    qcentral,
    wait_for,
)
from live_office import stop_live_office

from queue_server.domain.events import format_at

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def backdated_tickets(live, service: str, minutes_ago: list[int]) -> None:
    """Visitors who took their tickets a while ago (imported as journal lines, as an
    office restoring an export would): their waits are already long."""
    now = datetime.now(UTC)
    lines = []
    for i, m in enumerate(minutes_ago):
        lines.append(json.dumps({"seq": None, "at": format_at(now - timedelta(minutes=m)), "type": "visit.issued",
                                 "visit": f"b{i:03d}{m:08d}"[:12], "step": 1, "service": service,
                                 "counter": None, "operator": None,
                                 "data": {"number": f"Б{100 + i}", "priority": None, "channel": "kiosk",
                                          "lang": "ru"}}))
    r = requests.post(live.url + "/api/v1/journal", data="\n".join(lines).encode(), timeout=10,
                      headers={**live.headers("admin"), "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200, r.text


@pytest.fixture
def network(centre, central_db, tmp_path):
    """Three offices: a busy one with a queue over its norm, a calm one with a printer fault
    and a counter on a pause, and one that has never connected."""
    north_id, north_token = add_office(central_db, "ЦОК Северный")
    south_id, south_token = add_office(central_db, "ЦОК Южный")
    quiet_id, _ = add_office(central_db, "ЦОК Западный")
    north = pushing_office(tmp_path / "north", centre.url, north_token, name="ЦОК Северный")
    south = pushing_office(tmp_path / "south", centre.url, south_token, name="ЦОК Южный")
    try:
        backdated_tickets(north, "reception", [34, 27, 19, 12])
        backdated_tickets(north, "payments", [14])
        for _ in range(3):
            north.ticket("consultation")
        north.post("/api/v1/counters/2/next", "op2")
        south.ticket("payments")
        south.post("/api/v1/counters/3/pause", "op3", {"reason": "lunch"})
        assert south.post("/api/v1/auth/logout", "op1").status_code == 204
        r = requests.post(south.url + "/api/v1/devices/status", json={
            "status": "fault", "component": "printer", "message": "out of paper"},
            headers=south.headers("kiosk"), timeout=5)
        assert r.status_code == 204
        for office_id, live in ((north_id, north), (south_id, south)):
            wait_for(caught_up(live, central_db, office_id), what="the offices to be pushed")
        qcentral(central_db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
        qcentral(central_db, "user", "add", "south-head", "--role", "head", "--password", HEAD_PASSWORD,
                 "--offices", str(south_id))
        yield {"north": (north_id, north), "south": (south_id, south), "quiet": quiet_id}
    finally:
        stop_live_office(north)
        stop_live_office(south)


def _by_name(view: dict) -> dict:
    return {o["name"]: o for o in view["offices"]}


def test_the_network_view_agrees_with_each_office(centre, network):
    token = centre.login("boss")
    r = centre.get("/api/v1/network", token)
    assert r.status_code == 200
    offices = _by_name(r.json())
    assert set(offices) == {"ЦОК Северный", "ЦОК Южный", "ЦОК Западный"}
    for key in ("north", "south"):
        office_id, live = network[key]
        own = live.get("/api/v1/state", "head").json()
        seen = offices[own["office"]]
        assert seen["id"] == office_id and seen["link"] == "up"
        assert seen["last_seq"] == own["seq"] and seen["behind"] == 0
        assert seen["waiting"] == sum(q["waiting"] for q in own["queues"])
        assert seen["counters_open"] == sum(c["status"] == "open" for c in own["counters"])
        assert seen["counters_paused"] == sum(c["status"] == "paused" for c in own["counters"])
        drill = centre.get(f"/api/v1/offices/{office_id}/state", token).json()
        assert [(q["service_id"], q["waiting"], q["over_norm"]) for q in drill["state"]["queues"]] == \
            [(q["service_id"], q["waiting"], q["over_norm"]) for q in own["queues"]]
        assert [(c["counter_id"], c["status"], c["operator"]) for c in drill["state"]["counters"]] == \
            [(c["counter_id"], c["status"], c["operator"]) for c in own["counters"]]
        assert drill["today"] == live.get("/api/v1/dashboard/today", "head").json()
    north = offices["ЦОК Северный"]
    assert north["worst_wait"]["service_id"] == "reception"  # 34 min against 10 beats 14 against 20
    assert north["worst_wait"]["over"] and north["worst_wait"]["wait_s"] >= 34 * 60
    assert {a["service_id"] for a in north["alerts"] if a["code"] == "over_norm"} == {"reception"}
    south = offices["ЦОК Южный"]
    assert [a["component"] for a in south["alerts"] if a["code"] == "device_fault"] == ["printer"]
    assert south["counters_paused"] == 1
    quiet = offices["ЦОК Западный"]
    assert quiet["link"] == "never" and quiet["last_contact"] is None
    assert [a["code"] for a in quiet["alerts"]] == ["never_connected"]


def test_a_branch_head_sees_only_the_branch(centre, network):
    south_id = network["south"][0]
    north_id = network["north"][0]
    token = centre.login("south-head")
    view = centre.get("/api/v1/network", token).json()
    assert [o["id"] for o in view["offices"]] == [south_id]
    assert centre.get(f"/api/v1/offices/{north_id}/state", token).status_code == 403
    assert centre.get(f"/api/v1/offices/{south_id}/state", token).status_code == 200
    assert centre.get("/api/v1/offices/99999/state", token).status_code == 404
    # a changed office list applies at once: the old session is gone with it
    qcentral(centre.db_url, "user", "add", "south-head", "--role", "head", "--password", HEAD_PASSWORD,
             "--offices", f"{south_id},{north_id}")
    assert centre.get("/api/v1/network", token).status_code == 401
    token = centre.login("south-head")
    assert len(centre.get("/api/v1/network", token).json()["offices"]) == 2


def test_login_answers_as_the_office_does(centre, network):
    r = requests.post(centre.url + "/api/v1/auth/login", json={"login": "boss", "password": "wrong-one"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = requests.post(centre.url + "/api/v1/auth/login", json={"login": "boss", "password": HEAD_PASSWORD},
                      timeout=10)
    assert r.status_code == 200 and r.json()["role"] == "head" and r.json()["offices"] is None
    token = r.json()["token"]
    assert requests.post(centre.url + "/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"},
                         timeout=10).status_code == 204
    assert centre.get("/api/v1/network", token).status_code == 401
    assert requests.get(centre.url + "/api/v1/network", timeout=10).status_code == 401


@pytest.mark.browser
def test_the_network_pages_in_a_browser(centre, network):
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    south_id, south = network["south"]
    pusher(south).stop()  # the south office's link goes down; its last contact was 25 min ago
    with psycopg.connect(centre.db_url, autocommit=True) as conn:
        conn.execute("UPDATE offices SET last_contact = now() - interval '25 minutes' WHERE id = %s", (south_id,))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            for lang in ("ru", "en"):
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                problems: list[str] = []
                page.on("console", lambda m, out=problems: out.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, out=problems: out.append(str(e)))
                page.goto(f"{centre.url}/network?lang={lang}")
                page.fill("#login", "boss")
                page.fill("#password", HEAD_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_selector("#offices tr")
                rows = page.locator("#offices tr")
                assert rows.count() == 3
                text = page.inner_text("#offices")
                if lang == "ru":
                    assert "ЦОК Северный" in text and "на связи" in text and "нет связи" in text
                    assert "Нет связи с" in text and "по состоянию на" in text
                    assert "Устройство kiosk-1 (printer): out of paper" in text
                    assert "ни разу не выходил на связь" in text
                else:
                    assert "up" in text and "Never connected" in text and "norm 10 min" in text
                    assert "Link lost since" in text
                # fits the screen: nothing wider than 1366 px
                assert page.evaluate("document.documentElement.scrollWidth") <= 1366
                page.screenshot(path=str(SHOTS / f"central-network-{lang}.png"))
                page.click("text=ЦОК Северный")
                page.wait_for_selector("#queues tr")
                assert page.locator("#counters tr").count() == 4
                assert page.evaluate("document.documentElement.scrollWidth") <= 1366
                page.screenshot(path=str(SHOTS / f"central-office-{lang}.png"))
                page.click("button:has-text('%s')" % ("Выйти" if lang == "ru" else "Log out"))
                page.wait_for_selector("#login")
                assert not problems, problems
                context.close()
        finally:
            browser.close()


def test_the_login_form_needs_its_csrf_token(centre, network):
    s = requests.Session()
    r = s.post(centre.url + "/login", data={"login": "boss", "password": HEAD_PASSWORD}, timeout=10,
               allow_redirects=False)
    assert r.status_code == 403 and "qctoken" not in s.cookies
    assert "Content-Security-Policy" in s.get(centre.url + "/network", timeout=10).headers


def test_the_session_cookie_only_reads(centre, network):
    """A page's cookie authenticates GETs; a forged cross-site POST carrying it does nothing."""
    s = requests.Session()
    form = s.get(centre.url + "/network", timeout=10).text
    csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
    r = s.post(centre.url + "/login", data={"login": "boss", "password": HEAD_PASSWORD, "csrf_token": csrf},
               timeout=10, allow_redirects=False)
    assert r.status_code == 302 and s.cookies.get("qctoken")
    assert s.get(centre.url + "/api/v1/network", timeout=10).status_code == 200
    assert s.post(centre.url + "/api/v1/auth/logout", timeout=10).status_code == 401
    assert s.get(centre.url + "/api/v1/network", timeout=10).status_code == 200  # still logged in
