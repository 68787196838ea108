"""The appeals registry over HTTP on a real server: registration and its acknowledgement by
e-mail (a real SMTP server) and on the counter's printer (a real socket), who may do what,
the public status that shows nothing personal and cannot be enumerated, the head's work
list, every change journaled, and the registry surviving a restart weeks later."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import requests
from live_office import start_live_office, stop_live_office

from hardware.escpos_png import receipt_png
from hardware.escpos_reader import Cut, parse_escpos
from queue_server.domain import events as ev

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
COMPLAINT = {"kind": "complaint", "topic": "metering", "channel": "in_person", "text": "Счёт за октябрь завышен вдвое",
             "requested_action": "Пересчитать", "immediate_measures": "Сняты контрольные показания",
             "service_id": "consultation", "contract": "77-123456",
             "contact": {"name": "Иванова Мария Петровна", "email": "ivanova@example.ru", "phone": "8 912 345-67-89"}}
PINNED = {"code", "status", "registered_at", "due_at", "status_url"}


def register(live, who="op1", **over) -> dict:
    r = live.post("/api/v1/appeals", who, {**COMPLAINT, **over})
    assert r.status_code == 201, r.text
    return r.json()


def journal(live, prefix: str) -> list[ev.Event]:
    return [e for e in live.app.store.events_after(0) if e.type.startswith(prefix)]


def test_a_registration_answers_the_pinned_shape_and_the_customer_gets_an_e_mail(appeal_office):
    live = appeal_office
    body = register(live)
    assert set(body) == PINNED
    assert body["status"] == "registered"
    assert body["registered_at"] == "2026-11-20T07:00:00.000Z"
    assert body["due_at"] == "2026-12-04T20:59:59.000Z"  # 14 days, to the end of the day in Moscow
    assert body["status_url"] == f"{live.url}/a/{body['code']}"
    (mail,) = live.smtp.inbox.wait_for(1)
    assert mail["To"] == "ivanova@example.ru"
    spaced = body["code"][:4] + "-" + body["code"][4:]
    assert spaced in mail["Subject"] and "зарегистрировано" in mail["Subject"]
    text = mail.get_content()
    assert "04.12.2026" in text and body["status_url"] in text and "жалоба" in text
    assert live.app.notifier.wait_idle(5)
    (sent,) = journal(live, "message.")
    assert (sent.type, sent.data["purpose"], sent.data["ref"]) == (ev.MESSAGE_SENT, "appeal.ack", f"appeal:{body['code']}")
    assert "ivanova" not in str(sent.data)  # the address is not journaled


def test_the_slip_prints_on_the_counters_printer_with_the_code_the_date_and_the_status_qr(appeal_office):
    live = appeal_office
    body = register(live)
    r = live.post(f"/api/v1/appeals/{body['code']}/slip", "op1", {})
    assert r.status_code == 200, r.text
    (job,) = live.printer.wait_for(1)
    receipt = parse_escpos(job)
    assert receipt.codepages == [17]  # CP866, selected once
    code = receipt.line_with(body["code"][:4] + "-" + body["code"][4:])
    assert code.bold and code.width == 3 and code.height == 3
    assert "Обращение" in receipt.text and "зарегистрировано" in receipt.text
    assert "Ответ не позднее: 04.12.2026" in receipt.text
    assert "Вид: жалоба" in receipt.text and "Услуга: Консультация и заявления" in receipt.text
    assert [q.payload for q in receipt.qr_codes] == [body["status_url"]]
    assert isinstance(receipt.elements[-1], Cut)
    # nothing personal on paper
    assert "Иванова" not in receipt.text and "912" not in receipt.text and "77-123456" not in receipt.text
    (slip,) = journal(live, ev.APPEAL_SLIP)
    assert (slip.counter, slip.data["ok"]) == ("1", True)
    receipt_png(receipt, 576).save(SHOTS / "appeal-slip-80mm.png")  # the paper, drawn from the bytes


def test_a_counter_without_a_printer_or_with_a_dead_one_gets_the_printable_page(appeal_office):
    live = appeal_office
    code = register(live)["code"]
    r = live.post(f"/api/v1/appeals/{code}/slip", "op2", {})  # counter 2 has no printer
    assert r.status_code == 409
    assert r.json()["error"]["details"]["slip_url"] == f"/appeals/{code}/slip"
    live.printer.close()  # counter 1's printer is switched off
    r = live.post(f"/api/v1/appeals/{code}/slip", "op1", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "slip_not_printed"
    assert [e.data["ok"] for e in journal(live, ev.APPEAL_SLIP)] == [False]
    # the printable page has the code and the QR, and no name
    page = requests.get(f"{live.url}/appeals/{code}/slip", cookies={"qtoken": live.tokens["op1"]}, timeout=5)
    assert page.status_code == 200 and code[:4] + "-" + code[4:] in page.text and "<svg" in page.text
    assert "Иванова" not in page.text


def test_who_may_do_what(appeal_office):
    live = appeal_office
    assert requests.post(f"{live.url}/api/v1/appeals", json=COMPLAINT, timeout=5).status_code == 401
    assert live.post("/api/v1/appeals", "kiosk", COMPLAINT).status_code == 403
    assert live.post("/api/v1/appeals", "display", COMPLAINT).status_code == 403
    code = register(live, "head", channel="phone")["code"]
    register(live, "admin", channel="post")
    assert live.get("/api/v1/appeals", "op1").status_code == 403  # the list is the head's
    assert live.get("/api/v1/appeals", "kiosk").status_code == 403
    assert live.get("/api/v1/appeals", "head").status_code == 200
    assert live.get(f"/api/v1/appeals/{code}", "op1").status_code == 200  # staff read one record
    assert live.get(f"/api/v1/appeals/{code}", "display").status_code == 403
    for path, body in (("extend", {"days": 3, "reason": "проверка"}),
                       ("decide", {"decision": "justified", "answer": "да"}), ("close", {"accepted": True})):
        assert live.post(f"/api/v1/appeals/{code}/{path}", "op1", body).status_code == 403
    assert journal(live, "appeal.extended") == [] and journal(live, "appeal.decided") == []


def test_the_public_status_shows_status_and_dates_only(appeal_office):
    live = appeal_office
    code = register(live)["code"]
    r = requests.get(f"{live.url}/api/v1/public/appeals/{code}", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"code": code, "status": "registered", "registered_at": "2026-11-20T07:00:00.000Z",
                        "due_at": "2026-12-04T20:59:59.000Z"}
    live.app.clock.advance(3600)
    live.post(f"/api/v1/appeals/{code}/decide", "head", {"decision": "partly", "answer": "Пересчёт за октябрь"})
    assert requests.get(f"{live.url}/api/v1/public/appeals/{code.lower()}", timeout=5).json() == {
        "code": code, "status": "decided", "registered_at": "2026-11-20T07:00:00.000Z",
        "due_at": "2026-12-04T20:59:59.000Z", "decided_at": "2026-11-20T08:00:00.000Z"}
    page = requests.get(f"{live.url}/a/{code}", timeout=5)
    assert page.status_code == 200 and "04.12.2026" in page.text
    for secret in ("Иванова", "ivanova", "912", "77-123456", "завышен", "Пересчёт"):
        assert secret not in page.text and secret not in r.text
    # a code that is not one, or unknown, is the same "not found"
    for wrong in ("ZZZZZZZZ", "x", "../../etc", code[:7] + ("0" if code[7] != "0" else "1")):
        assert requests.get(f"{live.url}/api/v1/public/appeals/{wrong}", timeout=5).status_code == 404
    assert requests.get(f"{live.url}/a/ZZZZZZZZ", timeout=5).status_code == 404


def test_guessing_codes_is_stopped_after_a_few_tries_per_address(appeal_office):
    live = appeal_office
    code = register(live)["code"]
    statuses = [requests.get(f"{live.url}/api/v1/public/appeals/AAAA{i:04d}", timeout=5).status_code
                for i in range(25)]
    assert statuses[:19] == [404] * 19 and statuses[-1] == 429
    r = requests.get(f"{live.url}/api/v1/public/appeals/{code}", timeout=5)
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_requests"
    assert requests.get(f"{live.url}/a/{code}", timeout=5).status_code == 429  # the page shares the limit
    # staff are not limited: the registry's own API is behind a login
    assert live.get(f"/api/v1/appeals/{code}", "op1").status_code == 200


def test_the_heads_work_list_extension_decision_and_the_customers_word(appeal_office):
    live = appeal_office
    clock = live.app.clock
    early = register(live)["code"]
    clock.advance(3600)
    late = register(live, kind="question", channel="email", topic="energy_supply", text="Когда тариф?")["code"]
    assert live.get(f"/api/v1/appeals/{late}", "head").json()["due_date"] == "2026-11-23"  # e-mail question: 3 days
    listed = live.get("/api/v1/appeals?status=registered", "head").json()["appeals"]
    assert [a["code"] for a in listed] == [late, early]  # by due date
    assert "contact" not in listed[0] and "text" not in listed[0]  # the list names nobody
    clock.advance(4 * 86400)  # 24 November: the question is overdue
    live.relogin()  # yesterday's sessions have expired
    over = live.get("/api/v1/appeals?overdue=true", "head").json()["appeals"]
    assert [a["code"] for a in over] == [late] and over[0]["overdue"]
    # the head extends the complaint with a reason: the customer is told in writing (§7.6)
    r = live.post(f"/api/v1/appeals/{early}/extend", "head", {"days": 5, "reason": "Нужна поверка счётчика"})
    assert r.status_code == 200 and r.json()["due_date"] == "2026-12-09" and r.json()["status"] == "extended"
    r = live.post(f"/api/v1/appeals/{early}/extend", "head", {"days": 6, "reason": "ещё"})
    assert r.status_code == 422  # 10 days in all
    assert live.post(f"/api/v1/appeals/{early}/close", "head", {"accepted": True}).status_code == 409
    r = live.post(f"/api/v1/appeals/{early}/decide", "head", {"decision": "unjustified", "answer": "Начисления верны"})
    assert r.json()["status"] == "decided" and r.json()["decided_in_time"] is True
    r = live.post(f"/api/v1/appeals/{early}/close", "head", {"accepted": False})
    assert r.json()["status"] == "disputed"  # open again (§7.8)
    assert [a["code"] for a in live.get("/api/v1/appeals?status=open", "head").json()["appeals"]] == [late, early]
    live.post(f"/api/v1/appeals/{early}/decide", "head", {"decision": "justified", "answer": "После поверки — перерасчёт"})
    r = live.post(f"/api/v1/appeals/{early}/close", "head", {"accepted": True})
    assert r.json()["status"] == "closed"
    history = [h["type"] for h in r.json()["history"]]
    assert history[:1] == ["appeal.registered"] and history.count("appeal.decided") == 2
    assert [e.type for e in journal(live, "appeal.") if e.data.get("code") == early] == [
        ev.APPEAL_REGISTERED, ev.APPEAL_EXTENDED, ev.APPEAL_DECIDED, ev.APPEAL_CLOSED, ev.APPEAL_DECIDED,
        ev.APPEAL_CLOSED]
    # extension notice and both answers went to the customer's e-mail, after the acknowledgement
    spaced = early[:4] + "-" + early[4:]
    mails = [m for m in live.smtp.inbox.wait_for(5) if spaced in m["Subject"]]
    assert [m["To"] for m in mails] == ["ivanova@example.ru"] * 4
    assert "зарегистрировано" in mails[0]["Subject"] and "не позднее 09.12.2026" in mails[1]["Subject"]
    assert "Причина: Нужна поверка счётчика" in mails[1].get_content()  # §7.6: the notice says why
    assert "признано необоснованным" in mails[2].get_content() and "повторно" in mails[2].get_content()
    assert "После поверки — перерасчёт" in mails[3].get_content()


def test_bad_bodies_are_refused_and_nothing_is_journaled(appeal_office):
    live = appeal_office
    for bad in ({**COMPLAINT, "kind": "praise"}, {**COMPLAINT, "text": ""}, {**COMPLAINT, "extra": 1},
                {**COMPLAINT, "contact": {"email": "x@y.ru\r\nBcc: all@y.ru"}}, {**COMPLAINT, "service_id": "bakery"},
                {**COMPLAINT, "contact": {"phone": "позвонить"}}, {k: v for k, v in COMPLAINT.items() if k != "topic"}):
        r = live.post("/api/v1/appeals", "op1", bad)
        assert r.status_code == 422, (bad, r.text)
        assert set(r.json()["error"]) >= {"code", "message"}
    assert live.post("/api/v1/appeals/ZZZZZZZZ/decide", "head", {"decision": "justified", "answer": "x"}).status_code == 404
    assert journal(live, "appeal.") == []


def test_the_digest_goes_to_the_head_in_the_morning(appeal_office):
    live = appeal_office
    clock = live.app.clock
    overdue = register(live, kind="question", channel="email", topic="other", text="?")["code"]
    soon = register(live)["code"]
    clock.set(clock.now().replace(day=23, hour=4, minute=59))  # 07:59 Moscow, 23 November
    live.app.extras["scheduler"].tick()
    clock.advance(120)  # 08:01: the digest's time
    live.app.extras["scheduler"].tick()
    mails = [m for m in live.smtp.inbox.wait_for(3) if m["To"] == "head@example.ru"]
    assert len(mails) == 1
    overdue_part, _, soon_part = mails[0].get_content().partition("Срок в ближайшие 2 дн.")
    q = overdue[:4] + "-" + overdue[4:]
    assert "Просроченные:\n  нет" in overdue_part  # due 23.11 until 23:59: due soon, not overdue yet
    assert q in soon_part and "срок 23.11.2026" in soon_part
    assert soon[:4] not in soon_part  # due 04.12: not within 2 days
    assert mails[0]["Subject"] == "Обращения на 23.11.2026: просрочено 0, скоро срок 1"
    clock.advance(86400)  # next morning the question is overdue
    live.app.extras["scheduler"].tick()
    live.app.notifier.wait_idle(5)
    mails = [m for m in live.smtp.inbox.wait_for(4) if m["To"] == "head@example.ru"]
    assert len(mails) == 2 and q in mails[1].get_content().partition("Срок в ближайшие")[0]
    assert mails[1]["Subject"] == "Обращения на 24.11.2026: просрочено 1, скоро срок 0"


def test_the_registry_survives_a_restart_weeks_later(office_dir, clock):
    live = start_live_office(office_dir, clock)
    try:
        code = register(live)["code"]
        live.post(f"/api/v1/appeals/{code}/extend", "head", {"days": 2, "reason": "проверка"})
    finally:
        stop_live_office(live)
    clock.advance(30 * 86400)  # the start-up replay reads two days; the registry reads its own lines
    live = start_live_office(office_dir, clock)
    try:
        record = live.get(f"/api/v1/appeals/{code}", "head").json()
        assert (record["status"], record["due_date"], record["overdue"]) == ("extended", "2026-12-06", True)
        assert record["contact"]["phone"] == "+79123456789"
        plan = live.app.store.query("EXPLAIN QUERY PLAN SELECT seq FROM events WHERE type IN (?, ?)",
                                    ("appeal.registered", "appeal.closed"))
        assert any("events_type" in str(row) for row in plan)  # the type index, not a scan of the journal
    finally:
        stop_live_office(live)


def test_every_registry_line_fits_the_journal_schema_and_imports_idempotently(appeal_office, tmp_path):
    live = appeal_office
    code = register(live)["code"]
    live.post(f"/api/v1/appeals/{code}/decide", "head", {"decision": "justified", "answer": "да"})
    lines = [e for e in live.app.store.events_after(0)]
    assert live.app.store.import_events(lines) == 0
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", code)
    assert timedelta(days=14) < live.app.service.office.appeals.get(code).due_at - live.app.service.office.appeals.get(
        code).registered_at < timedelta(days=15)


def test_the_quarterly_report_from_the_command_line_and_the_api(appeal_office, tmp_path):
    from queue_server.cli import main

    live = appeal_office
    register(live)
    register(live, kind="application", channel="email", topic="technological_connection", text="ТП")
    r = live.get("/api/v1/reports/quarter?quarter=2026Q4", "head")
    assert r.status_code == 200 and r.json()["total"] == 2 and r.json()["appeals_registry"]["registered"] == 2
    assert live.get("/api/v1/reports/quarter?quarter=2026Q4", "op1").status_code == 403
    assert live.get("/api/v1/reports/quarter?quarter=2026Q5", "head").status_code == 422
    pdf = live.get("/api/v1/reports/quarter?quarter=2026Q4&format=pdf", "head")
    assert pdf.content.startswith(b"%PDF") and 'appeals-2026Q4.pdf' in pdf.headers["Content-Disposition"]
    out = tmp_path / "q.csv"
    assert main(["report", "--data", str(live.app.data_dir), "--quarter", "2026Q4", "--format", "csv",
                 "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert "Мониторинг обращений клиентов, 2026Q4" in text and "Жалобы;;1;50,0" in text
    assert main(["report", "--data", str(live.app.data_dir), "--quarter", "2026-Q9"]) == 2
