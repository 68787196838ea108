"""Gettext catalogs for every screen, ticket, announcement and report.

Catalogs are read straight from the .po files with Babel, so there is no
compile step to forget and no stale .mo file: a few hundred strings load in
milliseconds. Each package (queue_server, kiosk, counter_display, hardware) keeps
its own ``locale/<lang>/LC_MESSAGES/<domain>.po``; msgids are English, Russian is
the default language.

It lives in ``client_common`` because the kiosk, the displays and the server all
read catalogs this way, and a kiosk PC installs no server code (docs/install.md).
"""
from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"


class _PoTranslations(gettext.NullTranslations):
    def __init__(self, messages: dict[str, str]):
        super().__init__()
        self._messages = messages

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def normalize_language(lang: str | None) -> str:
    lang = (lang or DEFAULT_LANGUAGE).lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(locale_dir: str, domain: str, lang: str) -> gettext.NullTranslations:
    """The catalog of one package in one language (English falls back to msgids)."""
    po_path = Path(locale_dir) / normalize_language(lang) / "LC_MESSAGES" / f"{domain}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    messages = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    return _PoTranslations(messages)


def po_messages(po_path: Path) -> dict[str, str]:
    """msgid → msgstr of one .po file; used by the tests that keep catalogs complete."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}
