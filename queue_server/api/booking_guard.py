"""What stands between the public booking endpoints and a script: rates and a proof of work.

Booking needs no account, so the office's capacity is open to anyone who can
send a request. Three limits; the last two here:

* a token bucket per address over every public booking request (slots,
  bookings, a code's page, check-in by phone): `booking.public_per_minute`,
  bursts of as many (`app.public_limits["booking"]`, api/public_limit.py, the
  edge's buckets); a code is a capability, so this is also what makes guessing
  codes hopeless (8 characters of 32: 40 bits);
* each address makes `booking.unchallenged_per_hour` bookings an hour freely;
  beyond that, and for everyone while the office as a whole takes more than
  ten times that many public bookings an hour, a booking must carry a proof of
  work: a SHA-256 of the server's signed challenge and a nonce with
  `booking.challenge_bits` leading zero bits;
* the domain's own rule: one booking per phone or e-mail per service per day.

Why a proof of work and not a question ("7 + 5?") or a CAPTCHA service: a
script parses a question as easily as a person reads it; a CAPTCHA service
sends visitors' data to a third party and shuts out the blind and many elderly
visitors this page is for. A proof of work costs a person nothing (the page
solves it in the background, ~0.3 s, while they type) and costs a script the
same CPU for every booking, so a thousand bookings cost a thousand times as
much; challenges are signed (no state kept per visitor), expire after ten
minutes and are accepted once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

MAX_KEYS = 100_000
CHALLENGE_S = 600
HOUR_S = 3600.0
OFFICE_FACTOR = 10  # the office-wide valve: this many addresses' free bookings an hour


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def solve(challenge: str, bits: int) -> str:
    """A nonce for `challenge` (tests and scripts that book honestly, at the same cost)."""
    n = 0
    while True:
        nonce = format(n, "x")
        if leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) >= bits:
            return nonce
        n += 1


class BookingGuard:
    def __init__(self, free_per_hour: int, bits: int,
                 now: Callable[[], datetime], monotonic: Callable[[], float] = time.monotonic):
        self.free_per_hour = free_per_hour
        self.bits = bits
        self.now = now  # the office's clock: challenges expire by it
        self.monotonic = monotonic
        self._secret = secrets.token_bytes(32)
        self._made: OrderedDict[str, deque[float]] = OrderedDict()  # address -> times of its bookings
        self._office: deque[float] = deque()
        self._used: dict[str, float] = {}  # challenges accepted, until they expire
        self._lock = threading.Lock()

    # ---- bookings an hour -------------------------------------------------------
    def _recent(self, times: deque[float]) -> int:
        horizon = self.monotonic() - HOUR_S
        while times and times[0] < horizon:
            times.popleft()
        return len(times)

    def needs_proof(self, address: str) -> bool:
        with self._lock:
            mine = self._made.get(address)
            return ((mine is not None and self._recent(mine) >= self.free_per_hour)
                    or self._recent(self._office) >= self.free_per_hour * OFFICE_FACTOR)

    def booked(self, address: str) -> None:
        with self._lock:
            now = self.monotonic()
            mine = self._made.pop(address, None) or deque()
            mine.append(now)
            self._made[address] = mine
            self._office.append(now)
            while len(self._made) > MAX_KEYS:
                self._made.popitem(last=False)

    # ---- proof of work --------------------------------------------------------------
    def challenge(self) -> dict:
        expires = int((self.now() + timedelta(seconds=CHALLENGE_S)).timestamp())
        body = f"{expires}.{secrets.token_hex(8)}"
        return {"challenge": f"{body}.{self._sign(body)}", "bits": self.bits, "expires_in_s": CHALLENGE_S}

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:32]

    def check_proof(self, proof: str | None) -> str | None:
        """None when `proof` ("challenge:nonce") is a fresh, solved challenge of ours (then it
        is used up); else what is wrong with it."""
        if not proof or len(proof) > 200 or proof.count(":") != 1:
            return "missing"
        challenge, nonce = proof.split(":")
        parts = challenge.split(".")
        if len(parts) != 3 or not hmac.compare_digest(self._sign(f"{parts[0]}.{parts[1]}"), parts[2]):
            return "not ours"
        try:
            expires = int(parts[0])
        except ValueError:
            return "not ours"
        now = self.now().timestamp()
        if expires < now:
            return "expired"
        if leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < self.bits:
            return "not solved"
        with self._lock:
            for old in [c for c, t in self._used.items() if t < now]:
                del self._used[old]
            if challenge in self._used:
                return "used"
            self._used[challenge] = expires
        return None
