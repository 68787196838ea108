"""Staff and device administration: each act a named command, journaled with the change it makes.

`qserver user …|device …`, the API under `/api/v1/admin/` and the `/admin` page all go
through `Administration`: the input is checked and a password hashed outside the
writer's lock, then the command runs through `OfficeService.handle` (only an
administrator, or the server's own command line, may run it: service/authz.py). Its
handler makes the journal line; its *effect* changes the accounts' tables in the same
transaction, checking them there (no such user, the last administrator), so the line
and the change happen together or not at all. After the commit the user's or device's
cached tokens go and its live sockets drop at once (`Accounts.forget`), and the act is
logged (`admin.act`). A server running while another process makes the change learns of
it within a second (`Accounts.sync`, from the device watch's sweep).
"""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..adapters import oplog
from ..adapters.passwords import WeakPassword, check_password
from ..auth import (
    DEVICE_KINDS,
    STAFF_ROLES,
    Accounts,
    Principal,
    check_device_name,
    check_login,
    new_token,
)
from ..domain import commands as c
from ..domain import events as ev
from ..domain.devices import change_events
from ..domain.errors import InvalidInput, InvalidState, NotFound
from ..domain.events import Event
from ..domain.office import Office

if TYPE_CHECKING:  # office_service imports this module's handlers
    from .office_service import OfficeService

log = logging.getLogger("queue_server.admin")


class Unchanged(InvalidState):
    """Asked for what already is (disable a disabled user): nothing is done or journaled."""

    code = "unchanged"


def _via(who: Principal) -> str:
    return "cli" if who.kind == "system" else "api"


def _line(type_: str, now: datetime, who: Principal, **data) -> list[Event]:
    return [Event(type_, now, operator=who.subject or None, data={**data, "via": _via(who)})]


# ---- handlers: the journal line of each act (the effect below makes the change) ----
def add_user(office: Office, cmd: c.AddUser, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_USER_ADDED, now, who, login=cmd.login, role=cmd.role)


def disable_user(office: Office, cmd: c.DisableUser, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_USER_DISABLED, now, who, login=cmd.login)


def enable_user(office: Office, cmd: c.EnableUser, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_USER_ENABLED, now, who, login=cmd.login)


def set_password(office: Office, cmd: c.SetPassword, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_PASSWORD_SET, now, who, login=cmd.login)


def remove_user(office: Office, cmd: c.RemoveUser, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_USER_REMOVED, now, who, login=cmd.login)


def add_device(office: Office, cmd: c.AddDevice, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_DEVICE_ADDED, now, who, device=cmd.device, kind=cmd.kind)


def revoke_device(office: Office, cmd: c.RevokeDevice, who: Principal, now: datetime) -> list[Event]:
    return _line(ev.ADMIN_DEVICE_REVOKED, now, who, device=cmd.device)


def mark_devices(office: Office, cmd: c.MarkDevices, who: Principal, now: datetime) -> list[Event]:
    return change_events(cmd.down, cmd.up, now)


HANDLERS: dict[type[c.Command], Any] = {
    c.AddUser: add_user, c.DisableUser: disable_user, c.EnableUser: enable_user, c.SetPassword: set_password,
    c.RemoveUser: remove_user, c.AddDevice: add_device, c.RevokeDevice: revoke_device,
    c.MarkDevices: mark_devices,
}


# ---- effects: the change itself, checked inside the journal's transaction ----
def _user(conn: sqlite3.Connection, login: str) -> tuple:
    row = conn.execute("SELECT role, disabled_at FROM users WHERE login=?", (login,)).fetchone()
    if row is None:
        raise NotFound("No staff account {login}", login=login)
    return row


def _not_the_last_admin(conn: sqlite3.Connection, login: str) -> None:
    """The office must keep an administrator who can log in (else nobody could fix it
    but the server's command line)."""
    others = conn.execute("SELECT COUNT(*) FROM users WHERE role='admin' AND disabled_at IS NULL AND login<>?",
                          (login,)).fetchone()[0]
    if others == 0:
        raise InvalidState("{login} is the last administrator who can log in: add another one first", login=login)


def _not_yourself(who: Principal, login: str, what: str) -> None:
    if who.kind == "staff" and who.subject == login:
        raise InvalidState(what)


def _effect_add_user(conn, cmd: c.AddUser, who: Principal, now: datetime) -> None:
    row = conn.execute("SELECT role, disabled_at FROM users WHERE login=?", (cmd.login,)).fetchone()
    if row is not None and row[0] == "admin" and cmd.role != "admin" and row[1] is None:
        _not_the_last_admin(conn, cmd.login)
    Accounts.write_user(conn, cmd.login, cmd.role, cmd.name, cmd.password_hash, now)


def _effect_disable(conn, cmd: c.DisableUser, who: Principal, now: datetime) -> None:
    role, disabled = _user(conn, cmd.login)
    if disabled:
        raise Unchanged("{login} is already disabled", login=cmd.login)
    _not_yourself(who, cmd.login, "You cannot disable your own account")
    if role == "admin":
        _not_the_last_admin(conn, cmd.login)
    Accounts.write_disabled(conn, cmd.login, now)


def _effect_enable(conn, cmd: c.EnableUser, who: Principal, now: datetime) -> None:
    _role, disabled = _user(conn, cmd.login)
    if not disabled:
        raise Unchanged("{login} is not disabled", login=cmd.login)
    Accounts.write_disabled(conn, cmd.login, None)


def _effect_password(conn, cmd: c.SetPassword, who: Principal, now: datetime) -> None:
    _user(conn, cmd.login)
    Accounts.write_password(conn, cmd.login, cmd.password_hash)


def _effect_remove(conn, cmd: c.RemoveUser, who: Principal, now: datetime) -> None:
    role, disabled = _user(conn, cmd.login)
    _not_yourself(who, cmd.login, "You cannot remove your own account")
    if role == "admin" and not disabled:
        _not_the_last_admin(conn, cmd.login)
    Accounts.write_user_removed(conn, cmd.login)


def _effect_add_device(conn, cmd: c.AddDevice, who: Principal, now: datetime) -> None:
    Accounts.write_device(conn, cmd.device, cmd.kind, cmd.token_hash, now)


def _effect_revoke(conn, cmd: c.RevokeDevice, who: Principal, now: datetime) -> None:
    if conn.execute("SELECT 1 FROM devices WHERE name=?", (cmd.device,)).fetchone() is None:
        raise NotFound("No device {name}", name=cmd.device)
    Accounts.write_device_revoked(conn, cmd.device)


EFFECTS = {c.AddUser: _effect_add_user, c.DisableUser: _effect_disable, c.EnableUser: _effect_enable,
           c.SetPassword: _effect_password, c.RemoveUser: _effect_remove, c.AddDevice: _effect_add_device,
           c.RevokeDevice: _effect_revoke}
# after the commit: whose cached tokens and live sockets go, and the log line's act
AFTER = {ev.ADMIN_USER_ADDED: ("staff", "login", "user add"), ev.ADMIN_USER_DISABLED: ("staff", "login", "user disable"),
         ev.ADMIN_USER_ENABLED: (None, "login", "user enable"),
         ev.ADMIN_PASSWORD_SET: ("staff", "login", "user passwd"),
         ev.ADMIN_USER_REMOVED: ("staff", "login", "user remove"),
         ev.ADMIN_DEVICE_ADDED: ("device", "device", "device add"),
         ev.ADMIN_DEVICE_REVOKED: ("device", "device", "device revoke")}


class Administration:
    """The acts, for the command line, the API and the page alike."""

    def __init__(self, service: OfficeService, accounts: Accounts):
        self.service, self.accounts = service, accounts
        for command, effect in EFFECTS.items():
            service.effect(command, effect)
        for kind in AFTER:
            service.on(kind, self._after)

    def _after(self, e: Event) -> None:
        subject_kind, key, act = AFTER[e.type]
        target = e.data.get(key, "")
        if subject_kind is not None:
            self.accounts.forget(subject_kind, target)
        extra = {k: v for k, v in e.data.items() if k in ("role", "kind", "via")}
        oplog.log_admin_act(e.operator or "cli", act, target, **extra)

    def _run(self, command: c.Command, actor: Principal) -> None:
        self.service.handle(command, actor)

    # ---- staff -----------------------------------------------------------
    def add_user(self, login: str, role: str, password: str, name: str, actor: Principal) -> None:
        _check(lambda: check_login(login))
        if role not in STAFF_ROLES:
            raise InvalidInput("role must be one of: {allowed}", allowed=", ".join(STAFF_ROLES))
        _check_password(password, login)
        self._run(c.AddUser(login, role, name, self.accounts.hasher.hash(password)), actor)

    def disable_user(self, login: str, actor: Principal) -> None:
        self._run(c.DisableUser(login), actor)

    def enable_user(self, login: str, actor: Principal) -> None:
        self._run(c.EnableUser(login), actor)

    def set_password(self, login: str, password: str, actor: Principal) -> None:
        if self.accounts.user(login) is None:
            raise NotFound("No staff account {login}", login=login)
        _check_password(password, login)
        self._run(c.SetPassword(login, self.accounts.hasher.hash(password)), actor)

    def remove_user(self, login: str, actor: Principal) -> None:
        self._run(c.RemoveUser(login), actor)

    # ---- devices ---------------------------------------------------------
    def add_device(self, name: str, kind: str, actor: Principal) -> str:
        """The new device's token (shown once; the office keeps only its hash)."""
        _check(lambda: check_device_name(name))
        if kind not in DEVICE_KINDS:
            raise InvalidInput("kind must be one of: {allowed}", allowed=", ".join(DEVICE_KINDS))
        token, digest = new_token()
        self._run(c.AddDevice(name, kind, digest), actor)
        return token

    def revoke_device(self, name: str, actor: Principal) -> None:
        self._run(c.RevokeDevice(name), actor)


def _check(fn) -> None:
    try:
        fn()
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _check_password(password: str, login: str) -> None:
    try:
        check_password(password, login)
    except WeakPassword as exc:
        raise InvalidInput(exc.template, **exc.params) from None
