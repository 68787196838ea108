"""Every word the public booking pages and the booking messages show is in the "booking"
catalog, in Russian and English, with its placeholders, and nothing else is. (The staff's
panel speaks the pages' "web" catalog: tests/web/test_catalog.py.)"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from queue_server.booking_page import SCRIPT_STRINGS
from queue_server.i18n import po_messages

ROOT = Path(__file__).parents[1] / "queue_server"
TEMPLATES = list(ROOT.glob("templates/book*.html"))
SOURCES = [ROOT / "booking_page.py", ROOT / "service/booking_notices.py"]
CATALOG = {lang: po_messages(ROOT / f"locale/{lang}/LC_MESSAGES/booking.po") for lang in ("ru", "en")}


def used() -> set[str]:
    found = set(SCRIPT_STRINGS.values())
    for path in TEMPLATES:
        found |= {m.group(2) for m in re.finditer(r'\b_\((["\'])(.*?)\1\)', path.read_text(encoding="utf-8"))}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_string_is_translated_and_none_is_left_over():
    words = used()
    assert len(words) > 60
    assert words <= set(CATALOG["ru"]), sorted(words - set(CATALOG["ru"]))
    assert not set(CATALOG["ru"]) - words, sorted(set(CATALOG["ru"]) - words)
    assert set(CATALOG["en"]) == set(CATALOG["ru"])
    assert all(CATALOG["ru"].values())


def test_placeholders_survive_translation():
    for msgid, text in CATALOG["ru"].items():
        assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", text)), msgid
        assert not re.search("[а-яё]", msgid, re.I), msgid

