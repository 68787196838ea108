"""Estimated wait for a new ticket.

Visitors ask "how long?" before anything else. The estimate is simple enough
to explain on a sign: people ahead, divided among the counters open for the
service, times the typical recent service time there.

The typical time must not trust a thin or odd history: one 1.2 s "service"
(a clerk clicking through) once made 33 people ahead read as "about 1 min".
So it is the median (a robust statistic) of the last RECENT_SAMPLES services
of that service, or of its role when the service has too few; services
shorter than SHORTEST_SERVICE_S are not services (a misclick, a walk-away)
and are not recorded; and until ENOUGH_SAMPLES exist, the role's service
norm is the floor. The durations come from the one fold of waits and
services (`fold.py`), as the reports' do.
"""
from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta
from statistics import median

from .fold import V_SVC, Fold

RECENT_SAMPLES = 30
ENOUGH_SAMPLES = 8
SHORTEST_SERVICE_S = 15.0


class ServiceTimes:
    """Recent service durations per service and per role, fed as steps finish."""

    def __init__(self, role_of: dict[str, str] | None = None) -> None:
        self.role_of = role_of or {}
        self._recent: dict[str, deque[float]] = {}
        self._by_role: dict[str, deque[float]] = {}

    def record(self, service_id: str, seconds: float) -> None:
        if seconds < SHORTEST_SERVICE_S:
            return
        self._recent.setdefault(service_id, deque(maxlen=RECENT_SAMPLES)).append(seconds)
        role = self.role_of.get(service_id)
        if role is not None:
            self._by_role.setdefault(role, deque(maxlen=RECENT_SAMPLES)).append(seconds)

    def typical(self, service_id: str, norm_s: float) -> float:
        """The median recent service of the service (else of its role); the norm is
        its floor while fewer than ENOUGH_SAMPLES are known."""
        own = self._recent.get(service_id)
        if own and len(own) >= ENOUGH_SAMPLES:
            return median(own)
        pooled = self._by_role.get(self.role_of.get(service_id, ""))
        if pooled and len(pooled) >= ENOUGH_SAMPLES:
            return median(pooled)
        seen = own or pooled
        return max(median(seen), norm_s) if seen else norm_s


class ServiceHistory(Fold):
    """The office's recent services, read by the one fold as events are applied."""

    def __init__(self, times: ServiceTimes) -> None:
        super().__init__()
        self.times = times

    def step_ended(self, v: list, t: datetime, how: str, wait: timedelta | None,
                   service: timedelta | None) -> None:
        if service is not None:
            self.times.record(v[V_SVC], service.total_seconds())

    def day_over(self, v: list) -> bool:
        return True  # the ticket's day is over: nothing more to learn from it


def estimate_wait_s(ahead: int, open_counters: int, typical_service_s: float) -> int:
    """Seconds until this visitor is called: full rounds of service ahead of them."""
    if ahead <= 0:
        return 0
    servers = max(1, open_counters)
    return int(math.ceil(ahead / servers) * typical_service_s)
