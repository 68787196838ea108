"""Commissioning print, catalogs and the picture of the ticket."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from hardware import ticket_sample
from hardware.escpos_png import receipt_png
from hardware.escpos_reader import Cut, parse_escpos
from hardware.printer_spec import PrinterConfigError
from hardware.printers import PrinterFault
from hardware.ticket_layout import LOCALE_DIR, TicketData, encode_text, ticket_bytes
from queue_server.i18n import po_messages


def test_test_print_puts_a_sample_ticket_on_the_printer(tmp_path):
    path = tmp_path / "lp0"
    ticket_sample.test_print(f"file:{path}", width=58, lang="ru")
    receipt = parse_escpos(path.read_bytes())
    assert "тестовая печать" in receipt.text
    assert "кодовая страница" in receipt.text
    assert receipt.line_with("К-042").width == 6
    assert receipt.qr_codes[0].payload == ticket_sample.SAMPLE_URL
    assert isinstance(receipt.elements[-1], Cut)


def test_test_print_in_english_on_80mm(tmp_path):
    path = tmp_path / "lp0"
    ticket_sample.test_print(f"file:{path}", width=80, lang="en")
    receipt = parse_escpos(path.read_bytes())
    assert "Customer Service Centre (test print)" in receipt.text
    assert receipt.line_with("C-042").width == 8


def test_test_print_reports_config_and_device_problems(tmp_path):
    with pytest.raises(PrinterConfigError, match="unknown transport"):
        ticket_sample.test_print("parallel:1")
    with pytest.raises(PrinterFault) as fault:
        ticket_sample.test_print(f"file:{tmp_path}/no/such/dir/lp0")
    assert fault.value.reason == "not_found"


def test_catalogs_are_complete_and_printable_in_cp866():
    ru = po_messages(LOCALE_DIR / "ru" / "LC_MESSAGES" / "hardware.po")
    en = po_messages(LOCALE_DIR / "en" / "LC_MESSAGES" / "hardware.po")
    assert set(ru) == set(en)
    for msgid, text in ru.items():
        assert text, f"untranslated: {msgid!r}"
        assert text.encode("cp866").decode("cp866") == text  # raises if CP866 lacks a char
        assert set(_placeholders(text)) == set(_placeholders(msgid)), msgid
    assert encode_text("«Оплата» — ≈5 мин") == '"Оплата" - ~5 мин'.encode("cp866")


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


@pytest.mark.parametrize("width,dots", [(58, 384), (80, 576)])
def test_picture_of_the_ticket_shows_the_number_big(ticket, width, dots):
    no_qr = TicketData(**{**ticket.__dict__, "track_url": ""})  # leave the number the tallest ink
    image = receipt_png(parse_escpos(ticket_bytes(no_qr, width, "ru")), dots, scale=1)
    assert dots <= image.width <= dots + 40
    assert image.height > image.width
    # Cap height of 1x text is ~15 dots; the number at 6x/8x is several times that.
    assert _tallest_ink_band(image.convert("L")) > 60


def _tallest_ink_band(gray: Image.Image) -> int:
    best = run = 0
    for y in range(gray.height):
        inked = any(gray.getpixel((x, y)) < 100 for x in range(0, gray.width, 2))
        run = run + 1 if inked else 0
        best = max(best, run)
    return best


def test_write_sample_pngs(tmp_path):
    paths = ticket_sample.write_sample_pngs(tmp_path)
    assert [p.name for p in paths] == ["ticket-58mm.png", "ticket-80mm.png"]
    small, large = (Image.open(Path(p)) for p in paths)
    assert small.width < large.width
