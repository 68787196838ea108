"""A visitor's contact, in one written form.

Bookings allow one per phone or e-mail per service per day, and appeals send
their acknowledgement to the address the customer chose: both need "8 (912)
345-67-89" and "+7 912 3456789" to be the same phone, and an address with a line
break (a header injection) never to be an address at all.
"""
from __future__ import annotations

import re

from .errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}$")
_PHONE_PUNCTUATION = re.compile(r"[\s()\-.]")


def normalize_phone(text: str) -> str:
    """"+7XXXXXXXXXX" for Russian numbers written any usual way (8…, 7…, +7…, or
    the ten digits alone); "+" and 8–15 digits (E.164) for others."""
    raw = _PHONE_PUNCTUATION.sub("", text or "")
    plus = raw.startswith("+")
    digits = raw[1:] if plus else raw
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput("A phone number has digits only, e.g. +7 912 345-67-89")
    if not plus and len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif not plus and len(digits) == 10 and digits[0] == "9":
        digits = "7" + digits
    elif not plus:
        raise InvalidInput("A phone number has digits only, e.g. +7 912 345-67-89")
    if not 8 <= len(digits) <= 15 or (digits[0] == "7" and len(digits) != 11):
        raise InvalidInput("A phone number has digits only, e.g. +7 912 345-67-89")
    return "+" + digits


def normalize_email(text: str) -> str:
    """The address with its domain in lower case; refused unless it looks like one."""
    address = (text or "").strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise InvalidInput("Not an e-mail address: {address}", address=address[:80])
    name, _, domain = address.rpartition("@")
    return f"{name}@{domain.lower()}"
