"""Call-button pads over a real pseudo-terminal: presses, noise, unplugging."""
import os
import queue
import time

import pytest

from hardware.button_pads import ButtonPadListener, parse_press
from hardware.serial_port import Backoff

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX ptys")


def new_pty():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)
    return master, name


@pytest.fixture
def listener_factory():
    made = []

    def make(spec, **kwargs):
        presses, faults = queue.Queue(), queue.Queue()
        listener = ButtonPadListener(spec, presses.put, faults.put, **kwargs)
        listener.start()
        made.append(listener)
        return listener, presses, faults

    yield make
    for listener in made:
        listener.stop()


@pytest.mark.parametrize(
    "line, counter",
    [(b"B3", "3"), (b"B12\r", "12"), (b"B03", "3"), (b"B00", "0"), (b"BA7", "A7"), (b"X3", None), (b"B", None)],
)
def test_parse_press(line, counter):
    assert parse_press(line) == counter


def test_press_on_the_pad_fires_the_callback_with_the_counter(listener_factory):
    master, name = new_pty()
    listener, presses, _ = listener_factory(f"serial:{name}:9600")
    assert listener.wait_connected(2)
    os.write(master, b"B3\r\n")
    assert presses.get(timeout=2) == "3"
    os.write(master, b"noise\r\nB1")  # a frame split across two reads
    time.sleep(0.1)
    os.write(master, b"2\r\n")
    assert presses.get(timeout=2) == "12"
    assert presses.empty()
    os.close(master)


def test_a_bouncing_button_calls_only_once(listener_factory):
    master, name = new_pty()
    listener, presses, _ = listener_factory(f"serial:{name}", debounce_s=1.0)
    assert listener.wait_connected(2)
    os.write(master, b"B5\r\nB5\r\nB6\r\n")
    assert [presses.get(timeout=2), presses.get(timeout=2)] == ["5", "6"]
    time.sleep(0.2)
    assert presses.empty()
    os.close(master)


def test_missing_port_reports_a_fault_and_stop_does_not_hang(listener_factory):
    listener, _, faults = listener_factory("serial:/dev/does-not-exist-qoffice")
    fault = faults.get(timeout=2)
    assert "cannot open" in fault.reason and fault.retry_in > 0
    started = time.monotonic()
    listener.stop()
    assert time.monotonic() - started < 1.0


def test_unplug_and_replug_reconnects_and_presses_work_again(tmp_path, listener_factory):
    link = tmp_path / "ttyPAD"
    master, name = new_pty()
    link.symlink_to(name)
    listener, presses, faults = listener_factory(f"serial:{link}", backoff=Backoff(initial=0.1, maximum=0.2))
    assert listener.wait_connected(2)

    os.close(master)  # adapter pulled out
    link.unlink()
    assert "port lost" in faults.get(timeout=2).reason

    master, name = new_pty()  # plugged back in, under the same name
    link.symlink_to(name)
    deadline = time.monotonic() + 3
    while not listener.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connected
    os.write(master, b"B7\r\n")
    assert presses.get(timeout=2) == "7"
    os.close(master)
