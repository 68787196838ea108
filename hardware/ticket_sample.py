"""Commissioning: print a sample ticket without a server (``qkiosk test-print``).

The sample goes through exactly the path a visitor's ticket takes (SPEC parsing,
status check, layout, cut), so a good sample proves the kiosk config is right.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hardware.printer_status import PrinterStatus
from hardware.printers import open_printer, print_ticket
from hardware.ticket_layout import TicketData, ticket_gettext

SAMPLE_TZ = "Europe/Moscow"
SAMPLE_URL = "https://queue.example.org/t/TEST-042"


def sample_ticket(lang: str = "ru", issued_at: datetime | None = None) -> TicketData:
    """A realistic ticket in one language; ``issued_at`` defaults to now."""
    _ = ticket_gettext(lang)
    return TicketData(
        office=_("Customer Service Centre (test print)"),
        service_name=_("Utility bill consultation"),
        number=_("C-042"),
        issued_at=issued_at or datetime.now(UTC),
        tz=SAMPLE_TZ,
        ahead=3,
        estimated_wait_s=14 * 60 + 10,
        track_url=SAMPLE_URL,
        footer=_("Printer test: if you can read this, the code page is right."),
    )


def test_print(spec: str, width: int = 80, lang: str = "ru") -> PrinterStatus:
    """Print one sample ticket on the printer SPEC names; returns its status afterwards.

    Raises PrinterConfigError for a bad SPEC or missing library and PrinterFault when
    the printer is absent, out of paper or offline; the CLI prints either as a sentence.
    """
    with open_printer(spec) as printer:
        return print_ticket(printer, sample_ticket(lang), width, lang)


test_print.__test__ = False  # a commissioning command, not a pytest test


def write_sample_pngs(directory: Path, lang: str = "ru") -> list[Path]:
    """Draw the sample ticket for both widths from its own bytes (docs screenshots)."""
    from hardware.escpos_png import receipt_png
    from hardware.escpos_reader import parse_escpos
    from hardware.ticket_layout import LAYOUTS, ticket_bytes

    issued = datetime(2025, 3, 12, 11, 5, tzinfo=UTC)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for width, layout in sorted(LAYOUTS.items()):
        receipt = parse_escpos(ticket_bytes(sample_ticket(lang, issued), width, lang))
        path = directory / f"ticket-{width}mm.png"
        receipt_png(receipt, layout.dots).save(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_sample_pngs(Path("docs/screenshots")):
        print(written)
