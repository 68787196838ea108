"""Login throttling: exponential back-off per login, per address and per both.

Guessing passwords over the hall network must be slow, and a clerk must not
be locked out of the office by someone else's guesses. So failures count
three ways, each with free attempts and then a wait that doubles with each
failure, capped:

- per login *and* address (the guesser at one machine): long cap;
- per address (one machine trying many logins): long cap;
- per login from anywhere: short cap (PER_LOGIN), and not applied at an
  address where that login has logged in before, so the clerk at their own
  PC can always log in while a stranger is guessing.

Under a flood (more than UNDER_ATTACK failures in the last minute, from
anywhere) a login from an address where no login ever succeeded is let through
at most STRANGER_CHECKS_PER_S a second, for the whole office: a password hash
takes a core for a fifth of a second, and the office's tickets need that core.
The edge asks this (`edge_wait_s`) before a request thread is spent. A clerk at
a PC where anyone has logged in is never held back by it; one at a new PC gets
in within a few tries.

A refused attempt answers 429 with Retry-After and runs no password hash.
State is in memory (bounded); a restart forgets it, which costs a guesser
nothing they did not have, since the waits are minutes, not days.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FORGET_S = 3600.0  # a key with no failure for this long starts over
MAX_KEYS = 50_000
UNDER_ATTACK = 30  # failures in the last ATTACK_WINDOW_S, office-wide
ATTACK_WINDOW_S = 60.0
STRANGER_CHECKS_PER_S = 1.0


@dataclass(frozen=True)
class Rule:
    free: int  # failures allowed before any wait
    cap_s: float  # the longest wait


PER_PAIR = Rule(free=5, cap_s=900.0)
PER_ADDRESS = Rule(free=20, cap_s=900.0)
PER_LOGIN = Rule(free=10, cap_s=30.0)


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._fails: OrderedDict[tuple, tuple[int, float]] = OrderedDict()  # key → (failures, last)
        self._good: OrderedDict[tuple[str, str], float] = OrderedDict()  # (login, address) that succeeded
        self._good_addresses: OrderedDict[str, float] = OrderedDict()  # any login succeeded there
        self._recent: list[float] = []  # times of recent failures, office-wide (bounded)
        self._stranger_next = 0.0  # when the next stranger's check may run under attack

    def _keys(self, login: str, address: str) -> list[tuple[tuple, Rule]]:
        keys = [(("pair", login, address), PER_PAIR), (("address", address), PER_ADDRESS)]
        if (login, address) not in self._good:
            keys.append((("login", login), PER_LOGIN))
        return keys

    def wait_s(self, login: str, address: str) -> int:
        """Seconds until this login may be tried from this address (0: now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, rule in self._keys(login, address):
                fails, last = self._fails.get(key, (0, 0.0))
                if fails > rule.free and now - last < FORGET_S:
                    wait = max(wait, last + min(rule.cap_s, 2.0 ** (fails - rule.free)) - now)
        return math.ceil(wait) if wait > 0 else 0

    def edge_wait_s(self, address: str) -> int:
        """Seconds before a login from this address may reach a password check: its own
        failures, or (under a flood, for an address where nobody has logged in) the
        office-wide slot for strangers, taken when 0 is answered."""
        return self.address_wait_s(address) or self._stranger_wait_s(address)

    def _stranger_wait_s(self, address: str) -> int:
        now = self.clock()
        with self._lock:
            if address in self._good_addresses:
                return 0
            cutoff = now - ATTACK_WINDOW_S
            while self._recent and self._recent[0] < cutoff:
                self._recent.pop(0)
            if len(self._recent) < UNDER_ATTACK:
                return 0
            if now >= self._stranger_next:
                self._stranger_next = now + 1.0 / STRANGER_CHECKS_PER_S
                return 0
            return max(1, math.ceil(self._stranger_next - now))

    def address_wait_s(self, address: str) -> int:
        """Seconds this address must wait before any login (its own failures): the edge
        answers it without a request thread."""
        now = self.clock()
        with self._lock:
            fails, last = self._fails.get(("address", address), (0, 0.0))
            if fails <= PER_ADDRESS.free or now - last >= FORGET_S:
                return 0
            wait = last + min(PER_ADDRESS.cap_s, 2.0 ** (fails - PER_ADDRESS.free)) - now
        return math.ceil(wait) if wait > 0 else 0

    def pressed(self) -> None:
        """A login refused because password checks are full: a flood's sign, like a failure."""
        with self._lock:
            self._recent.append(self.clock())
            if len(self._recent) > 4 * UNDER_ATTACK:
                del self._recent[:-UNDER_ATTACK]

    def failed(self, login: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._recent.append(now)
            if len(self._recent) > 4 * UNDER_ATTACK:
                del self._recent[:-UNDER_ATTACK]
            for key, _rule in self._keys(login, address):
                fails, last = self._fails.pop(key, (0, 0.0))
                self._fails[key] = (1 if now - last >= FORGET_S else fails + 1, now)
            while len(self._fails) > MAX_KEYS:
                self._fails.popitem(last=False)

    def succeeded(self, login: str, address: str) -> None:
        with self._lock:
            self._fails.pop(("pair", login, address), None)
            self._fails.pop(("login", login), None)
            self._good.pop((login, address), None)
            self._good[(login, address)] = self.clock()
            self._good_addresses.pop(address, None)
            self._good_addresses[address] = self.clock()
            while len(self._good) > MAX_KEYS:
                self._good.popitem(last=False)
            while len(self._good_addresses) > MAX_KEYS:
                self._good_addresses.popitem(last=False)
