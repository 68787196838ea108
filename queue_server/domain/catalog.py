"""What an office offers: roles with their norms, services, counters.

These are plain values read from office.toml; the rest of the domain, the
reports and the clients all speak in these terms, so they live apart from
the mutable queue state.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The standard's roles (GOST R 53368-2009 §6.1.1) and their norms in seconds.
ROLES = ("administrator", "consultant", "cashier", "admin_consultant")
DEFAULT_NORMS = {
    "administrator": (10 * 60, 5 * 60),
    "consultant": (20 * 60, 15 * 60),
    "cashier": (20 * 60, 10 * 60),
    # One person holding both roles: the consultant's norms are the binding ones.
    "admin_consultant": (20 * 60, 15 * 60),
}
VISIT_NORM_S = 60 * 60

PRIORITIES = ("disabled", "veteran", "appointment")
APPEAL_KINDS = ("application", "complaint", "consultation", "payment")
APPEAL_TOPICS = (
    "technological_connection",
    "electricity_transmission",
    "energy_supply",
    "metering",
    "power_quality",
    "other",
)
OUTCOMES = ("served", "unresolved")


@dataclass(frozen=True)
class Role:
    id: str
    name_ru: str
    name_en: str
    wait_norm_s: int
    service_norm_s: int

    def name(self, lang: str = "ru") -> str:
        return self.name_en if lang == "en" else self.name_ru


@dataclass(frozen=True)
class Service:
    id: str
    name_ru: str
    name_en: str
    role: str
    prefix: str
    hint_ru: str = ""
    hint_en: str = ""

    def name(self, lang: str = "ru") -> str:
        return self.name_en if lang == "en" else self.name_ru

    def hint(self, lang: str = "ru") -> str:
        return self.hint_en if lang == "en" else self.hint_ru


@dataclass(frozen=True)
class Counter:
    id: str  # the counter's number as a string: it is what hall boards show
    name: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """Everything the domain needs to know about an office's offer."""

    office_name: str
    roles: dict[str, Role]
    services: dict[str, Service]
    counters: dict[str, Counter]
    visit_norm_s: int = VISIT_NORM_S
    max_recalls: int = 2
    timezone: str = "Europe/Moscow"
    language: str = "ru"
    extra: dict = field(default_factory=dict)

    def role_of(self, service_id: str) -> Role:
        return self.roles[self.services[service_id].role]

    def counters_serving(self, service_id: str) -> list[Counter]:
        return [c for c in self.counters.values() if service_id in c.services]


ROLE_NAMES = {
    "administrator": ("Администратор", "Administrator"),
    "consultant": ("Менеджер-консультант", "Consultant"),
    "cashier": ("Оператор (контролер-кассир)", "Cashier"),
    "admin_consultant": ("Администратор-консультант", "Administrator and consultant"),
}


def standard_roles() -> dict[str, Role]:
    """The four roles with the standard's default norms."""
    return {
        rid: Role(rid, ROLE_NAMES[rid][0], ROLE_NAMES[rid][1], *DEFAULT_NORMS[rid])
        for rid in ROLES
    }
