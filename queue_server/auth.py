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
from collections.abc import Callable, Iterable
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


class Disabled(AuthError):
    """The password was right, but an administrator has disabled the account."""

    status = 403
    code = "account_disabled"

    def __init__(self):
        super().__init__("This account is disabled: ask the office's administrator")


class Throttled(AuthError):
    """Too many failed logins (or password checks under way): try again later."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        super().__init__("Too many login attempts: try again in {seconds} s", seconds=retry_after)
        self.retry_after = retry_after


_UNREAD = object()
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


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the SHA-256 the database keeps of it."""
    token = secrets.token_urlsafe(32)
    while token.startswith("-"):  # "--token -x…" reads as an option on every command line
        token = secrets.token_urlsafe(32)
    return token, _digest(token)


def check_login(login: str) -> None:
    if not login or len(login) > 64 or not login.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise ValueError("login: letters, digits, '.', '_' or '-' (at most 64)")


def check_device_name(name: str) -> None:
    if not name or len(name) > 64 or not name.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise ValueError("device name: letters, digits, '.', '_' or '-' (at most 64)")


@dataclass(frozen=True)
class UserRow:
    login: str
    role: str
    name: str
    created_at: str | None
    disabled_at: str | None


@dataclass(frozen=True)
class DeviceRow:
    name: str
    kind: str
    created_at: str | None
    last_seen_at: str | None


# Bumped by every change of accounts and tokens, by any process: the server sees a change
# made by `qserver user disable` in another process at its next sweep (Accounts.sync).
VERSION_KEY = "accounts_version"
_BUMP = (f"INSERT INTO meta (key, value) VALUES ('{VERSION_KEY}', '1') "
         "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


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
        self._version: object = _UNREAD  # the accounts' version last seen by `sync`

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
                 password_hash: str = "", now: datetime | None = None) -> str:
        """Add a staff account, or replace one (its role, name, password): "added",
        "replaced" or "unchanged". A replaced account's sessions end at once (an admin
        re-added as an operator keeps no admin token); a disabled one stays disabled."""
        if role not in STAFF_ROLES:
            raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
        check_login(login)
        if not password_hash:
            check_password(password, login)  # WeakPassword is a ValueError
            password_hash = self.hasher.hash(password)
        with self.store.transaction() as conn:
            done = self.write_user(conn, login, role, name, password_hash, now or datetime.now().astimezone())
        if done == "replaced":
            self.forget("staff", login)
        return done

    # ---- changes inside a transaction (service/admin.py journals each with its event) ----
    @staticmethod
    def write_user(conn, login: str, role: str, name: str, password_hash: str, now: datetime) -> str:
        row = conn.execute("SELECT role, name, password_hash FROM users WHERE login=?", (login,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO users (login, role, name, password_hash, created_at) VALUES (?,?,?,?,?)",
                         (login, role, name, password_hash, format_at(now)))
            conn.execute(_BUMP)
            return "added"
        if tuple(row) == (role, name, password_hash):
            return "unchanged"
        conn.execute("UPDATE users SET role=?, name=?, password_hash=? WHERE login=?",
                     (role, name, password_hash, login))
        conn.execute("DELETE FROM tokens WHERE kind='staff' AND subject=?", (login,))
        conn.execute(_BUMP)
        return "replaced"

    @staticmethod
    def write_disabled(conn, login: str, at: datetime | None) -> None:
        """Disable (`at`: since when) or enable (None) a user; disabling ends its sessions."""
        conn.execute("UPDATE users SET disabled_at=? WHERE login=?", (format_at(at) if at else None, login))
        if at is not None:
            conn.execute("DELETE FROM tokens WHERE kind='staff' AND subject=?", (login,))
        conn.execute(_BUMP)

    @staticmethod
    def write_password(conn, login: str, password_hash: str) -> None:
        conn.execute("UPDATE users SET password_hash=? WHERE login=?", (password_hash, login))
        conn.execute("DELETE FROM tokens WHERE kind='staff' AND subject=?", (login,))
        conn.execute(_BUMP)

    @staticmethod
    def write_user_removed(conn, login: str) -> None:
        conn.execute("DELETE FROM users WHERE login=?", (login,))
        conn.execute("DELETE FROM tokens WHERE kind='staff' AND subject=?", (login,))
        conn.execute(_BUMP)

    @staticmethod
    def write_device(conn, name: str, kind: str, token_hash: str, now: datetime) -> str:
        """Add a device, or replace one of that name: its old token stops working. "added"/"replaced"."""
        existed = conn.execute("SELECT 1 FROM devices WHERE name=?", (name,)).fetchone() is not None
        conn.execute("DELETE FROM tokens WHERE kind='device' AND subject=?", (name,))
        conn.execute("INSERT OR REPLACE INTO devices (name, kind, created_at, last_seen_at) VALUES (?,?,?,NULL)",
                     (name, kind, format_at(now)))
        conn.execute("INSERT INTO tokens (hash, kind, subject, role, counter_id, created_at, expires_at) "
                     "VALUES (?,?,?,?,?,?,?)", (token_hash, "device", name, kind, None, format_at(now), None))
        conn.execute(_BUMP)
        return "replaced" if existed else "added"

    @staticmethod
    def write_device_revoked(conn, name: str) -> None:
        conn.execute("DELETE FROM devices WHERE name=?", (name,))
        conn.execute("DELETE FROM tokens WHERE kind='device' AND subject=?", (name,))
        conn.execute(_BUMP)

    def forget(self, kind: str, subject: str) -> None:
        """After a committed change of a user or device: drop its cached tokens and tell the
        listeners (its live sockets go at once)."""
        for digest, (_t, row) in list(self._known.items()):
            if row[0] == kind and row[1] == subject:
                self._known.pop(digest, None)
        self._tell(kind=kind, subject=subject)

    # ---- reading -------------------------------------------------------------
    def users(self) -> list[UserRow]:
        return [UserRow(*r) for r in self.store.query(
            "SELECT login, role, name, created_at, disabled_at FROM users ORDER BY login")]

    def devices(self) -> list[DeviceRow]:
        return [DeviceRow(*r) for r in self.store.query(
            "SELECT name, kind, created_at, last_seen_at FROM devices ORDER BY name")]

    def device(self, name: str) -> DeviceRow | None:
        rows = self.store.query("SELECT name, kind, created_at, last_seen_at FROM devices WHERE name=?", (name,))
        return DeviceRow(*rows[0]) if rows else None

    def save_last_seen(self, seen: dict[str, datetime]) -> None:
        """Keep when devices were last heard (the device watch, about once a minute)."""
        if seen:
            with self.store.transaction() as conn:
                conn.executemany("UPDATE devices SET last_seen_at=? WHERE name=?",
                                 [(format_at(at), name) for name, at in seen.items()])

    def sync(self, live_digests: Iterable[str] = ()) -> int:
        """See changes another process made (`qserver user disable` while the server runs):
        when the accounts' version moved, tokens that are gone leave the cache, and the
        listeners hear of each, so their live sockets drop. Cheap when nothing changed
        (one row read). Returns how many tokens were found gone."""
        rows = self.store.query("SELECT value FROM meta WHERE key=?", (VERSION_KEY,))
        version = rows[0][0] if rows else None
        if version == self._version:
            return 0
        # the first read checks too: a change made before it (while the server was starting,
        # or within the first sweep's second) must not be taken for where things began
        self._version = version
        wanted = set(self._known) | set(live_digests)
        gone = set()
        listed = sorted(wanted)
        for i in range(0, len(listed), 500):
            chunk = listed[i:i + 500]
            found = {r[0] for r in self.store.query(
                f"SELECT hash FROM tokens WHERE hash IN ({', '.join('?' * len(chunk))})", tuple(chunk))}
            gone.update(set(chunk) - found)
        for digest in gone:
            self._known.pop(digest, None)
            self._tell(token_hash=digest)
        return len(gone)

    def user(self, login: str) -> tuple | None:
        """(login, role, name, password_hash, disabled_at) or None."""
        rows = self.store.query("SELECT login, role, name, password_hash, disabled_at FROM users WHERE login=?",
                                (login,))
        return rows[0] if rows else None

    def set_password(self, login: str, password: str) -> None:
        """Change a staff password (the policy applies) and end that user's sessions."""
        check_password(password, login)
        if self.user(login) is None:
            raise ValueError(f"no user {login}")
        password_hash = self.hasher.hash(password)
        with self.store.transaction() as conn:
            self.write_password(conn, login, password_hash)
        self.forget("staff", login)

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
        if row[4]:  # the password was right: only then may it learn that the account is disabled
            raise Disabled()
        self.throttle.succeeded(login, address)
        principal = Principal("staff", row[0], row[1], counter_id)
        return self._issue(principal, now, now + timedelta(hours=self.token_hours)), principal

    def add_device(self, name: str, kind: str, now: datetime) -> str:
        """A device and its token (returned, shown once). Adding a device of a name already
        known replaces it: the old token stops working at once."""
        if kind not in DEVICE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(DEVICE_KINDS)}")
        check_device_name(name)
        token, digest = new_token()
        with self.store.transaction() as conn:
            done = self.write_device(conn, name, kind, digest, now)
        if done == "replaced":
            self.forget("device", name)
        return token

    def _issue(self, p: Principal, now: datetime, expires: datetime | None) -> str:
        token, _hash = new_token()
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
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM tokens WHERE hash=?", (digest,))
            conn.execute(_BUMP)
        self._known.pop(digest, None)
        self._tell(token_hash=digest)

    def revoke_subject(self, kind: str, subject: str) -> None:
        """End every session of a user (kind "staff") or every token of a device ("device"):
        for disabling or removing one, or after a password change."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM tokens WHERE kind=? AND subject=?", (kind, subject))
            conn.execute(_BUMP)
        self.forget(kind, subject)

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
