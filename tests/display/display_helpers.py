"""Helpers shared by the display tests (plain functions; fixtures are in conftest.py)."""
from __future__ import annotations

import json
import os
import select
import time


def read_exactly(fd: int, expected: int, timeout: float = 3.0) -> bytes:
    data, deadline = b"", time.monotonic() + timeout
    while len(data) < expected and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                data += os.read(fd, 4096)
            except OSError:  # EIO: nobody has the other end open yet
                time.sleep(0.02)
    return data


def journal(live) -> list[dict]:
    r = live.get("/api/v1/journal", "head")
    r.raise_for_status()
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


def wait_for(condition, timeout: float = 5.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


SERVICES = [
    {"id": "reception", "name": "Администратор", "name_en": "Administrator"},
    {"id": "consultation", "name": "Консультация и заявления", "name_en": "Consultation and applications"},
    {"id": "payments", "name": "Оплата и показания", "name_en": "Payments and meter readings"},
    {"id": "quick", "name": "Быстрый вопрос", "name_en": "Quick question"},
]


def busy_hall_snapshot() -> dict:
    """A mid-morning hall in the example office: the data behind the screenshots."""
    calls = [("К007", "2", "07:29"), ("А011", "1", "07:27"), ("О004", "4", "07:25"), ("Б002", "3", "07:22"),
             ("А010", "1", "07:18"), ("К006", "3", "07:15"), ("О003", "4", "07:11")]
    return {
        "office": "Центр обслуживания клиентов «Энергосбыт»", "at": "2026-11-20T07:31:00Z", "seq": 120,
        "queues": [{"service_id": s, "waiting": n, "over_norm": False}
                   for s, n in (("reception", 3), ("consultation", 5), ("payments", 0), ("quick", 12))],
        "counters": [
            {"counter_id": "1", "name": "Окно 1", "status": "open",
             "current": {"number": "А011", "state": "serving", "lang": "ru"}},
            {"counter_id": "2", "name": "Окно 2", "status": "open",
             "current": {"number": "К007", "state": "called", "lang": "ru"}},
            {"counter_id": "3", "name": "Окно 3", "status": "paused", "pause_reason": "break", "current": None},
            {"counter_id": "4", "name": "Касса 4", "status": "closed", "current": None},
        ],
        "recent_calls": [{"number": n, "counter_id": c, "at": f"2026-11-20T{t}:00Z", "visit_id": n, "lang": "ru"}
                         for n, c, t in calls],
    }


def busy_hall_model(clock=None):
    """The screenshot hall with a fresh call А112 → 3 being announced."""
    from counter_display.board_model import BoardModel

    model = BoardModel(clock=clock) if clock else BoardModel()
    model.apply_snapshot(busy_hall_snapshot())
    model.set_service_names(SERVICES)
    model.set_connection("online")
    model.apply_called({"number": "А112", "counter_id": "3", "at": "2026-11-20T07:31:00Z", "visit_id": "v112",
                        "lang": "ru"})
    model.set_caption("Талон А112\u00a0— окно 3")
    return model
