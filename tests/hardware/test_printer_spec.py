"""SPEC strings: every transport parses, every mistake is named."""
from __future__ import annotations

import shutil

import pytest

from hardware.printer_spec import PrinterConfigError, parse_printer_spec
from hardware.printers import (
    DummyPrinter,
    FilePrinter,
    NetworkPrinter,
    Printer,
    SerialPrinter,
    UsbPrinter,
    open_printer,
)


def test_usb_ids_are_hex():
    spec = parse_printer_spec("usb:04b8:0e15")
    assert (spec.vendor_id, spec.product_id) == (0x04B8, 0x0E15)
    assert (spec.in_ep, spec.out_ep) == (0x82, 0x01)
    custom = parse_printer_spec("USB:0x0416:0x5011:81:03")
    assert (custom.vendor_id, custom.product_id, custom.in_ep, custom.out_ep) == (
        0x0416, 0x5011, 0x81, 0x03)


def test_serial_device_and_baud():
    assert parse_printer_spec("serial:/dev/ttyUSB0").baudrate == 9600
    spec = parse_printer_spec("serial:/dev/ttyUSB0:19200")
    assert (spec.path, spec.baudrate) == ("/dev/ttyUSB0", 19200)
    assert parse_printer_spec("serial:COM3:115200").path == "COM3"


def test_network_host_and_port():
    spec = parse_printer_spec("net:192.168.1.50")
    assert (spec.host, spec.port) == ("192.168.1.50", 9100)
    assert parse_printer_spec("net:printer.office.local:9101").port == 9101
    v6 = parse_printer_spec("net:[fe80::1]:9100")
    assert (v6.host, v6.port) == ("fe80::1", 9100)


def test_cups_file_dummy():
    assert parse_printer_spec("cups:kiosk_printer").path == "kiosk_printer"
    assert parse_printer_spec("file:/dev/usb/lp0").path == "/dev/usb/lp0"
    assert parse_printer_spec("dummy").transport == "dummy"


@pytest.mark.parametrize(
    "spec,named",
    [
        ("", "empty SPEC"),
        ("lpt:1", "unknown transport 'lpt'"),
        ("usb:04b8", "usb:VID:PID"),
        ("usb:04g8:0e15", "vendor id '04g8'"),
        ("usb:04b8:12345", "product id '12345'"),
        ("usb:0:0e15", "vendor id must not be 0"),
        ("serial:", "serial needs a device"),
        ("serial:/dev/ttyS0:12345", "baud rate 12345"),
        ("serial:/dev/ttyS0:", "empty baud rate"),
        ("net:", "network needs a host"),
        ("net:printer:99999", "port '99999'"),
        ("net:printer:ipp", "port 'ipp' is not a number"),
        ("net:[fe80::1", "closing ']'"),
        ("net:bad host", "network needs a host"),
        ("cups:my printer", "queue name"),
        ("cups:-o raw", "queue name"),
        ("cups:a;rm -rf /", "queue name"),
        ("file:", "file needs a path"),
        ("dummy:x", "dummy takes no arguments"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec, named):
    with pytest.raises(PrinterConfigError) as err:
        open_printer(spec)
    assert named in str(err.value)
    assert isinstance(err.value, ValueError)  # config code that catches ValueError still works


@pytest.mark.parametrize(
    "spec,cls",
    [("dummy", DummyPrinter), ("file:/tmp/x.prn", FilePrinter), ("net:127.0.0.1", NetworkPrinter),
     ("serial:/dev/ttyUSB0", SerialPrinter)],
)
def test_every_transport_has_the_one_base_class(spec, cls):
    printer = open_printer(spec)  # nothing is opened yet: a switched-off printer is fine here
    assert isinstance(printer, cls) and isinstance(printer, Printer)
    assert printer.spec.raw == spec


def test_usb_builds_or_says_which_library_is_missing():
    try:
        printer = open_printer("usb:04b8:0e15")
    except PrinterConfigError as err:
        assert "libusb" in str(err) or "pyusb" in str(err)
    else:
        assert isinstance(printer, UsbPrinter)


@pytest.mark.skipif(shutil.which("lp") is not None, reason="this machine can print through lp")
def test_cups_without_pycups_or_lp_is_a_config_error_not_an_import_error():
    pytest.importorskip("escpos")
    try:
        import cups  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pycups is installed here")
    with pytest.raises(PrinterConfigError, match="pycups"):
        open_printer("cups:kiosk_printer")
