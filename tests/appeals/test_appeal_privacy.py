"""An appeal's file — the customer's name and contacts, the contract number, what they wrote,
the answer — is kept `privacy.keep_appeal_days` after the appeal closes, then blanked in the
journal by the nightly pass, before the backup; the registry's figures stay."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from appeal_support import appeal_office_dir
from tests_support import operator

from queue_server.app import create_app
from queue_server.auth import Principal
from queue_server.clock import FakeClock
from queue_server.domain import commands as c
from queue_server.domain import events as ev
from queue_server.journal_store import JournalStore
from queue_server.report_service import build_quarter

START = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 10:00 Moscow
NAME, PHONE, CONTRACT, TEXT = "Петрова Анна", "+79001234567", "55-0001", "Не работает счётчик"
HEAD = Principal("staff", "head", "head")


def register(app, **kw):
    args = {"kind": "complaint", "topic": "metering", "channel": "in_person", "text": TEXT, "contract": CONTRACT,
            "contact": {"name": NAME, "phone": PHONE}}
    args.update(kw)
    (e,) = app.service.handle(c.RegisterAppeal(**args), operator())
    return e.data["code"]


def test_a_closed_appeals_file_is_blanked_after_the_keeping_days_and_the_figures_stay(tmp_path):
    clock = FakeClock(START)
    data = appeal_office_dir(tmp_path / "office", keep_appeal_days=30)
    app = create_app(data, clock=clock)
    try:
        closed = register(app)
        still_open = register(app, contract="99-0002", contact={"name": "Сидоров", "email": "s@example.ru"})
        app.service.handle(c.DecideAppeal(closed, "justified", f"{NAME}, перерасчёт выполнен"), HEAD)
        app.service.handle(c.CloseAppeal(closed, True), HEAD)
        export = list(app.store.events_after(0))
        before = build_quarter(app.store, app.config.catalog, "2026Q4", now=START)
        # 29 days after closing: kept
        clock.set(START + timedelta(days=29, hours=17))  # 03:00 Moscow, the backup's time
        app.extras["scheduler"].tick()
        assert app.service.office.appeals.get(closed).contact == {"name": NAME, "phone": PHONE}
        # 31 days: blanked in the journal and in memory, before tonight's backup
        clock.set(START + timedelta(days=31, hours=17))
        app.extras["scheduler"].tick()
        registered, decided = [e for e in app.store.events_after(0) if e.data.get("code") == closed][:2]
        assert (registered.data["contact"], registered.data["text"], registered.data["contract"]) == ({}, "", "")
        assert decided.data["answer"] == ""
        # what the registry counts stays
        assert (registered.data["kind"], registered.data["topic"], registered.data["due_date"]) == (
            "complaint", "metering", "2026-12-04")
        record = app.service.office.appeals.get(closed)
        assert record.blanked and record.contact == {} and record.text == ""
        # an appeal still open keeps its file
        assert app.service.office.appeals.get(still_open).contact["name"] == "Сидоров"
        assert build_quarter(app.store, app.config.catalog, "2026Q4", now=START) == before
        backup = sorted((data / "backups").glob("*.sqlite"))[-1]  # tonight's
        conn = sqlite3.connect(backup)
        stored = " ".join(row[0] for row in conn.execute("SELECT data FROM events"))
        conn.close()
        assert NAME not in stored and PHONE not in stored and CONTRACT not in stored and "Сидоров" in stored
        # an export from before the blanking imports as "already there" and brings nothing back
        assert app.store.import_events(export) == 0
        assert NAME not in str([e.data for e in app.store.events_after(0)])
    finally:
        app.close()
    # after a restart the registry knows the file is gone (and does not blank it again)
    app = create_app(data, clock=clock)
    try:
        assert app.service.office.appeals.get(closed).blanked
        assert app.store.blank_appeals([]) == 0
    finally:
        app.close()


def test_the_blanking_pass_reads_only_the_registrys_lines(tmp_path):
    store = JournalStore(tmp_path / "office.sqlite")
    try:
        e = ev.Event(ev.APPEAL_REGISTERED, START, data={
            "code": "K7M2QXPA", "kind": "question", "topic": "other", "channel": "phone", "text": "вопрос",
            "contact": {"phone": PHONE}, "due_date": "2026-12-04", "due_at": "2026-12-04T20:59:59.000Z"})
        store.append([e, ev.Event(ev.MESSAGE_SENT, START, data={"channel": "email", "purpose": "appeal.ack",
                                                              "ref": "appeal:K7M2QXPA"})])
        assert store.blank_appeals(["K7M2QXPA"]) == 1
        assert store.blank_appeals(["K7M2QXPA"]) == 0  # nothing left to blank
        plan = store.query("EXPLAIN QUERY PLAN SELECT seq FROM events WHERE type IN ('appeal.registered') "
                           "AND json_extract(data, '$.code') IN ('K7M2QXPA')")
        assert "events_type" in str(plan)
    finally:
        store.close()
