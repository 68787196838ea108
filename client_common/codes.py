"""Codes a customer reads aloud (appeals', bookings'): the alphabet and how they are read.

Shared because the server makes and looks up codes and the kiosk reads them from its
keypad and its barcode scanner, and a kiosk carries no server code. Crockford's base32
(no I, L, O or U), so "0" and "O", "1" and "I" cannot be confused on paper or on the
phone; what a person types is read back the same way (lower case, dashes and spaces,
I/L → 1, O → 0). Making codes is the server's (queue_server/domain/codes.py).
"""
from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


def read_code(text: str, length: int = LENGTH, prefix: str = "") -> str | None:
    """What a person typed or a scanner read, as the code it must be; None when it
    cannot be one (wrong length or characters), so lookups of junk cost nothing."""
    raw = (text or "").strip().upper()
    if prefix and raw.startswith(prefix):
        raw = raw[len(prefix):]
    raw = raw.translate(_READ_AS)
    if len(raw) != length or any(c not in ALPHABET for c in raw):
        return None
    return prefix + raw


def spaced(code: str, group: int = 4) -> str:
    """For print and speech: "K7M2QXPA" → "K7M2-QXPA"."""
    return "-".join(code[i:i + group] for i in range(0, len(code), group))
