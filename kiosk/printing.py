"""The kiosk's side of the ticket printer: ticket data in, an outcome out.

The hardware helper (hardware.printers) knows ESC/POS and transports; this
module only turns a server answer into TicketData and a PrinterFault into an
outcome the screen and the server can be told about. Blocking: printer pool only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from hardware.printer_spec import PrinterConfigError
from hardware.printer_status import PrinterFault, PrinterStatus, printer_status
from hardware.printers import Printer, open_printer, print_ticket
from hardware.ticket_layout import TicketData

from .model import IssuedTicket

log = logging.getLogger(__name__)
HEALTHY = (PrinterStatus.OK, PrinterStatus.PAPER_LOW)


@dataclass(frozen=True)
class PrintOutcome:
    status: PrinterStatus | None = None  # after printing, when it printed
    fault: PrinterFault | None = None

    @property
    def printed(self) -> bool:
        return self.fault is None


def ticket_data(ticket: IssuedTicket, tz: str) -> TicketData:
    return TicketData(
        office=ticket.office,
        service_name=ticket.service_name,
        number=ticket.number,
        issued_at=ticket.issued_at,
        tz=tz,
        ahead=ticket.ahead,
        estimated_wait_s=ticket.estimated_wait_s if ticket.ahead else None,
        track_url=ticket.track_url,
    )


class TicketPrinter:
    """Every method runs on the printer thread (Tasks.run_printer), one call at a time.

    The device is opened there on first use, so python-escpos and the transport's
    libraries load while the start screen is already up, not before it.
    """

    def __init__(self, printer: Printer | None = None, spec: str = "dummy", width_mm: int = 80,
                 tz: str = "Europe/Moscow"):
        self._printer = printer
        self.spec = spec
        self.width_mm = width_mm
        self.tz = tz

    @property
    def printer(self) -> Printer:
        if self._printer is None:
            try:
                self._printer = open_printer(self.spec)
            except PrinterConfigError as exc:  # e.g. pyusb missing: a fault staff must fix
                raise PrinterFault("not_found", str(exc)) from exc
        return self._printer

    def startup_fault(self) -> PrinterFault | None:
        """Open the printer and ask how it is; a fault here is shown and reported at once."""
        try:
            status = printer_status(self.printer)
        except PrinterFault as fault:
            return fault
        if status in (PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE):
            return PrinterFault(status.value, "reported by the printer at start-up")
        return None

    def print(self, ticket: IssuedTicket) -> PrintOutcome:
        try:
            status = print_ticket(self.printer, ticket_data(ticket, self.tz), self.width_mm, ticket.lang)
        except PrinterFault as fault:
            log.warning("ticket %s not printed: %s", ticket.number, fault)
            return PrintOutcome(fault=fault)
        except Exception as exc:  # noqa: BLE001 - any printer trouble must still leave a number on screen
            log.exception("ticket %s: unexpected printer error", ticket.number)
            return PrintOutcome(fault=PrinterFault("io_error", str(exc)))
        return PrintOutcome(status=status)

    def recovered(self, fault: PrinterFault) -> bool:
        """Whether a printer that failed with ``fault`` looks usable again."""
        try:
            status = printer_status(self.printer)
        except PrinterFault:
            return False
        if status in HEALTHY:
            return True
        # A transport that cannot read status back (file, lp, dummy) answers UNKNOWN once it
        # opens again: that settles "not found" and I/O faults, not paper or cover faults.
        return status == PrinterStatus.UNKNOWN and fault.reason in ("not_found", "io_error")

    def close(self) -> None:
        if self._printer is None:
            return
        try:
            self._printer.close()
        except Exception:  # noqa: BLE001 - shutting down anyway
            log.debug("printer close failed", exc_info=True)
