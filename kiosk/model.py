"""What the kiosk shows, as plain data: services, pages of buttons, the issued ticket.

No Qt here, so these rules are tested without a window.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from client_common.codes import read_code

from .i18n import N_, gettext_for

PRIORITY_KINDS = ("disabled", "veteran")  # what a visitor may ask for at the kiosk
PRIORITY_LABELS = {  # the choice buttons
    "disabled": N_("People with disabilities"),
    "veteran": N_("Veterans"),
}
PRIORITY_SHORT = {  # on the banner and the ticket screen: "Priority: veteran"
    "disabled": N_("disability"),
    "veteran": N_("veteran"),
    "appointment": N_("by appointment"),
}


@dataclass(frozen=True)
class Service:
    id: str
    name_ru: str
    name_en: str
    hint_ru: str = ""
    hint_en: str = ""

    @classmethod
    def from_json(cls, item: dict) -> Service:
        name = item.get("name") or item["id"]
        return cls(item["id"], name, item.get("name_en") or name,
                   item.get("hint") or "", item.get("hint_en") or item.get("hint") or "")

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ru

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_ru


@dataclass(frozen=True)
class Office:
    name: str
    services: tuple[Service, ...]
    timezone: str | None = None

    @classmethod
    def from_json(cls, body: dict) -> Office:
        return cls(body.get("office") or "", tuple(Service.from_json(s) for s in body.get("services", [])),
                   body.get("timezone"))


def paginate(items: tuple, per_page: int) -> list[tuple]:
    """Split into pages of at most ``per_page``; the last page is never near-empty if avoidable."""
    per_page = max(1, per_page)
    if not items:
        return [()]
    pages = math.ceil(len(items) / per_page)
    size = math.ceil(len(items) / pages)  # balance: 7 items in 6s -> 4 + 3, not 6 + 1
    return [tuple(items[i:i + size]) for i in range(0, len(items), size)]


@dataclass(frozen=True)
class IssuedTicket:
    visit_id: str
    number: str
    service_id: str
    service_name: str
    office: str
    issued_at: datetime
    ahead: int
    estimated_wait_s: int
    track_url: str
    priority: str | None = None
    lang: str = "ru"
    booking_time: str | None = None  # a booking's slot, «10:30», when the ticket is a check-in
    booking_late: bool = False  # checked in too late: a walk-in ticket
    late_min: int = 0

    @classmethod
    def from_json(cls, body: dict, priority: str | None, lang: str) -> IssuedTicket:
        issued = datetime.fromisoformat(body["issued_at"].replace("Z", "+00:00"))
        ahead = int(body.get("ahead", max(0, int(body.get("position", 1)) - 1)))
        booking = body.get("booking") or {}
        late = bool(booking.get("late"))
        if booking and not late:
            priority = "appointment"
        return cls(body["visit_id"], body["number"], body["service_id"],
                   body.get("service_name") or body["service_id"], body.get("office") or "",
                   issued, ahead, int(body.get("estimated_wait_s") or 0),
                   body.get("track_url") or "", priority, lang, booking.get("time"), late,
                   int(booking.get("late_min") or 0))


def wait_text(ticket: IssuedTicket, lang: str) -> str:
    """The estimated wait in words; rounded up to whole minutes, like the printed ticket."""
    _ = gettext_for(lang)
    if ticket.ahead == 0 or ticket.estimated_wait_s <= 0:
        return _("You will be called shortly")
    minutes = max(1, math.ceil(ticket.estimated_wait_s / 60))
    if minutes >= 120:
        return _("Estimated wait: about {hours} h").format(hours=round(minutes / 60))
    return _("Estimated wait: about {minutes} min").format(minutes=minutes)


def booking_text(ticket: IssuedTicket, lang: str) -> str | None:
    """What a booked visitor's ticket screen says instead of the queue ahead, or None."""
    _ = gettext_for(lang)
    if ticket.booking_time is None:
        return None
    if ticket.booking_late:
        return _("Your booking was for {time}: you came more than {minutes} minutes late, so you are "
                 "in the general queue").format(time=ticket.booking_time, minutes=ticket.late_min)
    return _("Booked for {time}: you will be called at your time").format(time=ticket.booking_time)


# A USB barcode scanner is a keyboard: on a kiosk set to the Russian layout it "types" the
# Cyrillic letter on the key of each Latin one. Read such text back by key position.
_RUSSIAN_KEYS = str.maketrans("йцукенгшщзфывапролдячсмитьЙЦУКЕНГШЩЗФЫВАПРОЛДЯЧСМИТЬ",
                              "qwertyuiopasdfghjklzxcvbnmQWERTYUIOPASDFGHJKLZXCVBNM")


def code_from_keys(text: str) -> str | None:
    """The booking code in what a visitor typed or a scanner sent (either keyboard layout),
    or None when it cannot be one."""
    return read_code((text or "").translate(_RUSSIAN_KEYS))


class ScanBuffer:
    """Characters typed on the kiosk's keyboard, which is a barcode scanner: a scan is a
    burst of characters and an Enter. A pause longer than GAP_S starts a new one, so a stray
    key pressed long ago never prefixes the next scan."""

    GAP_S = 0.5
    LIMIT = 200  # a scanner reading the wrong code (a long URL) is cut, not stored

    def __init__(self) -> None:
        self.text = ""
        self._at = 0.0

    def feed(self, chars: str, now: float) -> None:
        if now - self._at > self.GAP_S:
            self.text = ""
        self._at = now
        self.text = (self.text + chars)[-self.LIMIT:]

    def enter(self, now: float) -> str | None:
        """The scan an Enter ends, or None when nothing came just before it."""
        text = self.text if now - self._at <= self.GAP_S else ""
        self.text = ""
        return text or None


def ahead_text(ticket: IssuedTicket, lang: str) -> str:
    _ = gettext_for(lang)
    if ticket.ahead == 0:
        return _("Nobody is ahead of you")
    return _("People ahead of you: {n}").format(n=ticket.ahead)
