"""Language of the pages: Russian by default, English on `?lang=en`, kept in a cookie.

Every string a person sees goes through the "web" gettext catalog
(queue_server/locale/<lang>/LC_MESSAGES/web.po, msgids in English). Strings the
page's JavaScript shows are listed in JS_STRINGS and shipped to the page
already translated; the catalog test checks that the two agree.
"""
from __future__ import annotations

from pathlib import Path

from flask import g, request

from ..domain.policy import REASON_MESSAGES
from ..i18n import LANGUAGES, translations

LOCALE_DIR = str(Path(__file__).parents[1] / "locale")
DOMAIN = "web"
LANG_COOKIE = "qlang"


def current_lang() -> str:
    """`?lang=` (remembered), else the cookie, else the office's language."""
    from .security import office_app

    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.web_set_lang = asked
        return asked
    saved = request.cookies.get(LANG_COOKIE)
    if saved in LANGUAGES:
        return saved
    default = office_app().config.catalog.language
    return default if default in LANGUAGES else "ru"


def remember_lang(response):
    """after_request: keep the language chosen with `?lang=` for a year."""
    lang = g.get("web_set_lang")
    if lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", path="/",
                            secure=request.is_secure)
    return response


def page_gettext(lang: str | None = None):
    return translations(LOCALE_DIR, DOMAIN, lang or current_lang()).gettext


# Labels of the domain's codes (the same words on every page).
STATE_LABELS = {
    "queued": "waiting", "called": "called", "serving": "being served", "finished": "finished",
    "transferred": "transferred", "no_show": "did not come", "cancelled": "cancelled",
}
COUNTER_STATUS_LABELS = {"open": "open", "paused": "on a pause", "closed": "closed"}
PAUSE_LABELS = {"break": "break", "paperwork": "paperwork", "lunch": "lunch", "other": "other"}
PRIORITY_LABELS = {"disabled": "disabled person", "veteran": "veteran", "appointment": "appointment"}
OUTCOME_LABELS = {"served": "served", "unresolved": "not resolved"}
KIND_LABELS = {"application": "application", "complaint": "complaint", "consultation": "consultation",
               "payment": "payment"}
TOPIC_LABELS = {
    "technological_connection": "grid connection", "electricity_transmission": "electricity transmission",
    "energy_supply": "energy supply", "metering": "metering", "power_quality": "power quality",
    "other": "other",
}

LABEL_GROUPS = {"state": STATE_LABELS, "counter_status": COUNTER_STATUS_LABELS, "pause": PAUSE_LABELS,
                "priority": PRIORITY_LABELS, "outcome": OUTCOME_LABELS, "kind": KIND_LABELS,
                "topic": TOPIC_LABELS}

JS_STRINGS = (
    "Reconnecting to the server…",
    "Could not reach the server: the action was not done. Check the connection and try again.",
    "The server refused the action.",
    "Your session has ended: log in again.",
    "Log in again",
    "Nobody is waiting for this counter's services.",
    "Called {number}.",
    "Called {number} again.",
    "Serving {number}.",
    "{number}: service finished.",
    "{number} sent to {service}.",
    "{number}: marked as not come.",
    "Back at work.",
    "No visitor: the counter is on a pause. Resume work to call the next one.",
    "norm {minutes} min",
    "over the norm",
    "near the norm",
    "within the norm",
    "no data yet",
    "nobody waiting",
    "Counter {counter}",
    "{service}, {counter}",
    "Note: {note}",
    "Queue “{service}”: the oldest visitor has waited {time}, the norm is {minutes} min.",
    "Device {device} ({component}): {message}",
    "since {time}",
    "No alerts.",
    "{counter} is now taken by {operator}: log out.",
    "{counter} is closed.",
    "On a pause: {reason}.",
    "Recalls: {n}",
    "{n} waiting",
    "Visits today: {issued}, finished: {completed}, mean time in the office {time} (norm {minutes} min).",
    "Visits today: {issued}, finished: {completed}.",
    "paused for {time}",
    "—",
)


# The bookings panel's words (static/bookings.js, web/bookings.py)
BOOKING_PANEL_STRINGS = (
    "No bookings for today.", "Booked", "Due", "Late", "Checked in", "No-show", "Cancelled",
    "Check in", "Cancel booking", "Cancel the booking?", "Yes, cancel", "Checked in: number {number}.",
    "Cancelled.", "Booked: {code} on {day} at {time}. Read the code to the caller.",
    "No free times that day.", "Choose a time.", "Could not reach the server: try again.",
    "The server refused: {message}", "{n} in all", "walk-in (late)",
)
JS_STRINGS += BOOKING_PANEL_STRINGS


def js_strings(_) -> dict[str, str]:
    return {s: _(s) for s in JS_STRINGS}


def labels(_) -> dict[str, dict[str, str]]:
    return {group: {code: _(text) for code, text in table.items()} for group, table in LABEL_GROUPS.items()}


def reason_templates(_) -> dict[str, str]:
    """Why a visitor was called: the call policy's sentences, in the page's language."""
    return {code: _(template) for code, template in REASON_MESSAGES.items()}
