"""The worker keeps the GUI free and re-sends the latest content after a fault."""
import threading
import time

from hardware.led_boards import DummyLedBoard
from hardware.led_worker import LedBoardWorker
from hardware.serial_port import DeviceFault


class SlowBoard(DummyLedBoard):
    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def _write(self, frame):
        self.release.wait(5)
        super()._write(frame)


def test_callers_never_wait_for_the_board():
    board = SlowBoard()
    worker = LedBoardWorker(board)
    worker.start()
    started = time.monotonic()
    worker.show_call("А1", "1")
    worker.show_call("А2", "2")
    assert time.monotonic() - started < 0.1
    board.release.set()
    assert worker.wait_idle(2)
    worker.stop()
    assert board.frames[-1] == board.protocol.call_frame(1, "А2", "2")


def test_after_a_fault_the_latest_call_is_shown_once_the_board_is_back():
    board = DummyLedBoard()
    board.fault = DeviceFault("dummy", "unplugged", retry_in=0.05)
    faults, recoveries = [], []
    worker = LedBoardWorker(board, on_fault=faults.append, on_recover=lambda: recoveries.append(1))
    worker.start()
    worker.show_call("А1", "1")
    worker.show_call("А2", "2")
    time.sleep(0.2)
    assert len(faults) == 1 and board.frames == []  # one report, not one per retry
    board.fault = None
    assert worker.wait_idle(2)
    worker.stop()
    assert board.frames == [board.protocol.call_frame(1, "А2", "2")]
    assert recoveries == [1]
