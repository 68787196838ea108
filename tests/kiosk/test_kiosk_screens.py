"""Every screen, both orientations, normal and large text: targets >= 15 mm, no clipped text.

Set KIOSK_SCREENSHOTS=docs/screenshots to also write the screenshots the docs show.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from kiosk_support import (
    LANDSCAPE,
    PORTRAIT,
    dummy_printer,
    layout_problems,
    serve_office,
    walk_screens,
)

from kiosk.ui.theme import Metrics, screen_dpi

DOC_SHOTS = {"start-ru", "start-en", "start-large", "priority", "ticket", "printer-fault", "out-of-service",
             "check-in-typing", "ticket-booked"}


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_every_screen_has_big_targets_and_unclipped_text(qtbot, office_dir, clock, make_kiosk, size, large):
    live = serve_office(office_dir, clock)
    printer = dummy_printer()
    kiosk = make_kiosk(live, printer, size=size, large_text=large)
    window = kiosk.window
    dpi = screen_dpi(window.screen().physicalDotsPerInch())
    min_target = Metrics(dpi, *size).min_target
    assert window.dpi() == dpi and min_target >= 57  # 15 mm at 96 dpi or more
    seen = []
    out = os.environ.get("KIOSK_SCREENSHOTS")
    orientation = "portrait" if size == PORTRAIT else "landscape"
    for name in walk_screens(qtbot, kiosk, live, printer):
        seen.append(name)
        problems = layout_problems(window, min_target)
        assert not problems, f"{name} ({orientation}, large={large}):\n" + "\n".join(problems)
        if out and not large and name in DOC_SHOTS:
            Path(out).mkdir(parents=True, exist_ok=True)
            window.grab().save(str(Path(out) / f"kiosk-{name}-{orientation}.png"))
    assert {"start-ru", "start-en", "priority", "ticket", "printer-fault", "out-of-service", "check-in",
            "ticket-booked"} <= set(seen)


@pytest.mark.parametrize("dpi", [96, 160, 220])
def test_targets_follow_the_screens_dpi(qtbot, live_office, make_kiosk, dpi):
    """A denser screen needs more pixels for the same 15 mm: 57 px at 96 dpi, 130 px at 220."""
    kiosk = make_kiosk(live_office, dpi=dpi)
    min_target = Metrics(dpi, *PORTRAIT).min_target
    assert min_target == -(-15 * dpi // 25.4)
    assert not layout_problems(kiosk.window, min_target)
    from PySide6.QtWidgets import QPushButton

    kiosk.controller.ask_priority()
    assert not layout_problems(kiosk.window, min_target)
    assert all(min(b.width(), b.height()) >= min_target
               for b in kiosk.window.current_screen.findChildren(QPushButton) if b.isVisible())


def test_screen_dpi_falls_back_to_96():
    assert screen_dpi(None) == 96
    assert screen_dpi(float("nan")) == 96
    assert screen_dpi(0.0) == 96
    assert screen_dpi(3000.0) == 96
    assert screen_dpi(141.2) == 141.2
    assert screen_dpi(141.2, configured=120) == 120
    assert Metrics(96, 1080, 1920).min_target == 57
    assert Metrics(100, 1080, 1920).min_target == 60
