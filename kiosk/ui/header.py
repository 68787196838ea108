"""The band across the top: office name, language switch, large-text switch."""
from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from ..i18n import gettext_for
from .theme import Metrics
from .widgets import button, fit_text, label, panel, restyle

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}  # each in its own language, always


class Header(QWidget):
    def __init__(self, ctrl, controls: bool = True):
        super().__init__()
        self.ctrl = ctrl
        self.band = panel("header")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.band)
        self.grid = QGridLayout(self.band)
        self.office = label("", "title")
        self.buttons = QWidget()
        row = QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.lang_buttons = {}
        for lang, text in LANGUAGE_NAMES.items():
            b = button(text, f"lang:{lang}", "header", lambda _=False, lang=lang: ctrl.set_language(lang))
            self.lang_buttons[lang] = b
            row.addWidget(b)
        self.large = button("", "large", "header", lambda: ctrl.toggle_large())
        row.addWidget(self.large)
        self.buttons.setVisible(controls)

    def refresh(self, m: Metrics) -> None:
        ctrl = self.ctrl
        _ = gettext_for(ctrl.lang)
        office = ctrl.office.name if ctrl.office else ""
        self.office.setText(office)
        for lang, b in self.lang_buttons.items():
            b.setProperty("current", "true" if lang == ctrl.lang else "false")
            restyle(b)
        self.large.setText(_("Normal text") if ctrl.large else _("Large text"))
        self.large.setProperty("current", "true" if ctrl.large else "false")
        restyle(self.large)
        self.grid.removeWidget(self.office)
        self.grid.removeWidget(self.buttons)
        if m.portrait:  # the office name gets a line of its own
            self.grid.addWidget(self.office, 0, 0)
            self.grid.addWidget(self.buttons, 1, 0)
        else:
            self.grid.addWidget(self.office, 0, 0)
            self.grid.addWidget(self.buttons, 0, 1)
        for b in (*self.lang_buttons.values(), self.large):
            fit_text(b, m.gap)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 0)
        self.grid.setContentsMargins(m.gap, m.gap // 2, m.gap, m.gap // 2)
        self.grid.setSpacing(m.gap // 2)
        self.buttons.layout().setSpacing(m.gap // 2)
