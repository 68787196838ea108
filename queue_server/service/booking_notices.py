"""What a booked visitor is told, and when: a confirmation, the eve's reminder, a cancel.

Messages leave through the office's one Notifier (adapters/notify.py), off the
request path; each outcome (sent, or failed for good after the retries) is
journaled as `booking.notified`, so the office sees what a visitor was told.
A message goes to each contact the booking has on a channel the office has
configured (`[mail]`, `[sms]`): nothing is attempted, or journaled, for a
channel that is not set up. The Notifier keeps no queue across a restart, so
at start-up confirmations of upcoming bookings with no outcome are sent again,
and the eve's reminders that were due are sent if they have not been.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from babel.dates import format_date

from ..adapters.notify import Delivery, Message, Notifier
from ..domain import events as ev
from ..domain.bookings import BOOKED, Booking
from ..domain.codes import spaced
from ..domain.commands import RecordBookingMessage
from ..domain.events import Event
from ..domain.office import Office
from ..domain.slots import hhmm
from ..i18n import translations
from .authz import SYSTEM
from .office_service import OfficeService

log = logging.getLogger(__name__)
LOCALE_DIR = str(Path(__file__).parents[1] / "locale")
DOMAIN = "booking"
CHANNEL_OF = {"email": "email", "sms": "phone"}


def gettext_for(lang: str):
    return translations(LOCALE_DIR, DOMAIN, lang).gettext


class BookingNotices:
    def __init__(self, service: OfficeService, notifier: Notifier, manage_url):
        self.service = service
        self.notifier = notifier
        self.manage_url = manage_url  # code -> the booking's page
        for type_, purpose in ((ev.BOOKING_CREATED, "confirmation"), (ev.BOOKING_RESCHEDULED, "confirmation"),
                               (ev.BOOKING_CANCELLED, "cancellation")):
            service.on(type_, self._reaction(purpose))

    def _reaction(self, purpose: str) -> Callable[[Event], None]:
        return lambda e: self._on_event(e, purpose)

    # ---- sending ------------------------------------------------------------
    def _on_event(self, e: Event, purpose: str) -> None:
        """Right after the event is journaled (under the writer's lock): only queues."""
        b = self.service.office.bookings.bookings.get(e.data.get("code") or "")
        if b is not None:
            self.send(self.service.office, b, purpose)

    def send(self, office: Office, b: Booking, purpose: str, channels: tuple[str, ...] = ("email", "sms")) -> int:
        sent = 0
        for channel in channels:
            to = b.email if channel == "email" else b.phone
            if not to or not self.notifier.enabled(channel):
                continue
            message = compose(office, b, purpose, channel, self.manage_url(b.code))
            self.notifier.submit(Delivery(channel, message, {"booking": b.code, "purpose": purpose}))
            sent += 1
        return sent

    def outcome(self, delivery: Delivery, error: str | None) -> None:
        """The Notifier's report (its own thread): journaled as `booking.notified`."""
        code = delivery.ref.get("booking")
        if not code:
            return
        try:
            self.service.handle(RecordBookingMessage(code, delivery.channel, delivery.ref.get("purpose", ""), error),
                                SYSTEM)
        except Exception:
            log.exception("could not journal the outcome of a booking message")

    # ---- jobs ------------------------------------------------------------------
    def remind(self, day: date) -> int:
        """The eve's reminders for the bookings of `day` that have had none on a channel."""
        def pick(office: Office, now: datetime) -> int:
            n = 0
            for b in office.bookings.on_day(day):
                if b.state != BOOKED:
                    continue
                todo = tuple(ch for ch in ("email", "sms") if ("reminder", ch) not in b.messages)
                n += self.send(office, b, "reminder", todo)
            return n
        return self.service.read(pick)

    def catch_up(self, now: datetime, remind_at) -> int:
        """At start-up: unsent confirmations of upcoming bookings, and today's eve reminders
        if their time has passed while the server was off."""
        def pick(office: Office, _now: datetime) -> int:
            n = 0
            for b in list(office.bookings.bookings.values()):
                if b.state == BOOKED and b.start > now:
                    todo = tuple(ch for ch in ("email", "sms") if ("confirmation", ch) not in b.messages)
                    n += self.send(office, b, "confirmation", todo)
            return n
        n = self.service.read(pick)
        local = now.astimezone(self.service.office.tz)
        if local.time() >= remind_at:
            n += self.remind(local.date() + timedelta(days=1))
        return n


def compose(office: Office, b: Booking, purpose: str, channel: str, url: str) -> Message:
    """The words of one message, in the booking's language."""
    lang = b.lang if b.lang in ("ru", "en") else office.catalog.language
    _ = gettext_for(lang)
    tz = office.catalog.timezone
    service = office.catalog.services.get(b.service_id)
    rules = office.bookings.rules
    fill: dict[str, str | int] = {"office": office.catalog.office_name, "service": service.name(lang) if service else b.service_id,
            "date": format_date(b.start.astimezone(office.tz).date(), "d MMMM", locale=lang),
            "weekday": format_date(b.start.astimezone(office.tz).date(), "EEEE", locale=lang),
            "time": hhmm(b.start, tz), "code": spaced(b.code), "url": url, "name": b.name,
            "window": rules.checkin_window_min, "late": rules.late_min, "minutes": b.seconds // 60}
    if channel == "sms":
        template = {
            "confirmation": _("Booked: {service}, {date} at {time}. Code {code}. Move or cancel: {url}"),
            "reminder": _("Tomorrow {date} at {time}: {service}. Code {code}. Move or cancel: {url}"),
            "cancellation": _("Your booking {code} for {date} at {time} is cancelled."),
        }[purpose]
        return Message(b.phone or "", template.format(**fill))
    subject = {
        "confirmation": _("Your booking: {date} at {time}, {office}"),
        "reminder": _("Reminder: tomorrow at {time}, {office}"),
        "cancellation": _("Booking cancelled: {date} at {time}"),
    }[purpose].format(**fill)
    lines = [_("Hello, {name}!").format(**fill), ""]
    if purpose == "cancellation":
        lines += [_("Your booking {code} for {weekday}, {date} at {time} ({service}) is cancelled. "
                    "The time is free for others.").format(**fill)]
    else:
        first = (_("You are booked at {office}:") if purpose == "confirmation"
                 else _("We are expecting you tomorrow at {office}:"))
        lines += [first.format(**fill), "",
                  "    " + str(fill["service"]),
                  "    " + _("{weekday}, {date} at {time} (about {minutes} min)").format(**fill),
                  "    " + _("Booking code: {code}").format(**fill), "",
                  _("When you come, check in at the kiosk in the hall: type the code, or hold the QR code "
                    "from the booking's page to the scanner. From your phone you can check in on that page "
                    "{window} minutes either side of the time.").format(**fill),
                  _("If you are more than {late} minutes late, you will be served in the general queue.").format(
                      **fill), "",
                  _("Move or cancel the booking: {url}").format(**fill)]
    lines += ["", "— " + str(fill["office"])]
    return Message(b.email or "", "\n".join(lines), subject)
