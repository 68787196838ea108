"""Central accounts, office push tokens and who may read which office.

Roles (docs/central.md):
- `head` with no offices: the company's management, reads every office;
- `head` with a list of offices: a branch's management, reads only those;
- `admin`: the centre's administrator, reads every office.
Office staff accounts stay in their office; the centre has no operators and no
endpoint that issues a ticket or calls a visitor.

Passwords are argon2 (argon2-cffi, like the office); bearer tokens are random
and stored only as their SHA-256. Nothing is cached in the process: a revoked
token or a changed office list counts on the next request in every process.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("head", "admin")
SESSION_HOURS = 14
LOGIN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# argon2 holds its memory cost for each check while it runs: a burst of logins must not multiply it.
CONCURRENT_PASSWORD_CHECKS = 2


class AuthError(Exception):
    status = 401
    code = "unauthorized"


class Forbidden(AuthError):
    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Principal:
    kind: str  # "session" (a person) or "office" (an office's push token)
    login: str | None
    role: str  # head / admin, or "office"
    offices: tuple[int, ...] | None  # None: every office
    office_id: int | None = None

    def may_read(self, office_id: int) -> bool:
        if self.kind != "session":
            return False
        return self.offices is None or office_id in self.offices


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    token = secrets.token_urlsafe(32)
    while token.startswith("-"):  # "--token -x…" would read as an option
        token = secrets.token_urlsafe(32)
    return token


def password_hasher(time_cost: int = 3, memory_kib: int = 65536) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


class Accounts:
    def __init__(self, hasher: PasswordHasher | None = None):
        self.hasher = hasher or password_hasher()
        self._checks = threading.BoundedSemaphore(CONCURRENT_PASSWORD_CHECKS)
        self._dummy: str | None = None

    # ---- offices --------------------------------------------------------------
    def add_office(self, conn: psycopg.Connection, name: str) -> tuple[int, str]:
        """A new office and its push token (shown once: only its hash is kept)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise ValueError("office name: 1 to 200 characters")
        with conn.transaction():
            try:
                office_id = conn.execute("INSERT INTO offices (name) VALUES (%s) RETURNING id",
                                         (name,)).fetchone()[0]
            except psycopg.errors.UniqueViolation:
                raise ValueError(f"an office named {name!r} exists already "
                                 "(`qcentral office token` gives it a new token)") from None
            token = self._office_token(conn, office_id)
        return office_id, token

    def new_office_token(self, conn: psycopg.Connection, office_id: int) -> str:
        """Replace an office's push token (the old one stops working at once)."""
        with conn.transaction():
            if conn.execute("SELECT 1 FROM offices WHERE id = %s", (office_id,)).fetchone() is None:
                raise ValueError(f"no office {office_id}")
            conn.execute("DELETE FROM tokens WHERE kind = 'office' AND office_id = %s", (office_id,))
            return self._office_token(conn, office_id)

    def _office_token(self, conn: psycopg.Connection, office_id: int) -> str:
        token = new_token()
        conn.execute("INSERT INTO tokens (hash, kind, office_id) VALUES (%s, 'office', %s)",
                      (digest(token), office_id))
        return token

    # ---- people -----------------------------------------------------------------
    def add_user(self, conn: psycopg.Connection, login: str, role: str, password: str,
                 offices: list[int] | None = None, name: str = "") -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of: {', '.join(ROLES)}")
        if not LOGIN.match(login):
            raise ValueError("login: 1 to 64 letters, digits, '.', '_' or '-'")
        if len(password) < 8:
            raise ValueError("password: at least 8 characters")
        if offices is not None:
            if role != "head":
                raise ValueError("--offices is for a branch head (role head); an admin sees every office")
            known = {r[0] for r in conn.execute("SELECT id FROM offices WHERE id = ANY(%s)", (offices,))}
            missing = sorted(set(offices) - known)
            if missing:
                raise ValueError(f"no office {', '.join(map(str, missing))} (see `qcentral office list`)")
        with conn.transaction():
            conn.execute(
                "INSERT INTO users (login, role, name, offices, password_hash) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name, "
                "offices = EXCLUDED.offices, password_hash = EXCLUDED.password_hash",
                (login, role, name, offices, self.hasher.hash(password)))
            # a changed role or office list must not live on in sessions opened before
            conn.execute("DELETE FROM tokens WHERE login = %s", (login,))

    def remove_user(self, conn: psycopg.Connection, login: str) -> bool:
        return conn.execute("DELETE FROM users WHERE login = %s", (login,)).rowcount > 0

    def login(self, conn: psycopg.Connection, login: str, password: str, now: datetime) -> tuple[str, Principal]:
        row = conn.execute("SELECT login, role, offices, password_hash FROM users WHERE login = %s",
                           (login,)).fetchone() if LOGIN.match(login or "") else None
        try:
            with self._checks:
                self.hasher.verify(row[3] if row else self._dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None:
            raise AuthError("Wrong login or password")
        token = new_token()
        conn.execute("INSERT INTO tokens (hash, kind, login, expires_at) VALUES (%s, 'session', %s, %s)",
                     (digest(token), row[0], now + timedelta(hours=SESSION_HOURS)))
        return token, Principal("session", row[0], row[1], _offices(row[2]))

    def _dummy_hash(self) -> str:
        """"No such login" is as slow as "wrong password": logins cannot be probed by timing."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_hex(8))
        return self._dummy

    def authenticate(self, conn: psycopg.Connection, token: str | None, now: datetime) -> Principal:
        if not token or len(token) > 200:
            raise AuthError("Log in first: this needs a token")
        row = conn.execute(
            "SELECT t.kind, t.login, u.role, u.offices, t.office_id, t.expires_at FROM tokens t "
            "LEFT JOIN users u ON u.login = t.login WHERE t.hash = %s", (digest(token),)).fetchone()
        if row is None:
            raise AuthError("Unknown or revoked token: log in again")
        kind, login, role, offices, office_id, expires = row
        if expires is not None and expires < now:
            raise AuthError("The session has expired: log in again")
        if kind == "office":
            return Principal("office", None, "office", (office_id,), office_id)
        return Principal("session", login, role, _offices(offices))

    def revoke(self, conn: psycopg.Connection, token: str) -> None:
        conn.execute("DELETE FROM tokens WHERE hash = %s", (digest(token),))

    def prune_sessions(self, conn: psycopg.Connection, now: datetime) -> int:
        return conn.execute("DELETE FROM tokens WHERE kind = 'session' AND expires_at < %s", (now,)).rowcount


def _offices(value) -> tuple[int, ...] | None:
    return None if value is None else tuple(value)
