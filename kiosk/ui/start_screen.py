"""The start screen: the office's services as large buttons, paged, and the priority way in."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from ..i18n import gettext_for
from ..model import PRIORITY_SHORT, paginate
from .header import Header
from .theme import Metrics
from .widgets import TwoLineButton, button, label, panel

WHEELCHAIR = "\u267f"
BOOKED = "\u2611"  # a ballot box with a check: DejaVu Sans has it


class StartScreen(QWidget):
    def __init__(self, ctrl):
        super().__init__()
        self.ctrl = ctrl
        self.page = 0
        self.setProperty("screen", "true")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.header = Header(ctrl)
        box.addWidget(self.header)
        self.body = QVBoxLayout()
        box.addLayout(self.body, 1)

        self.printer_alert = panel("alert")
        self.printer_alert_text = label("", "")
        QVBoxLayout(self.printer_alert).addWidget(self.printer_alert_text)
        self.banner = panel("banner")
        banner_row = QHBoxLayout(self.banner)
        self.banner_text = label("", "")
        self.banner_cancel = button("", "priority:cancel", "", lambda: ctrl.cancel_priority())
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(self.banner_cancel)
        self.title = label("", "title")
        self.subtitle = label("", "muted")
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.pager = QWidget()
        pager_row = QHBoxLayout(self.pager)
        pager_row.setContentsMargins(0, 0, 0, 0)
        self.prev = button("", "page:prev", "", lambda: self._turn(-1))
        self.next = button("", "page:next", "", lambda: self._turn(+1))
        self.page_label = label("", "muted", align=Qt.AlignmentFlag.AlignCenter)
        pager_row.addWidget(self.prev)
        pager_row.addWidget(self.page_label, 1)
        pager_row.addWidget(self.next)
        self.priority = TwoLineButton("", "", "priority", "priority", WHEELCHAIR)
        self.priority.clicked.connect(lambda: ctrl.ask_priority())
        self.booking = TwoLineButton("", "", "booking", "service", BOOKED)
        self.booking.clicked.connect(lambda: ctrl.ask_check_in())
        self.bottom = QWidget()  # the priority way in and the booked visitors': a row in landscape
        bottom_row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.bottom)
        bottom_row.setContentsMargins(0, 0, 0, 0)
        bottom_row.addWidget(self.priority, 3)  # the longer words get more of the row
        bottom_row.addWidget(self.booking, 2)
        for w in (self.printer_alert, self.banner, self.title, self.subtitle):
            self.body.addWidget(w)
        self.body.addWidget(self.grid_host, 1)
        self.body.addWidget(self.pager)
        self.body.addWidget(self.bottom)
        self.service_buttons: list[TwoLineButton] = []
        self._metrics: Metrics | None = None

    def _turn(self, delta: int) -> None:
        self.ctrl.touch()
        self.page += delta
        self.refresh(self._metrics)

    def reset(self) -> None:
        self.page = 0

    def refresh(self, m: Metrics | None) -> None:
        if m is None:
            return
        self._metrics = m
        ctrl = self.ctrl
        _ = gettext_for(ctrl.lang)
        self.header.refresh(m)
        self.body.setContentsMargins(m.gap, m.gap, m.gap, m.gap)
        self.body.setSpacing(m.gap)

        fault = ctrl.printer_fault
        self.printer_alert.setVisible(fault is not None)
        if fault is not None:
            self.printer_alert_text.setText(
                _("The ticket printer is not working: your number will be shown on the screen."))
        self.printer_alert.layout().setContentsMargins(m.gap, m.gap // 2, m.gap, m.gap // 2)

        self.banner.setVisible(ctrl.priority is not None)
        if ctrl.priority is not None:
            who = _(PRIORITY_SHORT[ctrl.priority])
            self.banner_text.setText(_("Priority ticket ({who}). Now choose a service.").format(who=who))
            self.banner_cancel.setText(_("Cancel priority"))
        self.banner.layout().setContentsMargins(m.gap, m.gap // 2, m.gap // 2, m.gap // 2)
        self.priority.setVisible(ctrl.priority is None)
        self.booking.setVisible(ctrl.priority is None)
        self.bottom.setVisible(ctrl.priority is None)
        self.booking.set_texts(_("I have a booking"), _("Type the code or scan the QR code"))
        self.booking.set_padding(m.gap)
        self.booking.setMaximumHeight(m.name * 5)
        self.bottom.layout().setSpacing(m.gap)
        self.bottom.layout().setDirection(QBoxLayout.Direction.TopToBottom if m.portrait
                                          else QBoxLayout.Direction.LeftToRight)

        self.title.setText(_("Choose a service"))
        # no promise of paper while the printer is down: the banner above says what happens
        self.subtitle.setText(_("Touch a button once: your number will be shown on the screen")
                              if fault is not None else _("Touch a button once: your ticket will be printed"))

        self.priority.set_texts(_("Priority service"), _("For people with disabilities and veterans"))
        self.priority.set_padding(m.gap)
        self.priority.setMaximumHeight(m.name * 5)
        services = ctrl.office.services if ctrl.office else ()
        pages = self._fit(services, m, ctrl.lang)
        self.prev.setText("\u25c0  " + _("Back"))
        self.next.setText(_("More services") + "  \u25b6")
        self.prev.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < len(pages) - 1)
        self.page_label.setText(_("Page {page} of {pages}").format(page=self.page + 1, pages=len(pages)))

    def _fit(self, services: tuple, m: Metrics, lang: str) -> list[tuple]:
        """Pages of as many buttons as fit above the priority button (fewer with large text)."""
        per_page = m.per_page
        while True:
            pages = paginate(services, per_page)
            self.page = max(0, min(self.page, len(pages) - 1))
            self._fill(pages[self.page], m, lang, per_page)
            self.pager.setVisible(len(pages) > 1)
            if per_page <= m.columns or self._fits():
                return pages
            per_page -= m.columns

    def _fits(self) -> bool:
        self.layout().activate()
        bottom = max(w.geometry().bottom() for w in (self.grid_host, self.pager, self.bottom) if w.isVisibleTo(self))
        squeezed = any(b.height() < b.layout().totalHeightForWidth(b.width()) for b in self.service_buttons)
        return bottom < self.height() and not squeezed

    def _fill(self, page: tuple, m: Metrics, lang: str, per_page: int) -> None:
        for b in self.service_buttons:
            self.grid.removeWidget(b)
            b.hide()
            b.setObjectName("")  # it may be the button being tapped: delete it later, forget it now
            b.deleteLater()
        self.service_buttons = []
        rows = max(1, per_page // m.columns)
        for i, service in enumerate(page):
            b = TwoLineButton(service.name(lang), service.hint(lang), f"service:{service.id}", "service")
            b.clicked.connect(lambda _=False, sid=service.id: self.ctrl.choose_service(sid))
            b.set_padding(m.gap)
            b.setMaximumHeight(round(m.name * 5.5))
            self.grid.addWidget(b, i // m.columns, i % m.columns)
            b.show()  # now, not on the next turn of the loop: _fits measures it
            self.service_buttons.append(b)
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(2):
            self.grid.setColumnStretch(c, 1 if c < m.columns else 0)
        self.grid.setSpacing(m.gap)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
