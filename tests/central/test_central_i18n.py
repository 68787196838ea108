"""Every word the centre's pages show exists in Russian and in English."""
from __future__ import annotations

import re
from pathlib import Path

from qcentral.pages import JS_STRINGS
from queue_server.i18n import po_messages

ROOT = Path(__file__).parents[2] / "qcentral"


def page_strings() -> set[str]:
    found = set(JS_STRINGS)
    for path in [*ROOT.glob("templates/qcentral/*.html"), ROOT / "pages.py"]:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\("([^"]+)"\)', text)) | set(re.findall(r"_\('([^']+)'\)", text))
    return found


def test_every_page_string_has_a_russian_translation():
    ru = po_messages(ROOT / "locale/ru/LC_MESSAGES/qcentral.po")
    missing = sorted(s for s in page_strings() if not ru.get(s))
    assert not missing, missing


def test_english_catalog_is_complete_and_placeholders_survive():
    en = po_messages(ROOT / "locale/en/LC_MESSAGES/qcentral.po")
    ru = po_messages(ROOT / "locale/ru/LC_MESSAGES/qcentral.po")
    assert page_strings() <= set(en)
    for msgid, msgstr in ru.items():
        assert set(re.findall(r"\{\w+\}", msgid)) == set(re.findall(r"\{\w+\}", msgstr)), msgid


def test_every_string_the_scripts_use_is_shipped_to_them():
    used = set()
    for path in (ROOT / "static").glob("*.js"):
        used |= set(re.findall(r'\bt\("([^"]+)"', path.read_text(encoding="utf-8")))
    assert used <= set(JS_STRINGS), sorted(used - set(JS_STRINGS))
