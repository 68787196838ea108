"""The database's layout is read at start and upgraded by numbered, tested steps.

tests/fixtures/office-v1.sqlite was made by the first released layout (main at
9665e90, tests/fixtures/make_office_v1.py): a morning with a transfer, a
no-show, a pause, a midnight sweep and a privacy blanking, staff, a device.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests_support import KIOSK

from queue_server.adapters import migrations
from queue_server.adapters.migrations import APPLICATION_ID, CURRENT, SchemaError, Step
from queue_server.app import DB_NAME, create_app
from queue_server.clock import FakeClock
from queue_server.domain.commands import IssueTicket
from queue_server.domain.events import Event, parse_at
from queue_server.domain.office import Office
from queue_server.journal_store import JournalStore
from queue_server.snapshot import state_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "office-v1.sqlite"
QSERVER = str(Path(sys.executable).with_name("qserver"))


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def schema(path: Path) -> list[tuple]:
    return rows(path, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")


def test_the_first_released_layout_is_upgraded_at_start_and_its_journal_replays_unchanged(office_dir):
    db = office_dir / DB_NAME
    shutil.copyfile(FIXTURE, db)
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    journal_before = rows(FIXTURE, "SELECT * FROM events ORDER BY seq")
    users_before = rows(FIXTURE, "SELECT * FROM users ORDER BY login")
    tokens_before = rows(FIXTURE, "SELECT * FROM tokens ORDER BY hash")
    assert rows(FIXTURE, "PRAGMA user_version") == [(0,)] and rows(FIXTURE, "PRAGMA application_id") == [(0,)]

    clock = FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    app = create_app(office_dir, clock=clock)
    try:
        assert app.store.layout == CURRENT
        # the office state is what the old journal folds to, event for event
        expected = Office(app.config.catalog, app.config.hours)
        for seq, _uid, at, type_, visit, step, service, counter, operator, data in journal_before:
            expected.apply(Event(type_, parse_at(at), visit, step, service, counter, operator,
                                 json.loads(data), seq))
        now = clock.now()
        assert app.service.read(state_snapshot) == state_snapshot(expected, now)
        assert [e.seq for e in app.store.events_after(0)] == list(range(1, 18))
        counter = app.service.office.counter("1")
        assert counter.status == "paused" and counter.operator == "op1"
        # the upgraded office works on: a ticket continues today's numbering
        (e,) = app.service.handle(IssueTicket("reception"), KIOSK)
        assert e.seq == 18 and e.data["number"] == "А001"
        token, _ = app.accounts.login("op2", "secret123", clock.now())  # the old staff log in
        assert token
    finally:
        app.close()
    assert rows(db, "SELECT * FROM events WHERE seq <= 17 ORDER BY seq") == journal_before
    assert rows(db, "SELECT * FROM users ORDER BY login") == users_before
    assert set(tokens_before) <= set(rows(db, "SELECT * FROM tokens"))
    assert rows(db, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert rows(db, "PRAGMA user_version") == [(CURRENT,)]
    assert rows(db, "SELECT key FROM meta WHERE key = 'schema_version'") == []  # one place for the version
    assert rows(db, "SELECT value FROM meta WHERE key = 'texts_blanked_before'") == [("2026-11-19T00:00:00.000Z",)]
    # a copy of the database as it was is kept before the first step
    (copy,) = (office_dir / "backups").glob("before-upgrade-v1-*.sqlite")
    assert rows(copy, "SELECT * FROM events ORDER BY seq") == journal_before
    assert rows(copy, "PRAGMA user_version") == [(0,)]
    assert not list((office_dir / "backups").glob("*.partial*"))


def test_a_fresh_database_and_an_upgraded_one_have_the_same_layout(tmp_path):
    fresh, upgraded = tmp_path / "fresh.sqlite", tmp_path / "upgraded.sqlite"
    shutil.copyfile(FIXTURE, upgraded)
    JournalStore(fresh).close()
    JournalStore(upgraded).close()
    assert schema(fresh) == schema(upgraded)
    assert rows(fresh, "PRAGMA user_version") == rows(upgraded, "PRAGMA user_version") == [(CURRENT,)]
    assert rows(fresh, "PRAGMA application_id") == [(APPLICATION_ID,)]


def test_opening_a_current_database_changes_nothing(tmp_path):
    db = tmp_path / "office.sqlite"
    JournalStore(db).close()
    before = db.read_bytes()
    JournalStore(db).close()
    assert db.read_bytes() == before
    assert not (tmp_path / "backups").exists()  # no copy: there was nothing to upgrade


def test_a_step_that_fails_leaves_the_database_at_the_step_before(tmp_path):
    conn = sqlite3.connect(tmp_path / "office.sqlite", isolation_level=None)
    nxt = CURRENT + 1  # the step after the last released one

    def broken(c):
        c.execute("CREATE TABLE appeals_x (id TEXT)")
        raise RuntimeError(f"step {nxt} went wrong half-way")

    steps = (*migrations.STEPS, Step(nxt, "appeals_x", broken))
    with pytest.raises(RuntimeError):
        migrations.upgrade(conn, steps=steps)
    assert conn.execute("PRAGMA user_version").fetchone() == (CURRENT,)
    assert "appeals_x" not in migrations.layout(conn)
    assert not conn.in_transaction
    # fixed, it runs from where it stopped
    steps = (*migrations.STEPS, Step(nxt, "appeals_x", lambda c: c.execute("CREATE TABLE appeals_x (id TEXT)")))
    assert migrations.upgrade(conn, steps=steps) == (CURRENT, nxt)
    assert "appeals_x" in migrations.layout(conn)
    conn.close()


def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(office_dir):
    db = office_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {CURRENT + 1}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(SchemaError, match=rf"made by a newer version of the software \(database layout {CURRENT + 1}\); "
                       rf"this one knows layouts up to {CURRENT}: upgrade the software or restore a backup"):
        JournalStore(db)
    proc = subprocess.run([QSERVER, "run", "--data", str(office_dir)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "newer version" in proc.stderr and "Traceback" not in proc.stderr
    assert db.read_bytes() == before


def test_a_database_that_is_not_ours_is_refused_at_start(office_dir):
    db = office_dir / DB_NAME
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE events (id INTEGER, what TEXT)")  # someone else's "events"
    conn.commit()
    conn.close()
    proc = subprocess.run([QSERVER, "export", "--data", str(office_dir)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "not an office database" in proc.stderr and "Traceback" not in proc.stderr
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 42")
    conn.close()
    with pytest.raises(SchemaError, match="not an office database .application id 42"):
        JournalStore(db)


def test_our_mark_with_a_wrong_layout_is_refused(tmp_path):
    db = tmp_path / "office.sqlite"
    JournalStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE tokens")
    conn.close()
    with pytest.raises(SchemaError, match="missing tables tokens"):
        JournalStore(db)
