"""Words and number formats of the human-readable reports, in ru and en.

Every visible string goes through the ``reports`` gettext catalog (msgids
are English, Russian is the default and complete). Strings defined at
import time are marked with ``N_`` so the catalog test finds them, and are
translated when a report is rendered.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from queue_server.i18n import normalize_language, translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "reports"


def N_(message: str) -> str:
    """Mark a msgid for the catalog without translating it yet."""
    return message


def translator(lang: str | None) -> Callable[[str], str]:
    return translations(str(LOCALE_DIR), DOMAIN, normalize_language(lang)).gettext


APPEAL_KINDS = {
    "application": N_("Application"),
    "complaint": N_("Complaint"),
    "consultation": N_("Consultation"),
    "payment": N_("Payment"),
    "unspecified": N_("Not specified"),
}
APPEAL_TOPICS = {
    "technological_connection": N_("Technological connection"),
    "electricity_transmission": N_("Electricity transmission"),
    "energy_supply": N_("Energy supply"),
    "metering": N_("Metering"),
    "power_quality": N_("Power quality"),
    "other": N_("Other"),
    "unspecified": N_("Not specified"),
}
OUTCOMES = {
    "served": N_("Question resolved"),  # the console's word; "Served" is the column of counts
    "unresolved": N_("Unresolved"),
    "unspecified": N_("Not specified"),
}
PRIORITIES = {
    "disabled": N_("Disabled visitors"),
    "veteran": N_("Veterans"),
    "appointment": N_("By appointment"),
}
CHANNELS = {
    "kiosk": N_("Kiosk"),
    "counter": N_("At a counter"),
    "remote": N_("Remote (pre-registration)"),
}


def word(table: dict[str, str], key: str, _: Callable[[str], str]) -> str:
    """The translated name of a known id, or the id itself."""
    return _(table[key]) if key in table else key


def local_date(iso: str, lang: str) -> str:
    """25.11.2024 in Russian, 2024-11-25 in English."""
    d = date.fromisoformat(iso)
    return d.strftime("%d.%m.%Y") if normalize_language(lang) == "ru" else d.isoformat()


def name_in(names: dict, lang: str) -> str:
    """A {"ru": .., "en": ..} name in the report's language."""
    lang = normalize_language(lang)
    return names.get(lang) or names.get("ru") or names.get("en") or ""
