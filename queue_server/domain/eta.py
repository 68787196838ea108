"""Estimated wait for a new ticket.

Visitors ask "how long?" before anything else. The estimate is simple enough
to explain on a sign: people ahead, divided among the counters open for the
service, times the typical (median) recent service time there.
"""
from __future__ import annotations

import math
from collections import deque
from statistics import median

RECENT_SAMPLES = 30


class ServiceTimes:
    """Recent service durations per service, fed as steps finish."""

    def __init__(self) -> None:
        self._recent: dict[str, deque[float]] = {}

    def record(self, service_id: str, seconds: float) -> None:
        self._recent.setdefault(service_id, deque(maxlen=RECENT_SAMPLES)).append(seconds)

    def typical(self, service_id: str, default_s: float) -> float:
        samples = self._recent.get(service_id)
        return median(samples) if samples else default_s


def estimate_wait_s(ahead: int, open_counters: int, typical_service_s: float) -> int:
    """Seconds until this visitor is called: full rounds of service ahead of them."""
    if ahead <= 0:
        return 0
    servers = max(1, open_counters)
    return int(math.ceil(ahead / servers) * typical_service_s)
