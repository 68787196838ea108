"""What a journaled takeover does to sessions: the old operator's ends at once.

A takeover (`counter.closed` with reason `taken_over`, see
`Office.open_counter`) revokes every token the old operator holds for that
counter, so their old page or client can no longer act there nor, by logging
out, close the newcomer's counter; the revocation drops their live sockets too
(`Accounts.on_revoke` → `Realtime.disconnect`).
"""
from __future__ import annotations

from ..auth import Accounts
from ..domain.event_schema import TAKEN_OVER
from ..domain.events import Event


def end_taken_over_sessions(accounts: Accounts):
    """The reaction to register for `counter.closed` (OfficeService.on)."""

    def react(e: Event) -> None:
        if e.data.get("reason") != TAKEN_OVER or not e.operator or not e.counter:
            return
        accounts.revoke_sessions(e.operator, e.counter)
    return react
