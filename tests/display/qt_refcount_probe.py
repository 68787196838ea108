"""Does this Qt binding drop references to None, True or False on the calls our screens make?

On Python 3.11 (None, True and False are not yet immortal) PySide6 6.12.0
drops a reference to ``None`` on ordinary calls such as ``QLabel.setText``;
after a few thousand calls the count reaches zero and the interpreter aborts
("Fatal Python error: none_dealloc") — a hall board died within minutes. Each
group below repeats one kind of call our kiosk, board and counter screen make,
and reports how far ``sys.getrefcount`` of each singleton moved.

Needs only PySide6, so it runs in a throwaway venv for any version:

    python tests/display/qt_refcount_probe.py [ROUNDS]

(``QT_QPA_PLATFORM=offscreen`` is set when no platform is named.)
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable

SINGLETONS = {"None": None, "True": True, "False": False}


def _counts() -> dict[str, int]:
    return {name: sys.getrefcount(obj) for name, obj in SINGLETONS.items()}


def immortal_singletons() -> bool:
    """Python 3.12+ makes None/True/False immortal: their counts cannot drop to zero."""
    return sys.version_info >= (3, 12)


def call_groups() -> dict[str, Callable[[int], None]]:
    """name → fn(rounds): each runs one family of calls ``rounds`` times."""
    from PySide6.QtCore import (
        QCoreApplication,
        QEvent,
        QObject,
        QPointF,
        QRect,
        QRectF,
        Qt,
        QTimer,
        Signal,
    )
    from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPixmap
    from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

    app = QApplication.instance() or QApplication([sys.argv[0]])
    font = QFont("DejaVu Sans")
    font.setPixelSize(40)
    white, amber = QColor("#ffffff"), QColor("#ffc400")

    root = QWidget()
    root.resize(400, 300)
    box = QVBoxLayout(root)
    label, button = QLabel("А112"), QPushButton("Готово")
    box.addWidget(label)
    box.addWidget(button)

    class Painted(QWidget):
        """A widget that paints like the hall board: fills, text, pixmap blits, a path."""

        def __init__(self) -> None:
            super().__init__()
            self.resize(320, 120)
            self.strip = QPixmap(300, 40)
            self.strip.fill(amber)
            self.paints = 0

        def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
            p = QPainter(self)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.fillRect(event.rect(), white)
            p.setFont(font)
            p.setPen(amber)
            p.drawText(QRectF(0, 0, 300, 60), Qt.AlignmentFlag.AlignVCenter, "Талон О112 — окно 3")
            p.drawText(QPointF(10, 100), "О112")
            path = QPainterPath()
            path.addRoundedRect(QRectF(2, 2, 100, 40), 6, 6)
            p.fillPath(path, amber)
            p.drawPixmap(QPointF(-5, 70), self.strip)
            p.drawLine(0, 119, 319, 119)
            p.end()
            self.paints += 1

    painted = Painted()
    root.show()
    painted.show()
    app.processEvents()

    def set_text(n: int) -> None:
        for i in range(n):
            label.setText(f"А{i % 1000:03d}")
            button.setText("Готово" if i % 2 else "Done")

    def set_style(n: int) -> None:
        for i in range(n):
            label.setStyleSheet("color: #ffc400;" if i % 2 else "color: #ffffff;")

    def visibility(n: int) -> None:
        for i in range(n):
            label.setVisible(bool(i % 2))
            label.isVisible()
            button.setEnabled(bool(i % 3))
            button.isEnabled()

    def update_and_geometry(n: int) -> None:
        for i in range(n):
            painted.update(QRect(0, 0, 50 + i % 20, 40))
            painted.width()
            painted.rect()
        app.processEvents()

    def paint_event(n: int) -> None:
        for _ in range(n):
            painted.repaint()

    def pixmap_painting(n: int) -> None:
        for i in range(n):
            pixmap = QPixmap(120, 40)
            pixmap.fill(white)
            q = QPainter(pixmap)
            q.setFont(font)
            q.setPen(amber)
            q.drawText(QRectF(0, 0, 120, 40), Qt.AlignmentFlag.AlignCenter, f"О{i % 100}")
            q.end()
            QImage(8, 8, QImage.Format.Format_ARGB32).fill(amber)

    def font_metrics(n: int) -> None:
        for i in range(n):
            m = QFontMetricsF(font)
            m.horizontalAdvance(f"Касса {i % 10}")
            m.elidedText("Центр обслуживания клиентов", Qt.TextElideMode.ElideRight, 100.0)
            m.capHeight()

    def timers(n: int) -> None:
        fired = [0]
        timer = QTimer(interval=0)
        timer.timeout.connect(lambda: fired.__setitem__(0, fired[0] + 1))
        timer.start()
        while fired[0] < n:
            app.processEvents()
        timer.stop()
        timer.isActive()
        shots = [0]
        for _ in range(min(n, 2000)):
            QTimer.singleShot(0, lambda: shots.__setitem__(0, shots[0] + 1))
        while shots[0] < min(n, 2000):
            app.processEvents()

    drain_type = QEvent.Type(QEvent.registerEventType())

    class Inbox(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.got = 0

        def event(self, e) -> bool:
            if e.type() == drain_type:
                self.got += 1
                return True
            return super().event(e)

    inbox = Inbox()

    def posted_events(n: int) -> None:
        def post(k: int) -> None:
            for _ in range(k):
                QCoreApplication.postEvent(inbox, QEvent(drain_type))

        start = inbox.got
        worker = threading.Thread(target=post, args=(n,))
        worker.start()
        worker.join()
        while inbox.got - start < n:
            app.processEvents()

    class Emitter(QObject):
        changed = Signal(str)

    emitter = Emitter()
    heard = []
    emitter.changed.connect(heard.append)

    def python_emit(n: int) -> None:
        for i in range(n):
            emitter.changed.emit(str(i % 10))
        heard.clear()

    groups = {
        "QLabel/QPushButton.setText": set_text,
        "setStyleSheet": set_style,
        "setVisible/isVisible/setEnabled": visibility,
        "update(rect)/geometry": update_and_geometry,
        "paintEvent (repaint)": paint_event,
        "QPixmap/QImage + QPainter": pixmap_painting,
        "QFontMetricsF": font_metrics,
        "QTimer timeout/singleShot": timers,
        "postEvent from a thread": posted_events,
        "Python Signal.emit": python_emit,
    }
    keep_alive = (app, root, painted, inbox, emitter)  # the widgets live as long as the groups
    return {name: functools.partial(_run, fn, keep_alive) for name, fn in groups.items()}


def _run(fn: Callable[[int], None], _keep_alive: tuple, rounds: int) -> None:
    fn(rounds)


def measure(rounds: int, groups: dict[str, Callable[[int], None]] | None = None) -> dict[str, dict[str, int]]:
    """group → {singleton: drift}; a few warm-up rounds first (caches, lazy imports)."""
    result: dict[str, dict[str, int]] = {}
    for name, fn in (groups or call_groups()).items():
        fn(50)
        before = _counts()
        fn(rounds)
        after = _counts()
        result[name] = {k: after[k] - before[k] for k in before}
    return result


def underscore_attribute_leaves_an_error(rounds: int = 200) -> int:
    """How often reading a class attribute named ``_`` on a QObject left an exception pending.

    PySide6 6.8–6.11 set an IndexError ("string index out of range") while looking
    up the one-letter name ``_`` and do not clear it; the next Python call that
    checks for errors then fails with SystemError in unrelated code. (Once taken for
    a worker thread's exception leaking into the GUI.) Our QObjects therefore have
    no attribute of that name; this counts the rounds whose next call failed.
    """
    from pathlib import PurePath

    from PySide6.QtCore import QObject

    class Translated(QObject):
        @property
        def _(self) -> Callable[[str], str]:
            return str

    obj, path, bad = Translated(), PurePath("/srv/queue"), 0
    for _ in range(rounds):
        try:
            obj._  # noqa: B018 - the lookup is the test
            str(path)
        except SystemError:
            bad += 1
    return bad


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    print(f"Python {sys.version.split()[0]}, PySide6 {PySide6.__version__}, {rounds} rounds per group",
          flush=True)
    worst = 0
    for name, fn in call_groups().items():
        drift = measure(rounds, {name: fn})[name]  # one by one: a crash still shows the groups before
        cells = "  ".join(f"{k}:{v:+d}" for k, v in drift.items())
        worst = max(worst, *(abs(v) for v in drift.values()))
        print(f"  {name:34s} {cells}", flush=True)
    print(f"  QObject attribute named _ left an error pending: {underscore_attribute_leaves_an_error()} of 200")
    print("drift" if worst > 100 else "steady")
    return 1 if worst > 100 else 0


if __name__ == "__main__":
    sys.exit(main())
