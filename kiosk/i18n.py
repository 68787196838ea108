"""The kiosk's words in Russian and English (gettext domain "kiosk", msgids in English)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from client_common.i18n import normalize_language, translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kiosk"


def gettext_for(lang: str) -> Callable[[str], str]:
    return translations(str(LOCALE_DIR), DOMAIN, normalize_language(lang)).gettext


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it yet."""
    return message
