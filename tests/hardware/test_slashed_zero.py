"""On paper too, «О001» must not read as «0001»: the number's zeros print slashed.

The printer's own letter O and digit 0 are the same oval. The ticket defines a
slashed 0 (ESC &) and selects it (ESC % 1) for the number's line only; the
bytes of the number stay the text «О001» (CP866), the letter О keeps its shape.
"""
from __future__ import annotations

from datetime import UTC, datetime

from hardware.escpos_png import receipt_png
from hardware.escpos_reader import parse_escpos
from hardware.ticket_layout import TicketData, ticket_bytes


def ticket(number: str) -> TicketData:
    return TicketData(office="ЦОК", service_name="Оплата", number=number,
                      issued_at=datetime(2026, 11, 20, 7, 0, tzinfo=UTC), tz="Europe/Moscow", ahead=0,
                      estimated_wait_s=None, track_url="")


def test_the_number_line_prints_its_zeros_slashed_and_nothing_else_changes():
    receipt = parse_escpos(ticket_bytes(ticket("О100"), 80, "ru"))
    number = receipt.line_with("О100")
    assert number.text.strip() == "О100" and number.height > 1
    assert all(r.style.user_defined for r in number.runs if r.text.strip())
    others = [line for line in receipt.lines if line is not number and line.text.strip()]
    assert others and not any(r.style.user_defined for line in others for r in line.runs)
    zero = receipt.user_chars[ord("0")]
    assert sorted(receipt.user_chars) == [ord("0")]  # the letter О (CP866 0x8E) keeps the printer's shape
    assert len(zero) == 12 and all(len(column) == 24 for column in zero)
    # the slash: ink in the middle of the oval, where a letter O is empty
    assert zero[5][11] or zero[6][11] or zero[5][12]
    # and still an oval: inked at the top and bottom of the middle column, left and right edges
    assert zero[5][5] and zero[5][19] and zero[1][12] and zero[10][12]
    assert not any(zero[0]) and not any(zero[11])  # a dot of space on each side, like the font's digits


def test_the_picture_of_the_paper_shows_the_slash():
    receipt = parse_escpos(ticket_bytes(ticket("О0"), 80, "ru"))
    number = receipt.line_with("О0")
    run = next(r for r in number.runs if r.text.strip())
    assert receipt.shape_of(run, "0") is not None and receipt.shape_of(run, "О") is None
    image = receipt_png(receipt, 576, scale=1)
    assert image.width > 500  # drawn from the same receipt without error
