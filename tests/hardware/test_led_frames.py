"""Exact bytes of the generic ASCII LED protocol, as documented in docs/hardware.md."""
import pytest

from hardware.led_boards import (
    PROTOCOLS,
    DummyLedBoard,
    LedProtocol,
    open_led_board,
    test_led,
    xor_checksum,
)
from hardware.serial_port import DeviceFault, SpecError, parse_serial_spec


def test_call_frame_for_a112_to_counter_3_is_the_documented_example():
    board = DummyLedBoard()
    frame = board.show_call("А112", "3")  # Cyrillic А, as printed on tickets
    assert frame == b"\x02" b"01" b"C" b"\x80" b"112" b"\x1f" b"3" b"\x03" b"DF"
    assert board.output == frame


def test_checksum_is_xor_of_address_through_etx_in_hex():
    frame = DummyLedBoard(address=0x1A).show_text("Окно 3")
    body, checksum = frame[1:-2], frame[-2:]
    assert body.startswith(b"1AT") and body.endswith(b"\x03")
    assert checksum == f"{xor_checksum(body):02X}".encode()


def test_cyrillic_text_is_cp866_and_dashes_fold_to_ascii():
    frame = DummyLedBoard().show_text("Перерыв — 15 мин")
    assert frame[4:-3] == "Перерыв - 15 мин".encode("cp866")


def test_control_bytes_in_text_cannot_break_framing():
    frame = DummyLedBoard().show_text("a\x03b\x02c\r\n")
    assert frame[4:-3] == b"abc"


def test_long_text_is_cut_to_64_bytes():
    frame = DummyLedBoard().show_text("Я" * 200)
    assert len(frame[4:-3]) == 64


def test_clear_frame_has_no_payload():
    assert DummyLedBoard(address=2).clear() == b"\x0202X\x03" + f"{0x30 ^ 0x32 ^ 0x58 ^ 0x03:02X}".encode()


def test_open_led_board_picks_transport_and_protocol_from_config():
    board = open_led_board("dummy:", protocol="ascii", address=7)
    assert isinstance(board, DummyLedBoard)
    assert board.show_call("Б5", "12").startswith(b"\x0207C")


def test_vendor_protocol_plugs_in_by_name(monkeypatch):
    class Vendor(LedProtocol):
        name = "vendor"

        def text_frame(self, address, text):
            return b"V" + text.encode()

    monkeypatch.setitem(PROTOCOLS, "vendor", Vendor)
    assert open_led_board("dummy", protocol="vendor").show_text("hi") == b"Vhi"


@pytest.mark.parametrize(
    "spec, protocol, address",
    [("usb:1", "ascii", 1), ("dummy", "nope", 1), ("dummy", "ascii", 300)],
)
def test_config_mistakes_are_spec_errors_naming_the_problem(spec, protocol, address):
    with pytest.raises(SpecError):
        open_led_board(spec, protocol, address)


@pytest.mark.parametrize(
    "spec, port, baud",
    [
        ("serial:/dev/ttyUSB0", "/dev/ttyUSB0", 9600),
        ("serial:/dev/ttyUSB0:19200", "/dev/ttyUSB0", 19200),
        ("serial:COM3:9600", "COM3", 9600),
        ("serial:COM3", "COM3", 9600),
    ],
)
def test_serial_specs(spec, port, baud):
    parsed = parse_serial_spec(spec)
    assert (parsed.port, parsed.baudrate) == (port, baud)


@pytest.mark.parametrize("spec", ["/dev/ttyUSB0", "serial:", "serial:/dev/ttyS0:12345"])
def test_bad_serial_specs(spec):
    with pytest.raises(SpecError):
        parse_serial_spec(spec)


def test_dummy_fault_is_raised_to_the_caller():
    board = DummyLedBoard()
    board.fault = DeviceFault("dummy", "unplugged", 1.0)
    with pytest.raises(DeviceFault, match="unplugged"):
        board.show_text("x")


def test_test_led_returns_the_frame_it_sent():
    frame = test_led("dummy", "Проверка")
    assert frame[:4] == b"\x0201T" and frame[4:-3] == "Проверка".encode("cp866")
    assert frame[-3:-2] == b"\x03"
