"""The check-in screen: a booked visitor types the booking's code, or scans its QR code.

The keypad has only the characters a code can hold (Crockford's base32: no I, L, O or U),
each key a large target; the code shows as it is read aloud, «K7M2-QX··». Portrait: the
words and the code above the keypad; landscape: beside it. The barcode scanner needs no
screen: it types into the window (KioskWindow.keyPressEvent), here or on the start screen.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout

from client_common.codes import ALPHABET

from ..controller import CODE_LENGTH
from ..i18n import gettext_for
from .screens import _Screen
from .theme import Metrics
from .widgets import button, fit_text, label, panel

CENTER = Qt.AlignmentFlag.AlignCenter
MONO = "'DejaVu Sans Mono', monospace"


def shown_code(typed: str) -> str:
    """«K7M2-QX··»: what is typed, dots for what is still to come, the dash where it is read."""
    chars = (typed.upper() + "·" * CODE_LENGTH)[:CODE_LENGTH]
    return chars[:4] + "-" + chars[4:]


class CheckInScreen(_Screen):
    def __init__(self, ctrl):
        super().__init__(ctrl)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.addLayout(self.columns, 1)
        words = QVBoxLayout()
        self.title = label("", "title")
        self.text = label("", "")
        self.code = label("", "number", wrap=False, align=CENTER)
        self.code.setObjectName("checkin:code")
        self.alert = panel("alert")
        self.alert_text = label("", "", align=CENTER)
        QVBoxLayout(self.alert).addWidget(self.alert_text)
        for w in (self.title, self.text, self.code, self.alert):
            words.addWidget(w)
        words.addStretch(1)
        self.columns.addLayout(words)
        self.keypad = QGridLayout()
        self.keys = [button(char, f"key:{char}", "", lambda _=False, char=char: ctrl.type_code(char))
                     for char in ALPHABET]
        for b in self.keys:
            b.setStyleSheet("padding: 0px;")  # one character: the 15 mm minimum is wide enough
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.columns.addLayout(self.keypad)
        self._per_row = 0
        row = QHBoxLayout()
        self.back = button("", "checkin:back", "", lambda: ctrl.go_start())
        self.erase = button("", "checkin:erase", "", lambda: ctrl.erase_code())
        self.submit = button("", "checkin:submit", "accent", lambda: ctrl.submit_code())
        row.addWidget(self.back, 1)
        row.addWidget(self.erase, 1)
        row.addWidget(self.submit, 2)
        self.body.addLayout(row)

    def _lay_keys(self, per_row: int) -> None:
        if per_row == self._per_row:
            return
        self._per_row = per_row
        for b in self.keys:
            self.keypad.removeWidget(b)
        for i, b in enumerate(self.keys):
            self.keypad.addWidget(b, i // per_row, i % per_row)

    def refresh(self, m: Metrics) -> None:
        super().refresh(m)
        ctrl = self.ctrl
        _ = gettext_for(ctrl.lang)
        self.columns.setDirection(QBoxLayout.Direction.TopToBottom if m.portrait
                                  else QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(m.gap * 2)
        # portrait: the words take what they need, the keys the rest; landscape: 2 : 3 across
        self.columns.setStretch(0, 0 if m.portrait else 2)
        self.columns.setStretch(1, 1 if m.portrait else 3)
        # as many keys a row as fit (at most 8): the keypad never makes the window grow
        room = (m.width if m.portrait else m.width * 3 // 5) - 6 * m.gap
        self._lay_keys(max(4, min(8, room // (m.target + 8 + m.gap // 2))))
        self.title.setText(_("Check in for a booking"))
        self.text.setText(_("Hold the QR code from your booking's page to the scanner under the screen, "
                            "or type the booking code from your confirmation."))
        self.code.setText(shown_code(ctrl.code_text))
        room = m.width * (0.85 if m.portrait else 0.35)  # nine monospace characters in the column
        self.code.setStyleSheet(f"font-size: {int(min(m.title * 2.2, room / (9 * 0.72)))}px; font-family: {MONO};")
        self.alert.setVisible(bool(ctrl.code_error))
        self.alert_text.setText(ctrl.code_error)
        self.alert.layout().setContentsMargins(m.gap, m.gap // 2, m.gap, m.gap // 2)
        self.keypad.setSpacing(m.gap // 2)
        for b in self.keys:  # room to spare goes to the keys, up to half again their height
            b.setMaximumHeight(round(m.target * 1.5))
        self.back.setText("\u25c0  " + _("Back"))
        self.erase.setText("\u232b  " + _("Erase"))
        self.submit.setText(_("Check in"))
        for b in (self.back, self.erase, self.submit):
            fit_text(b, m.gap)
        self.submit.setEnabled(len(ctrl.code_text) == CODE_LENGTH)
