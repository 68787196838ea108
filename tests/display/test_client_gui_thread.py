"""Network threads → GUI thread: order kept, GUI thread only, references kept."""
from __future__ import annotations

import os
import subprocess
import sys
import threading

from PySide6.QtCore import QThread

from client_common.gui_inbox import GuiInbox


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
from client_common.gui_inbox import GuiInbox
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
    """Thousands of deliveries leave True's reference count where it was.

    Run apart: in the test process, garbage from other tests changes the count.
    """
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    delivered, delta = map(int, done.stdout.split())
    assert delivered == 5000 and abs(delta) < 50, delta
