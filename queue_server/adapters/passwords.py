"""The password policy: at least MIN_LENGTH characters, and not a common password.

A staff password guards the office's journal and every counter; the hall
network is not trusted, so `123456` must not be one. The list of common
passwords ships with the package (common-passwords.txt, compiled for this
project); a password is refused when it is on the list, or is a listed
word with digits or symbols around it ("Password2026!"), or is the login.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 256
LIST = Path(__file__).with_name("common-passwords.txt")
_EDGES = re.compile(r"^[\d\W_]+|[\d\W_]+$")


class WeakPassword(ValueError):
    """The password breaks the policy; str() says why, for the person choosing it."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, login: str = "") -> None:
    """Raise WeakPassword unless `password` may protect a staff account."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"password: at most {MAX_LENGTH} characters")
    lowered = password.lower()
    core = _EDGES.sub("", lowered)
    listed = common_passwords()
    if lowered in listed or core in listed or (len(set(lowered)) <= 2):
        raise WeakPassword("password: too common (it is on the list of passwords people use most)")
    if login and login.lower() in lowered:
        raise WeakPassword("password: must not contain the login")
