"""Every string a report shows is in the reports catalogs, and Russian is complete."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from queue_server.i18n import po_messages
from queue_server.reports.labels import LOCALE_DIR, translator

SOURCES = sorted((Path(__file__).parents[2] / "queue_server" / "reports").glob("*.py"))


def used_msgids() -> set[str]:
    """String literals passed to _() or N_() in the report modules."""
    found = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_the_sources_use_the_catalog():
    assert len(used_msgids()) > 90


def test_russian_catalog_is_complete_and_english_lists_the_same_ids():
    ru = po_messages(LOCALE_DIR / "ru" / "LC_MESSAGES" / "reports.po")
    en = po_messages(LOCALE_DIR / "en" / "LC_MESSAGES" / "reports.po")
    used = used_msgids()
    assert used <= set(ru), sorted(used - set(ru))
    assert not (set(ru) - used), f"unused msgids: {sorted(set(ru) - used)}"
    assert set(en) == set(ru)
    assert all(ru[m] for m in ru), [m for m in ru if not ru[m]]


def test_msgids_are_english_and_placeholders_survive():
    ru = po_messages(LOCALE_DIR / "ru" / "LC_MESSAGES" / "reports.po")
    for msgid, text in ru.items():
        assert not re.search("[а-яё]", msgid, re.I), msgid
        assert re.findall(r"\{\w+\}", msgid) == re.findall(r"\{\w+\}", text), msgid


def test_translator_falls_back_to_russian_for_unknown_languages():
    assert translator("ru")("Summary") == "Сводка"
    assert translator("en")("Summary") == "Summary"
    assert translator("de")("Summary") == "Сводка"
    assert translator(None)("Summary") == "Сводка"
