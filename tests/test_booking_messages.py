"""What a booked visitor is told: a confirmation, the eve's reminder, a cancel notice, by e-mail
through a real SMTP server (aiosmtpd on 127.0.0.1) and SMS through a gateway stub; every
outcome journaled as `booking.notified` (sent, or failed)."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import requests
from live_office import start_live_office, stop_live_office
from notify_servers import SmsStub

from queue_server.domain import events as ev


def configure(office_dir, *tables: str) -> None:
    with (office_dir / "office.toml").open("a", encoding="utf-8") as fh:
        fh.write("".join(tables))


def book(live, start: str, **details) -> dict:
    r = requests.post(f"{live.url}/api/v1/bookings", timeout=5, json={
        "service_id": "consultation", "start": start, "name": "Иванова Мария", **details})
    assert r.status_code == 201, r.text
    return r.json()


def outcomes(live, code: str) -> list[tuple[str, str, str]]:
    assert live.app.notifier.wait_idle(10)
    return [(e.data["purpose"], e.data["channel"], e.data["outcome"]) for e in live.app.store.events_after(0)
            if e.type == ev.BOOKING_NOTIFIED and e.data["code"] == code]


def text_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def test_a_booking_is_confirmed_by_e_mail_and_sms_and_both_are_journaled(office_dir, clock, smtp_server,
                                                                          sms_gateway):
    configure(office_dir, smtp_server.settings(), sms_gateway.settings())
    live = start_live_office(office_dir, clock)
    try:
        made = book(live, "2026-11-23T10:30:00+03:00", phone="8 912 345-67-89", email="maria@example.ru")
        code = made["code"]
        (mail,) = smtp_server.inbox.wait_for(1)
        assert mail["To"] == "maria@example.ru"
        assert mail["Subject"] == "Ваша запись: 23 ноября в 10:30, Центр обслуживания клиентов «Энергосбыт»"
        body = text_of(mail)
        assert "Здравствуйте, Иванова Мария!" in body
        assert "понедельник, 23 ноября в 10:30 (около 15 мин)" in body
        assert f"Код записи: {code[:4]}-{code[4:]}" in body
        assert f"{live.url}/b/{code}" in body
        assert "больше чем на 15 мин" in body
        (sms,) = sms_gateway.wait_for(1)
        sent = json.loads(sms["body"])
        assert sent["to"] == "+79123456789" and sms["headers"]["Authorization"] == "Bearer test-sms"
        assert sent["text"].startswith("Запись: Консультация и заявления, 23 ноября в 10:30. Код ")
        assert f"/b/{code}" in sent["text"]
        assert sorted(outcomes(live, code)) == [("confirmation", "email", "sent"), ("confirmation", "sms", "sent")]

        r = requests.delete(f"{live.url}/api/v1/bookings/{code}", timeout=5)
        assert r.status_code == 204
        mails = smtp_server.inbox.wait_for(2)
        assert mails[1]["Subject"] == "Запись отменена: 23 ноября в 10:30"
        assert ("cancellation", "email", "sent") in outcomes(live, code)
    finally:
        stop_live_office(live)


def test_english_and_a_failed_sms_is_journaled_with_why(office_dir, clock, smtp_server):
    refusing = SmsStub(status=400)
    configure(office_dir, smtp_server.settings(), refusing.settings())
    live = start_live_office(office_dir, clock)
    try:
        code = book(live, "2026-11-23T10:30:00+03:00", phone="+79123456789", email="a@example.ru",
                    lang="en")["code"]
        (mail,) = smtp_server.inbox.wait_for(1)
        assert mail["Subject"].startswith("Your booking: 23 November at 10:30")
        assert "Booking code:" in text_of(mail)
        assert sorted(outcomes(live, code)) == [("confirmation", "email", "sent"), ("confirmation", "sms", "failed")]
        failed = next(e for e in live.app.store.events_after(0)
                      if e.type == ev.BOOKING_NOTIFIED and e.data["outcome"] == "failed")
        assert failed.data["error"] == "the SMS gateway answered 400"
    finally:
        stop_live_office(live)
        refusing.stop()


def test_the_eve_reminder_goes_once_and_a_restart_does_not_repeat_it(office_dir, clock, smtp_server):
    configure(office_dir, smtp_server.settings())
    live = start_live_office(office_dir, clock)
    try:
        code = book(live, "2026-11-21T09:00:00+03:00", email="a@example.ru")["code"]
        book(live, "2026-11-22T09:00:00+03:00", email="b@example.ru")  # not tomorrow yet: no reminder
        smtp_server.inbox.wait_for(2)
        clock.set(datetime(2026, 11, 20, 15, 0, 30, tzinfo=UTC))  # 18:00:30 in Moscow
        live.app.extras["scheduler"].tick()
        live.app.extras["scheduler"].tick()
        mails = smtp_server.inbox.wait_for(3)
        assert len(mails) == 3 and mails[2]["To"] == "a@example.ru"
        assert mails[2]["Subject"] == "Напоминание: завтра в 09:00, Центр обслуживания клиентов «Энергосбыт»"
        assert "Ждём вас завтра" in text_of(mails[2])
        assert ("reminder", "email", "sent") in outcomes(live, code)
    finally:
        stop_live_office(live)
    live = start_live_office(office_dir, clock)  # started after 18:00: catches up only what is missing
    try:
        assert live.app.notifier.wait_idle(10)
        assert len(smtp_server.inbox.messages) == 3
    finally:
        stop_live_office(live)


def test_what_was_never_sent_goes_out_at_the_next_start(office_dir, clock, smtp_server):
    """The sender keeps no queue across a restart: a booking made while e-mail was not set up
    (or before a crash) is confirmed when the office starts with e-mail."""
    live = start_live_office(office_dir, clock)
    try:
        code = book(live, "2026-11-23T10:30:00+03:00", email="a@example.ru")["code"]
        assert outcomes(live, code) == []  # no channel: nothing attempted, nothing journaled
    finally:
        stop_live_office(live)
    configure(office_dir, smtp_server.settings())
    live = start_live_office(office_dir, clock)
    try:
        (mail,) = smtp_server.inbox.wait_for(1)
        assert mail["To"] == "a@example.ru" and code[:4] in text_of(mail)
        assert outcomes(live, code) == [("confirmation", "email", "sent")]
    finally:
        stop_live_office(live)
