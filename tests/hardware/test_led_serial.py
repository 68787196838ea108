"""A real serial line: the board's frames travel through a pseudo-terminal pair."""
import os
import select
import threading
import time

import pytest

from hardware.led_boards import SerialLedBoard, open_led_board, test_led
from hardware.serial_port import Backoff, DeviceFault

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX ptys")


@pytest.fixture
def pty():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)  # the board opens the slave by name, like /dev/ttyUSB0
    yield master, name
    try:
        os.close(master)
    except OSError:
        pass


def read_available(fd: int, expected: int, timeout: float = 2.0) -> bytes:
    data, deadline = b"", time.monotonic() + timeout
    while len(data) < expected and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                data += os.read(fd, 1024)
            except OSError:  # EIO while nobody has the slave open yet
                time.sleep(0.02)
    return data


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_call_frame_arrives_byte_exact_at_the_other_end(pty):
    master, name = pty
    board = open_led_board(f"serial:{name}:9600", "ascii", 1)
    try:
        sent = board.show_call("А112", "3")
        assert read_available(master, len(sent)) == b"\x0201C\x80112\x1f3\x03DF"
    finally:
        board.close()


def test_test_led_sends_one_frame(pty):
    master, name = pty
    frame = test_led(f"serial:{name}", "Проверка табло")
    assert read_available(master, len(frame)) == frame
    assert frame[4:-3] == "Проверка табло".encode("cp866")


def test_unplugged_port_faults_fast_backs_off_and_recovers(tmp_path, pty):
    master, name = pty
    link = tmp_path / "ttyLED"  # the adapter's device node, absent for now
    clock = FakeClock()
    board = SerialLedBoard(f"serial:{link}", backoff=Backoff(initial=2.0, clock=clock))

    started = time.monotonic()
    with pytest.raises(DeviceFault) as first:
        board.show_text("1")
    assert "cannot open" in first.value.reason and first.value.retry_in == 2.0

    link.symlink_to(name)  # plugged in, but the backoff has not run out yet
    with pytest.raises(DeviceFault, match="waiting to retry"):
        board.show_text("2")
    assert time.monotonic() - started < 1.0

    clock.now += 2.0
    frame = board.show_text("3")
    assert read_available(master, len(frame)) == frame
    board.close()


def test_a_board_that_stops_reading_cannot_block_the_caller(pty):
    _master, name = pty  # nobody reads the master: the line's buffer fills
    board = SerialLedBoard(f"serial:{name}", write_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DeviceFault, match="write failed"):
        board._write(b"x" * 2_000_000)
    assert time.monotonic() - started < 3.0
    assert not board.connected  # the port is reopened on the next attempt


def test_acknowledging_board_silence_is_a_fault(pty):
    _master, name = pty
    board = SerialLedBoard(f"serial:{name}", expect_ack=True, ack_timeout=0.2)
    with pytest.raises(DeviceFault, match="no answer"):
        board.show_call("А1", "1")


def test_acknowledging_board_accepts_with_ack(pty):
    master, name = pty
    board = SerialLedBoard(f"serial:{name}", expect_ack=True, ack_timeout=1.0)

    def answer():
        if read_available(master, 1):
            os.write(master, b"\x06")

    threading.Thread(target=answer, daemon=True).start()
    assert board.show_call("А1", "1").startswith(b"\x0201C")
    board.close()
