"""Fixtures of the appeals tests: an office with e-mail (a real SMTP server), a morning
digest and a slip printer at counter 1 (appeal_support.py)."""
from __future__ import annotations

import pytest
from appeal_support import PrinterSink, appeal_office_dir
from live_office import start_live_office, stop_live_office


@pytest.fixture
def printer_sink():
    sink = PrinterSink()
    yield sink
    sink.close()


@pytest.fixture
def appeal_office(tmp_path, clock, smtp_server, printer_sink):
    live = start_live_office(appeal_office_dir(tmp_path / "office", smtp_server, printer_sink.spec), clock)
    live.smtp, live.printer = smtp_server, printer_sink
    yield live
    stop_live_office(live)
