"""office.toml: one file describes an office.

A bad file stops the start with a message naming the file, the key and what
is wrong, because the person reading it is an installer at a new office, not
a developer. Scalar settings are declared as data (SETTINGS) so that the docs
test can insist every one is documented in docs/configuration.md.
"""
from __future__ import annotations

import difflib
import ipaddress
import socket
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .adapters.notify import notify_channels
from .domain import appeals as ap
from .domain.catalog import ROLES, Catalog, Counter, Role, Service, standard_roles
from .domain.contacts import normalize_email
from .domain.errors import InvalidInput
from .domain.hours import WEEKDAYS, DayHours, WorkingHours, always_open
from .domain.slots import MAX_HORIZON_DAYS, BookingRules


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
    Setting("privacy.keep_booking_days", 30,
            "Days after a booking's slot to keep its name, phone and e-mail (then blanked)"),
    Setting("booking.enabled", True, "Take bookings (pre-registration) on /book, through the API and from staff"),
    Setting("booking.services", [], "Ids of the services that take bookings; empty: every service"),
    Setting("booking.horizon_days", 14, "How many days ahead a slot may be booked (today is day 0; at most 92)"),
    Setting("booking.share", 0.5,
            "Share of each hour's counter time that bookings may take (0 to 1); walk-ins keep the rest"),
    Setting("booking.min_lead_min", 30, "No booking less than this many minutes ahead"),
    Setting("booking.blackout", [], "Local dates with no bookings, e.g. [\"2026-12-31\"]"),
    Setting("booking.checkin_window_min", 15,
            "A visitor may check in from their phone this many minutes either side of the slot"),
    Setting("booking.late_min", 15, "Later than this after the slot, a booked visitor gets a walk-in ticket"),
    Setting("booking.remind_at", "18:00", "Local time of the reminders sent on the eve of a booking"),
    Setting("booking.public_per_minute", 30,
            "Requests a minute one address may make to the public booking endpoints (bursts of the same)"),
    Setting("booking.unchallenged_per_hour", 5,
            "Bookings an address may make in an hour before each further one needs the page's proof of work"),
    Setting("booking.challenge_bits", 18, "Difficulty of that proof of work (each bit doubles it; 18: ~0.3 s in a phone)"),
    Setting("privacy.keep_appeal_days", 1826,
            "Days to keep an appeal's file (the customer's name, contacts, texts) after the appeal closes; "
            "the default (5 years) is a default to review against the office's archival rules"),
    Setting("appeals.answer_days", ap.DEFAULT_ANSWER_DAYS,
            "Calendar days to answer an appeal; a table [appeals.answer_days] sets them per kind and channel"),
    Setting("appeals.max_extension_days", 10, "Days an appeal's answer date may be moved in all (§7.6); 0: no limit"),
    Setting("appeals.move_off_closed_days", True,
            "A due date on a day the office is closed (hours, holidays) moves to the next working day"),
    Setting("appeals.holidays", [], "Public holidays, [\"2027-01-01\", …]: no due date falls on them"),
    Setting("appeals.due_soon_days", 2, "The dashboard lists appeals due within this many days"),
    Setting("appeals.repeat_window_days", 365,
            "A complaint of the same customer (contract, e-mail or phone) on the same topic within these days "
            "counts as repeated (§7.11)"),
    Setting("appeals.digest_time", "08:00", "Local time of the morning e-mail of appeals due soon and overdue"),
    Setting("appeals.digest_to", [], "Addresses of the morning digest, [\"head@energosbyt.ru\"]; empty: none"),
    Setting("ratings.window_hours", 24, "Hours after a visit ends in which the visitor may rate it"),
    Setting("ratings.counter_minutes", 5,
            "Minutes after a visit ends in which the counter's display or rating pad may rate it"),
    Setting("mail.host", "", "SMTP server for outgoing e-mail (confirmations, reminders, digests); empty: no e-mail"),
    Setting("mail.port", 25, "SMTP port (25 or 587 with starttls, 465 with ssl)"),
    Setting("mail.security", "none", "none, starttls or ssl"),
    Setting("mail.from", "", "Sender address, e.g. cok@energosbyt.ru"),
    Setting("mail.from_name", "", "Sender name shown to the customer"),
    Setting("mail.username", "", "SMTP login, when the server asks for one"),
    Setting("mail.password", "", "SMTP password (keep office.toml readable only by the server's user)"),
    Setting("mail.timeout_s", 10, "Seconds to wait for the SMTP server"),
    Setting("mail.ca_file", "", "CA certificate file for the SMTP server's certificate; empty: the system's"),
    Setting("sms.url", "", "SMS gateway URL; {phone} and {text} are filled in; empty: no SMS"),
    Setting("sms.method", "POST", "GET or POST"),
    Setting("sms.body", "", "Request body template with {phone} and {text}; empty: none"),
    Setting("sms.content_type", "application/json", "application/json or application/x-www-form-urlencoded"),
    Setting("sms.authorization", "", "Authorization header sent to the gateway, e.g. \"Bearer …\""),
    Setting("sms.timeout_s", 10, "Seconds to wait for the SMS gateway"),
    Setting("sms.ca_file", "", "CA certificate file for the gateway's certificate; empty: the system's"),
    Setting("central.url", "", "The company's centre (qcentral) to push the journal to, http(s)://…; empty: no push"),
    Setting("central.token", "", "This office's push token, printed by `qcentral office add NAME`"),
    Setting("central.ca_file", "", "PEM file of the CA that signed the centre's certificate (default: the system's)"),
    Setting("central.interval_s", 60, "Seconds between pushes when nothing happens (the centre's link check)"),
    Setting("central.batch_lines", 500, "Journal lines per push request (at most 1000)"),
    Setting("log.access", True, "Log one line per HTTP request (method, path, status, ms, who); see docs/operations.md"),
)
# The keys of the tables that describe the office (documented in docs/configuration.md).
# A key not listed here, or a section not in SETTINGS or TABLES, stops the start:
# a typo such as `[serverr]` or `thread = 10` must not be ignored in silence.
# (`appeals.answer_days` may also be a table per kind and channel: its keys are checked
# by `_appeal_rules`, which names an unknown kind or channel.)
TABLE_KEYS = {
    "roles": ("wait_min", "service_min", "name_ru", "name_en"),
    "services": ("id", "role", "prefix", "name_ru", "name_en", "hint_ru", "hint_en", "slot_min"),  # slot_min: bookings
    "counters": ("number", "name", "services", "printer", "paper_mm"),  # printer: the appeal slip's (appeals)
    "staff": ("login", "role", "name", "password_hash"),
    "hours": ("open", "last_ticket", "close"),
}


@dataclass(frozen=True)
class StaffAccount:
    login: str
    role: str
    name: str = ""
    password_hash: str = ""


@dataclass(frozen=True)
class CounterPrinter:
    """A counter's own slip printer: a printer SPEC (hardware/printer_spec.py) and paper width."""

    spec: str
    paper_mm: int = 80


@dataclass(frozen=True)
class OfficeConfig:
    path: Path
    catalog: Catalog
    hours: WorkingHours
    settings: dict[str, object]
    staff: tuple[StaffAccount, ...] = field(default_factory=tuple)
    appeal_rules: ap.AppealRules = field(default_factory=ap.AppealRules)
    counter_printers: dict[str, CounterPrinter] = field(default_factory=dict)
    booking: BookingRules = field(default_factory=BookingRules)

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


def _unknown(key: str, name: str, known) -> str:
    """"unknown …; did you mean …?" with the closest known name, or the known ones."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    prefix = key[: len(key) - len(name)]
    hint = f"did you mean {prefix}{close[0]}?" if close else f"known: {', '.join(known)}"
    return f"unknown {'section' if not prefix else 'setting'}; {hint}"


def check_known(raw: dict, fail) -> None:
    """Refuse any section or key the server does not read (see TABLE_KEYS)."""
    sections: dict[str, list[str]] = {}
    for s in SETTINGS:
        section, name = s.key.split(".")
        sections.setdefault(section, []).append(name)
    for section, value in raw.items():
        if section not in sections and section not in TABLE_KEYS:
            fail(section, _unknown(section, section, [*sections, *TABLE_KEYS]))
        if section in sections:
            if not isinstance(value, dict):
                fail(section, f"expected a table [{section}], got {value!r}")
            for name in value:
                if name not in sections[section]:
                    fail(f"{section}.{name}", _unknown(f"{section}.{name}", name, sections[section]))
    for section in ("services", "counters", "staff"):
        items = raw.get(section, [])
        if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
            fail(section, f"expected a list of tables [[{section}]]")
        for i, table in enumerate(items):
            for name in table:
                if name not in TABLE_KEYS[section]:
                    fail(f"{section}[{i}].{name}", _unknown(f"{section}[{i}].{name}", name, TABLE_KEYS[section]))
    for section in ("roles", "hours"):
        tables = raw.get(section, {})
        if section == "hours" and tables == "always":
            continue
        if not isinstance(tables, dict):
            fail(section, f"expected tables [{section}.…]" + (' or "always"' if section == "hours" else ""))
        for sub, table in tables.items():
            if section == "hours" and table == "closed":
                continue
            if not isinstance(table, dict):
                fail(f"{section}.{sub}", f"expected a table [{section}.{sub}]")
            for name in table:
                if name not in TABLE_KEYS[section]:
                    key = f"{section}.{sub}.{name}"
                    fail(key, _unknown(key, name, TABLE_KEYS[section]))


def parse_config(raw: dict, path: Path) -> OfficeConfig:
    def fail(key: str, what: str):
        raise ConfigError(f"{path}: {key}: {what}")

    check_known(raw, fail)
    settings = {}
    terms_table = raw.get("appeals", {}).get("answer_days")
    for s in SETTINGS:
        section, name = s.key.split(".")
        value = raw.get(section, {}).get(name, s.default)
        if type(s.default) is float and type(value) is int:
            value = float(value)
        if s.key == "appeals.answer_days" and isinstance(value, dict):  # the per-kind table
            value = value.get("default", s.default)
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
    try:
        notify_channels(settings.__getitem__)
    except ValueError as exc:  # "<key>: <what is wrong>"
        key, _, what = str(exc).partition(": ")
        fail(key, what)
    public_url = settings["server.public_url"]
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            fail("server.public_url", f"expected an address like \"http://192.168.1.10:8080\", got {public_url!r}")

    roles = standard_roles()
    for rid, table in raw.get("roles", {}).items():
        if rid not in ROLES:
            fail(f"roles.{rid}", f"unknown role; known roles: {', '.join(ROLES)}")
        base = roles[rid]
        wait = _minutes(table.get("wait_min", base.wait_norm_s / 60), f"roles.{rid}.wait_min", fail)
        serve = _minutes(table.get("service_min", base.service_norm_s / 60), f"roles.{rid}.service_min", fail)
        roles[rid] = Role(rid, table.get("name_ru", base.name_ru), table.get("name_en", base.name_en), wait, serve)

    services = {}
    slot_min: dict[str, int] = {}
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
        if "slot_min" in s:
            slot = s["slot_min"]
            if type(slot) is not int or not 1 <= slot <= 480:
                fail(f"{key}.slot_min", f"a booking slot's length in whole minutes (1 to 480), got {slot!r}")
            slot_min[s["id"]] = slot
        services[s["id"]] = Service(s["id"], s["name_ru"], s.get("name_en", s["name_ru"]), s["role"],
                                    s["prefix"], s.get("hint_ru", ""), s.get("hint_en", ""))
    if not services:
        fail("services", "an office needs at least one service")

    counters: dict[str, Counter] = {}
    printers: dict[str, CounterPrinter] = {}
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
        if c.get("printer") is not None:
            printers[cid] = _counter_printer(c, key, fail)
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
    hours = _hours(raw.get("hours", "always"), tz, fail)
    rules = _appeal_rules(settings, terms_table if isinstance(terms_table, dict) else None, hours, fail)
    return OfficeConfig(path, catalog, hours, settings, tuple(staff), appeal_rules=rules, counter_printers=printers,
                        booking=_booking(settings, services, slot_min, fail))


def _counter_printer(c: dict, key: str, fail) -> CounterPrinter:
    """`printer` and `paper_mm` of a [[counters]] entry: where its appeal slips print."""
    from hardware.printer_spec import (  # pure parsing, no device
        PrinterConfigError,
        parse_printer_spec,
    )

    spec = c.get("printer")
    try:
        parse_printer_spec(spec)
    except PrinterConfigError as exc:
        fail(f"{key}.printer", exc.problem)
    paper = c.get("paper_mm", 80)
    if paper not in (58, 80):
        fail(f"{key}.paper_mm", "58 or 80")
    return CounterPrinter(spec, paper)


def _appeal_rules(settings: dict, table: dict | None, hours: WorkingHours, fail) -> ap.AppealRules:
    """[appeals]: answer days (one number, or a table per kind and `kind.channel`), holidays,
    the digest's addresses; checked here so that a typo stops the start, not a registration."""
    default = settings["appeals.answer_days"]
    if not 1 <= default <= ap.MAX_TERM_DAYS:
        fail("appeals.answer_days", f"1 to {ap.MAX_TERM_DAYS} days")
    terms = dict(ap.DEFAULT_TERMS)
    for kind, value in (table or {}).items():
        if kind == "default":
            continue
        if kind.partition(".")[0] not in ap.KINDS:
            fail(f"appeals.answer_days.{kind}", f"unknown kind; known kinds: {', '.join(ap.KINDS)}")
        entries = ({f"{kind}.{ch}": v for ch, v in value.items()} if isinstance(value, dict) else {kind: value})
        for name, days in entries.items():
            _kind, _, channel = name.partition(".")
            if channel and channel not in ap.CHANNELS:
                fail(f"appeals.answer_days.{name}", f"unknown channel; known: {', '.join(ap.CHANNELS)}")
            if type(days) is not int or not 1 <= days <= ap.MAX_TERM_DAYS:
                fail(f"appeals.answer_days.{name}", f"1 to {ap.MAX_TERM_DAYS} days, got {days!r}")
            terms[name] = days
    holidays = set()
    for text in settings["appeals.holidays"]:
        try:
            holidays.add(date.fromisoformat(text))
        except (TypeError, ValueError):
            fail("appeals.holidays", f"expected dates like \"2027-01-01\", got {text!r}")
    for address in settings["appeals.digest_to"]:
        try:
            normalize_email(address if isinstance(address, str) else "")
        except InvalidInput:
            fail("appeals.digest_to", f"not an e-mail address: {address!r}")
    try:
        time.fromisoformat(settings["appeals.digest_time"])
    except ValueError:
        fail("appeals.digest_time", "expected a time like \"08:00\"")
    closed = frozenset(i for i, day in enumerate(WEEKDAYS) if day not in hours.days)
    return ap.AppealRules(timezone=hours.timezone, answer_days=default, terms=terms,
                          max_extension_days=settings["appeals.max_extension_days"], closed_weekdays=closed,
                          holidays=frozenset(holidays), move_off_closed_days=settings["appeals.move_off_closed_days"],
                          repeat_window_days=settings["appeals.repeat_window_days"],
                          rating_window_hours=settings["ratings.window_hours"],
                          counter_rating_minutes=settings["ratings.counter_minutes"])


def _booking(settings: dict, services: dict, slot_min: dict[str, int], fail) -> BookingRules:
    """The `[booking]` settings as the domain's rules, each checked."""
    for sid in settings["booking.services"]:
        if sid not in services:
            fail("booking.services", f"unknown service {sid!r}")
    blackout = set()
    for text in settings["booking.blackout"]:
        try:
            blackout.add(date.fromisoformat(text))
        except (TypeError, ValueError):
            fail("booking.blackout", f"dates like \"2026-12-31\" are expected, got {text!r}")
    share = settings["booking.share"]
    if not 0 <= share <= 1:
        fail("booking.share", f"a share from 0 to 1 is expected, got {share}")
    horizon = settings["booking.horizon_days"]
    if horizon > MAX_HORIZON_DAYS:
        fail("booking.horizon_days", f"at most {MAX_HORIZON_DAYS} days, got {horizon}")
    if not 1 <= settings["booking.challenge_bits"] <= 28:
        fail("booking.challenge_bits", f"from 1 to 28, got {settings['booking.challenge_bits']}")
    try:
        remind_at = time.fromisoformat(settings["booking.remind_at"])
    except ValueError:
        fail("booking.remind_at", "expected a time like \"18:00\"")
    return BookingRules(enabled=settings["booking.enabled"], services=tuple(settings["booking.services"]),
                        horizon_days=horizon, share=share, min_lead_min=settings["booking.min_lead_min"],
                        blackout=frozenset(blackout), slot_min=slot_min,
                        checkin_window_min=settings["booking.checkin_window_min"],
                        late_min=settings["booking.late_min"], remind_at=remind_at)


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


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host in ("", "*")


def lan_addresses() -> list[str]:
    """This machine's own IPv4 addresses other than loopback (for a hint only)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({i[4][0] for i in infos if not ipaddress.ip_address(i[4][0]).is_loopback})


def qr_link_problem(config: OfficeConfig, host: str, port: int) -> str | None:
    """Why the link in a ticket's QR code would not open on a visitor's phone, or None.

    Served on the LAN (any address but loopback), the link must name an address
    phones can reach: not a wildcard (0.0.0.0) nor loopback. Served on loopback
    only (a demo, a test), nobody else can reach the server anyway.
    """
    if _is_loopback(host):
        return None
    public_url = config.get("server.public_url")
    url = public_url or f"http://{host}:{port}"
    link_host = urlsplit(url).hostname or ""
    if not (_is_wildcard(link_host) or _is_loopback(link_host)):
        return None
    seen = lan_addresses()
    example = f"http://{seen[0] if seen else '192.168.1.10'}:{port}"
    where = "is" if public_url else "is not set, so it would be"
    return (f"{config.path}: server.public_url {where} {url}, the address printed in every ticket's QR code, "
            f"and a visitor's phone cannot open it. Set server.public_url in [server] to the address phones "
            f"reach, e.g. public_url = \"{example}\""
            + (f" (this machine's addresses: {', '.join(seen)})" if seen else ""))
