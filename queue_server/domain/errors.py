"""Domain errors: each carries a stable code and words a clerk can read.

The API maps them to 4xx answers; the message is in English here and
translated at the edge through the gettext catalog (the msgid is the message
template, params fill it in).
"""
from __future__ import annotations


class DomainError(Exception):
    status = 409
    code = "conflict"

    def __init__(self, message: str, **params):
        super().__init__(message.format(**params) if params else message)
        self.template = message
        self.params = params


class NotFound(DomainError):
    status = 404
    code = "not_found"


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class OfficeClosed(DomainError):
    status = 409
    code = "office_closed"


class CounterNotOpen(DomainError):
    code = "counter_not_open"


class CounterBusy(DomainError):
    code = "counter_busy"


class CounterTaken(DomainError):
    """Another operator works at the counter: only an explicit takeover moves them."""

    code = "counter_taken"


class NoCurrentVisitor(DomainError):
    code = "no_current_visitor"


class InvalidState(DomainError):
    code = "invalid_state"


class SlotUnavailable(DomainError):
    """A booking's slot is full, or too soon: another slot may do."""

    code = "slot_unavailable"


class InvalidSlot(InvalidInput):
    """Not a slot of the office at all (not a slot's start, a closed day, beyond the horizon)."""

    code = "invalid_slot"


class BookingExists(DomainError):
    """One booking per phone or e-mail per service per day."""

    code = "booking_exists"
