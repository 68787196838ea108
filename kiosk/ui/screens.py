"""The screens other than the start: priority choice, busy, ticket, notice, out of service."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from ..i18n import N_, gettext_for
from ..model import (
    PRIORITY_KINDS,
    PRIORITY_LABELS,
    PRIORITY_SHORT,
    ahead_text,
    booking_text,
    wait_text,
)
from .header import Header
from .theme import Metrics
from .widgets import NumberLabel, QrWidget, TwoLineButton, button, label, panel, restyle

CENTER = Qt.AlignmentFlag.AlignCenter
ICONS = {"disabled": "\u267f", "veteran": "\u2605"}
PRIORITY_HINTS = {
    "disabled": N_("You may be asked to show a document"),
    "veteran": N_("You may be asked to show your veteran's certificate"),
}


class _Screen(QWidget):
    def __init__(self, ctrl, header: bool = True, controls: bool = True):
        super().__init__()
        self.ctrl = ctrl
        self.setProperty("screen", "true")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.header = Header(ctrl, controls) if header else None
        if self.header:
            outer.addWidget(self.header)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)

    def refresh(self, m: Metrics) -> None:
        if self.header:
            self.header.refresh(m)
        self.body.setContentsMargins(m.gap * 2, m.gap * 2, m.gap * 2, m.gap * 2)
        self.body.setSpacing(m.gap)


class PriorityScreen(_Screen):
    def __init__(self, ctrl):
        super().__init__(ctrl)
        self.title = label("", "title")
        self.text = label("", "")
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.choices = {}
        for kind in PRIORITY_KINDS:
            b = TwoLineButton("", "", f"priority:{kind}", "priority", ICONS[kind])
            b.clicked.connect(lambda _=False, kind=kind: ctrl.choose_priority(kind))
            self.choices[kind] = b
            self.body.addWidget(b, 1)
        self.body.addStretch(1)
        self.cancel = button("", "priority:back", "", lambda: ctrl.choose_priority(None))
        self.body.addWidget(self.cancel)

    def refresh(self, m: Metrics) -> None:
        super().refresh(m)
        _ = gettext_for(self.ctrl.lang)
        self.title.setText(_("Priority service"))
        self.text.setText(_("People with disabilities and veterans are served before the general "
                            "queue. Touch the line that applies to you."))
        for kind, b in self.choices.items():
            b.set_texts(_(PRIORITY_LABELS[kind]), _(PRIORITY_HINTS[kind]))
            b.set_padding(m.gap)
            b.setMaximumHeight(m.name * 5)
        self.cancel.setText("\u25c0  " + _("Back to the services"))


class BusyScreen(_Screen):
    """While a ticket is being issued or the kiosk connects: words, no buttons, never stuck
    (every request has a timeout that ends in the ticket, a notice or "out of service")."""

    def __init__(self, ctrl, kind: str):
        super().__init__(ctrl, controls=False)
        self.kind = kind
        self.title = label("", "title", align=CENTER)
        self.text = label("", "muted", align=CENTER)
        self.body.addStretch(1)
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.body.addStretch(1)

    def refresh(self, m: Metrics) -> None:
        super().refresh(m)
        _ = gettext_for(self.ctrl.lang)
        if self.kind == "busy":
            self.title.setText(_("Issuing your ticket…"))
            self.text.setText(_("One moment, please"))
        else:
            self.title.setText(_("Connecting to the queue server…"))
            self.text.setText(_("The kiosk is starting"))


class TicketScreen(_Screen):
    def __init__(self, ctrl):
        super().__init__(ctrl, controls=False)
        self.alert = panel("alert")
        self.alert_text = label("", "title", align=CENTER)
        self.alert_detail = label("", "", align=CENTER)
        alert_box = QVBoxLayout(self.alert)
        alert_box.addWidget(self.alert_text)
        alert_box.addWidget(self.alert_detail)
        self.body.addWidget(self.alert)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.addLayout(self.columns, 1)
        left, right = QVBoxLayout(), QVBoxLayout()
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)
        self.your = label("", "title", align=CENTER)
        self.number = NumberLabel()  # the zeros slashed: «О001», not «0001»
        self.service = label("", "name", align=CENTER)
        self.priority = label("", "muted", align=CENTER)
        left.addStretch(1)
        for w in (self.your, self.number, self.service, self.priority):
            left.addWidget(w)
        left.addStretch(1)
        self.ahead = label("", "big", align=CENTER)
        self.wait = label("", "big", align=CENTER)
        self.status = label("", "ok", align=CENTER)
        right.addStretch(1)
        for w in (self.ahead, self.wait, self.status):
            right.addWidget(w)
        right.addSpacing(12)
        qr_row = QHBoxLayout()
        self.qr = QrWidget()
        self.qr_text = label("", "hint")
        qr_row.addWidget(self.qr)
        qr_row.addWidget(self.qr_text, 1)
        right.addLayout(qr_row)
        right.addStretch(1)
        self.right = right
        self.done = button("", "done", "accent", lambda: ctrl.go_start())
        self.body.addWidget(self.done)

    def refresh(self, m: Metrics) -> None:
        super().refresh(m)
        ctrl = self.ctrl
        t = ctrl.ticket
        if t is None:
            return
        _ = gettext_for(t.lang)
        self.columns.setDirection(QBoxLayout.Direction.TopToBottom if m.portrait
                                  else QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(m.gap)
        outcome = ctrl.outcome
        failed = outcome is not None and outcome.fault is not None
        self.alert.setVisible(failed)
        if failed:
            self.alert_text.setText(
                _("The ticket could not be printed. Please remember or photograph your number."))
            self.alert_detail.setText(outcome.fault.message(t.lang))
            self.alert.layout().setContentsMargins(m.gap, m.gap, m.gap, m.gap)
        self.your.setText(_("Your number"))
        self.number.setText(t.number)
        self.number.setStyleSheet(f"font-size: {m.number(t.number)}px;")
        self.service.setText(t.service_name)
        self.priority.setVisible(bool(t.priority))
        if t.priority:
            self.priority.setText(_("Priority: {who}").format(who=_(PRIORITY_SHORT.get(t.priority, t.priority))))
        booked = booking_text(t, t.lang)
        self.ahead.setText(booked or ahead_text(t, t.lang))
        self.wait.setVisible(booked is None or t.booking_late)
        self.wait.setText(wait_text(t, t.lang))
        self.status.setProperty("role", "ok" if outcome is not None and not failed else "")
        restyle(self.status)
        if outcome is None:
            self.status.setText(_("Printing your ticket…"))
        elif failed:
            self.status.setText(_("Wait for your number on the hall screen"))
        else:
            self.status.setText("\u2713 " + _("Please take your ticket"))
        self.right.setSpacing(m.gap)
        self.qr.set_data(t.track_url)
        side = max(m.mm(25), round(min(m.width, m.height) * 0.2))
        self.qr.setFixedSize(side, side)
        self.qr_text.setText(_("Follow your place in the queue on your phone: point the camera at the code"))
        self.done.setText(_("Done"))


class NoticeScreen(_Screen):
    """The server said no (e.g. the office is closed): its sentence, and a way back."""

    def __init__(self, ctrl):
        super().__init__(ctrl, controls=False)
        self.title = label("", "title", align=CENTER)
        self.text = label("", "", align=CENTER)
        self.ok = button("", "notice:ok", "accent", lambda: ctrl.go_start())
        self.body.addStretch(1)
        self.body.addWidget(self.title)
        self.body.addWidget(self.text)
        self.body.addStretch(1)
        self.body.addWidget(self.ok)

    def refresh(self, m: Metrics) -> None:
        super().refresh(m)
        _ = gettext_for(self.ctrl.lang)
        self.title.setText(self.ctrl.notice_title or _("No ticket was issued"))
        self.text.setText(self.ctrl.notice_text)
        self.ok.setText(_("Back to the start"))


class OutOfServiceScreen(_Screen):
    """Shown in both languages: we cannot know which one the visitor reads."""

    def __init__(self, ctrl):
        super().__init__(ctrl, controls=False)
        self.icon = label("\u26a0", "title", align=CENTER)
        self.blocks = []
        self.body.addStretch(1)
        self.body.addWidget(self.icon)
        for _i in range(2):
            title, text = label("", "title", align=CENTER), label("", "", align=CENTER)
            self.body.addWidget(title)
            self.body.addWidget(text)
            self.blocks.append((title, text))
            self.body.addSpacing(20)
        self.body.addStretch(1)
        self.detail = label("", "small", align=CENTER)
        self.body.addWidget(self.detail)

    def refresh(self, m: Metrics) -> None:
        super().refresh(m)
        ctrl = self.ctrl
        self.icon.setStyleSheet(f"font-size: {m.title * 3}px;")
        langs = [ctrl.lang] + [x for x in ("ru", "en") if x != ctrl.lang]
        for (title, text), lang in zip(self.blocks, langs, strict=True):
            _ = gettext_for(lang)
            title.setText(_("This kiosk is temporarily out of service"))
            text.setText(_("Please go to the administrator."))
        _ = gettext_for(ctrl.lang)
        self.detail.setText(ctrl.oos_detail + "\n" + _("Checking again every {s} s").format(
            s=ctrl.config.retry_interval_s))
