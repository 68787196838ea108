"""Outgoing SMS through the office's HTTP gateway.

Every SMS provider has its own API, so the request is a template the office
fills in office.toml: a URL, a method, an optional body, and an Authorization
header. `{phone}` and `{text}` in them are replaced, escaped for where they
stand: URL-encoded in the URL and in a form body, JSON-string-escaped in a
JSON body (write `"{text}"` in quotes there). Nothing else is interpreted, so a
JSON body's own braces need no doubling.
"""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote

from .notify import DeliveryError, Message

METHODS = ("GET", "POST")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class SmsSettings:
    url: str
    method: str = "POST"
    body: str = ""
    content_type: str = JSON
    authorization: str = ""
    timeout_s: float = 10.0
    ca_file: str = ""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"sms.method: must be one of {', '.join(METHODS)}")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("sms.url: must start with http:// or https://")
        if self.content_type not in (JSON, FORM):
            raise ValueError(f"sms.content_type: must be {JSON} or {FORM}")


def _fill(template: str, phone: str, text: str, escape) -> str:
    return template.replace("{phone}", escape(phone)).replace("{text}", escape(text))


def _json_inner(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _url(value: str) -> str:
    return quote(value, safe="")


class SmsGateway:
    channel = "sms"

    def __init__(self, settings: SmsSettings):
        self.settings = settings

    def request(self, message: Message) -> urllib.request.Request:
        """The HTTP request for one SMS (public so tests and docs can show it)."""
        s = self.settings
        if any(c in message.to for c in "\r\n") or not message.to:
            raise DeliveryError("refused phone number", permanent=True)
        url = _fill(s.url, message.to, message.text, _url)
        data = None
        headers = {"User-Agent": "queue-office"}
        if s.body:
            escape = _json_inner if s.content_type == JSON else _url
            data = _fill(s.body, message.to, message.text, escape).encode()
            headers["Content-Type"] = s.content_type + ("; charset=utf-8" if s.content_type == JSON else "")
        if s.authorization:
            headers["Authorization"] = s.authorization
        return urllib.request.Request(url, data=data, headers=headers, method=s.method)

    def send(self, message: Message) -> None:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file or None)
        try:
            with urllib.request.urlopen(self.request(message), timeout=s.timeout_s, context=context) as r:
                r.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            # 4xx: the gateway refuses this message (bad number, no credit): retrying will not help
            raise DeliveryError(f"the SMS gateway answered {exc.code}", permanent=400 <= exc.code < 500) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise DeliveryError(f"cannot reach the SMS gateway: {getattr(exc, 'reason', exc)}") from None
