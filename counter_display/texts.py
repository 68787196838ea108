"""Words on the hall board, the counter displays and the LED boards.

msgids are English and live in ``counter_display/locale/<lang>/LC_MESSAGES/
counter_display.po`` (the same catalog the announcer uses); Russian is the
default. Nothing is loaded at import: :func:`display_gettext` reads the
catalog on first use and caches it.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from client_common.i18n import normalize_language, translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "counter_display"

# Every msgid the displays use, so a test can check both catalogs carry them.
TICKET = "Ticket"
COUNTER = "Counter"
WAITING = "Waiting"
CONNECTING = "Connecting to the server…"
RECONNECTING = "No connection to the server — reconnecting…"
REFUSED = "The server refused this display: {reason}"
NO_CALLS = "Please wait to be called"
CLOSED = "Closed"
FREE = "Free"
NOW_CALLING = "Now calling"
SERVING = "Serving"
COUNTER_N = "Counter {counter}"
BOOKED_FOR = "booked for {time}"  # under a number called for its booking (docs/bookings.md)
RATE_PROMPT = "How were you served? Touch a score"
RATE_BAD = "bad"
RATE_GOOD = "excellent"
RATE_THANKS = "Thank you for your score!"
PAUSE_REASONS = {
    "break": "Break",
    "lunch": "Lunch break",
    "paperwork": "Paperwork",
    "other": "Break",
}
MSGIDS = (TICKET, COUNTER, WAITING, CONNECTING, RECONNECTING, REFUSED, NO_CALLS, CLOSED, FREE,
          NOW_CALLING, SERVING, COUNTER_N, BOOKED_FOR, RATE_PROMPT, RATE_BAD, RATE_GOOD,
          RATE_THANKS, *sorted(set(PAUSE_REASONS.values())))


def display_gettext(lang: str | None) -> Callable[[str], str]:
    """``_`` for one language ("ru" unless told otherwise)."""
    return translations(str(LOCALE_DIR), DOMAIN, normalize_language(lang)).gettext


def pause_text(reason: str | None, lang: str | None) -> str:
    return display_gettext(lang)(PAUSE_REASONS.get(reason or "break", PAUSE_REASONS["break"]))
