"""Small building blocks shared by the kiosk screens."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from client_common.ticket_number import paint_number_centered


def label(text: str = "", role: str = "", wrap: bool = True, align=Qt.AlignmentFlag.AlignLeft) -> QLabel:
    w = QLabel(text)
    if role:
        w.setProperty("role", role)
    w.setWordWrap(wrap)
    w.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    w.setTextFormat(Qt.TextFormat.PlainText)
    return w


class NumberLabel(QLabel):
    """The ticket number, large, with its zeros slashed («О001» must not read as «0001»).

    A QLabel for layout, style sheet and text (tests and screen readers read «О001»);
    only the glyphs are painted here (client_common.ticket_number).
    """

    def __init__(self, role: str = "number") -> None:
        super().__init__("")
        self.setProperty("role", role)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        QFrame.paintEvent(self, event)  # background and border from the style sheet
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setFont(self.font())
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        paint_number_centered(p, QRectF(self.contentsRect()), self.text())
        p.end()


def button(text: str, name: str, role: str = "", on_click=None) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    if role:
        b.setProperty("role", role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a touchscreen: no focus rectangles
    b.setAutoRepeat(False)
    if on_click is not None:
        b.clicked.connect(on_click)
    return b


def fit_text(b: QPushButton, padding: int) -> None:
    """A button is never narrower than its words (the layout squeezes the office name instead)."""
    b.ensurePolished()
    b.setMinimumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 2 * padding + 12)


def restyle(w: QWidget) -> None:
    """Re-apply the style sheet after a dynamic property changed."""
    w.style().unpolish(w)
    w.style().polish(w)


def panel(role: str) -> QWidget:
    w = QWidget()
    w.setProperty("role", role)
    w.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    return w


class TwoLineButton(QPushButton):
    """A large button with a bold name and a one-line hint under it; one tap, no gestures."""

    def __init__(self, name: str, hint: str, object_name: str, role: str, icon: str = ""):
        super().__init__()
        self.setObjectName(object_name)
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.icon = icon
        box = QVBoxLayout(self)
        self.name_label = label("", "name")
        self.hint_label = label("", "hint")
        box.addStretch(1)
        for w in (self.name_label, self.hint_label):
            w.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
            box.addWidget(w)
        box.addStretch(1)
        self.set_texts(name, hint)

    def set_texts(self, name: str, hint: str) -> None:
        self.name_label.setText((f"{self.icon}  " if self.icon else "") + name)
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))
        self.setAccessibleName(name)
        self.setAccessibleDescription(hint)

    def set_padding(self, px: int) -> None:
        self.layout().setContentsMargins(px, px // 2, px, px // 2)
        self.layout().setSpacing(px // 4)


class QrWidget(QWidget):
    """The tracking link as a QR code on screen, drawn from the code's modules."""

    def __init__(self) -> None:
        super().__init__()
        self._matrix: list[list[bool]] = []
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_data(self, text: str) -> None:
        """Show ``text`` as a QR code; the code is built once per text.

        A fixed mask pattern: every mask makes a valid code, and qrcode's search for
        the "best" of the eight cost ~30 ms of the GUI thread per ticket (the soak
        test's longest stalls); the screen is large and clean, any mask reads.
        """
        if text == self._text:
            return
        self._text = text
        if text:
            import qrcode  # not at start-up: the start screen needs no QR code

            qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=2)
            qr.add_data(text)
            qr.make(fit=True)
            self._matrix = qr.get_matrix()
        else:
            self._matrix = []
        self.setVisible(bool(self._matrix))
        self.update()

    def paintEvent(self, _event) -> None:
        if not self._matrix:
            return
        p = QPainter(self)
        side = min(self.width(), self.height())
        p.fillRect(0, 0, side, side, QColor("#FFFFFF"))
        n = len(self._matrix)
        cell = side / n
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#000000"))
        for y, row in enumerate(self._matrix):
            for x, dark in enumerate(row):
                if dark:
                    p.drawRect(QRectF(x * cell, y * cell, cell + 0.5, cell + 0.5))
        p.end()
