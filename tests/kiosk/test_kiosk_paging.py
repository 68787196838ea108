"""An office with many services: pages of large buttons, turned by a tap (no swipe)."""
from __future__ import annotations

import pytest
from kiosk_support import LANDSCAPE, dummy_printer, journal, serve_office, stop_live_office
from test_kiosk_ticket import shown_texts, tap

from queue_server.app import CONFIG_NAME

LETTERS = "ВГДЕЖИЛМНПРСТ"


@pytest.fixture
def big_office(office_dir, clock):
    extra = "".join(
        f'\n[[services]]\nid = "extra{i}"\nrole = "consultant"\nprefix = "{letter}"\n'
        f'name_ru = "Услуга номер {i}"\nname_en = "Service number {i}"\n'
        f'hint_ru = "Подсказка к услуге {i}"\nhint_en = "Hint for service {i}"\n'
        for i, letter in enumerate(LETTERS[:10], start=1))
    config = office_dir / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    live = serve_office(office_dir, clock)
    yield live
    stop_live_office(live)


def service_buttons(kiosk) -> list[str]:
    shown_texts(kiosk)
    return [b.objectName() for b in kiosk.window.current_screen.service_buttons if b.isVisible()]


def test_many_services_are_paged_with_buttons(qtbot, big_office, make_kiosk):
    kiosk = make_kiosk(big_office, dummy_printer(), idle_timeout_s=2)
    first = service_buttons(kiosk)
    assert 1 < len(first) <= 6
    assert "Страница 1 из 3" in shown_texts(kiosk)
    seen = list(first)
    tap(qtbot, kiosk, "page:next")
    seen += service_buttons(kiosk)
    tap(qtbot, kiosk, "page:next")
    last = service_buttons(kiosk)
    seen += last
    assert "Страница 3 из 3" in shown_texts(kiosk)
    assert len(seen) == len(set(seen)) == 14
    assert not kiosk.window.current_screen.next.isEnabled()
    tap(qtbot, kiosk, last[-1])
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    assert journal(big_office)[-1]["service"] == "extra10"
    tap(qtbot, kiosk, "done")
    assert service_buttons(kiosk) == first  # back on the first page


def test_idle_returns_to_the_first_page(qtbot, big_office, make_kiosk):
    kiosk = make_kiosk(big_office, dummy_printer(), idle_timeout_s=1)
    first = service_buttons(kiosk)
    tap(qtbot, kiosk, "page:next")
    assert service_buttons(kiosk) != first
    qtbot.waitUntil(lambda: service_buttons(kiosk) == first, timeout=3000)


def test_large_text_shows_fewer_per_page_in_landscape(qtbot, big_office, make_kiosk):
    kiosk = make_kiosk(big_office, dummy_printer(), size=LANDSCAPE)
    normal = len(service_buttons(kiosk))
    tap(qtbot, kiosk, "large")
    assert 1 <= len(service_buttons(kiosk)) < normal


def test_paged_screen_shot(qtbot, big_office, make_kiosk):
    import os
    from pathlib import Path

    kiosk = make_kiosk(big_office, dummy_printer())
    service_buttons(kiosk)
    out = os.environ.get("KIOSK_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        kiosk.window.grab().save(str(Path(out) / "kiosk-start-paged-portrait.png"))
