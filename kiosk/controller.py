"""The kiosk's behaviour, without widgets: which screen is up and what happens on a touch.

The window only draws what this object says and forwards touches to it; every
blocking call goes through ``Tasks`` and comes back as a callback on the GUI
thread, so nothing here ever waits on the network or the printer.
"""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer

from hardware.printer_status import PrinterFault

from .api_client import ServerClient, ServerRefused, ServerUnavailable
from .config import KioskConfig
from .i18n import gettext_for
from .model import PRIORITY_KINDS, IssuedTicket, Office, code_from_keys
from .printing import PrintOutcome, TicketPrinter
from .workers import Tasks

log = logging.getLogger(__name__)

LOADING, START, PRIORITY, BUSY, TICKET, NOTICE, OUT_OF_SERVICE = (
    "loading", "start", "priority", "busy", "ticket", "notice", "out_of_service")
CHECK_IN = "check_in"  # a booked visitor types the booking's code (or scans its QR code)
SCREENS = (LOADING, START, PRIORITY, BUSY, TICKET, NOTICE, OUT_OF_SERVICE, CHECK_IN)
CODE_LENGTH = 8
SERVICES_REFRESH_S = 300
QUIET_S = 20


class Notice:
    """A GUI-thread-only notification with Qt's connect/emit shape, in plain Python.

    The controller and its views live on one thread and a notice is a direct call,
    so a Qt Signal would add nothing here but a binding to trust.
    """

    def __init__(self) -> None:
        self._slots: list = []

    def connect(self, slot) -> None:
        self._slots.append(slot)

    def emit(self, *args) -> None:
        for slot in list(self._slots):
            slot(*args)


class KioskController(QObject):

    def __init__(self, config: KioskConfig, client: ServerClient, printer: TicketPrinter,
                 tasks: Tasks | None = None):
        super().__init__()
        self.screen_changed = Notice()  # str
        self.office_changed = Notice()  # office
        self.mode_changed = Notice()  # language, large text or priority
        self.ticket_changed = Notice()  # IssuedTicket
        self.print_finished = Notice()  # PrintOutcome
        self.printer_changed = Notice()  # PrinterFault or None
        self.config, self.client, self.printer = config, client, printer
        self.tasks = tasks or Tasks()
        self.screen = LOADING
        self.lang = config.language
        self.large = config.large_text
        self.priority: str | None = None
        self.office: Office | None = None
        self.ticket: IssuedTicket | None = None
        self.outcome: PrintOutcome | None = None
        self.notice_text = ""
        self.notice_title = ""  # empty: "No ticket was issued"
        self.code_text = ""  # the booking code typed on the check-in screen so far
        self.code_error = ""
        self.oos_detail = ""
        self.tickets_issued = 0
        self.printer_fault: PrinterFault | None = None
        self._reported: str | None = None  # printer state the server last heard: "ok" / "fault:<reason>"
        self._reporting = False
        self._checking_health = False
        self._checking_printer = False
        self._services_at = 0.0
        self._token_refused = False
        self._touched_at = 0.0
        self._closed = False

        self.idle_timer = self._timer(config.idle_timeout_s, self._on_idle)
        self.screen_timer = self._timer(config.ticket_screen_s, self.go_start)
        self.health_timer = self._timer(config.health_interval_s, self._check_health, repeat=True)
        self.printer_timer = self._timer(config.printer_check_s, self._check_printer, repeat=True)

    def _timer(self, seconds: float, slot, repeat: bool = False) -> QTimer:
        t = QTimer(self)
        t.setSingleShot(not repeat)
        t.setInterval(int(seconds * 1000))
        t.timeout.connect(slot)
        return t

    # ---- life cycle ----------------------------------------------------------
    def start(self) -> None:
        self._load_office()
        self.health_timer.start()
        self.tasks.run_printer(self.printer.startup_fault, self._on_startup_fault)

    def shutdown(self) -> None:
        self._closed = True
        for t in (self.idle_timer, self.screen_timer, self.health_timer, self.printer_timer):
            t.stop()
        self.tasks.wait(3000)
        self.printer.close()

    def _set_screen(self, screen: str) -> None:
        self.screen = screen
        self.screen_changed.emit(screen)
        self.touch()

    def touch(self) -> None:
        """Someone touched the screen: the idle countdown starts again."""
        self._touched_at = time.monotonic()
        self.idle_timer.start()

    # ---- the server ----------------------------------------------------------
    def _load_office(self) -> None:
        refused = self._token_refused

        def load() -> Office:
            if refused:  # out of service for a bad token: come back only once it is accepted
                self.client.check_token()
            return Office.from_json(self.client.services(self.lang))
        self.tasks.run(load, lambda office: self._on_office(office, checked=refused), self._on_server_error)

    def _on_office(self, office: Office, checked: bool = False) -> None:
        self._services_at = time.monotonic()
        self.office = office
        if office.timezone:  # a server that says its time zone wins over the setting
            self.printer.tz = office.timezone
        self.office_changed.emit(office)
        self.health_timer.setInterval(self.config.health_interval_s * 1000)
        if checked:
            self._token_refused = False
        if self.screen in (LOADING, OUT_OF_SERVICE):
            self.go_start(reset=True)
        if not checked:
            # the services need no token; a revoked or mistyped one shows up here, not at a visitor's touch
            self.tasks.run(self.client.check_token, self._on_token_ok, self._on_token_error)
        else:
            self._sync_printer_report()

    def _on_token_ok(self, _none) -> None:
        self._sync_printer_report()

    def _on_token_error(self, exc: Exception) -> None:
        if isinstance(exc, ServerRefused) and exc.is_auth:
            self._on_server_error(exc)

    def _on_server_error(self, exc: Exception) -> None:
        if isinstance(exc, ServerRefused) and not exc.is_auth:
            self.notice_text = exc.message or str(exc)
            self.notice_title = ""
            self._set_screen(NOTICE)
            return
        # a local _, never an attribute: on a QObject, PySide6 6.8–6.11 leave an error
        # pending after a lookup of a class attribute named _ (tests/display/test_qt_binding.py)
        _ = gettext_for(self.lang)
        if isinstance(exc, ServerRefused):
            self._token_refused = True
            detail = _("This kiosk's device token was refused by the server")
        elif isinstance(exc, ServerUnavailable):
            detail = _("No connection to the server {url}").format(url=self.client.base_url)
        else:
            log.error("unexpected error talking to the server", exc_info=exc)
            detail = str(exc)
        log.warning("out of service: %s (%s)", detail, exc)
        self.oos_detail = detail
        self.health_timer.setInterval(self.config.retry_interval_s * 1000)
        if self.screen != OUT_OF_SERVICE:
            self.priority = None
            self._set_screen(OUT_OF_SERVICE)

    def _check_health(self) -> None:
        if self._checking_health or self._closed or self.screen == BUSY:
            return
        self._checking_health = True
        self.tasks.run(self.client.healthz, self._on_health, self._on_health_error)

    def _on_health(self, _body) -> None:
        self._checking_health = False
        now = time.monotonic()
        stale = now - self._services_at > SERVICES_REFRESH_S
        quiet = now - self._touched_at > QUIET_S  # never swap the buttons under someone's finger
        if self.screen in (LOADING, OUT_OF_SERVICE) or (stale and quiet and self.screen == START):
            self._load_office()
        else:
            self._sync_printer_report()

    def _on_health_error(self, exc: Exception) -> None:
        self._checking_health = False
        if isinstance(exc, ServerUnavailable):
            if self.screen == BUSY:
                return  # the ticket request will answer for itself
            self._on_server_error(exc)

    # ---- touches -------------------------------------------------------------
    def go_start(self, reset: bool = False) -> None:
        """Back to the start for the next visitor ("Done", the ticket's time up, a notice read).

        The next visitor starts in the office's language and normal text, whatever
        the last one chose.
        """
        if self.screen in (OUT_OF_SERVICE, LOADING) and not reset:
            return
        self.screen_timer.stop()
        self.priority = None
        self.lang, self.large = self.config.language, self.config.large_text
        self.mode_changed.emit()
        self._set_screen(START)

    def set_language(self, lang: str) -> None:
        self.touch()
        if lang in ("ru", "en") and lang != self.lang:
            self.lang = lang
            self.mode_changed.emit()

    def toggle_large(self) -> None:
        self.touch()
        self.large = not self.large
        self.mode_changed.emit()

    def ask_priority(self) -> None:
        if self.screen == START:
            self._set_screen(PRIORITY)

    def choose_priority(self, kind: str | None) -> None:
        if self.screen != PRIORITY:
            return
        self.priority = kind if kind in PRIORITY_KINDS else None
        self.mode_changed.emit()
        self._set_screen(START)

    def cancel_priority(self) -> None:
        self.touch()
        if self.priority is not None:
            self.priority = None
            self.mode_changed.emit()

    def choose_service(self, service_id: str) -> None:
        if self.screen != START:
            return  # a second tap while the first is being served is ignored
        priority, lang = self.priority, self.lang
        self.ticket, self.outcome = None, None
        self._set_screen(BUSY)
        self.tasks.run(lambda: self.client.issue_ticket(service_id, priority, lang),
                       lambda body: self._on_ticket(body, priority, lang), self._on_server_error)

    def _on_ticket(self, body: dict, priority: str | None, lang: str) -> None:
        ticket = IssuedTicket.from_json(body, priority, lang)
        self.tasks.run_printer(lambda: self.printer.print(ticket),
                               lambda outcome: self._on_printed(ticket, outcome))
        self.ticket, self.outcome = ticket, None
        self.tickets_issued += 1
        self.ticket_changed.emit(ticket)
        self._set_screen(TICKET)
        self.screen_timer.start(self.config.ticket_screen_s * 1000)

    def _on_printed(self, ticket: IssuedTicket, outcome: PrintOutcome) -> None:
        if self.ticket is ticket:
            self.outcome = outcome
            self.print_finished.emit(outcome)
            if outcome.fault is not None and self.screen == TICKET:
                self.screen_timer.start(self.config.fault_screen_s * 1000)
        self._set_printer_fault(outcome.fault)

    # ---- check-in of a booking -------------------------------------------------
    def ask_check_in(self) -> None:
        if self.screen == START:
            self.code_text, self.code_error = "", ""
            self._set_screen(CHECK_IN)

    def type_code(self, char: str) -> None:
        """A key of the on-screen keypad."""
        if self.screen != CHECK_IN:
            return
        self.touch()
        if len(self.code_text) < CODE_LENGTH:
            self.code_text += char
        self.code_error = ""
        self.mode_changed.emit()

    def erase_code(self) -> None:
        if self.screen == CHECK_IN and self.code_text:
            self.touch()
            self.code_text, self.code_error = self.code_text[:-1], ""
            self.mode_changed.emit()

    def submit_code(self) -> None:
        if self.screen != CHECK_IN:
            return
        code = code_from_keys(self.code_text)
        if code is None:
            _ = gettext_for(self.lang)
            self.touch()
            self.code_error = _("A booking code has 8 letters and digits, as in your confirmation")
            self.mode_changed.emit()
            return
        self.check_in(code)

    def scanned(self, text: str) -> None:
        """A line from the barcode scanner (a keyboard): on the start or the check-in screen,
        a booking's code checks the visitor in; anything else is shown as not a code."""
        if self.screen not in (START, CHECK_IN):
            return
        code = code_from_keys(text)
        if code is not None:
            self.check_in(code)
            return
        _ = gettext_for(self.lang)
        self.code_text = ""
        self.code_error = _("This is not a booking code. Show the QR code from your booking's page")
        if self.screen == CHECK_IN:
            self.touch()
            self.mode_changed.emit()
        else:
            self._set_screen(CHECK_IN)

    def check_in(self, code: str) -> None:
        lang = self.lang
        self.ticket, self.outcome = None, None
        self._set_screen(BUSY)
        self.tasks.run(lambda: self.client.check_in(code, lang),
                       lambda body: self._on_ticket(body, None, lang), self._on_check_in_refused)

    def _on_check_in_refused(self, exc: Exception) -> None:
        if isinstance(exc, ServerRefused) and not exc.is_auth:
            _ = gettext_for(self.lang)
            self.notice_text = exc.message or str(exc)
            if exc.status == 404:
                self.notice_text = _("There is no booking with this code. Check the code in your confirmation")
            self.notice_title = _("Could not check in")
            self._set_screen(NOTICE)
            return
        self._on_server_error(exc)

    def _on_idle(self) -> None:
        if self.screen in (PRIORITY, NOTICE, TICKET, START, CHECK_IN):
            self.go_start()  # the next visitor finds the kiosk as it was installed

    # ---- the printer ---------------------------------------------------------
    def _on_startup_fault(self, fault: PrinterFault | None) -> None:
        if fault is not None:
            self._set_printer_fault(fault)

    def _set_printer_fault(self, fault: PrinterFault | None) -> None:
        before = self.printer_fault
        self.printer_fault = fault
        if fault is not None:
            self.printer_timer.start()
        else:
            self.printer_timer.stop()
        if (before is None) != (fault is None) or (before and fault and before.reason != fault.reason):
            self.printer_changed.emit(fault)
        self._sync_printer_report()

    def _check_printer(self) -> None:
        fault = self.printer_fault
        if fault is None or self._checking_printer:
            return
        self._checking_printer = True

        def done(ok: bool) -> None:
            self._checking_printer = False
            if ok and self.printer_fault is fault:
                self._set_printer_fault(None)
        self.tasks.run_printer(lambda: self.printer.recovered(fault), done,
                               lambda _exc: setattr(self, "_checking_printer", False))

    def _sync_printer_report(self) -> None:
        """Tell the server the printer's state whenever it differs from what it last heard."""
        fault = self.printer_fault
        state = f"fault:{fault.reason}" if fault else "ok"
        if self._reporting or state == self._reported or (self._reported is None and fault is None):
            return
        self._reporting = True
        if fault:
            message = f"{fault.message(self.config.language)} [{fault.reason}] {fault.detail}".strip()
            call = lambda: self.client.report_status("fault", "printer", message)  # noqa: E731
        else:
            call = lambda: self.client.report_status("ok", "printer", "")  # noqa: E731

        def sent(_):
            self._reporting = False
            self._reported = state
            if state != (f"fault:{self.printer_fault.reason}" if self.printer_fault else "ok"):
                self._sync_printer_report()

        def failed(exc):
            self._reporting = False
            log.warning("could not report the printer state: %s", exc)  # retried on the next health check
        self.tasks.run(call, sent, failed)
