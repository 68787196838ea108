"""Rating pads: the three or five keys at a counter where the visitor scores the service.

Like the call buttons (button_pads.py), a pad — or a small controller collecting
the pads of several counters on RS-485 — sends one ASCII line per press::

    R<counter>:<key>\\r\\n        e.g.  R3:5\\r\\n   R12:1\\r\\n   R03:2\\r\\n

``<counter>`` as for the call buttons (leading zeros dropped), ``<key>`` the key
pressed, counted from 1 on the left ("bad") to 3 or 5 on the right ("excellent").
The frame is documented in docs/hardware.md. Which score a key means depends on
how many keys the pad has: :func:`score_of`.
"""
from __future__ import annotations

import re

RATING_RE = re.compile(rb"R([0-9A-Za-z]{1,8}):([1-5])")
PAD_SCORES = {3: (1, 3, 5), 5: (1, 2, 3, 4, 5)}  # each key's score, left to right


def parse_rating(line: bytes) -> str | None:
    """One line → "counter:key", or None (the listener logs and ignores it)."""
    match = RATING_RE.fullmatch(line.strip())
    if match is None:
        return None
    counter = match.group(1).decode("ascii")
    counter = (counter.lstrip("0") or "0") if counter.isdigit() else counter
    return f"{counter}:{match.group(2).decode('ascii')}"


def score_of(key: int, keys: int) -> int | None:
    """The score of key `key` (1 = leftmost) on a pad of `keys` keys; None for a key it has not."""
    scores = PAD_SCORES.get(keys)
    if scores is None or not 1 <= key <= len(scores):
        return None
    return scores[key - 1]
