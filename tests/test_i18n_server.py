"""Every message the server shows a person exists in Russian (and reads in English)."""
from __future__ import annotations

import ast
from pathlib import Path

from queue_server.domain.policy import REASON_MESSAGES
from queue_server.i18n import po_messages

ROOT = Path(__file__).parents[1] / "queue_server"
RAISED = {"DomainError", "NotFound", "InvalidInput", "OfficeClosed", "CounterNotOpen", "CounterBusy", "CounterTaken",
          "NoCurrentVisitor", "InvalidState", "AuthError", "Forbidden", "SlotUnavailable", "InvalidSlot",
          "BookingExists"}


def server_templates() -> set[str]:
    """Message templates raised as domain/auth errors anywhere in queue_server/."""
    found = set(REASON_MESSAGES.values())
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RAISED
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_server_message_has_a_russian_translation():
    ru = po_messages(ROOT / "locale/ru/LC_MESSAGES/queue_server.po")
    missing = sorted(t for t in server_templates() if not ru.get(t))
    assert not missing, "untranslated: " + "; ".join(missing)


def test_translations_keep_the_placeholders():
    ru = po_messages(ROOT / "locale/ru/LC_MESSAGES/queue_server.po")
    for msgid, msgstr in ru.items():
        if msgstr:
            placeholders = {p.split("}")[0] for p in msgid.split("{")[1:]}
            assert placeholders == {p.split("}")[0] for p in msgstr.split("{")[1:]}, msgid


def test_english_catalog_exists_for_every_message():
    en = po_messages(ROOT / "locale/en/LC_MESSAGES/queue_server.po")
    assert server_templates() <= set(en)
