"""`qkiosk test-print` prints the hardware helper's sample ticket without a server."""
from __future__ import annotations

from hardware.escpos_reader import parse_escpos
from kiosk.cli import main


def test_test_print_to_a_file_in_cp866_with_qr_and_cut(tmp_path, capsys):
    out = tmp_path / "ticket.bin"
    assert main(["test-print", "--printer", f"file:{out}", "--width", "58"]) == 0
    receipt = parse_escpos(out.read_bytes())
    assert receipt.codepages == [17]
    receipt.line_with("Ваш номер")
    assert len(receipt.qr_codes) == 1 and len(receipt.cuts) == 1
    assert max(len(line.text) for line in receipt.lines) <= 32  # 58 mm paper: 32 columns
    assert "Sample ticket sent" in capsys.readouterr().out


def test_test_print_in_english_on_80mm(tmp_path):
    out = tmp_path / "ticket.bin"
    assert main(["test-print", "--printer", f"file:{out}", "--lang", "en"]) == 0
    parse_escpos(out.read_bytes()).line_with("Your number")


def test_test_print_with_a_bad_spec_is_a_sentence(capsys):
    assert main(["test-print", "--printer", "usb:nothex:1"]) == 2
    err = capsys.readouterr().err
    assert "vendor id" in err and "Traceback" not in err


def test_test_print_on_a_missing_device_is_a_sentence(tmp_path, capsys):
    assert main(["test-print", "--printer", f"file:{tmp_path}/no/such/dir/lp0"]) == 1
    assert "qkiosk test-print:" in capsys.readouterr().err


def test_kiosk_without_server_says_what_is_missing(capsys, monkeypatch):
    monkeypatch.delenv("QKIOSK_TOKEN", raising=False)
    assert main(["--printer", "dummy"]) == 2
    assert "server: not set" in capsys.readouterr().err


def test_kiosk_with_a_bad_printer_spec_refuses_to_start(capsys):
    assert main(["--server", "http://127.0.0.1:9", "--token", "t", "--printer", "serial:"]) == 2
    assert "printer:" in capsys.readouterr().err
