"""An office's catalog as it travels with the push, and back into the domain's Catalog.

The office sends what the centre needs to fold its journal and name things:
its name and time zone, the roles with their norms, the services and the
counters (the format is in docs/central.md). It comes from another machine,
so every field is checked before it is stored or used.
"""
from __future__ import annotations

from queue_server.domain.catalog import Catalog, Counter, Role, Service

from .ingest import PushRefused, check_value

MAX_ITEMS = 500
_TOP = {"office_name": str, "timezone": str, "language": str, "visit_norm_s": int, "max_recalls": int,
        "keep_personal_days": int, "roles": list, "services": list, "counters": list}
_ROLE = {"id": str, "name_ru": str, "name_en": str, "wait_norm_s": int, "service_norm_s": int}
_SERVICE = {"id": str, "name_ru": str, "name_en": str, "role": str, "prefix": str}
_COUNTER = {"id": str, "name": str, "services": list}


def _bad(message: str) -> PushRefused:
    return PushRefused(422, "invalid", "catalog: " + message)


def _fields(obj, spec: dict, where: str) -> None:
    if not isinstance(obj, dict) or set(obj) != set(spec):
        raise _bad(f"{where}: expected exactly the fields {', '.join(sorted(spec))}")
    for key, kind in spec.items():
        value = obj[key]
        if type(value) is not kind:
            raise _bad(f"{where}.{key}: expected {kind.__name__}")
        if kind is str and not 0 < len(value) <= 200:
            raise _bad(f"{where}.{key}: 1 to 200 characters")
        if kind is int and not 0 <= value <= 10**7:
            raise _bad(f"{where}.{key}: out of range")
        if kind is list and len(value) > MAX_ITEMS:
            raise _bad(f"{where}.{key}: more than {MAX_ITEMS} items")


def check_catalog(catalog) -> None:
    _fields(catalog, _TOP, "catalog")
    check_value(catalog, "catalog")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(catalog["timezone"])
    except (ValueError, KeyError, OSError):
        raise _bad(f"timezone: unknown zone {catalog['timezone'][:40]!r}") from None
    for i, role in enumerate(catalog["roles"]):
        _fields(role, _ROLE, f"roles[{i}]")
    roles = {r["id"] for r in catalog["roles"]}
    for i, service in enumerate(catalog["services"]):
        _fields(service, _SERVICE, f"services[{i}]")
        if service["role"] not in roles:
            raise _bad(f"services[{i}].role: no role {service['role']!r}")
    services = {s["id"] for s in catalog["services"]}
    for i, counter in enumerate(catalog["counters"]):
        _fields(counter, _COUNTER, f"counters[{i}]")
        if not all(isinstance(s, str) and s in services for s in counter["services"]):
            raise _bad(f"counters[{i}].services: unknown service")


def to_catalog(data: dict) -> Catalog:
    """The domain's Catalog from a checked payload (the centre folds with it)."""
    return Catalog(
        office_name=data["office_name"],
        roles={r["id"]: Role(r["id"], r["name_ru"], r["name_en"], r["wait_norm_s"], r["service_norm_s"])
               for r in data["roles"]},
        services={s["id"]: Service(s["id"], s["name_ru"], s["name_en"], s["role"], s["prefix"])
                  for s in data["services"]},
        counters={c["id"]: Counter(c["id"], c["name"], tuple(c["services"])) for c in data["counters"]},
        visit_norm_s=data["visit_norm_s"], max_recalls=data["max_recalls"], timezone=data["timezone"],
        language=data["language"],
    )
