"""A booking's name, phone and e-mail are kept `privacy.keep_booking_days` after its slot
(after its last move), then blanked in the journal, in memory and in every backup from that
night on, like a clerk's notes; the facts (which slot, kept or not) stay for the reports."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import requests
from live_office import start_live_office, stop_live_office

from queue_server.domain import events as ev
from queue_server.journal_io import iter_jsonl, to_jsonl
from queue_server.report_service import build_report

NAME, PHONE, EMAIL = "Смирнова Ольга", "+79161234567", "olga@example.ru"
NIGHT = datetime(2026, 12, 22, 0, 1, tzinfo=UTC)  # 03:01 in Moscow: backup time


def book(live, start: str, phone: str, email: str | None = None) -> str:
    r = requests.post(f"{live.url}/api/v1/bookings", timeout=5, json={
        "service_id": "payments", "start": start, "name": NAME, "phone": phone, "email": email})
    assert r.status_code == 201, r.text
    return r.json()["code"]


def personal(live) -> dict[str, tuple]:
    return {e.data["code"]: (e.data["name"], e.data["phone"], e.data["email"])
            for e in live.app.store.events_after(0) if e.type == ev.BOOKING_CREATED}


def test_names_and_contacts_go_keep_booking_days_after_the_slot(office_dir, clock):
    live = start_live_office(office_dir, clock)
    try:
        old = book(live, "2026-11-21T10:00:00+03:00", PHONE, EMAIL)
        moved = book(live, "2026-11-21T11:00:00+03:00", "+79160000002")
        r = requests.post(f"{live.url}/api/v1/bookings/{moved}/reschedule", timeout=5,
                          json={"start": "2026-11-25T11:00:00+03:00"})
        assert r.status_code == 200, r.text
        later = book(live, "2026-12-03T10:00:00+03:00", "+79160000003")
        export = list(to_jsonl(live.app.store.events_after(0)))
        report_before = build_report(live.app.store, live.app.config.catalog, datetime(2026, 11, 21).date())
        clock.set(NIGHT)
        live.app.extras["scheduler"].tick()
        # 30 days after 21.11 10:00 have passed; the moved booking's 25.11 and 03.12 have not
        kept = personal(live)
        assert kept[old] == ("", "", "")
        assert kept[moved] == (NAME, "+79160000002", None)
        assert kept[later] == (NAME, "+79160000003", None)
        # the night's backup was taken after the pass
        (backup,) = (office_dir / "backups").glob("*.sqlite")
        conn = sqlite3.connect(backup)
        data = " ".join(row[0] for row in conn.execute("SELECT data FROM events"))
        conn.close()
        assert PHONE not in data and EMAIL not in data and data.count(NAME) == 2
        # the facts stay: the report of that day is the same
        assert build_report(live.app.store, live.app.config.catalog, datetime(2026, 11, 21).date()) == report_before
        # an export from before the blanking imports as "already there" and brings nothing back
        lines = list(iter_jsonl(export))
        assert live.app.service.import_events(lines) == 0
        assert personal(live)[old] == ("", "", "")
        # in memory too: the booking book forgets the person
        def in_memory(office, now):
            return [(b.name, b.phone) for b in office.bookings.bookings.values() if b.code == old]
        assert live.app.service.read(in_memory) in ([], [("", None)])
    finally:
        stop_live_office(live)
