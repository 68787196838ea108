"""The reader the ticket tests rely on, checked against hand-written ESC/POS bytes."""
from __future__ import annotations

import pytest

from hardware.escpos_reader import Cut, EscposParseError, Feed, parse_escpos

ESC, GS = b"\x1b", b"\x1d"


def qr_bytes(payload: bytes, size: int = 6) -> bytes:
    def fn(body: bytes) -> bytes:
        return GS + b"(k" + len(body).to_bytes(2, "little") + body

    return (fn(b"1A2\x00") + fn(b"1C" + bytes([size])) + fn(b"1E1")
            + fn(b"1P0" + payload) + fn(b"1Q0"))


def test_text_is_decoded_from_the_selected_code_page():
    data = ESC + b"@" + ESC + b"t\x11" + "Ваш номер".encode("cp866") + b"\n"
    receipt = parse_escpos(data)
    assert receipt.text == "Ваш номер"
    assert receipt.codepages == [17]
    assert receipt.lines[0].runs[0].codepage == 17


def test_cp866_bytes_without_esc_t_do_not_read_as_russian():
    receipt = parse_escpos(ESC + b"@" + "Ваш номер".encode("cp866") + b"\n")
    assert receipt.text != "Ваш номер"  # the printer would show CP437 box drawing


def test_esc_at_resets_the_code_page_and_style():
    data = (ESC + b"t\x11" + GS + b"!\x11" + "Да".encode("cp866") + b"\n"
            + ESC + b"@" + b"ok\n")
    first, second = parse_escpos(data).lines
    assert (first.text, first.width, first.height) == ("Да", 2, 2)
    assert (second.text, second.width, second.height, second.runs[0].codepage) == ("ok", 1, 1, 0)


def test_sizes_and_bold_from_gs_bang_and_esc_bang():
    data = (GS + b"!\x55" + ESC + b"E\x01" + b"A-1\n"
            + ESC + b"!\x38" + b"big\n" + ESC + b"!\x00" + ESC + b"a\x02" + b"small\n")
    big, esc_bang, small = parse_escpos(data).lines
    assert (big.width, big.height, big.bold) == (6, 6, True)
    assert (esc_bang.width, esc_bang.height, esc_bang.bold) == (2, 2, True)
    assert (small.width, small.height, small.bold, small.align) == (1, 1, False, "right")


def test_mixed_line_keeps_runs():
    line = parse_escpos(b"No " + ESC + b"E\x01" + b"42" + ESC + b"E\x00" + b"\n").lines[0]
    assert [(r.text, r.style.bold) for r in line.runs] == [("No ", False), ("42", True)]
    assert line.text == "No 42" and not line.bold


def test_qr_store_then_print():
    receipt = parse_escpos(ESC + b"a\x01" + qr_bytes(b"https://q.example/t/1", size=8))
    [qr] = receipt.qr_codes
    assert (qr.payload, qr.module_size, qr.error_correction, qr.model, qr.align) == (
        "https://q.example/t/1", 8, "M", 2, "center")


def test_qr_stored_but_never_printed_is_not_on_paper():
    body = b"1P0https://x"
    data = GS + b"(k" + len(body).to_bytes(2, "little") + body
    assert parse_escpos(data).qr_codes == []


def test_cuts_and_feeds():
    receipt = parse_escpos(b"x" + ESC + b"d\x06" + GS + b"V\x00" + GS + b"V\x01"
                           + GS + b"VB\x00")
    assert [type(e) for e in receipt.elements] == [type(receipt.lines[0]), Feed, Cut, Cut, Cut]
    assert [c.partial for c in receipt.cuts] == [False, True, True]
    assert receipt.elements[1] == Feed(5 * 30)  # the text line used one of the six


def test_status_queries_are_recorded():
    assert parse_escpos(b"\x10\x04\x01\x10\x04\x04").status_queries == [1, 4]


@pytest.mark.parametrize(
    "data,problem",
    [(ESC + b"Z", "unknown command ESC 'Z'"), (GS + b"(k\x05\x00" + b"1P", "truncated"),
     (b"\x01", "unexpected control byte"), (ESC + b"t\x63" + b"x\n", "unknown code page 99"),
     (b"\x1d(k\x03\x001Q0", "QR print without stored data")],
)
def test_bytes_it_does_not_understand_are_errors(data, problem):
    with pytest.raises(EscposParseError, match=problem):
        parse_escpos(data)
