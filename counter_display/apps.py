"""Wiring: the same objects for ``qdisplay hall``/``counter`` and for the tests.

:class:`HallApp` = Socket.IO client → model → hall board widget, plus the
announcement queue (chime + spoken call) whose captions appear on the board.
:class:`CounterApp` = the same client (joined to the counter's room) → model →
counter screen. Both are built in-process by tests exactly as the CLI builds them.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer

from client_common.gui_inbox import GuiInbox
from counter_display.announce_players import Player, open_player
from counter_display.announce_queue import AnnouncementQueue
from counter_display.announcer import Announcement, Announcer
from counter_display.board_model import BoardModel
from counter_display.client import BoardClient
from counter_display.counter_screen import CounterScreen
from counter_display.hall_board import HallBoard
from counter_display.rating_panel import RatingPanel, RatingPrompt
from counter_display.server_api import ServerApi, StatusReporter
from counter_display.speech import EspeakEngine, SpeechEngine, open_speech_engine

log = logging.getLogger(__name__)

SPEAK_DELAY_MS = 60  # paint first, then render speech


def speech_engines(voice: str) -> list[SpeechEngine] | None:
    """``--voice`` → engines, or None for no announcements at all.

    ``espeak`` (default), ``fragments:DIR`` (recorded voice; espeak-ng speaks
    whatever fragment is missing), ``qt``, ``none``.
    """
    if voice in ("none", "off", ""):
        return None
    engine = open_speech_engine(voice)
    if engine.name == "fragments":
        return [engine, EspeakEngine()]
    return [engine]


class HallApp:
    def __init__(self, server: str, token: str, *, lang: str = "ru", ticker: str = "",
                 voice: str = "espeak", player: Player | str = "auto",
                 announcer: Announcer | None = None, clock: Callable[[], datetime] | None = None,
                 report_faults: bool = True, **link_options):
        self.lang = lang
        self.model = BoardModel()
        self.board = HallBoard(self.model, lang=lang, ticker=ticker, clock=clock)
        self.reporter = StatusReporter(ServerApi(server, token)) if report_faults else None
        self.announcements: list[Announcement] = []  # every call that started playing
        self.voice: AnnouncementQueue | None = None
        self.inbox = GuiInbox()  # announcement-queue callbacks (its thread) → the GUI thread
        self._to_speak: list[tuple[str, str, str]] = []
        self._speak_timer = QTimer(singleShot=True, interval=SPEAK_DELAY_MS, timeout=self._speak)
        engines = speech_engines(voice) if announcer is None else []
        if announcer is not None or engines is not None:
            announcer = announcer or Announcer(engines, on_fault=self._voice_fault)
            player = open_player(player) if isinstance(player, str) else player
            self.voice = AnnouncementQueue(
                announcer, player, on_started=lambda a: self.inbox.post(self._speaking, a),
                on_finished=lambda a: self.inbox.post(self._spoken, a),
                on_fault=lambda message: self.inbox.post(self._voice_fault, message))
        self.client = BoardClient(
            server, token, on_snapshot=self.model.apply_snapshot, on_state=self.model.apply_state,
            on_called=self._called, on_services=lambda services: self.model.set_service_names(services, lang),
            on_status=self.model.set_connection, **link_options)

    def start(self) -> None:
        if self.voice is not None:
            self.voice.start()
        self.client.start()

    def stop(self) -> None:
        self.client.stop()
        if self.voice is not None:
            self.voice.stop()
        if self.reporter is not None:
            self.reporter.stop()

    def _called(self, body: dict) -> None:
        row = self.model.apply_called(body)  # painted at once (HallBoard repaints the calls)
        if row is not None and self.voice is not None:
            # Speech is rendered a moment later, so espeak-ng never competes with the
            # paint for the CPU; the chime covers the delay. Order is kept.
            self._to_speak.append((row.number, row.counter_id, row.lang))
            if not self._speak_timer.isActive():
                self._speak_timer.start()

    def _speak(self) -> None:
        while self._to_speak and self.voice is not None:
            self.voice.put(*self._to_speak.pop(0))

    def _speaking(self, announcement: Announcement) -> None:
        self.announcements.append(announcement)
        self.model.set_caption(announcement.caption.replace(" —", "\u00a0—"))
        if self.reporter is not None and announcement.engine is not None:
            self.reporter.ok("voice")

    def _spoken(self, announcement: Announcement) -> None:
        if self.voice is None or self.voice.pending() == 0:
            self.model.set_caption(None)

    def _voice_fault(self, message: str) -> None:
        log.warning("voice: %s", message)
        if self.reporter is not None:
            self.reporter.fault("voice", message)


class CounterApp:
    """`rating_keys` (3 or 5): after each service the screen asks the visitor for a score
    (a touch screen facing the visitor; counter_display/rating_panel.py)."""

    def __init__(self, server: str, token: str, counter: str, *, lang: str = "ru",
                 rating_keys: int | None = None, **link_options):
        self.model = BoardModel()
        self.screen = CounterScreen(self.model, counter, lang=lang)
        self.client = BoardClient(
            server, token, counter=counter, on_snapshot=self.model.apply_snapshot,
            on_state=self.model.apply_state, on_called=self.model.apply_called,
            on_status=self.model.set_connection, **link_options)
        self.rating: RatingPanel | None = None
        if rating_keys:
            self.rating = RatingPanel(self.screen, ServerApi(server, token), str(counter), rating_keys, lang)
            self._prompt = RatingPrompt()
            self.model.listeners.append(self._rating_check)
            self._rating_timer = QTimer(self.screen, interval=1000, timeout=lambda: self._rating_check("tick"))
            self._rating_timer.start()

    def _rating_check(self, what: str) -> None:
        assert self.rating is not None
        showing = self._prompt.update(self.screen.face().kind)
        if showing and not self.rating.isVisible():
            self.rating.ask()
        elif not showing and self.rating.isVisible() and not self.rating.thanking:
            self.rating.hide()
        if self.rating.thanking:
            self._prompt.answered()

    def start(self) -> None:
        self.client.start()

    def stop(self) -> None:
        self.client.stop()
        if self.rating is not None:
            self.rating.close_pool()
