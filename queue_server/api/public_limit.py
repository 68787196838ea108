"""Per-address rate limits for the public endpoints (status of an appeal, a rating).

An appeal's code is 40 random bits, but a status page answers anyone: a token
bucket per client address keeps guessing to a few tries a minute, so finding
one of a few thousand live codes would take years. One small class, one place:
when the serving edge (`entrypoints/edge.py`, its `Buckets`) lands, these
limits move there as per-route limits and this module goes.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import request

from .spec import ApiError

MAX_ADDRESSES = 20_000  # buckets kept; the oldest are dropped beyond this


@dataclass
class PublicLimit:
    """`burst` requests at once, then `per_minute`; refusals are 429 with Retry-After."""

    burst: int
    per_minute: float

    def __post_init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, last refill)
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token for `key`; 0.0 when allowed, else the seconds until the next one."""
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_ADDRESSES:
                for old in sorted(self._buckets, key=lambda k: self._buckets[k][1])[:MAX_ADDRESSES // 10]:
                    del self._buckets[old]
            return 0.0

    def check(self) -> None:
        """Refuse the current request (429) when its address has used its tokens."""
        wait = self.take(request.remote_addr or "?")
        if wait > 0:
            raise ApiError(429, "rate_limited", "Too many requests from this address: try again in a minute",
                           {"retry_after_s": int(wait) + 1})
