"""Every string the pages show is in the "web" catalog, and Russian is complete."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from queue_server.domain.catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, PRIORITIES
from queue_server.domain.policy import REASON_MESSAGES
from queue_server.i18n import po_messages
from queue_server.web import lang

ROOT = Path(__file__).parents[2] / "queue_server"
WEB = ROOT / "web"
RU = ROOT / "locale/ru/LC_MESSAGES/web.po"
EN = ROOT / "locale/en/LC_MESSAGES/web.po"
TEMPLATE_CALL = re.compile(r"""_\(\s*(?:"([^"]*)"|'([^']*)')\s*\)""")
JS_CALL = re.compile(r"""\bt\(\s*"([^"]*)\"""")


def used_msgids() -> set[str]:
    found = set(lang.JS_STRINGS) | set(REASON_MESSAGES.values())
    for table in lang.LABEL_GROUPS.values():
        found |= set(table.values())
    for path in WEB.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    for path in (WEB / "templates").rglob("*.html"):
        for m in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(1) if m.group(1) is not None else m.group(2))
    return found


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_russian_msgid_has_a_translation():
    ru = po_messages(RU)
    assert ru, "the Russian web catalog is empty"
    empty = sorted(msgid for msgid, msgstr in ru.items() if not msgstr.strip())
    assert not empty, "untranslated: " + "; ".join(empty)


def test_every_string_the_pages_use_is_in_both_catalogs():
    used = used_msgids()
    ru, en = po_messages(RU), po_messages(EN)
    assert not sorted(used - set(ru)), "missing from ru web.po"
    assert set(ru) == set(en), "ru and en web.po list different msgids"
    assert not sorted(set(ru) - used), "stale msgids in web.po (no longer used)"


def test_translations_keep_their_placeholders():
    for msgid, msgstr in po_messages(RU).items():
        assert placeholders(msgid) == placeholders(msgstr), msgid


def test_scripts_ask_only_for_strings_that_are_shipped_to_the_page():
    shipped = set(lang.JS_STRINGS)
    for path in (WEB / "static").glob("*.js"):
        if path.name.startswith("socket.io"):
            continue
        asked = set(JS_CALL.findall(path.read_text(encoding="utf-8")))
        assert asked <= shipped, f"{path.name}: not in JS_STRINGS: {sorted(asked - shipped)}"


def test_labels_cover_every_code_of_the_domain():
    assert set(lang.PRIORITY_LABELS) == set(PRIORITIES)
    assert set(lang.OUTCOME_LABELS) == set(OUTCOMES)
    assert set(lang.KIND_LABELS) == set(APPEAL_KINDS)
    assert set(lang.TOPIC_LABELS) == set(APPEAL_TOPICS)


def test_the_socketio_client_is_the_one_from_npm():
    """The page serves its own copy (offices may have no internet); keep it the npm build."""
    ours = (WEB / "static" / "socket.io.min.js").read_bytes()
    npm = ROOT.parent / "node_modules/socket.io-client/dist/socket.io.min.js"
    assert ours.startswith(b"/*!\n * Socket.IO v4")
    if npm.exists():
        assert ours == npm.read_bytes()
