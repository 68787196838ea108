"""What a clerk types is kept only `privacy.keep_personal_days`.

Tickets carry no names or phones; a transfer note or a cancel reason is where a
clerk may write one ("Иванов, перезвонить +7 900 …"). The nightly pass blanks
those texts once they are older than the setting, before the backup, and keeps
every fact the reports are made of.
"""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from tests_support import KIOSK, operator

from queue_server.app import create_app
from queue_server.clock import FakeClock
from queue_server.domain import commands as c
from queue_server.domain import events as ev
from queue_server.domain.event_schema import FREE_TEXT
from queue_server.domain.events import Event
from queue_server.journal_store import JournalStore
from queue_server.reports import daily_report

OLD_DAY = datetime(2026, 10, 1, 7, 0, tzinfo=UTC)  # 10:00 in Moscow
NIGHT = datetime(2026, 11, 5, 0, 1, tzinfo=UTC)  # 03:01 in Moscow, 35 days later: backup time
NAME, PHONE = "Иванова Мария", "+7 900 123-45-67"


def visit_with_texts(app, clock, at: datetime, who: str) -> None:
    clock.set(at)
    op1, handle = operator(), app.service.handle
    handle(c.OpenCounter("1"), op1)
    handle(c.IssueTicket("reception"), KIOSK)
    handle(c.CallNext("1"), op1)
    handle(c.Transfer("1", "consultation", note=f"{who}, перезвонить {PHONE}"), op1)
    (left,) = handle(c.IssueTicket("reception"), KIOSK)
    handle(c.CancelVisit(left.visit, reason=f"{who} ушла"), op1)
    handle(c.CloseCounter("1"), op1)


def transfer(visit: str, note: str) -> Event:
    """A transfer on the old day with the clerk's note."""
    return Event(ev.STEP_TRANSFERRED, OLD_DAY, visit=visit, step=1, service="reception",
                 counter="1", operator="op1", data={"to_service": "consultation", "note": note})


def called(visit: str) -> list[Event]:
    """A ticket on the old day and its call: what a transfer follows."""
    return [Event(ev.VISIT_ISSUED, OLD_DAY, visit=visit, step=1, service="reception", data={"number": "А001"}),
            Event(ev.STEP_CALLED, OLD_DAY, visit=visit, step=1, service="reception", counter="1", operator="op1")]


def texts(app) -> list[str]:
    out = []
    for e in app.store.events_after(0):
        for type_, key in FREE_TEXT:
            if e.type == type_ and e.data.get(key) not in (None, "", ev.DAY_OVER):
                out.append(e.data[key])
    return out


def test_typed_texts_are_blanked_after_the_configured_days_and_before_the_backup(office_dir):
    clock = FakeClock(OLD_DAY)
    app = create_app(office_dir, clock=clock)
    try:
        visit_with_texts(app, clock, OLD_DAY, NAME)
        visit_with_texts(app, clock, NIGHT - timedelta(days=2), "Петров")
        before = [e.to_line() for e in app.store.events_after(0)]
        old_report = daily_report(app.store.lines_between(OLD_DAY - timedelta(hours=10),
                                                          OLD_DAY + timedelta(hours=14)),
                                  app.config.catalog, OLD_DAY.date())
        clock.set(NIGHT)
        app.extras["scheduler"].tick()
        after = [e.to_line() for e in app.store.events_after(0)]
        # the old day's texts are gone, the recent ones stay (30 days by default)
        assert texts(app) == [f"Петров, перезвонить {PHONE}", "Петров ушла"]
        # every fact stays: the same events, only the typed values blanked (the night
        # also cancelled the two transferred visits still waiting: `day_over`)
        assert [(a["type"], a["data"]) for a in after[len(before):]] == [
            (ev.VISIT_CANCELLED, {"reason": ev.DAY_OVER})] * 2
        changed = [(b, a) for b, a in zip(before, after[:len(before)], strict=True) if a != b]
        assert [(a["type"], a["data"]) for _, a in changed] == [
            (ev.STEP_TRANSFERRED, {"to_service": "consultation", "note": ""}),
            (ev.VISIT_CANCELLED, {"reason": ""})]
        again = daily_report(app.store.lines_between(OLD_DAY - timedelta(hours=10),
                                                     OLD_DAY + timedelta(hours=14)),
                             app.config.catalog, OLD_DAY.date())
        assert again == old_report
        # tonight's backup was taken after the pass
        backups = list((office_dir / "backups").glob("*.sqlite"))
        assert len(backups) == 1
        conn = sqlite3.connect(backups[0])
        data = [row[0] for row in conn.execute("SELECT data FROM events")]
        conn.close()
        assert not any(NAME in d for d in data) and sum("Петров" in d for d in data) == 2
        # the office's own code stays: it is not typed text
        assert any(e.data.get("reason") == ev.DAY_OVER for e in app.store.events_after(0))
    finally:
        app.close()


def test_an_imported_old_journal_is_blanked_on_the_next_pass(tmp_path):
    """Each pass reads only the span since the last one, except after an import:
    older lines that came with it are read too."""
    store = JournalStore(tmp_path / "office.sqlite")
    try:
        store.append([transfer("v1", NAME)])
        assert store.blank_texts(NIGHT) == 1
        assert store.blank_texts(NIGHT) == 0
        assert store.import_events([*called("v2"), transfer("v2", PHONE)]) == 3
        assert store.blank_texts(NIGHT) == 1
        assert [e.data["note"] for e in store.events_after(0) if e.type == ev.STEP_TRANSFERRED] == ["", ""]
    finally:
        store.close()


def test_a_journal_with_blanked_texts_still_imports_as_already_there(tmp_path):
    """Importing the same journal twice changes nothing, blanked or not: an export
    taken after the pass, and one taken before it (texts and all), both find
    their facts already in the journal, and no text comes back."""
    store = JournalStore(tmp_path / "office.sqlite")
    try:
        store.append([transfer("v1", NAME), transfer("v1", NAME)])  # the same fact twice in one instant
        before = list(store.events_after(0))
        assert store.blank_texts(NIGHT) == 2
        after = list(store.events_after(0))
        assert store.import_events(after) == 0
        assert store.import_events(before) == 0
        assert [e.data["note"] for e in store.events_after(0)] == ["", ""]
        assert store.last_seq() == 2
    finally:
        store.close()
