"""The appeals registry's pages in headless Chromium, photographed for the docs:
the console registers a complaint in two touches more than finishing, the dashboard lists
what is due and overdue, the head works the registry, the customer's status page shows no
one's name, and the visitor rates the visit from the tracking page (a low score with a
comment becomes a complaint)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from web_helpers import SHOTS, enter_with_session, open_console

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def register(office, who: str = "head", **over) -> dict:
    body = {"kind": "complaint", "topic": "metering", "channel": "phone", "text": "Счёт за октябрь завышен",
            "contract": "77-123", "contact": {"name": "Иванова М. П.", "phone": "+79123456789"}, **over}
    r = office.post("/api/v1/appeals", who, body)
    assert r.status_code == 201, r.text
    return r.json()


def journal_types(office, prefix: str) -> list:
    return [e for e in office.app.store.events_after(0) if e.type.startswith(prefix)]


def test_the_console_registers_a_complaint_in_two_touches_more_than_finishing(web_office, page_for):
    page = page_for()
    open_console(page, web_office)
    ticket = web_office.ticket("reception")
    page.keyboard.press("KeyN")
    expect(page.locator("#v-number")).to_have_text(ticket["number"])
    page.keyboard.press("KeyS")
    page.keyboard.press("KeyF")
    finish = page.locator("#finish-dialog")
    touches = 0
    finish.locator("[data-appeal-toggle]").click()  # 1: "register an appeal"
    touches += 1
    finish.locator('[data-kind="complaint"]').click()  # finishing's own two touches: kind…
    finish.locator('[data-topic="metering"]').click()  # …and topic
    touches += 2
    dialog = page.locator("#appeal-dialog")
    expect(dialog).to_be_visible()
    expect(finish).to_be_hidden()
    # the appeal comes prefilled from the visit and the finish: kind, topic, service
    expect(dialog.locator('[data-a-kind="complaint"]')).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator('[data-a-topic="metering"]')).to_have_attribute("aria-pressed", "true")
    expect(dialog.locator("select[name=service_id]")).to_have_value("reception")
    expect(dialog.locator("textarea[name=text]")).to_be_focused()
    page.keyboard.type("Счёт за октябрь завышен вдвое, просит перерасчёт")
    dialog.locator("input[name=contract]").fill("77-123456")
    dialog.locator("input[name=phone]").fill("8 912 345-67-89")
    shot(page, "appeal-console-dialog")
    dialog.locator('[data-submit="finish"]').click()  # 2: "register and finish"
    touches += 1
    assert touches == 2 + 2
    done = dialog.locator("[data-done]")
    expect(done).to_be_visible()
    code = dialog.locator("[data-done-code]").inner_text()
    expect(done).to_contain_text("Ответ не позднее 04.12.2026")
    expect(done.locator("[data-done-slip]")).to_have_attribute("href", f"/appeals/{code.replace('-', '')}/slip?print=1")
    shot(page, "appeal-console-registered")
    dialog.locator("[data-close]").click()
    expect(page.locator("#no-visitor")).to_be_visible()  # the visit is finished too
    (appeal,) = journal_types(web_office, "appeal.registered")
    (finished,) = journal_types(web_office, "step.finished")
    assert appeal.data["code"] == code.replace("-", "") and appeal.data["visit_id"] == ticket["visit_id"]
    assert (appeal.service, appeal.counter, appeal.operator, appeal.data["channel"]) == ("reception", "1", "op1", "in_person")
    assert appeal.data["contact"] == {"phone": "+79123456789"} and appeal.data["contract"] == "77-123456"
    assert (finished.data["kind"], finished.data["topic"]) == ("complaint", "metering")


def test_the_dashboard_lists_overdue_and_soon_due_appeals_and_follows_changes(web_office, page_for):
    clock = web_office.app.clock
    overdue = register(web_office, kind="question", channel="email", topic="energy_supply", text="Когда?")
    clock.advance(4 * 86400)  # the e-mail question's 3 days are over
    for login, counter in (("op2", "2"), ("op3", "3"), ("op4", "4"), ("head", None)):
        web_office.tokens[login] = web_office.login(login, counter)
    soon = register(web_office, kind="application", channel="email", topic="technological_connection", text="ТП")
    clock.advance(86400)  # 25 November: the application is due on the 27th, within 2 days
    web_office.tokens["head"] = web_office.login("head")
    page = page_for()
    enter_with_session(page, web_office, "head", None, "/dashboard")
    rows = page.locator("#appeals-rows tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f'[data-appeal="{overdue["code"]}"]')).to_contain_text("Просрочено на 2 дн.")
    expect(page.locator(f'[data-appeal="{soon["code"]}"]')).to_contain_text("осталось 2 дн.")
    expect(page.locator("#appeals-summary")).to_have_text("Обращения: просрочено 1, срок в ближайшие 2 дн. — 1")
    assert "Иванова" not in page.inner_text(".dash-appeals")
    shot(page, "appeal-dashboard")
    # answering the overdue question takes it off the list at the next state push
    web_office.post(f"/api/v1/appeals/{overdue['code']}/decide", "head", {"decision": "justified", "answer": "Ответ"})
    web_office.ticket("reception")  # any change in the hall pushes the state
    expect(rows).to_have_count(1, timeout=15000)
    assert page.evaluate("""() => document.documentElement.scrollHeight <= innerHeight""")


def test_the_head_extends_decides_and_closes_from_the_registry_page(web_office, page_for):
    appeal = register(web_office)
    register(web_office, kind="suggestion", topic="other", channel="web", text="Поставьте кулер", contact=None,
             contract=None)
    page = page_for()
    enter_with_session_plain(page, web_office, "head", "/appeals")
    rows = page.locator("#reg-rows tr[data-appeal]")
    expect(rows).to_have_count(2)
    page.locator(f'#reg-rows [data-appeal="{appeal["code"]}"] a').click()
    detail = page.locator("#detail")
    expect(detail).to_be_visible()
    expect(detail.locator("#d-facts")).to_contain_text("Иванова М. П.")  # staff see the file
    page.fill("#x-days", "5")
    page.fill("#x-reason", "Нужна поверка прибора учёта")
    page.locator("#extend-form button[type=submit]").click()
    expect(detail.locator("#d-status")).to_have_text("рассматривается, срок продлён")
    expect(detail.locator("#d-facts")).to_contain_text("09.12.2026 (+5)")
    page.locator('#decide-form input[value="partly"]').check()
    page.fill("#d-answer", "Перерасчёт за октябрь выполнен частично")
    page.locator("#decide-form button[type=submit]").click()
    expect(detail.locator("#d-status")).to_have_text("ответ дан")
    expect(page.locator("#close-form")).to_be_visible()
    expect(page.locator("#decide-form")).to_be_hidden()
    shot(page, "appeal-registry")
    page.locator('[data-accepted="true"]').click()
    expect(detail.locator("#d-status")).to_have_text("закрыто")
    expect(detail.locator("#d-history li")).to_have_count(4)
    assert [e.type for e in journal_types(web_office, "appeal.")][-3:] == [
        "appeal.extended", "appeal.decided", "appeal.closed"]


def enter_with_session_plain(page, office, login: str, path: str) -> None:
    """The registry page is not a live page: enter with the session cookie and wait for its script."""
    token = office.login(login, None)
    page.context.add_cookies([{"name": "qtoken", "value": token, "url": office.url, "httpOnly": True,
                               "sameSite": "Strict"}])
    page.goto(office.url + path)


def test_an_operator_registers_a_phone_call_from_the_registry_page(web_office, page_for):
    page = page_for("en")
    enter_with_session_plain(page, web_office, "op2", "/appeals?lang=en")
    expect(page.locator("#reg-rows")).to_have_count(0)  # the list is the head's
    form = page.locator("#rf-form")
    form.locator('[data-a-kind="question"]').click()
    form.locator('[data-a-topic="energy_supply"]').click()
    form.locator("textarea[name=text]").fill("When does the new tariff start?")
    form.locator("input[name=email]").fill("Caller@Example.RU")
    form.locator('[data-submit="register"]').click()
    expect(form.locator("[data-done]")).to_contain_text("Answer due by 2026-12-04")  # a phone question: 14 days
    (e,) = journal_types(web_office, "appeal.registered")
    assert (e.data["channel"], e.data["contact"], e.counter) == ("phone", {"email": "Caller@example.ru"}, None)
    shot(page, "appeal-registry-operator-en")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_status_page_shows_status_and_dates_and_nobodys_name(web_office, page_for, lang):
    appeal = register(web_office)
    web_office.app.clock.advance(3 * 86400)
    web_office.tokens["head"] = web_office.login("head")
    web_office.post(f"/api/v1/appeals/{appeal['code']}/decide", "head",
                    {"decision": "justified", "answer": "Иванова, перерасчёт сделан"})
    page = page_for(lang)
    page.set_viewport_size(PHONE)
    page.goto(appeal["status_url"] + f"?lang={lang}")
    expect(page.locator("#status")).to_have_text({"ru": "ответ дан", "en": "answered"}[lang])
    expect(page.locator("#due")).to_have_text({"ru": "04.12.2026", "en": "2026-12-04"}[lang])
    expect(page.locator("#decided")).to_contain_text({"ru": "23.11.2026", "en": "2026-11-23"}[lang])
    body = page.inner_text("body")
    assert "Иванова" not in body and "77-123" not in body and "перерасчёт" not in body
    shot(page, f"appeal-status-{lang}")
    # a typed code, with a dash and in lower case, finds it too
    page.fill("#code-input", appeal["code"][:4].lower() + "-" + appeal["code"][4:].lower())
    page.locator("form[role=search] button").click()
    expect(page.locator("#code")).to_have_text(appeal["code"][:4] + "-" + appeal["code"][4:])
    page.goto(web_office.url + "/a/ZZZZ-ZZZZ")
    expect(page.locator("#unknown")).to_be_visible()


def test_the_printable_slip_and_letter(web_office, page_for):
    appeal = register(web_office)
    page = page_for()
    enter_with_session_plain(page, web_office, "head", f"/appeals/{appeal['code']}/slip")
    expect(page.locator("#slip-code")).to_have_text(appeal["code"][:4] + "-" + appeal["code"][4:])
    expect(page.locator("#slip-due")).to_have_text("04.12.2026")
    assert page.locator(".qr svg").count() == 1 and "Иванова" not in page.inner_text("body")
    shot(page, "appeal-slip-page")
    page.goto(web_office.url + f"/appeals/{appeal['code']}/letter?about=ack")
    expect(page.locator(".to")).to_contain_text("Иванова М. П.")  # a letter goes to the customer by name
    expect(page.locator("#letter-body")).to_contain_text("Ответ будет дан не позднее 04.12.2026")
    shot(page, "appeal-letter")


def test_the_visitor_rates_the_visit_from_the_tracking_page_and_registers_a_complaint(web_office, page_for):
    ticket = web_office.ticket("consultation")
    web_office.post("/api/v1/counters/2/next", "op2")
    web_office.post("/api/v1/counters/2/start", "op2")
    page = page_for()
    page.set_viewport_size(PHONE)
    page.goto(ticket["track_url"])
    rating = page.locator("#rating")
    expect(rating).to_be_hidden()  # being served: nothing to rate yet
    web_office.post("/api/v1/counters/2/finish", "op2", {})
    expect(rating).to_be_visible(timeout=15000)  # appears live when the service ends
    page.locator('.star[data-score="2"]').click()
    page.fill("#rating-comment", "Долго искали мой договор, нагрубили")
    shot(page, "rating-track")
    page.locator("#rating-send").click()
    offer = page.locator("#complaint-offer")
    expect(offer).to_be_visible()
    page.fill("#complaint-email", "visitor@example.ru")
    page.locator("#complaint-send").click()
    expect(page.locator("#complaint-done")).to_be_visible()
    code = page.locator("#complaint-code").inner_text().replace("-", "")
    shot(page, "rating-complaint")
    (rated,) = journal_types(web_office, "visit.rated")
    assert (rated.data["score"], rated.data["via"], rated.data["served"]) == (
        2, "track", [{"service": "consultation", "counter": "2", "operator": "op2"}])
    (appeal,) = journal_types(web_office, "appeal.registered")
    assert (appeal.data["code"], appeal.data["channel"], appeal.data["rating"]) == (code, "web", True)
    page.reload()
    expect(page.locator("#rating")).to_be_hidden()  # rated: not offered again
