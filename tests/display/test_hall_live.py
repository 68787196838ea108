"""The hall board against a real server: calls arrive, are highlighted, spoken, survive restarts."""
from __future__ import annotations

import shutil
import wave
from array import array

import pytest

from counter_display.announce_players import WavFilePlayer, wav_duration
from counter_display.announcer import Announcer
from counter_display.apps import HallApp
from counter_display.speech import EspeakEngine

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def wav_rms(path) -> float:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        samples = array("h", w.readframes(w.getnframes()))
    return (sum(s * s for s in samples) / max(len(samples), 1)) ** 0.5


@pytest.fixture
def hall(qtbot, tmp_path):
    made = []

    def make(live, **kw):
        kw.setdefault("voice", "none")
        app = HallApp(live.url, live.tokens["display"], report_faults=False, **kw)
        qtbot.addWidget(app.board)
        app.board.resize(1920, 1080)
        app.board.show()
        app.start()
        made.append(app)
        qtbot.waitUntil(lambda: app.model.online and app.model.has_state, timeout=5000)
        return app

    yield make
    for app in made:
        app.stop()


def shown(app, number: str, counter: str) -> bool:
    top = app.board.shown_top
    return top is not None and (top.number, top.counter_id) == (number, counter)


@needs_espeak
def test_next_reaches_the_board_highlighted_and_is_spoken(live_office, hall, qtbot, tmp_path):
    player = WavFilePlayer(tmp_path / "heard")
    app = hall(live_office, announcer=Announcer([EspeakEngine()]), player=player)
    ticket = live_office.ticket("consultation")
    qtbot.waitUntil(lambda: {q.service_id: q.waiting for q in app.model.queues}.get("consultation") == 1)

    r = live_office.post("/api/v1/counters/3/next", "op3")
    assert r.status_code == 200

    qtbot.waitUntil(lambda: shown(app, ticket["number"], "3"), timeout=3000)
    top = app.model.calls[0]
    assert app.model.highlighted(top)
    assert app.model.timezone == "Europe/Moscow"  # from GET /api/v1/services: the clock's zone
    assert app.model.queues[1].name == "Консультация и заявления"
    assert app.board._blink_timer.isActive()  # blinking while fresh
    # `state` pushes are coalesced (≤ 10 a second): the count follows within 100 ms.
    qtbot.waitUntil(lambda: {q.service_id: q.waiting for q in app.model.queues}["consultation"] == 0,
                    timeout=1000)

    qtbot.waitUntil(lambda: len(player.played) == 1, timeout=15000)
    heard = player.played[0].path
    assert heard.exists()
    duration = wav_duration(heard)
    assert 2.5 < duration < 12, duration  # chime ≈1.6 s + "Талон Ка один — окно номер три"
    assert wav_rms(heard) > 500  # not silence
    qtbot.waitUntil(lambda: len(app.announcements) == 1)  # the caption reaches the GUI thread
    (announcement,) = app.announcements
    assert announcement.caption == f"Талон {ticket['number']} — окно 3"
    assert announcement.engine == "espeak"


@needs_espeak
def test_caption_is_shown_while_spoken_and_cleared_after(live_office, hall, qtbot, tmp_path):
    player = WavFilePlayer(tmp_path / "heard", pace=0.3)
    app = hall(live_office, announcer=Announcer([EspeakEngine()]), player=player)
    ticket = live_office.ticket("reception", lang="en")
    live_office.post("/api/v1/counters/1/next", "op1")
    qtbot.waitUntil(lambda: app.model.caption is not None, timeout=5000)
    assert app.model.caption.replace("\u00a0", " ") == f"Ticket {ticket['number']} — counter 1"  # the ticket's language
    qtbot.waitUntil(lambda: app.model.caption is None, timeout=15000)


@needs_espeak
def test_a_burst_of_five_calls_is_announced_in_order_without_overlap(live_office, hall, qtbot, tmp_path):
    player = WavFilePlayer(tmp_path / "heard", pace=0.1)
    app = hall(live_office, announcer=Announcer([EspeakEngine()]), player=player)
    for service in ("reception", "reception", "consultation", "consultation", "payments"):
        live_office.ticket(service)
    order = []
    for counter, who in (("1", "op1"), ("2", "op2"), ("3", "op3"), ("4", "op4")):
        order.append((live_office.post(f"/api/v1/counters/{counter}/next", who).json()["number"], counter))
    live_office.post("/api/v1/counters/1/start", "op1")
    live_office.post("/api/v1/counters/1/finish", "op1")
    order.append((live_office.post("/api/v1/counters/1/next", "op1").json()["number"], "1"))

    qtbot.waitUntil(lambda: len(player.played) == 5 and len(app.announcements) == 5, timeout=30000)
    assert [(a.number, a.counter) for a in app.announcements] == order
    for earlier, later in zip(player.played, player.played[1:], strict=False):
        assert earlier.end <= later.start, "two announcements overlapped"
    assert all(wav_rms(p.path) > 500 for p in player.played)
    # The board lists all five, newest first.
    assert [(c.number, c.counter_id) for c in app.model.calls[:5]] == order[::-1]


def test_server_restart_keeps_the_last_calls_then_new_calls_appear(restartable_office, hall, qtbot):
    office = restartable_office
    live = office.live
    app = hall(live)
    first = live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    qtbot.waitUntil(lambda: shown(app, first["number"], "1"), timeout=3000)

    office.stop()
    qtbot.waitUntil(lambda: app.board.shown_connection == "reconnecting", timeout=5000)
    assert shown(app, first["number"], "1"), "the last calls stay on screen while offline"
    assert [c.number for c in app.model.calls] == [first["number"]]
    app.board.grab()  # paints without the server: no exception, calls still there

    live = office.start()
    qtbot.waitUntil(lambda: app.model.online, timeout=10000)
    assert app.client.link.connects == 2
    second = live.ticket("consultation")
    live.post("/api/v1/counters/2/next", "op2")
    qtbot.waitUntil(lambda: shown(app, second["number"], "2"), timeout=3000)
    assert [c.number for c in app.model.calls[:2]] == [second["number"], first["number"]]


def test_a_wrong_token_is_shown_as_refused_not_a_blank_screen(live_office, qtbot):
    app = HallApp(live_office.url, "not-a-token", voice="none", report_faults=False)
    qtbot.addWidget(app.board)
    app.board.resize(1280, 720)
    app.board.show()
    app.start()
    try:
        qtbot.waitUntil(lambda: app.model.connection == "refused", timeout=5000)
        assert "token" in app.model.connection_detail.lower()
    finally:
        app.stop()
