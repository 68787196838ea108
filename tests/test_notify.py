"""Outgoing e-mail and SMS reach real servers, retry when they are down, and refuse what
would inject headers; the office.toml settings build them or say what is wrong."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from notify_servers import SmtpServer

from queue_server.adapters.mail import Mailer, MailSettings
from queue_server.adapters.notify import Delivery, DeliveryError, Message, Notifier, notify_channels
from queue_server.adapters.sms import FORM, SmsGateway, SmsSettings
from queue_server.cli import demo_config
from queue_server.config import ConfigError, parse_config
from queue_server.domain.contacts import normalize_email, normalize_phone
from queue_server.domain.errors import InvalidInput

LETTER = Message(to="ivanov@example.ru", subject="Обращение К7М2QX зарегистрировано",
                 text="Ответ не позднее 19.12.2026.\nСтатус: http://cok/a/K7M2QX")


def mailer(server: SmtpServer, **over) -> Mailer:
    values = dict(host="127.0.0.1", port=server.port, sender="cok@example.ru", sender_name="ЦОК «Энергосбыт»",
                  security=server.tls or "none", timeout_s=5, ca_file=server.ca_file)
    if server.login:
        values.update(username=server.login[0], password=server.login[1])
    values.update(over)
    return Mailer(MailSettings(**values))


def test_a_letter_arrives_with_russian_subject_sender_and_text(smtp_server):
    mailer(smtp_server).send(LETTER)
    (msg,) = smtp_server.inbox.wait_for(1)
    assert msg["Subject"] == LETTER.subject
    assert msg["To"] == "ivanov@example.ru"
    assert "ЦОК «Энергосбыт»" in str(msg["From"]) and "cok@example.ru" in str(msg["From"])
    assert msg.get_content().replace("\r\n", "\n").strip() == LETTER.text


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls_and_login_work_and_the_certificate_is_checked(tmp_path, tls):
    server = SmtpServer(tmp_path, tls=tls, login=("cok", "s3cret-pass")).start()
    try:
        mailer(server).send(LETTER)
        assert len(server.inbox.wait_for(1)) == 1
        with pytest.raises(DeliveryError) as refused:  # the system's CAs do not know the test CA
            mailer(server, ca_file="").send(LETTER)
        assert not refused.value.permanent
        with pytest.raises(DeliveryError) as wrong:
            mailer(server, password="wrong").send(LETTER)
        assert wrong.value.permanent
    finally:
        server.stop()


def test_a_header_injection_is_refused_and_nothing_is_sent(smtp_server):
    evil = Message(to="a@example.ru\nBcc: everyone@example.ru", subject="x", text="y")
    with pytest.raises(DeliveryError) as exc:
        mailer(smtp_server).send(evil)
    assert exc.value.permanent
    with pytest.raises(DeliveryError):
        mailer(smtp_server).send(Message(to="a@example.ru", subject="x\r\nBcc: b@example.ru", text="y"))
    time.sleep(0.2)
    assert smtp_server.inbox.messages == []


def test_a_refused_mailbox_is_permanent(smtp_server):
    smtp_server.inbox.refuse.add("nobody@example.ru")
    with pytest.raises(DeliveryError) as exc:
        mailer(smtp_server).send(Message(to="nobody@example.ru", subject="x", text="y"))
    assert exc.value.permanent and "nobody@example.ru" in str(exc.value)


def test_sms_json_body_escapes_quotes_and_keeps_cyrillic(sms_gateway):
    gateway = SmsGateway(SmsSettings(url=f"{sms_gateway.url}/send", body='{"to": "{phone}", "text": "{text}"}',
                                     authorization="Bearer t0k"))
    gateway.send(Message(to="+79123456789", text='Запись "К7М2" на 10:30\\завтра'))
    (req,) = sms_gateway.wait_for(1)
    assert req["method"] == "POST" and req["path"] == "/send"
    assert req["headers"]["Authorization"] == "Bearer t0k"
    assert json.loads(req["body"]) == {"to": "+79123456789", "text": 'Запись "К7М2" на 10:30\\завтра'}


def test_sms_get_and_form_templates_url_encode(sms_gateway):
    SmsGateway(SmsSettings(url=f"{sms_gateway.url}/s?to={{phone}}&msg={{text}}", method="GET")).send(
        Message(to="+79123456789", text="a&b=c д"))
    SmsGateway(SmsSettings(url=f"{sms_gateway.url}/f", body="to={phone}&msg={text}", content_type=FORM)).send(
        Message(to="+79123456789", text="a&b=c"))
    get, form = sms_gateway.wait_for(2)
    assert get["path"] == "/s?to=%2B79123456789&msg=a%26b%3Dc%20%D0%B4"
    assert form["body"] == b"to=%2B79123456789&msg=a%26b%3Dc"


def test_sms_gateway_refusals_are_permanent_and_outages_are_not(sms_gateway):
    sms_gateway.status = 400
    gateway = SmsGateway(SmsSettings(url=f"{sms_gateway.url}/send", timeout_s=2))
    with pytest.raises(DeliveryError) as refused:
        gateway.send(Message(to="+79123456789", text="x"))
    assert refused.value.permanent
    sms_gateway.status = 503
    with pytest.raises(DeliveryError) as busy:
        gateway.send(Message(to="+79123456789", text="x"))
    assert not busy.value.permanent
    with pytest.raises(DeliveryError) as injected:
        gateway.send(Message(to="+7912\r\nX-Evil: 1", text="x"))
    assert injected.value.permanent


def test_the_notifier_retries_until_the_relay_is_back_and_reports_each_outcome(tmp_path):
    server = SmtpServer(tmp_path)  # not started yet: the relay is down
    outcomes = []
    notifier = Notifier({"email": mailer(server, timeout_s=1)}, lambda d, err: outcomes.append((d.ref, err)),
                        retry_delays_s=(0.3, 0.3, 5))
    started = time.monotonic()
    assert notifier.submit(Delivery("email", LETTER, {"appeal": "K7M2QX"}))
    assert time.monotonic() - started < 0.1  # submit never waits on the network
    time.sleep(0.2)
    server.start()
    try:
        assert notifier.wait_idle(10)
        assert outcomes == [({"appeal": "K7M2QX"}, None)]
        assert len(server.inbox.wait_for(1)) == 1
    finally:
        server.stop()
        notifier.stop()


def test_the_notifier_gives_up_on_a_permanent_refusal_and_on_unconfigured_channels(smtp_server):
    smtp_server.inbox.refuse.add("gone@example.ru")
    outcomes = []
    notifier = Notifier({"email": mailer(smtp_server)}, lambda d, err: outcomes.append(err),
                        retry_delays_s=(0.1,))
    notifier.submit(Delivery("email", Message(to="gone@example.ru", subject="s", text="t")))
    assert not notifier.submit(Delivery("sms", Message(to="+79123456789", text="t")))
    assert notifier.wait_idle(10)
    notifier.stop()
    assert len(outcomes) == 2
    assert "gone@example.ru" in outcomes[1] or "gone@example.ru" in outcomes[0]
    assert "sms is not configured" in outcomes


def test_office_toml_builds_the_channels_and_names_a_bad_key(smtp_server, sms_gateway):
    raw_text = demo_config() + smtp_server.settings() + sms_gateway.settings()
    import tomllib

    config = parse_config(tomllib.loads(raw_text), Path("office.toml"))
    channels = notify_channels(config.get)
    assert set(channels) == {"email", "sms"}
    assert notify_channels(parse_config(tomllib.loads(demo_config()), Path("office.toml")).get) == {}
    for bad, key in ((smtp_server.settings(security="tls"), "mail.security"),
                     (smtp_server.settings(**{"from": ""}), "mail.from"),
                     (sms_gateway.settings(url="ftp://x"), "sms.url"),
                     (sms_gateway.settings(method="PUT"), "sms.method")):
        with pytest.raises(ConfigError) as exc:
            parse_config(tomllib.loads(demo_config() + bad), Path("office.toml"))
        assert f"office.toml: {key}:" in str(exc.value)


@pytest.mark.parametrize("written", ["8 (912) 345-67-89", "+7 912 345 67 89", "89123456789",
                                     "9123456789", "7-912-345-67-89", "+7(912)345.67.89"])
def test_a_russian_phone_has_one_written_form(written):
    assert normalize_phone(written) == "+79123456789"


@pytest.mark.parametrize("bad", ["", "12345", "+7 912 345", "8912345678x", "+7912345678901",
                                 "+79123456789\nBcc: x", "٩١٢٣٤٥٦٧٨٩٠"])
def test_not_a_phone_is_refused(bad):
    with pytest.raises(InvalidInput):
        normalize_phone(bad)


def test_e_mail_addresses_are_checked_and_their_domain_lowered():
    assert normalize_email("  Ivanov.P@Example.RU ") == "Ivanov.P@example.ru"
    for bad in ("ivanov", "a@b", "a b@example.ru", "a@example.ru\nBcc: x@y.ru", "a@-example.ru",
                "x" * 65 + "@example.ru", "a@" + "b" * 250 + ".ru"):
        with pytest.raises(InvalidInput):
            normalize_email(bad)
