"""Codes a customer reads aloud: appeals' identification codes, booking codes.

GOST R 53368 §7.2 wants an appeal's code short, unique and free of personal
data; a status page and a check-in must not let anyone guess other people's
codes. So: random (not a counter, not a date), from an alphabet without
look-alikes — Crockford's base32, no I, L, O or U — so "0" and "O", "1" and "I"
cannot be confused on paper or on the phone, and what a person types is read
back in the same way (lower case, dashes and spaces, I/L → 1, O → 0;
client_common/codes.py, which the kiosk shares).
Eight characters are 40 bits: with the public lookup rate-limited, guessing
one of a few thousand live codes takes years.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable

# how a code is read (the kiosk reads them too, and carries no server code)
from client_common.codes import ALPHABET, LENGTH, read_code, spaced

__all__ = ["ALPHABET", "LENGTH", "new_code", "read_code", "spaced"]


def new_code(taken: Callable[[str], bool] = lambda code: False, length: int = LENGTH,
             prefix: str = "") -> str:
    """A fresh random code (`prefix` + `length` characters) that `taken` says is free."""
    while True:
        code = prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))
        if not taken(code):
            return code
