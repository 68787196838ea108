"""The acknowledgement slip at the counter (§7.3): printed by the server on the counter's printer.

The console is a browser page and cannot reach a thermal printer, so the server
prints on the printer office.toml gives the counter (`[[counters]] printer`).
Every attempt is journaled (`appeal.slip_printed`, ok or not); when the counter
has no printer or it fails, the answer names the printable page, which the
console opens for the office printer.
"""
from __future__ import annotations

from ..adapters.counter_printer import SlipNotPrinted, print_slip
from ..auth import Principal
from ..domain import commands as c
from ..domain.errors import DomainError


class SlipRefused(DomainError):
    """No printer at the counter, or it failed: the printable page is the way."""

    status = 409
    code = "slip_not_printed"


def slip_page_url(code: str) -> str:
    return f"/appeals/{code}/slip"


def print_at_counter(app, code: str, counter_id: str | None, who: Principal) -> dict:
    def read(office, now):
        a = office.appeals.get(code)
        service = office.catalog.services.get(a.service_id or "")
        return a, service.name(app.config.catalog.language) if service else None

    appeal, service_name = app.service.read(read)
    printer = app.config.counter_printers.get(counter_id or "")
    if printer is None:
        raise SlipRefused("Counter {counter_id} has no slip printer: print the page instead",
                          counter_id=counter_id or "—", slip_url=slip_page_url(appeal.code))
    from hardware.slip_layout import SlipData, slip_bytes

    data = slip_bytes(SlipData(**app.appeal_notices.slip_lines(appeal, service_name)), printer.paper_mm)
    try:
        print_slip(printer, data)
    except SlipNotPrinted as exc:
        app.service.handle(c.RecordAppealSlip(appeal.code, counter_id, str(exc)), who)
        raise SlipRefused("The slip did not print ({problem}): print the page instead",
                          problem=str(exc)[:120], slip_url=slip_page_url(appeal.code)) from None
    app.service.handle(c.RecordAppealSlip(appeal.code, counter_id, None), who)
    return {"printed": True, "counter_id": counter_id, "code": appeal.code}
