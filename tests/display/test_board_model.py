"""The board's model without any widget: calls, highlight, blinking, queues, counters."""
from __future__ import annotations

from datetime import timedelta

import pytest

from counter_display.board_model import BoardModel
from counter_display.counter_screen import counter_face
from counter_display.led_bridge import BoardSpec, LedBridge
from hardware.led_boards import DummyLedBoard


class Tick:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def snapshot(seq=5, at="2026-11-20T07:30:00Z", calls=(), counters=None, queues=None):
    return {
        "office": "ЦОК «Энергосбыт»", "at": at, "seq": seq,
        "queues": queues if queues is not None else [
            {"service_id": "reception", "waiting": 2, "over_norm": False},
            {"service_id": "payments", "waiting": 0, "over_norm": False}],
        "counters": counters if counters is not None else [
            {"counter_id": "1", "name": "Окно 1", "status": "open", "current": None},
            {"counter_id": "2", "name": "Окно 2", "status": "paused", "pause_reason": "lunch", "current": None},
            {"counter_id": "3", "name": "Окно 3", "status": "closed", "current": None},
            {"counter_id": "4", "name": "Касса 4", "status": "open",
             "current": {"number": "О004", "state": "serving", "lang": "ru"}}],
        "recent_calls": [{"number": n, "counter_id": c, "at": a, "visit_id": n, "lang": "ru"} for n, c, a in calls],
    }


def called(number, counter, at="2026-11-20T07:31:00Z", visit=None, recall=False, lang="ru"):
    return {"number": number, "counter_id": counter, "at": at, "visit_id": visit or number, "lang": lang,
            "recall": recall}


@pytest.fixture
def tick():
    return Tick()


@pytest.fixture
def model(tick):
    m = BoardModel(clock=tick)
    m.apply_snapshot(snapshot(calls=[("А002", "1", "2026-11-20T07:20:00Z"), ("О004", "4", "2026-11-20T07:10:00Z")]))
    return m


def test_snapshot_gives_calls_queues_and_counters_but_no_highlight(model):
    assert [(c.number, c.counter_id) for c in model.calls] == [("А002", "1"), ("О004", "4")]
    assert not model.highlighted(model.calls[0]) and not model.animating()
    assert [(q.service_id, q.name, q.waiting) for q in model.queues] == [
        ("reception", "reception", 2), ("payments", "payments", 0)]
    model.set_service_names([{"id": "reception", "name": "Администратор", "name_en": "Administrator"}])
    assert model.queues[0].name == "Администратор" and model.queues[1].name == "payments"
    model.set_service_names({"timezone": "Asia/Vladivostok", "services": [
        {"id": "reception", "name": "Администратор", "name_en": "Administrator"}]}, "en")
    assert model.queues[0].name == "Administrator"
    assert model.timezone == "Asia/Vladivostok"  # the board's clock shows the office's time


def test_a_call_goes_on_top_blinks_then_stays_highlighted_then_calms_down(model, tick):
    row = model.apply_called(called("А003", "1"))
    assert model.calls[0] == row and model.highlighted(row)
    phases = []
    for _ in range(12):  # first 6 s: on/off every half second
        phases.append(model.blink_on(row))
        tick.t += 0.5
    assert phases == [True, False] * 6
    assert model.blink_on(row) and model.highlighted(row)  # steady after blinking …
    tick.t += 4.1
    assert not model.highlighted(row) and not model.animating()  # … and plain after 10 s


def test_only_the_newest_call_is_highlighted(model):
    first = model.apply_called(called("А003", "1"))
    second = model.apply_called(called("К001", "2", at="2026-11-20T07:31:05Z"))
    assert model.highlighted(second) and not model.highlighted(first)


def test_a_recall_moves_the_ticket_to_the_top_instead_of_listing_it_twice(model):
    model.apply_called(called("А003", "1"))
    model.apply_called(called("К001", "2", at="2026-11-20T07:31:05Z"))
    model.apply_called(called("А003", "1", at="2026-11-20T07:32:00Z", recall=True))
    assert [c.number for c in model.calls] == ["А003", "К001", "А002", "О004"]
    assert model.calls[0].recall and model.highlighted(model.calls[0])


def test_the_state_push_after_a_call_keeps_its_highlight(model):
    row = model.apply_called(called("А003", "1"))
    model.apply_state(snapshot(seq=6, at="2026-11-20T07:31:00Z", calls=[
        ("А003", "1", "2026-11-20T07:31:00Z"), ("А002", "1", "2026-11-20T07:20:00Z")]))
    assert model.calls[0].key == row.key and model.highlighted(model.calls[0])


def test_an_older_state_does_not_overwrite_a_newer_one(model):
    model.apply_state(snapshot(seq=9, queues=[{"service_id": "reception", "waiting": 7}]))
    model.apply_state(snapshot(seq=8, queues=[{"service_id": "reception", "waiting": 1}]))
    assert model.queues[0].waiting == 7
    model.apply_snapshot(snapshot(seq=3, queues=[{"service_id": "reception", "waiting": 0}]))  # restored backup
    assert model.queues[0].waiting == 0


def test_a_state_built_before_a_call_does_not_undo_it(model):
    """`called` and `state` leave the server on different threads: a `state` built just
    before the call may arrive just after it, and must not put the old number back."""
    model.apply_called({**called("А003", "1"), "seq": 12})
    before = snapshot(seq=11, calls=[("А002", "1", "2026-11-20T07:20:00Z")])  # counter 1 still free
    model.apply_state(before)
    assert model.counters["1"].number == "А003" and model.calls[0].number == "А003"
    after = snapshot(seq=12, counters=[{"counter_id": "1", "name": "Окно 1", "status": "open",
                                        "current": {"number": "А003", "state": "called", "lang": "ru"}}])
    model.apply_state(after)
    assert model.counters["1"].number == "А003" and model.counters["1"].step_state == "called"


def test_yesterdays_calls_are_not_shown_after_a_restart(tick):
    m = BoardModel(clock=tick, max_age=timedelta(hours=2))
    m.apply_snapshot(snapshot(at="2026-11-21T05:00:00Z", calls=[
        ("А040", "1", "2026-11-20T13:55:00Z"), ("А001", "1", "2026-11-21T04:59:00Z")]))
    assert [c.number for c in m.calls] == ["А001"]


def test_keeps_at_most_the_last_twelve_calls(tick):
    m = BoardModel(clock=tick)
    m.apply_snapshot(snapshot())
    for n in range(20):
        m.apply_called(called(f"А{n:03d}", "1", at=f"2026-11-20T07:{n:02d}:30Z"))
    assert len(m.calls) == 12 and m.calls[0].number == "А019"


def test_counter_faces(model):
    faces = {cid: counter_face(model, cid) for cid in ("1", "2", "3", "4", "9")}
    assert (faces["1"].kind, faces["1"].main, faces["1"].title) == ("free", "Свободно", "Окно 1")
    assert (faces["2"].kind, faces["2"].main) == ("paused", "Обед")
    assert (faces["3"].kind, faces["3"].main) == ("closed", "Закрыто")
    assert (faces["4"].kind, faces["4"].main, faces["4"].sub) == ("serving", "О004", "Идёт обслуживание")
    assert faces["9"].kind == "unknown" and faces["9"].title == "Окно 9"
    model.apply_called(called("А003", "1"))
    face = counter_face(model, "1", "en")
    assert (face.kind, face.main, face.sub, face.title) == ("called", "А003", "Now calling", "Окно 1")


def test_led_bridge_decides_each_boards_content(model):
    specs = [BoardSpec("hall", "dummy"), BoardSpec("1", "dummy", 2), BoardSpec("2", "dummy", 3),
             BoardSpec("3", "dummy", 4), BoardSpec("4", "dummy", 5)]
    bridge = LedBridge([(s, DummyLedBoard(address=s.address)) for s in specs], model=model)
    assert [bridge.desired(s) for s in specs] == [
        ("show_call", "А002", "1"), ("clear",), ("show_text", "Обед"), ("show_text", "Закрыто"),
        ("show_call", "О004", "4")]
    bridge.start()
    try:
        bridge.on_called(called("А003", "1"))
        assert bridge.wait_idle(2)
        hall, one = bridge.boards[0][1], bridge.boards[1][1]
        assert hall.frames[-1] == hall.protocol.call_frame(1, "А003", "1")
        assert one.frames[-1] == one.protocol.call_frame(2, "А003", "1")
        assert bridge.boards[2][1].frames == []  # a call elsewhere leaves counter 2's board alone
    finally:
        bridge.stop()
