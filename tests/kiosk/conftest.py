"""Kiosk fixtures (helpers live in kiosk_support.py: "conftest" names many modules)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kiosk_support import (
    EXAMPLE_CONFIG,
    PORTRAIT,
    dummy_printer,
    fast_config,
    make_office_dir,
    serve_office,
    stop_live_office,
)

from kiosk.app import build_kiosk
from queue_server.app import CONFIG_NAME
from queue_server.clock import FakeClock


@pytest.fixture
def make_kiosk(qtbot):
    """Build, show and start a kiosk; every kiosk built is closed at the end of the test."""
    built = []

    def make(live, printer=None, size=PORTRAIT, dpi=None, wait_start=True, **changes):
        kiosk = build_kiosk(fast_config(live, **changes), printer or dummy_printer(), dpi=dpi)
        qtbot.addWidget(kiosk.window)
        kiosk.window.resize(*size)
        kiosk.window.show()
        kiosk.start()
        built.append(kiosk)
        if wait_start:
            qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=5000)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()


@pytest.fixture
def closed_office(tmp_path):
    """The example office with its real hours, on a Saturday: it issues no tickets."""
    data = make_office_dir(tmp_path / "closed")
    (data / CONFIG_NAME).write_text(EXAMPLE_CONFIG, encoding="utf-8")
    live = serve_office(data, FakeClock(datetime(2026, 11, 21, 9, 0, tzinfo=UTC)))
    yield live
    stop_live_office(live)


