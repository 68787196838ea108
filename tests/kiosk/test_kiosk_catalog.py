"""Every kiosk and tracking-page sentence has its Russian translation, placeholders intact."""
from __future__ import annotations

import re
from pathlib import Path

from queue_server.i18n import po_messages
from queue_server.track_page import PAGE_STRINGS

ROOT = Path(__file__).parents[2]
CALL = re.compile(r'\bN?_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)')


def used_msgids() -> set[str]:
    ids = set(PAGE_STRINGS.values())
    for path in (ROOT / "kiosk").rglob("*.py"):
        for m in CALL.finditer(path.read_text(encoding="utf-8")):
            ids.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
    return ids


def test_russian_catalog_is_complete_and_keeps_placeholders():
    ru = po_messages(ROOT / "kiosk/locale/ru/LC_MESSAGES/kiosk.po")
    used = used_msgids()
    assert len(used) > 40
    missing = sorted(i for i in used if not ru.get(i))
    assert not missing, f"untranslated: {missing}"
    for msgid in used:
        assert set(re.findall(r"\{(\w+)\}", msgid)) == set(re.findall(r"\{(\w+)\}", ru[msgid])), msgid
    assert not sorted(set(ru) - used), "catalog entries nothing uses"


def test_english_catalog_lists_the_same_msgids():
    en = po_messages(ROOT / "kiosk/locale/en/LC_MESSAGES/kiosk.po")
    assert set(en) == used_msgids()
