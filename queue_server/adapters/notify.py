"""Delivering messages (e-mail, SMS) off the request path, with retries.

A booking or an appeal is acknowledged as soon as it is journaled; its
confirmation goes out afterwards from this thread. A message that fails is
retried with growing pauses (a relay restarting, a network blip); one the other
side refuses for good (a bad address) is not. Every outcome goes to
`on_outcome`, which the service layer journals as sent or failed, so the office
can see what the visitor was told. Pending messages are not kept across a
restart: the caller journals what it asked to send, and a reminder job that
runs again finds what was never sent.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A message did not go out; `permanent` when retrying cannot help."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    to: str
    text: str
    subject: str = ""
    html: str | None = None


class Channel(Protocol):
    channel: str

    def send(self, message: Message) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """One message on one channel, with what it is about (for the journal)."""

    channel: str  # "email" | "sms"
    message: Message
    ref: dict = field(default_factory=dict)  # e.g. {"booking": "K7M2QX", "purpose": "confirmation"}


Outcome = Callable[[Delivery, str | None], None]  # error text, None when sent

RETRY_DELAYS_S = (5.0, 30.0, 120.0)


class Notifier:
    """One sending thread for all channels; `submit` never blocks on the network."""

    def __init__(self, channels: dict[str, Channel], on_outcome: Outcome | None = None,
                 retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S, max_pending: int = 10_000):
        self.channels = channels
        self.on_outcome = on_outcome or (lambda delivery, error: None)
        self.retry_delays_s = retry_delays_s
        self._queue: queue.Queue[tuple[float, int, Delivery] | None] = queue.Queue(max_pending)
        self._later: list[tuple[float, int, Delivery]] = []  # (due, attempt, delivery)
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._busy = 0

    def enabled(self, channel: str) -> bool:
        return channel in self.channels

    def submit(self, delivery: Delivery) -> bool:
        """Queue a message; False (and an outcome) when its channel is not configured
        or the queue is full (the relay has been down for very long)."""
        if delivery.channel not in self.channels:
            self._report(delivery, f"{delivery.channel} is not configured")
            return False
        with self._idle:
            self._busy += 1
        try:
            self._queue.put_nowait((0.0, 0, delivery))
        except queue.Full:
            self._done()
            self._report(delivery, "too many messages waiting; not sent")
            return False
        self._start()
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Until every submitted message is sent or given up (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(5)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="notifier", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            timeout = None
            if self._later:
                timeout = max(0.0, min(due for due, _, _ in self._later) - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = ()  # a retry is due
            if item is None:
                return
            if item:
                self._attempt(*item[1:])
            now = time.monotonic()
            due = [x for x in self._later if x[0] <= now]
            self._later = [x for x in self._later if x[0] > now]
            for _, attempt, delivery in due:
                self._attempt(attempt, delivery)

    def _attempt(self, attempt: int, delivery: Delivery) -> None:
        try:
            self.channels[delivery.channel].send(delivery.message)
        except DeliveryError as exc:
            if not exc.permanent and attempt < len(self.retry_delays_s):
                log.warning("%s to %s failed (%s); retrying in %.0f s", delivery.channel,
                            _masked(delivery.message.to), exc, self.retry_delays_s[attempt])
                self._later.append((time.monotonic() + self.retry_delays_s[attempt], attempt + 1, delivery))
                return
            log.warning("%s to %s not sent: %s", delivery.channel, _masked(delivery.message.to), exc)
            self._report(delivery, str(exc))
        except Exception as exc:  # a bug in a channel must not kill the sender
            log.exception("%s sender failed", delivery.channel)
            self._report(delivery, f"internal error: {exc.__class__.__name__}")
        else:
            self._report(delivery, None)
        self._done()

    def _report(self, delivery: Delivery, error: str | None) -> None:
        try:
            self.on_outcome(delivery, error)
        except Exception:
            log.exception("recording a delivery outcome failed")

    def _done(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()


def _masked(address: str) -> str:
    """Logs name whom a message was for without spelling out their contact."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"***{address[-2:]}" if len(address) > 2 else "***"


def notify_channels(get: Callable[[str], object]) -> dict[str, Channel]:
    """The channels office.toml configures (`[mail]`, `[sms]`); a bad value raises
    ValueError whose first word is the setting's key (config turns it into a ConfigError)."""
    from .mail import Mailer, MailSettings
    from .sms import SmsGateway, SmsSettings

    channels: dict[str, Channel] = {}
    if get("mail.host"):
        if not get("mail.from"):
            raise ValueError("mail.from: required when mail.host is set")
        channels["email"] = Mailer(MailSettings(
            str(get("mail.host")), int(get("mail.port")), str(get("mail.from")), str(get("mail.from_name")),
            str(get("mail.username")), str(get("mail.password")), str(get("mail.security")),
            float(get("mail.timeout_s")), str(get("mail.ca_file"))))
    elif get("mail.security") not in ("none", "starttls", "ssl"):
        raise ValueError("mail.security: must be one of none, starttls, ssl")
    if get("sms.url"):
        channels["sms"] = SmsGateway(SmsSettings(
            str(get("sms.url")), str(get("sms.method")), str(get("sms.body")), str(get("sms.content_type")),
            str(get("sms.authorization")), float(get("sms.timeout_s")), str(get("sms.ca_file"))))
    return channels
