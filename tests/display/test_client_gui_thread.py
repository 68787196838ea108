"""Network threads → GUI thread: order kept, GUI thread only, and no PySide emit() leak."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QThread

from counter_display.client import GuiInbox

MINE = ["apps.py", "board_model.py", "button_bridge.py", "cli.py", "client.py", "counter_screen.py",
        "hall_board.py", "hall_drawing.py", "hall_layout.py", "led_bridge.py", "link.py", "server_api.py", "texts.py", "theme.py"]


def test_posts_from_many_threads_run_on_the_gui_thread_in_order(qtbot):
    inbox = GuiInbox()
    seen = []
    gui = QThread.currentThread()

    def record(worker, n):
        seen.append((worker, n, QThread.currentThread() is gui))

    def worker(w):
        for n in range(200):
            inbox.post(record, w, n)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qtbot.waitUntil(lambda: len(seen) == 800)
    assert all(on_gui for _, _, on_gui in seen)
    for w in range(4):
        assert [n for ww, n, _ in seen if ww == w] == list(range(200))  # each thread's order kept


PROBE = """
import sys
from PySide6.QtCore import QCoreApplication
from counter_display.client import GuiInbox
app = QCoreApplication([])
inbox, got = GuiInbox(), []
before = sys.getrefcount(True)
for n in range(5000):
    inbox.post(got.append, n)
    if n % 100 == 0:
        app.processEvents()
app.processEvents()
print(len(got), sys.getrefcount(True) - before)
"""


def test_thousands_of_events_do_not_eat_references_to_true():
    """PySide6 6.12.0's Signal.emit() drops a reference to True per call; we must not emit.

    Run apart: in the test process, garbage from other tests changes the count.
    """
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    delivered, delta = map(int, done.stdout.split())
    assert delivered == 5000 and abs(delta) < 50, delta


def test_display_code_never_calls_emit():
    root = Path(__file__).parents[2] / "counter_display"
    for name in MINE:
        code = "\n".join(line for line in (root / name).read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith("#"))
        code = re.sub(r'""".*?"""', "", code, flags=re.S)
        assert ".emit(" not in code, name
