"""No catalog defines a message twice.

Two branches that each add the same string leave it twice after a merge; Babel then keeps
the last silently, but GNU msgfmt (what a translator's tools run) refuses the whole file.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[1]
ENTRY = re.compile(r'^(?:msgctxt ("(?:[^"\\]|\\.)*")\n)?msgid ((?:"(?:[^"\\]|\\.)*"\n?)+)', re.M)


def catalogs() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.po") if ".venv" not in p.parts and "node_modules" not in p.parts)


def test_no_catalog_defines_a_message_twice():
    assert catalogs(), "no .po catalogs found"
    twice = {}
    for path in catalogs():
        counts = Counter(m.group(0) for m in ENTRY.finditer(path.read_text(encoding="utf-8")))
        dup = [k.splitlines()[0] for k, n in counts.items() if n > 1]
        if dup:
            twice[str(path.relative_to(ROOT))] = dup
    assert not twice, twice
