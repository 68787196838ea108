"""The ticket as printed: read back from the bytes, for both paper widths."""
from __future__ import annotations

from datetime import datetime

import pytest

from hardware.escpos_reader import Cut, QrCode, TextLine, parse_escpos
from hardware.printers import PrinterStatus, open_printer, print_ticket
from hardware.ticket_layout import TicketData, ticket_bytes

COLUMNS = {58: 32, 80: 48}


@pytest.mark.parametrize("width", [58, 80])
def test_russian_ticket_via_dummy_says_the_right_things(ticket, width):
    printer = open_printer("dummy")
    assert print_ticket(printer, ticket, width, "ru") is PrinterStatus.UNKNOWN
    receipt = parse_escpos(printer.output)

    assert receipt.codepages == [17]  # ESC t 17: PC866 selected explicitly, once
    assert receipt.line_with("Центр обслуживания клиентов").bold
    assert receipt.line_with("Оплата счетов").height == 2
    assert "Ваш номер" in receipt.text
    assert "Выдан: 12.03.2025 14:05" in receipt.text  # 11:05 UTC in Moscow
    assert "Перед вами в очереди: 3" in receipt.text
    assert "Ожидание: около 15 мин" in receipt.text  # 14 min 10 s rounds up
    assert "Спасибо, что пришли к нам" in receipt.text
    assert "?" not in receipt.text  # nothing fell outside CP866


@pytest.mark.parametrize("width,size", [(58, 6), (80, 8)])
def test_number_is_huge_but_fits_the_paper(ticket, width, size):
    receipt = parse_escpos(ticket_bytes(ticket, width, "ru"))
    number = receipt.line_with("К-042")
    assert number.text == "К-042"
    assert (number.width, number.height) == (size, size)
    assert number.bold and number.align == "center"
    assert len(number.text) * number.width <= COLUMNS[width]


@pytest.mark.parametrize("width", [58, 80])
def test_native_qr_carries_the_tracking_link_then_the_paper_is_cut(ticket, width):
    data = ticket_bytes(ticket, width, "ru")
    assert b"\x1d(k" in data  # GS ( k: the printer draws the QR itself, no raster image
    receipt = parse_escpos(data)
    [qr] = receipt.qr_codes
    assert qr.payload == ticket.track_url
    assert qr.align == "center" and qr.error_correction == "M"
    assert isinstance(receipt.elements[-1], Cut)
    kinds = [type(e) for e in receipt.elements]
    assert kinds.index(QrCode) < kinds.index(Cut)


@pytest.mark.parametrize("width", [58, 80])
def test_file_transport_writes_the_same_ticket(tmp_path, ticket, width):
    path = tmp_path / "ticket.prn"
    with open_printer(f"file:{path}") as printer:
        print_ticket(printer, ticket, width, "ru")
    receipt = parse_escpos(path.read_bytes())
    assert receipt.line_with("К-042").width >= 6
    assert receipt.qr_codes[0].payload == ticket.track_url
    assert len(receipt.cuts) == 1 and isinstance(receipt.elements[-1], Cut)
    assert path.read_bytes() == ticket_bytes(ticket, width, "ru")


def test_english_ticket(ticket):
    receipt = parse_escpos(ticket_bytes(ticket, 58, "en"))
    assert "Your number" in receipt.text
    assert "Issued: 2025-03-12 14:05" in receipt.text
    assert "People ahead of you: 3" in receipt.text
    assert "Estimated wait: ~15 min" in receipt.text
    assert "Ваш номер" not in receipt.text


@pytest.mark.parametrize("width", [58, 80])
def test_long_names_wrap_within_the_paper(ticket, width):
    long = TicketData(**{**ticket.__dict__,
                         "office": "Государственное унитарное предприятие «Единый расчётный "
                                   "центр жилищно-коммунального хозяйства» — офис № 3",
                         "service_name": "Перерасчёт платы за коммунальные услуги при "
                                         "временном отсутствии потребителя"})
    receipt = parse_escpos(ticket_bytes(long, width, "ru"))
    for line in receipt.lines:
        assert len(line.text) * line.width <= COLUMNS[width], line.text
    assert '"Единый' in receipt.text and "офис № 3" in receipt.text  # «» and — made printable
    assert "?" not in receipt.text


def test_ticket_without_link_or_estimate_prints_no_qr_and_no_wait(ticket):
    bare = TicketData(**{**ticket.__dict__, "track_url": "", "estimated_wait_s": None})
    receipt = parse_escpos(ticket_bytes(bare, 80, "ru"))
    assert receipt.qr_codes == []
    assert "Ожидание" not in receipt.text
    assert isinstance(receipt.elements[-1], Cut)


def test_the_ticket_starts_with_text_and_refuses_an_unknown_paper_width(ticket):
    assert isinstance(parse_escpos(ticket_bytes(ticket, 58, "ru")).elements[0], TextLine)
    with pytest.raises(ValueError, match="paper width"):
        ticket_bytes(ticket, 76, "ru")


def test_ticket_data_needs_an_aware_time(ticket):
    with pytest.raises(ValueError, match="timezone-aware"):
        TicketData(**{**ticket.__dict__, "issued_at": datetime(2025, 3, 12, 11, 5)})
    with pytest.raises(ValueError, match="time zone"):
        TicketData(**{**ticket.__dict__, "tz": "Mars/Olympus"})
