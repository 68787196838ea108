"""The appeals registry's daily work and the Notifier's journal.

* The morning digest to the head (`appeals.digest_time`, `appeals.digest_to`).
* Privacy: an appeal's file (name, contacts, contract, texts) is blanked
  `privacy.keep_appeal_days` after the appeal closes (or after its decision, when
  the customer never gave their word on it); never while the office still owes
  an answer. In the nightly pass before the backup, through the same journal
  rewrite as the clerks' notes (JournalStore.blank_appeals).
* Every outgoing message's outcome becomes a `message.sent` / `message.failed`
  line (the Notifier reports from its own thread; this journals it).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ..adapters.notify import Delivery
from ..domain import commands as c
from ..domain.appeals import CLOSED, Appeal
from .authz import SYSTEM

log = logging.getLogger(__name__)


def journal_outcomes(service) -> Callable[[Delivery, str | None], None]:
    """The Notifier's `on_outcome`: one journal line per message sent or given up."""

    def record(delivery: Delivery, error: str | None) -> None:
        ref = delivery.ref
        service.handle(c.RecordDelivery(delivery.channel, str(ref.get("purpose", "")), str(ref.get("ref", "")),
                                        error), SYSTEM)
    return record


def last_change(a: Appeal) -> datetime:
    """When the keeping time starts: the close, else the appeal's last change (its decision)."""
    return a.closed_at if a.status == CLOSED and a.closed_at else max(h["at"] for h in a.history)


def blank_expired_appeals(app, now: datetime) -> int:
    """Blank the files of appeals whose keeping time is over; returns how many appeals."""
    keep = timedelta(days=app.config.get("privacy.keep_appeal_days"))
    with app.store.lock:  # the registry and the journal change together
        registry = app.service.office.appeals
        due = [a.code for a in registry.appeals.values()
               if not a.blanked and not a.awaiting and last_change(a) + keep < now]
        if due:
            app.store.blank_appeals(due)
            for code in due:
                registry.apply_blanked(code)
    if due:
        log.info("appeals: the files of %d appeals were blanked (privacy.keep_appeal_days)", len(due))
    return len(due)


def send_digest(app, now: datetime) -> int:
    config = app.config
    to = list(config.get("appeals.digest_to"))
    appeals = app.service.read(lambda o, _now: [a for a in o.appeals.appeals.values() if a.awaiting])
    return app.appeal_notices.digest(appeals, now, config.get("appeals.due_soon_days"), to)
