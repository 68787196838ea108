"""Codes a customer reads aloud: appeals' identification codes, booking codes.

GOST R 53368 §7.2 wants an appeal's code short, unique and free of personal
data; a status page and a check-in must not let anyone guess other people's
codes. So: random (not a counter, not a date), from an alphabet without
look-alikes — Crockford's base32, no I, L, O or U — so "0" and "O", "1" and "I"
cannot be confused on paper or on the phone, and what a person types is read
back in the same way (lower case, dashes and spaces, I/L → 1, O → 0).
Eight characters are 40 bits: with the public lookup rate-limited, guessing
one of a few thousand live codes takes years.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


def new_code(taken: Callable[[str], bool] = lambda code: False, length: int = LENGTH,
             prefix: str = "") -> str:
    """A fresh random code (`prefix` + `length` characters) that `taken` says is free."""
    while True:
        code = prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
        if not taken(code):
            return code


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
