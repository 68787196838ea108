"""Serial printers over a real pty pair: bytes arrive, status replies are obeyed."""
from __future__ import annotations

import time

import pytest

from hardware.escpos_reader import parse_escpos
from hardware.printers import (
    PrinterFault,
    PrinterStatus,
    open_printer,
    print_ticket,
    printer_status,
)

# DLE EOT replies as the Epson reference defines them (fixed bits 0x12).
ONLINE, OFFLINE = b"\x12", b"\x1a"
PAPER_OK, PAPER_LOW, PAPER_OUT = b"\x12", b"\x1e", b"\x72"


def wait_for(predicate, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the printer side")
        time.sleep(0.02)


def test_ticket_bytes_arrive_at_the_printer_end(pty_printer, ticket):
    end = pty_printer({1: [ONLINE], 4: [PAPER_OK]})
    with open_printer(end.spec) as printer:
        assert print_ticket(printer, ticket, 58, "ru") is PrinterStatus.OK
    wait_for(lambda: parse_escpos(end.data()).cuts)
    receipt = parse_escpos(end.data())
    assert receipt.line_with("К-042").width == 6
    assert "Перед вами в очереди: 3" in receipt.text
    assert [q.payload for q in receipt.qr_codes] == [ticket.track_url]
    assert receipt.status_queries == [1, 4, 1, 4]  # asked before and after printing


def test_paper_out_stops_the_ticket_and_says_why(pty_printer, ticket):
    end = pty_printer({1: [OFFLINE], 4: [PAPER_OUT]})
    with open_printer(end.spec) as printer, pytest.raises(PrinterFault) as fault:
        print_ticket(printer, ticket, 80, "ru")
    assert fault.value.reason == "paper_out"
    assert fault.value.message("ru") == "В принтере закончилась бумага."
    assert fault.value.message("en") == "The printer is out of paper."
    time.sleep(0.2)
    receipt = parse_escpos(end.data())
    assert receipt.lines == [] and receipt.cuts == []  # not a byte of the ticket was sent


def test_paper_running_out_during_the_ticket_is_reported_after_it(pty_printer, ticket):
    end = pty_printer({1: [ONLINE, OFFLINE], 4: [PAPER_OK, PAPER_OUT]})
    with open_printer(end.spec) as printer, pytest.raises(PrinterFault) as fault:
        print_ticket(printer, ticket, 80, "ru")
    assert fault.value.reason == "paper_out"
    wait_for(lambda: parse_escpos(end.data()).cuts)


def test_paper_low_prints_and_warns(pty_printer, ticket):
    end = pty_printer({1: [ONLINE], 4: [PAPER_LOW]})
    with open_printer(end.spec) as printer:
        assert print_ticket(printer, ticket, 80, "ru") is PrinterStatus.PAPER_LOW
    wait_for(lambda: parse_escpos(end.data()).cuts)


def test_cover_open_is_offline(pty_printer):
    end = pty_printer({1: [OFFLINE], 4: [PAPER_OK]})
    with open_printer(end.spec) as printer:
        assert printer_status(printer) is PrinterStatus.OFFLINE


def test_silent_printer_is_unknown_and_does_not_hang(pty_printer, ticket):
    end = pty_printer({})  # a printer without status support never answers
    started = time.monotonic()
    with open_printer(end.spec, status_timeout=0.3) as printer:
        assert printer_status(printer) is PrinterStatus.UNKNOWN
        assert time.monotonic() - started < 2.0
        assert print_ticket(printer, ticket, 58, "ru") is PrinterStatus.UNKNOWN
    wait_for(lambda: parse_escpos(end.data()).cuts)


def test_missing_serial_device_is_a_fault_not_a_traceback(tmp_path, ticket):
    printer = open_printer(f"serial:{tmp_path}/ttyNOPE")
    with pytest.raises(PrinterFault) as fault:
        print_ticket(printer, ticket)
    assert fault.value.reason == "not_found"
    assert "ttyNOPE" in str(fault.value)
    assert printer_status(printer) is PrinterStatus.OFFLINE
