"""Staff accounts and device tokens.

Passwords are argon2-hashed; bearer tokens are random and stored only as
their SHA-256, so a stolen database does not hand out live sessions.
An operator's token is bound to the counter chosen at login: that binding
is what stops anyone acting on another counter's visitor.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .adapters.login_throttle import LoginThrottle
from .adapters.passwords import check_password
from .domain.events import format_at, parse_at
from .journal_store import JournalStore

log = logging.getLogger(__name__)

STAFF_ROLES = ("operator", "head", "admin")
DEVICE_KINDS = ("kiosk", "display", "buttons")
TOKEN_CACHE_S = 30.0
# argon2 takes its memory cost (64 MiB by default) for each password check while it runs:
# a shift change with many operators logging in at once must not multiply that, and one
# core stays free for everything else while a flood of guesses is being checked.
CONCURRENT_PASSWORD_CHECKS = 1
# Password checks that may wait for one of those: a flood of logins beyond it is answered 429
# at once, so logins never hold more than a few of the server's request threads.
WAITING_PASSWORD_CHECKS = 16


class AuthError(Exception):
    """Refused credentials; the message is a gettext template like DomainError's."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str, **params):
        super().__init__(message.format(**params) if params else message)
        self.template = message
        self.params = params


class Forbidden(AuthError):
    status = 403
    code = "forbidden"


class Throttled(AuthError):
    """Too many failed logins (or password checks under way): try again later."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        super().__init__("Too many login attempts: try again in {seconds} s", seconds=retry_after)
        self.retry_after = retry_after


# Told when tokens stop being valid: by token (its SHA-256), or every token of a subject.
RevokeListener = Callable[..., None]


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff" or "device"
    subject: str  # login or device name
    role: str  # operator/head/admin, or the device kind
    counter_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def password_hasher(time_cost: int = 3, memory_kib: int = 65536) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, store: JournalStore, token_hours: int = 14, hasher: PasswordHasher | None = None):
        self.store = store
        self.token_hours = token_hours
        self.hasher = hasher or password_hasher()
        self._dummy: str | None = None
        # Every request authenticates: tokens read from the database are kept here for
        # TOKEN_CACHE_S, so a ticket does not pay a query for them. Revoking here drops
        # the entry at once; a change made by another process is seen within TOKEN_CACHE_S.
        self._known: dict[str, tuple[float, tuple]] = {}
        self._checks = threading.BoundedSemaphore(CONCURRENT_PASSWORD_CHECKS)
        self._check_slots = threading.BoundedSemaphore(CONCURRENT_PASSWORD_CHECKS + WAITING_PASSWORD_CHECKS)
        self.throttle = LoginThrottle()
        self._listeners: list[RevokeListener] = []

    def on_revoke(self, listener: RevokeListener) -> None:
        """`listener(token_hash=…)` or `listener(kind=…, subject=…)` runs after a revocation
        (the real-time server drops that token's live sockets)."""
        self._listeners.append(listener)

    def _tell(self, **what) -> None:
        for listener in self._listeners:
            try:
                listener(**what)
            except Exception:  # a listener must not undo the revocation
                log.exception("revocation listener failed")

    def _dummy_hash(self) -> str:
        """Verifying against a dummy keeps "no such login" as slow as "wrong
        password", so logins cannot be probed by timing. Made on first need."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_hex(8))
        return self._dummy

    def add_user(self, login: str, role: str, password: str = "", name: str = "",
                 password_hash: str = "", now: datetime | None = None) -> None:
        if role not in STAFF_ROLES:
            raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
        if not login or not login.replace("_", "").replace(".", "").replace("-", "").isalnum():
            raise ValueError("login: letters, digits, '.', '_' or '-'")
        if not password_hash:
            check_password(password, login)  # WeakPassword is a ValueError
            password_hash = self.hasher.hash(password)
        self.store.execute(
            "INSERT OR REPLACE INTO users (login, role, name, password_hash, created_at) VALUES (?,?,?,?,?)",
            (login, role, name, password_hash, format_at(now or datetime.now().astimezone())),
        )

    def user(self, login: str) -> tuple | None:
        rows = self.store.query("SELECT login, role, name, password_hash FROM users WHERE login=?", (login,))
        return rows[0] if rows else None

    def set_password(self, login: str, password: str) -> None:
        """Change a staff password (the policy applies) and end that user's sessions."""
        check_password(password, login)
        if self.user(login) is None:
            raise ValueError(f"no user {login}")
        self.store.execute("UPDATE users SET password_hash=? WHERE login=?", (self.hasher.hash(password), login))
        self.revoke_subject("staff", login)

    def login(self, login: str, password: str, now: datetime, counter_id: str | None = None,
              address: str = "") -> tuple[str, Principal]:
        """Check the password (throttled per login and address, see adapters/login_throttle.py)."""
        wait = self.throttle.wait_s(login, address)
        if wait:
            raise Throttled(wait)
        if not self._check_slots.acquire(blocking=False):
            self.throttle.pressed()
            raise Throttled(1)
        try:
            row = self.user(login)
            try:
                with self._checks:
                    self.hasher.verify(row[3] if row else self._dummy_hash(), password)
            except (VerificationError, InvalidHashError):
                row = None
        finally:
            self._check_slots.release()
        if row is None:
            self.throttle.failed(login, address)
            raise AuthError("Wrong login or password")
        self.throttle.succeeded(login, address)
        principal = Principal("staff", row[0], row[1], counter_id)
        return self._issue(principal, now, now + timedelta(hours=self.token_hours)), principal

    def add_device(self, name: str, kind: str, now: datetime) -> str:
        if kind not in DEVICE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(DEVICE_KINDS)}")
        self.store.execute("INSERT OR REPLACE INTO devices (name, kind, created_at) VALUES (?,?,?)",
                           (name, kind, format_at(now)))
        return self._issue(Principal("device", name, kind), now, None)

    def _issue(self, p: Principal, now: datetime, expires: datetime | None) -> str:
        token = secrets.token_urlsafe(32)
        while token.startswith("-"):  # "--token -x…" reads as an option on every command line
            token = secrets.token_urlsafe(32)
        self.store.execute(
            "INSERT INTO tokens (hash, kind, subject, role, counter_id, created_at, expires_at) VALUES (?,?,?,?,?,?,?)",
            (_digest(token), p.kind, p.subject, p.role, p.counter_id, format_at(now),
             format_at(expires) if expires else None),
        )
        return token

    def authenticate(self, token: str | None, now: datetime) -> Principal:
        if not token:
            raise AuthError("Log in first: this needs a staff or device token")
        digest = _digest(token)
        known = self._known.get(digest)
        if known is not None and time.monotonic() - known[0] < TOKEN_CACHE_S:
            row = known[1]
        else:
            rows = self.store.query(
                "SELECT kind, subject, role, counter_id, expires_at FROM tokens WHERE hash=?", (digest,)
            )
            if not rows:
                raise AuthError("Unknown or revoked token: log in again")
            row = rows[0]
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[digest] = (time.monotonic(), row)
        kind, subject, role, counter_id, expires = row
        if expires and parse_at(expires) < now:
            raise AuthError("The session has expired: log in again")
        return Principal(kind, subject, role, counter_id)

    def cached(self, token: str | None, max_age_s: float = TOKEN_CACHE_S) -> Principal | None:
        """The principal of a token checked within `max_age_s`, from memory only (no I/O):
        the edge uses it (with a long age: revoking drops the entry at once) to tell staff
        and devices from the public before the app runs; the app still checks every request."""
        if not token:
            return None
        known = self._known.get(_digest(token))
        if known is None or time.monotonic() - known[0] >= max_age_s:
            return None
        kind, subject, role, counter_id, _expires = known[1]
        return Principal(kind, subject, role, counter_id)

    def revoke(self, token: str | None) -> None:
        if not token:
            return
        digest = _digest(token)
        self.store.execute("DELETE FROM tokens WHERE hash=?", (digest,))
        self._known.pop(digest, None)
        self._tell(token_hash=digest)

    def revoke_subject(self, kind: str, subject: str) -> None:
        """End every session of a user (kind "staff") or every token of a device ("device"):
        for disabling or removing one, or after a password change."""
        self.store.execute("DELETE FROM tokens WHERE kind=? AND subject=?", (kind, subject))
        for digest, (_t, row) in list(self._known.items()):
            if row[0] == kind and row[1] == subject:
                self._known.pop(digest, None)
        self._tell(kind=kind, subject=subject)

    def revoke_sessions(self, login: str, counter_id: str) -> int:
        """End every session `login` holds at `counter_id` (a takeover); returns how many."""
        where = "kind='staff' AND subject=? AND counter_id=?"
        digests = [r[0] for r in self.store.query(f"SELECT hash FROM tokens WHERE {where}", (login, counter_id))]
        self.store.execute(f"DELETE FROM tokens WHERE {where}", (login, counter_id))
        for digest in digests:
            self._known.pop(digest, None)
            self._tell(token_hash=digest)  # and their live sockets go at once
        return len(digests)


def require(principal: Principal, *, staff_roles: tuple[str, ...] = (), device_kinds: tuple[str, ...] = ()) -> None:
    """Raise Forbidden unless the principal is one of the given staff roles or device kinds."""
    if principal.kind == "staff" and principal.role in staff_roles:
        return
    if principal.kind == "device" and principal.role in device_kinds:
        return
    raise Forbidden("Your account may not do this")


def require_counter(principal: Principal, counter_id: str) -> None:
    """Operators act only at their own counter; an admin may step in anywhere.

    A call-button pad acts for the counter its button belongs to. The office
    head watches and reports but does not serve visitors.
    """
    if principal.kind == "device" and principal.role == "buttons":
        return
    if principal.kind == "staff" and principal.role == "admin":
        return
    if principal.kind != "staff" or principal.role != "operator":
        raise Forbidden("Only the operator logged in at a counter acts there")
    if principal.counter_id != counter_id:
        raise Forbidden("You are logged in at counter {mine}, not {counter_id}",
                        mine=principal.counter_id or "—", counter_id=counter_id)
