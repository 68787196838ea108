"""Real servers for outgoing messages in tests: SMTP (aiosmtpd) and an SMS gateway stub.

Import from here (`from notify_servers import SmtpServer, SmsStub`); conftest.py wraps
them in the `smtp_server` and `sms_gateway` fixtures.
"""
from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from live_office import free_port


class _Inbox:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self.refuse: set[str] = set()  # recipients to refuse with 550
        self._cv = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self._cv:
            self.messages.append(msg)
            self.envelopes.append(envelope)
            self._cv.notify_all()
        return "250 Message accepted"

    def wait_for(self, n: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self._cv:
            self._cv.wait_for(lambda: len(self.messages) >= n, timeout)
            return list(self.messages)


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1; `tls` is None, "starttls" or "ssl" (a test CA signs its certificate)."""

    workdir: Path
    tls: str | None = None
    login: tuple[str, str] | None = None
    port: int = field(default_factory=free_port)
    inbox: _Inbox = field(default_factory=_Inbox)

    def __post_init__(self):
        import trustme

        self.ca_file = ""
        kwargs: dict = {}
        if self.tls:
            ca = trustme.CA()
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
            self.ca_file = str(self.workdir / "smtp-ca.pem")
            ca.cert_pem.write_to_path(self.ca_file)
            if self.tls == "starttls":
                kwargs.update(tls_context=ctx, require_starttls=True)
            else:
                kwargs.update(ssl_context=ctx)
        if self.login:
            kwargs.update(authenticator=self._authenticate, auth_required=True,
                          auth_require_tls=self.tls == "starttls")  # implicit TLS: aiosmtpd does not count it
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self.login == (
            auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def settings(self, **over) -> str:
        """The office.toml `[mail]` table for this server."""
        values = {"host": "127.0.0.1", "port": self.port, "from": "cok@example.ru",
                  "from_name": "ЦОК", "security": self.tls or "none", "timeout_s": 5,
                  "ca_file": self.ca_file}
        if self.login:
            values.update(username=self.login[0], password=self.login[1])
        values.update(over)
        return "\n[mail]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items())


class SmsStub:
    """An HTTP server that records what an SMS gateway would get and answers `status`."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        self._cv = threading.Condition()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with stub._cv:
                    stub.requests.append({"method": self.command, "path": self.path,
                                          "headers": dict(self.headers), "body": body})
                    stub._cv.notify_all()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "11")
                self.end_headers()
                self.wfile.write(b'{"ok":true}')

            do_GET = do_POST = _record

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def wait_for(self, n: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self._cv:
            self._cv.wait_for(lambda: len(self.requests) >= n, max(0.0, deadline - time.monotonic()))
            return list(self.requests)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self, **over) -> str:
        """The office.toml `[sms]` table for this stub (a JSON POST by default)."""
        values = {"url": f"{self.url}/send", "method": "POST",
                  "body": '{"to": "{phone}", "text": "{text}"}',
                  "content_type": "application/json", "authorization": "Bearer test-sms"}
        values.update(over)
        return "\n[sms]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in values.items())
