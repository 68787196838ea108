"""The counter display against a real server: number, called/serving, break, closed."""
from __future__ import annotations

import pytest

from counter_display.apps import CounterApp


@pytest.fixture
def counter_screen(qtbot):
    made = []

    def make(live, counter: str, lang: str = "ru"):
        app = CounterApp(live.url, live.tokens["display"], counter, lang=lang)
        qtbot.addWidget(app.screen)
        app.screen.resize(800, 480)
        app.screen.show()
        app.start()
        made.append(app)
        qtbot.waitUntil(lambda: app.model.online and app.screen.shown is not None
                        and app.screen.shown.kind != "unknown", timeout=5000)
        return app

    yield make
    for app in made:
        app.stop()


def showing(app, kind: str, main: str | None = None):
    def check():
        face = app.screen.shown
        return face is not None and face.kind == kind and (main is None or face.main == main)
    return check


def test_counter_shows_free_called_serving_break_closed(live_office, counter_screen, qtbot, clock):
    app = counter_screen(live_office, "3")
    assert app.screen.shown.title == "Окно 3"
    assert showing(app, "free", "Свободно")()

    ticket = live_office.ticket("consultation")
    assert live_office.post("/api/v1/counters/3/next", "op3").status_code == 200
    qtbot.waitUntil(showing(app, "called", ticket["number"]), timeout=3000)
    assert app.screen.shown.sub == "Приглашается"

    live_office.post("/api/v1/counters/3/start", "op3")
    qtbot.waitUntil(showing(app, "serving", ticket["number"]), timeout=3000)
    assert app.screen.shown.sub == "Идёт обслуживание"

    live_office.post("/api/v1/counters/3/finish", "op3")
    qtbot.waitUntil(showing(app, "free"), timeout=3000)

    assert live_office.post("/api/v1/counters/3/pause", "op3", {"reason": "break"}).status_code == 204
    qtbot.waitUntil(showing(app, "paused", "Перерыв"), timeout=3000)
    clock.advance(60)  # the journal refuses two identical events at the same instant
    live_office.post("/api/v1/counters/3/resume", "op3")
    live_office.post("/api/v1/counters/3/pause", "op3", {"reason": "lunch"})
    qtbot.waitUntil(showing(app, "paused", "Обед"), timeout=3000)
    clock.advance(60)
    assert live_office.post("/api/v1/counters/3/resume", "op3").status_code == 204
    qtbot.waitUntil(showing(app, "free"), timeout=3000)

    assert live_office.post("/api/v1/auth/logout", "op3").status_code == 204
    qtbot.waitUntil(showing(app, "closed", "Закрыто"), timeout=3000)


def test_a_call_at_another_counter_does_not_change_this_one(live_office, counter_screen, qtbot):
    app = counter_screen(live_office, "2")
    other = counter_screen(live_office, "4", lang="en")
    ticket = live_office.ticket("payments")
    live_office.post("/api/v1/counters/4/next", "op4")
    qtbot.waitUntil(showing(other, "called", ticket["number"]), timeout=3000)
    assert other.screen.shown.title == "Касса 4"  # the counter's name from office.toml
    assert other.screen.shown.sub == "Now calling"
    assert showing(app, "free")()
