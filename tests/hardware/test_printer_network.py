"""Network printers against a real TCP server on 127.0.0.1."""
from __future__ import annotations

import socket
import time

import pytest

from hardware.escpos_reader import Cut, parse_escpos
from hardware.printers import (
    PrinterFault,
    PrinterStatus,
    open_printer,
    print_ticket,
    printer_status,
)

ONLINE, PAPER_OK, PAPER_OUT, OFFLINE = b"\x12", b"\x12", b"\x72", b"\x1a"


def settle(end, cuts: int = 1) -> None:
    deadline = time.monotonic() + 3
    while len(parse_escpos(end.data()).cuts) < cuts and time.monotonic() < deadline:
        time.sleep(0.02)


def test_ticket_reaches_the_socket_and_reads_right(tcp_printer, ticket):
    end = tcp_printer({1: [ONLINE], 4: [PAPER_OK]})
    printer = open_printer(end.spec)
    assert print_ticket(printer, ticket, 80, "en") is PrinterStatus.OK
    settle(end)
    receipt = parse_escpos(end.data())
    assert "Your number" in receipt.text
    assert "People ahead of you: 3" in receipt.text
    assert "Estimated wait: ~15 min" in receipt.text
    assert receipt.line_with("К-042").height == 8
    assert receipt.qr_codes[0].payload == ticket.track_url
    assert isinstance(receipt.elements[-1], Cut)


def test_one_connection_per_ticket(tcp_printer, ticket):
    end = tcp_printer({1: [ONLINE], 4: [PAPER_OK]})
    printer = open_printer(end.spec)
    print_ticket(printer, ticket, 58, "ru")
    print_ticket(printer, ticket, 58, "ru")
    settle(end, cuts=2)
    assert len(parse_escpos(end.data()).cuts) == 2
    assert end.connections == 2  # a printer rebooted between tickets is simply reconnected


def test_silent_network_printer_is_unknown_quickly_and_still_prints(tcp_printer, ticket):
    end = tcp_printer({})
    printer = open_printer(end.spec, status_timeout=0.2)
    started = time.monotonic()
    assert printer_status(printer) is PrinterStatus.UNKNOWN
    assert time.monotonic() - started < 2.0
    assert print_ticket(printer, ticket, 80, "ru") is PrinterStatus.UNKNOWN
    settle(end)
    assert parse_escpos(end.data()).line_with("Ваш номер")


def test_offline_network_printer_gets_nothing(tcp_printer, ticket):
    end = tcp_printer({1: [OFFLINE], 4: [PAPER_OK]})
    with pytest.raises(PrinterFault) as fault:
        print_ticket(open_printer(end.spec), ticket)
    assert fault.value.reason == "offline"
    time.sleep(0.2)
    assert parse_escpos(end.data()).lines == []


def test_nobody_listening_is_not_found_and_offline(ticket):
    with socket.socket() as s:  # a port that was free a moment ago: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = open_printer(f"net:127.0.0.1:{port}", io_timeout=1.0)
    assert printer_status(printer) is PrinterStatus.OFFLINE
    with pytest.raises(PrinterFault) as fault:
        print_ticket(printer, ticket)
    assert fault.value.reason == "not_found"
    assert fault.value.message("ru") == "Принтер не подключён или недоступен."
