"""Outgoing e-mail over SMTP (the standard library's smtplib).

Appeal acknowledgements, booking confirmations and reminders, the head's morning
digest. Sending is slow and can fail (the office's mail relay is down, a mailbox
refuses), so nothing sends from a request: messages go through `notify.Notifier`,
which retries and reports each outcome so it can be journaled.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from .notify import DeliveryError, Message

SECURITY_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int = 25
    sender: str = ""
    sender_name: str = ""
    username: str = ""
    password: str = ""
    security: str = "none"  # none | starttls | ssl
    timeout_s: float = 10.0
    ca_file: str = ""  # a company CA for the relay's certificate; empty: the system's

    def __post_init__(self) -> None:
        if self.security not in SECURITY_MODES:
            raise ValueError(f"mail.security: must be one of {', '.join(SECURITY_MODES)}")


class Mailer:
    """One `send` per message; a new SMTP session each time (a few a minute at most)."""

    channel = "email"

    def __init__(self, settings: MailSettings):
        self.settings = settings

    def compose(self, message: Message) -> EmailMessage:
        s = self.settings
        mail = EmailMessage()
        try:
            mail["From"] = formataddr((s.sender_name, s.sender)) if s.sender_name else s.sender
            mail["To"] = message.to
            mail["Subject"] = message.subject
        except ValueError as exc:  # a line break in a header: never let it through
            raise DeliveryError(f"refused header: {exc}", permanent=True) from None
        mail["Message-ID"] = make_msgid(domain=s.sender.rpartition("@")[2] or None)
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    def send(self, message: Message) -> None:
        s = self.settings
        mail = self.compose(message)
        context = ssl.create_default_context(cafile=s.ca_file or None)
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            with smtp:
                if s.security == "starttls":
                    smtp.starttls(context=context)
                if s.username:
                    smtp.login(s.username, s.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {_first(exc.recipients)}", permanent=True) from None
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as exc:
            raise DeliveryError(f"the mail server refused us: {exc.smtp_code} {_text(exc.smtp_error)}",
                                permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"the mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                                permanent=500 <= exc.smtp_code < 600) from None
        except (TimeoutError, OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            raise DeliveryError(f"cannot reach the mail server {s.host}:{s.port}: {exc}") from None
        if refused:
            raise DeliveryError(f"recipient refused: {_first(refused)}", permanent=True)


def _text(raw: bytes | str) -> str:
    return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)


def _first(recipients: dict) -> str:
    for address, (code, text) in recipients.items():
        return f"{address} ({code} {_text(text)})"
    return "?"
