"""office.toml: one file describes an office.

A bad file stops the start with a message naming the file, the key and what
is wrong, because the person reading it is an installer at a new office, not
a developer. Scalar settings are declared as data (SETTINGS) so that the docs
test can insist every one is documented in docs/configuration.md.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .domain.catalog import ROLES, Catalog, Counter, Role, Service, standard_roles
from .domain.hours import WEEKDAYS, DayHours, WorkingHours, always_open


class ConfigError(Exception):
    """An office.toml that cannot run an office; str() is the whole message."""


@dataclass(frozen=True)
class Setting:
    key: str
    default: object
    help: str


SETTINGS = (
    Setting("office.name", "Центр обслуживания клиентов", "Office name on tickets, boards and reports"),
    Setting("office.timezone", "Europe/Moscow", "IANA time zone; reports and ticket days are cut by it"),
    Setting("office.language", "ru", "Default language of screens, tickets, voice and reports (ru or en)"),
    Setting("office.max_recalls", 2, "Recalls allowed before the next recall marks a no-show"),
    Setting("office.visit_norm_min", 60, "Norm for a whole visit, minutes"),
    Setting("server.host", "127.0.0.1", "Address `qserver run` listens on"),
    Setting("server.port", 8080, "Port for HTTP and Socket.IO"),
    Setting("server.threads", 32, "Threads that run HTTP requests beside the event loop (Socket.IO clients hold none)"),
    Setting("server.token_hours", 14, "How long a staff login stays valid, hours"),
    Setting("server.public_url", "", "Base URL printed in ticket QR codes (default: http://host:port)"),
    Setting("limits.public_sockets_per_address", 8,
            "Live Socket.IO connections one address may hold to follow tickets (visitors' phones)"),
    Setting("limits.staff_sockets_per_address", 64,
            "Live Socket.IO connections one address may hold as staff or a device"),
    Setting("limits.public_requests_per_second", 10,
            "HTTP requests per second from one address without a staff or device token (bursts of 3×)"),
    Setting("limits.staff_requests_per_second", 500,
            "HTTP requests per second with one staff or device token (bursts of 3×)"),
    Setting("limits.logins_per_minute", 60, "Password logins per minute from one address (bursts of 5)"),
    Setting("security.argon2_time_cost", 3, "Argon2 passes per password hash (higher is slower to crack)"),
    Setting("security.argon2_memory_kib", 65536, "Argon2 memory per password hash, KiB"),
    Setting("backup.time", "03:00", "Local time of the nightly online backup"),
    Setting("backup.keep_days", 14, "How many nightly backups to keep"),
    Setting("reports.write_at_close", True, "Write each closed day's PDF and CSV into the reports folder"),
    Setting("reports.delay_min", 15, "Minutes after closing time to write the day's reports"),
    Setting("privacy.keep_personal_days", 30,
            "Days to keep what clerks type (transfer notes, cancel reasons): the one place a name or phone can be"),
)


@dataclass(frozen=True)
class StaffAccount:
    login: str
    role: str
    name: str = ""
    password_hash: str = ""


@dataclass(frozen=True)
class OfficeConfig:
    path: Path
    catalog: Catalog
    hours: WorkingHours
    settings: dict[str, object]
    staff: tuple[StaffAccount, ...] = field(default_factory=tuple)

    def get(self, key: str):
        return self.settings[key]


def load_config(path: Path) -> OfficeConfig:
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such file (run `qserver init --data {path.parent}`)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, path)


def parse_config(raw: dict, path: Path) -> OfficeConfig:
    def fail(key: str, what: str):
        raise ConfigError(f"{path}: {key}: {what}")

    settings = {}
    for s in SETTINGS:
        section, name = s.key.split(".")
        value = raw.get(section, {}).get(name, s.default)
        if type(value) is not type(s.default):
            fail(s.key, f"expected {type(s.default).__name__}, got {value!r}")
        if type(value) is int and value < 0:  # counts, minutes, days, hours, ports
            fail(s.key, f"must not be negative, got {value}")
        settings[s.key] = value
    tz = settings["office.timezone"]
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail("office.timezone", f"unknown time zone {tz!r}")
    if settings["office.language"] not in ("ru", "en"):
        fail("office.language", "must be 'ru' or 'en'")

    roles = standard_roles()
    for rid, table in raw.get("roles", {}).items():
        if rid not in ROLES:
            fail(f"roles.{rid}", f"unknown role; known roles: {', '.join(ROLES)}")
        base = roles[rid]
        wait = _minutes(table.get("wait_min", base.wait_norm_s / 60), f"roles.{rid}.wait_min", fail)
        serve = _minutes(table.get("service_min", base.service_norm_s / 60), f"roles.{rid}.service_min", fail)
        roles[rid] = Role(rid, table.get("name_ru", base.name_ru), table.get("name_en", base.name_en), wait, serve)

    services = {}
    for i, s in enumerate(raw.get("services", [])):
        key = f"services[{i}]"
        for required in ("id", "name_ru", "role", "prefix"):
            if not isinstance(s.get(required), str) or not s.get(required):
                fail(f"{key}.{required}", "required text is missing")
        if s["role"] not in ROLES:
            fail(f"{key}.role", f"unknown role {s['role']!r}; known roles: {', '.join(ROLES)}")
        if s["id"] in services:
            fail(f"{key}.id", f"service {s['id']!r} is listed twice")
        if not s["prefix"].isalpha() or len(s["prefix"]) > 2:
            fail(f"{key}.prefix", "one or two letters, e.g. \"А\"")
        services[s["id"]] = Service(s["id"], s["name_ru"], s.get("name_en", s["name_ru"]), s["role"],
                                    s["prefix"], s.get("hint_ru", ""), s.get("hint_en", ""))
    if not services:
        fail("services", "an office needs at least one service")

    counters = {}
    for i, c in enumerate(raw.get("counters", [])):
        key = f"counters[{i}]"
        number = c.get("number")
        if not isinstance(number, int) or number <= 0:
            fail(f"{key}.number", "a positive whole number is required")
        cid = str(number)
        if cid in counters:
            fail(f"{key}.number", f"counter {number} is listed twice")
        served = c.get("services", [])
        if not served:
            fail(f"{key}.services", "a counter must serve at least one service")
        for sid in served:
            if sid not in services:
                fail(f"{key}.services", f"unknown service {sid!r}")
        counters[cid] = Counter(cid, c.get("name", f"Окно {number}"), tuple(served))
    if not counters:
        fail("counters", "an office needs at least one counter")

    staff = []
    for i, s in enumerate(raw.get("staff", [])):
        if s.get("role") not in ("operator", "head", "admin"):
            fail(f"staff[{i}].role", "must be operator, head or admin")
        if not s.get("login"):
            fail(f"staff[{i}].login", "required text is missing")
        staff.append(StaffAccount(s["login"], s["role"], s.get("name", ""), s.get("password_hash", "")))

    catalog = Catalog(
        office_name=settings["office.name"], roles=roles, services=services, counters=counters,
        visit_norm_s=settings["office.visit_norm_min"] * 60, max_recalls=settings["office.max_recalls"],
        timezone=tz, language=settings["office.language"],
    )
    return OfficeConfig(path, catalog, _hours(raw.get("hours", "always"), tz, fail), settings, tuple(staff))


def _minutes(value, key, fail) -> int:
    if not isinstance(value, int | float) or value <= 0:
        fail(key, f"expected a positive number of minutes, got {value!r}")
    return int(round(value * 60))


def _hours(raw, tz: str, fail) -> WorkingHours:
    if raw == "always":
        return always_open(tz)
    if not isinstance(raw, dict):
        fail("hours", "either \"always\" or a table per weekday (mon … sun)")
    days = {}
    for day, table in raw.items():
        if day not in WEEKDAYS:
            fail(f"hours.{day}", f"unknown weekday; use {', '.join(WEEKDAYS)}")
        if table == "closed":
            continue
        parsed = {}
        for k in ("open", "last_ticket", "close"):
            try:
                parsed[k] = time.fromisoformat(table[k])
            except (KeyError, TypeError, ValueError):
                fail(f"hours.{day}.{k}", "expected a time like \"09:00\"")
        if not parsed["open"] < parsed["last_ticket"] <= parsed["close"]:
            fail(f"hours.{day}", "open < last_ticket <= close is required")
        days[day] = DayHours(**parsed)
    return WorkingHours(days, tz)
