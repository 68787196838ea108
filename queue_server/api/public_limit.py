"""Per-address rate limits of the public endpoints: an appeal's status, a rating, bookings.

A code (an appeal's, a booking's) is 40 random bits, but its page answers anyone: a
token bucket per client address keeps guessing to a few tries a minute, so finding one
of a few thousand live codes would take years. Staff and devices are held by the edge's
own, more generous limits; these are per route, on top of the edge's per-address rate.
The buckets are the edge's (`entrypoints/edge.py`, `Buckets`): one implementation.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from flask import request

from ..entrypoints.edge import Buckets
from .spec import ApiError


class PublicLimit:
    """`burst` requests at once, then `per_minute`, per address; refusals are 429 with the
    seconds to wait (`too_many_requests`, as the edge answers)."""

    def __init__(self, burst: int, per_minute: float, clock: Callable[[], float] = time.monotonic):
        self.burst, self.per_minute = burst, per_minute
        self.buckets = Buckets(per_minute / 60.0, clock=clock, capacity=float(burst))

    def wait_s(self, key: str) -> float:
        """Take one request for `key`: 0.0 when allowed, else the seconds until the next one."""
        return self.buckets.take(key)

    def check(self, key: str | None = None) -> None:
        """Refuse the current request (429) when its address has used its requests."""
        if key is None:
            key = request.remote_addr or "?"
        wait = self.wait_s(key)
        if wait > 0:
            raise ApiError(429, "too_many_requests", "Too many requests from this address: try again in a minute",
                           {"retry_after_s": int(wait) + 1})
