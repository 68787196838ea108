"""The words of the appeals registry and of ratings, in one place, Russian first.

The slip, the e-mails, the public status page, the staff pages and the reports
all name an appeal's kind, topic, channel, status and decision: they take the
words from here (the "appeals" gettext catalog, locale/<lang>/LC_MESSAGES/
appeals.po, which also holds every sentence of the registry's pages and
messages), so a complaint is called the same on paper, on screen and in the
quarterly form.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .i18n import normalize_language, translations

LOCALE_DIR = str(Path(__file__).parent / "locale")
DOMAIN = "appeals"  # locale/<lang>/LC_MESSAGES/appeals.po


def N_(message: str) -> str:
    """Mark a msgid for the catalog (translated when shown)."""
    return message


KIND = {"complaint": N_("complaint"), "application": N_("application"), "question": N_("question"),
        "suggestion": N_("suggestion")}
KIND_PLURAL = {"complaint": N_("Complaints"), "application": N_("Applications"), "question": N_("Questions"),
               "suggestion": N_("Suggestions")}
TOPIC = {"technological_connection": N_("grid connection"), "electricity_transmission": N_("electricity transmission"),
         "energy_supply": N_("energy supply"), "metering": N_("metering"), "power_quality": N_("power quality"),
         "other": N_("other questions")}
CHANNEL = {"in_person": N_("in person"), "phone": N_("by phone"), "post": N_("by post"), "email": N_("by e-mail"),
           "web": N_("web form")}
STATUS = {"registered": N_("registered, being considered"), "extended": N_("being considered, the term is extended"),
          "decided": N_("answered"), "disputed": N_("being considered again"), "closed": N_("closed")}
DECISION = {"justified": N_("justified"), "unjustified": N_("unjustified"), "partly": N_("partly justified")}
GROUPS = {"kind": KIND, "kind_plural": KIND_PLURAL, "topic": TOPIC, "channel": CHANNEL, "status": STATUS,
          "decision": DECISION}


def gettext(lang: str | None) -> Callable[[str], str]:
    """`_` of the appeals catalog: the registry's pages, slips, e-mails and words."""
    return translations(LOCALE_DIR, DOMAIN, normalize_language(lang)).gettext


def words(lang: str | None) -> dict[str, dict[str, str]]:
    """Every group's codes → words, in `lang` (for pages and their scripts)."""
    _ = gettext(lang)
    return {group: {code: _(text) for code, text in table.items()} for group, table in GROUPS.items()}


def word(group: str, code: str | None, lang: str | None) -> str:
    table = GROUPS[group]
    return gettext(lang)(table[code]) if code in table else (code or "—")


def local_date(at: datetime, tz: str, lang: str | None) -> str:
    """20.11.2026 in Russian, 2026-11-20 in English."""
    d = at.astimezone(ZoneInfo(tz)).date()
    return d.isoformat() if normalize_language(lang) == "en" else d.strftime("%d.%m.%Y")


def local_time(at: datetime, tz: str, lang: str | None) -> str:
    local = at.astimezone(ZoneInfo(tz))
    return local.strftime("%Y-%m-%d %H:%M" if normalize_language(lang) == "en" else "%d.%m.%Y %H:%M")


def due_date_words(due_date: str, lang: str | None) -> str:
    """An appeal's due date (ISO, local) as people write it."""
    y, m, d = due_date.split("-")
    return due_date if normalize_language(lang) == "en" else f"{d}.{m}.{y}"
