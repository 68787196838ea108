"""Every sentence of the appeals registry and of ratings is in the "appeals" catalog, in
Russian and English: pages, slips, letters, e-mails, the status page, the scripts."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from queue_server import appeal_words
from queue_server.i18n import po_messages
from queue_server.web import appeal_pages

ROOT = Path(__file__).parents[2] / "queue_server"
RU = ROOT / "locale/ru/LC_MESSAGES/appeals.po"
EN = ROOT / "locale/en/LC_MESSAGES/appeals.po"
PY = [ROOT / "appeal_words.py", ROOT / "service/appeal_notices.py", ROOT / "web/appeal_pages.py",
      ROOT / "track_page.py"]
TEMPLATES = [ROOT / "templates/appeal_status.html", ROOT / "templates/track_rating.html",
             *sorted((ROOT / "web/templates/web").glob("appeal*.html")),
             ROOT / "web/templates/web/dashboard_appeals.html"]
SCRIPTS = [ROOT / "web/static/appeals.js", ROOT / "web/static/registry.js", ROOT / "web/static/dashboard_appeals.js"]
TEMPLATE_CALL = re.compile(r"""\bT\(\s*(?:"([^"]*)"|'([^']*)')\s*\)""")
SCRIPT_CALL = re.compile(r"""\bw\(\s*"([^"]*)\"""")


def used_msgids() -> set[str]:
    found = set(appeal_pages.PAGE_STRINGS) | set(appeal_pages.FACT_LABELS.values())
    for table in appeal_words.GROUPS.values():
        found |= set(table.values())
    for path in PY:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("N_", "T")
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    for path in TEMPLATES:
        for m in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(1) if m.group(1) is not None else m.group(2))
    return found


def test_every_sentence_is_in_both_catalogs_and_russian_is_complete():
    ru, en = po_messages(RU), po_messages(EN)
    used = used_msgids()
    assert not sorted(used - set(ru)), f"missing from ru appeals.po: {sorted(used - set(ru))}"
    assert set(ru) == set(en), "ru and en appeals.po list different msgids"
    assert not sorted(set(ru) - used), f"stale msgids: {sorted(set(ru) - used)}"
    assert all(ru[m].strip() for m in ru), [m for m in ru if not ru[m].strip()]
    assert not [m for m in ru if re.search("[а-яё]", m, re.I)], "msgids are English"


def test_translations_keep_their_placeholders():
    for msgid, msgstr in po_messages(RU).items():
        assert set(re.findall(r"\{(\w+)\}", msgid)) == set(re.findall(r"\{(\w+)\}", msgstr)), msgid


def test_scripts_ask_only_for_strings_shipped_to_the_page():
    shipped = set(appeal_pages.PAGE_STRINGS)
    for path in SCRIPTS:
        asked = set(SCRIPT_CALL.findall(path.read_text(encoding="utf-8")))
        assert asked <= shipped, f"{path.name}: not in PAGE_STRINGS: {sorted(asked - shipped)}"
