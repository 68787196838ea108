"""Staff and device administration over the API (the /admin page uses it): administrators only.

Each write is one act of `service/admin.py` (journaled with the change it makes);
the lists read the accounts' tables and, for devices, the device watch.
"""
from __future__ import annotations

from flask import g, jsonify

from ..auth import DEVICE_KINDS, STAFF_ROLES, require
from ..domain.events import format_at
from .context import office_app
from .spec import Api, Guard, endpoint

ADMIN = Guard("admin", lambda p, kw: require(p, staff_roles=("admin",)))
NAME = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[\w.\-]+$"}
PASSWORD = {"type": "string", "minLength": 1, "maxLength": 256}
NEW_USER = {"type": "object", "required": ["login", "role", "password"], "additionalProperties": False,
            "properties": {"login": NAME, "role": {"enum": list(STAFF_ROLES)}, "password": PASSWORD,
                           "name": {"type": "string", "maxLength": 100}}}
NEW_PASSWORD = {"type": "object", "required": ["password"], "additionalProperties": False,
                "properties": {"password": PASSWORD}}
NEW_DEVICE = {"type": "object", "required": ["name", "kind"], "additionalProperties": False,
              "properties": {"name": NAME, "kind": {"enum": list(DEVICE_KINDS)}}}
TIME_OR_NULL = {"type": ["string", "null"], "description": "ISO-8601 UTC"}
USERS = {"type": "object", "required": ["users"], "properties": {"users": {"type": "array", "items": {
    "type": "object", "required": ["login", "role", "name", "disabled", "sessions"], "properties": {
        "login": {"type": "string"}, "role": {"enum": list(STAFF_ROLES)}, "name": {"type": "string"},
        "disabled": {"type": "boolean"}, "disabled_at": TIME_OR_NULL, "created_at": TIME_OR_NULL,
        "sessions": {"type": "integer", "description": "live logins (tokens not expired)"}}}}}}
DEVICES = {"type": "object", "required": ["devices", "silent_after_s"], "properties": {
    "silent_after_s": {"type": "integer"},
    "devices": {"type": "array", "items": {
        "type": "object", "required": ["name", "kind", "state"], "properties": {
            "name": {"type": "string"}, "kind": {"enum": list(DEVICE_KINDS)}, "created_at": TIME_OR_NULL,
            "last_seen": TIME_OR_NULL, "down_since": TIME_OR_NULL,
            "state": {"enum": ["up", "silent", "down", "never"],
                      "description": "up: heard within the window; silent: not heard, not down yet (closed "
                                     "hours, just started); down: a dashboard alert; never: not heard from yet"}}}}}}
ADDED_USER = {"type": "object", "required": ["login", "role"], "properties": {
    "login": {"type": "string"}, "role": {"type": "string"}}}
ADDED_DEVICE = {"type": "object", "required": ["name", "kind", "token"], "properties": {
    "name": {"type": "string"}, "kind": {"type": "string"},
    "token": {"type": "string", "description": "the device's token: shown this once, the office keeps only its hash"}}}
NOT_FOUND = {"description": "No such account or device"}
REFUSED = {"description": "Refused: the last administrator, your own account, already so"}


def register(api: Api) -> None:
    @endpoint(api, "GET", "/api/v1/admin/users", summary="Staff accounts", tag="admin", guard=ADMIN,
              responses={200: USERS})
    def admin_users():
        app = office_app()
        now = format_at(app.clock.now())
        sessions = dict(app.store.query(
            "SELECT subject, COUNT(*) FROM tokens WHERE kind='staff' AND (expires_at IS NULL OR expires_at > ?) "
            "GROUP BY subject", (now,)))
        return jsonify({"users": [{"login": u.login, "role": u.role, "name": u.name or "",
                                   "disabled": u.disabled_at is not None, "disabled_at": u.disabled_at,
                                   "created_at": u.created_at, "sessions": sessions.get(u.login, 0)}
                                  for u in app.accounts.users()]})

    @endpoint(api, "POST", "/api/v1/admin/users", summary="Add a staff account, or replace one (its sessions "
              "end); the password policy applies", tag="admin", guard=ADMIN, body=NEW_USER,
              responses={201: ADDED_USER, 409: REFUSED},
              links={201: {"DisableIt": ("admin_disable_user", {"login": "$response.body#/login"}),
                           "RemoveIt": ("admin_remove_user", {"login": "$response.body#/login"})}})
    def admin_add_user(body):
        office_app().admin.add_user(body["login"], body["role"], body["password"], body.get("name", ""),
                                    g.principal)
        return jsonify({"login": body["login"], "role": body["role"]}), 201

    def user_act(path: str, name: str, summary: str, act: str, body: dict | None = None) -> None:
        def view(login, body=None):
            admin = office_app().admin
            if body is not None:
                getattr(admin, act)(login, body["password"], g.principal)
            else:
                getattr(admin, act)(login, g.principal)
            return "", 204
        view.__name__ = name  # the Flask endpoint and the operationId
        endpoint(api, "POST", f"/api/v1/admin/users/{{login}}/{path}", summary=summary, tag="admin",
                 guard=ADMIN, body=body, responses={204: None, 404: NOT_FOUND, 409: REFUSED})(view)

    for path, name, summary, act, body in (
        ("disable", "admin_disable_user", "Disable a staff account: it cannot log in, its sessions and live "
         "sockets end at once", "disable_user", None),
        ("enable", "admin_enable_user", "Let a disabled staff account log in again", "enable_user", None),
        ("password", "admin_set_password", "Set a staff password (the policy applies); its sessions end",
         "set_password", NEW_PASSWORD),
    ):
        user_act(path, name, summary, act, body)

    @endpoint(api, "DELETE", "/api/v1/admin/users/{login}", summary="Remove a staff account; its sessions and "
              "live sockets end at once", tag="admin", guard=ADMIN,
              responses={204: None, 404: NOT_FOUND, 409: REFUSED})
    def admin_remove_user(login):
        office_app().admin.remove_user(login, g.principal)
        return "", 204

    @endpoint(api, "GET", "/api/v1/admin/devices", summary="Devices: kind, when added, last heartbeat, up or down",
              tag="admin", guard=ADMIN, responses={200: DEVICES})
    def admin_devices():
        app = office_app()
        status = app.devices.status()
        out = []
        for d in app.accounts.devices():
            s = status.get(d.name, {})
            out.append({"name": d.name, "kind": d.kind, "created_at": d.created_at,
                        "last_seen": s.get("last_seen") or d.last_seen_at, "state": s.get("state", "never"),
                        "down_since": s.get("down_since")})
        return jsonify({"devices": out, "silent_after_s": app.devices.silent_after_s})

    @endpoint(api, "POST", "/api/v1/admin/devices", summary="Add a device, or replace one of that name (its old "
              "token stops working at once); the answer holds the new token, shown this once", tag="admin",
              guard=ADMIN, body=NEW_DEVICE, responses={201: ADDED_DEVICE},
              links={201: {"RevokeIt": ("admin_revoke_device", {"name": "$response.body#/name"})}})
    def admin_add_device(body):
        token = office_app().admin.add_device(body["name"], body["kind"], g.principal)
        return jsonify({"name": body["name"], "kind": body["kind"], "token": token}), 201

    @endpoint(api, "DELETE", "/api/v1/admin/devices/{name}", summary="Revoke a device: its token stops working "
              "and its live sockets drop at once", tag="admin", guard=ADMIN, responses={204: None, 404: NOT_FOUND})
    def admin_revoke_device(name):
        office_app().admin.revoke_device(name, g.principal)
        return "", 204
