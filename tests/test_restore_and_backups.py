"""`qserver restore` and `qserver backup` as an office's IT person (and a kill -9) meet them.

A restore checks the file before touching anything and keeps the current
database aside only when there is one; a killed restore or backup leaves an
office that starts and nothing that piles up. Real files, the real command.
"""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests_support import KIOSK

from queue_server.adapters import db_files
from queue_server.adapters.migrations import CURRENT
from queue_server.app import DB_NAME, create_app
from queue_server.backup import backup_now, prune
from queue_server.clock import FakeClock
from queue_server.domain import events as ev
from queue_server.domain.commands import IssueTicket
from queue_server.domain.events import Event
from queue_server.journal_store import JournalStore

QSERVER = str(Path(sys.executable).with_name("qserver"))
FIXTURE = Path(__file__).parent / "fixtures" / "office-v1.sqlite"


def qserver(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([QSERVER, *args], capture_output=True, text=True, timeout=120)


def issue(data: Path, n: int) -> None:
    app = create_app(data, clock=FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC)))
    try:
        for _ in range(n):
            app.service.handle(IssueTicket("reception"), KIOSK)
            app.clock.advance(30)
    finally:
        app.close()


def journal(data: Path) -> list[str]:
    proc = qserver("export", "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def no_empty_files(folder: Path) -> None:
    """Nothing empty left behind but lock files and the live database's own WAL index."""
    own = {f"{DB_NAME}-wal", f"{DB_NAME}-shm"}
    empty = [p.name for p in folder.rglob("*") if p.is_file() and p.stat().st_size == 0
             and not p.name.endswith(".lock") and p.name not in own]
    assert not empty, f"empty leftovers: {empty}"


def big_journal(db: Path, megabytes: int) -> None:
    """Fill a journal quickly with tickets, about 5,000 a megabyte (a backup or copy then takes a while)."""
    store = JournalStore(db)
    try:
        at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
        store.append([Event(ev.VISIT_ISSUED, at + timedelta(milliseconds=i), visit=f"b{i:07d}", step=1,
                            service="reception", data={"number": f"А{i % 1000:03d}", "priority": None,
                                                       "channel": "kiosk", "lang": "ru"})
                      for i in range(megabytes * 5000)])
    finally:
        store.close()


def kill_when(proc: subprocess.Popen, appears: callable, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not appears():
        assert proc.poll() is None, "the command finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


# ---- restore -------------------------------------------------------------------------

def test_restore_over_a_damaged_database_keeps_it_aside_and_the_office_starts(office_dir):
    issue(office_dir, 5)
    backup = Path(qserver("backup", "--data", str(office_dir)).stdout.strip())
    issue(office_dir, 2)
    db = office_dir / DB_NAME
    damaged = bytearray(db.read_bytes())
    damaged[100:4096] = os.urandom(3996)  # the schema page: nothing can be read any more
    db.write_bytes(bytes(damaged))
    broken = qserver("export", "--data", str(office_dir))
    assert broken.returncode == 2 and "Traceback" not in broken.stderr

    for _ in range(2):  # and again over the restored one: each time a whole file is kept
        proc = qserver("restore", str(backup), "--data", str(office_dir))
        assert proc.returncode == 0, proc.stderr
        assert "Restored 5 journal events" in proc.stdout and "Traceback" not in proc.stderr
        assert len(journal(office_dir)) == 5
    asides = sorted(office_dir.glob("office.sqlite.before-restore-*"))
    assert len(asides) == 2
    assert bytes(damaged) in [p.read_bytes() for p in asides]  # kept exactly as it was
    no_empty_files(office_dir)
    assert not list(office_dir.glob("*.restore-*"))


@pytest.mark.parametrize("make,words", [
    ("garbage", "not an office database (not an SQLite file)"),
    ("zero_bytes", "not an office database (not an SQLite file)"),
    ("foreign_events_table", "not an office database (it has tables events"),
    ("empty_sqlite", "not an office database (it is empty)"),
    ("newer_version", "newer version of the software"),
    ("damaged", "the database is damaged"),
    ("does_not_replay", "does not replay at event"),
    ("missing", "no such file"),
])
def test_restore_refuses_what_is_not_a_sound_office_database_and_changes_nothing(office_dir, tmp_path, make, words):
    issue(office_dir, 3)
    candidate = tmp_path / f"{make}.sqlite"
    if make == "garbage":
        candidate.write_bytes(b"not a database at all" * 100)
    elif make == "zero_bytes":
        candidate.write_bytes(b"")
    elif make == "foreign_events_table":
        conn = sqlite3.connect(candidate)
        conn.execute("CREATE TABLE events (id INTEGER, what TEXT)")
        conn.execute("INSERT INTO events VALUES (1, 'someone else''s')")
        conn.commit()
        conn.close()
    elif make == "empty_sqlite":  # a valid SQLite file without a single table
        conn = sqlite3.connect(candidate)
        conn.execute("CREATE TABLE t (x)")
        conn.execute("DROP TABLE t")
        conn.commit()
        conn.close()
    elif make in ("newer_version", "damaged", "does_not_replay"):
        shutil.copyfile(Path(qserver("backup", "--data", str(office_dir)).stdout.strip()), candidate)
        if make == "newer_version":
            sqlite3.connect(candidate).execute(f"PRAGMA user_version = {CURRENT + 1}").connection.close()
        elif make == "damaged":  # its header says "ours"; its pages are scrambled
            raw = bytearray(candidate.read_bytes())
            for page in range(4096, len(raw), 4096):  # every page but the first (the schema)
                raw[page + 8: page + 4096] = os.urandom(4088)
            candidate.write_bytes(bytes(raw))
        else:
            conn = sqlite3.connect(candidate)
            conn.execute("UPDATE events SET data = '{}' WHERE seq = 2")  # a ticket without a number
            conn.commit()
            conn.close()
    before = listing(office_dir)
    kept_candidate = candidate.read_bytes() if candidate.exists() else None

    proc = qserver("restore", str(candidate), "--data", str(office_dir))
    assert proc.returncode == 2, proc.stdout
    assert words in proc.stderr and "nothing was changed" in proc.stderr and "Traceback" not in proc.stderr
    assert listing(office_dir) == before  # no leftovers, no aside copy, the database untouched
    assert (candidate.read_bytes() if candidate.exists() else None) == kept_candidate
    assert len(journal(office_dir)) == 3  # the office starts as it was


def test_restore_into_an_office_without_a_database_keeps_nothing_aside(office_dir, tmp_path):
    issue(office_dir, 2)
    backup = tmp_path / "b.sqlite"
    shutil.copyfile(Path(qserver("backup", "--data", str(office_dir)).stdout.strip()), backup)
    shutil.rmtree(office_dir / "backups")
    db_files.remove_with_side_files(office_dir / DB_NAME)
    proc = qserver("restore", str(backup), "--data", str(office_dir))
    assert proc.returncode == 0, proc.stderr
    assert "kept" not in proc.stdout
    assert not list(office_dir.glob("*before-restore*"))
    assert len(journal(office_dir)) == 2
    no_empty_files(office_dir)


def test_a_backup_of_the_first_layout_is_restored_and_upgraded(office_dir, tmp_path):
    old = tmp_path / "old-office.sqlite"
    shutil.copyfile(FIXTURE, old)
    proc = qserver("restore", str(old), "--data", str(office_dir))
    assert proc.returncode == 0, proc.stderr
    assert "Restored 17 journal events" in proc.stdout
    assert old.read_bytes() == FIXTURE.read_bytes()  # the file given is never changed
    conn = sqlite3.connect(office_dir / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone() == (CURRENT,)
    conn.close()
    assert len(journal(office_dir)) == 17


def test_restore_is_refused_while_the_office_is_open(office_dir):
    issue(office_dir, 1)
    backup = Path(qserver("backup", "--data", str(office_dir)).stdout.strip())
    app = create_app(office_dir)
    try:
        proc = qserver("restore", str(backup), "--data", str(office_dir))
        assert proc.returncode == 2 and "stop the server" in proc.stderr
        # and a server cannot open it while a restore holds it
        lock = db_files.StoreLock(office_dir / DB_NAME)
        assert not lock.try_exclusive()
        lock.release()
    finally:
        app.close()
    assert qserver("restore", str(backup), "--data", str(office_dir)).returncode == 0


def test_a_restore_killed_while_checking_leaves_the_office_as_it_was(office_dir, tmp_path):
    issue(office_dir, 4)
    big = tmp_path / "big.sqlite"
    shutil.copyfile(office_dir / DB_NAME, big)
    big_journal(big, 40)
    partial = office_dir / f"{DB_NAME}{db_files.PARTIAL}"
    proc = subprocess.Popen([QSERVER, "restore", str(big), "--data", str(office_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(proc, partial.exists)
    assert partial.exists()  # killed half-way: the unchecked copy is there
    assert len(journal(office_dir)) == 4  # the office starts as it was …
    assert not partial.exists() and not list(office_dir.glob("*.restore-*"))  # … and the copy is gone
    no_empty_files(office_dir)


def _killed_writer(db: Path, n: int) -> None:
    """A process that commits n tickets and dies without closing: they live in the WAL only."""
    code = (
        "import os, sys\n"
        "from datetime import UTC, datetime, timedelta\n"
        "from queue_server.domain.events import Event\n"
        "from queue_server.journal_store import JournalStore\n"
        f"s = JournalStore({str(db)!r})\n"
        f"for i in range({n}):\n"
        "    s.append([Event('visit.issued', datetime(2026, 11, 20, 9, tzinfo=UTC) + timedelta(seconds=i),"
        " visit=f'w{i}', step=1, service='reception', data={'number': f'Б{i:03d}'})])\n"
        "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert Path(f"{db}-wal").stat().st_size > 0


@pytest.mark.parametrize("killed_after", ["checked", "database_moved", "wal_moved"])
def test_a_restore_killed_after_its_checks_is_finished_at_the_next_start(office_dir, killed_after):
    issue(office_dir, 2)
    backup = Path(qserver("backup", "--data", str(office_dir)).stdout.strip())
    db = office_dir / DB_NAME
    _killed_writer(db, 3)  # the current database: 2 tickets in its file, 3 more in its WAL only
    # where a kill can stop a restore after its checks: each rename is one step
    ready = db_files.ready_name(db, "20261120-100000")
    shutil.copyfile(backup, ready)
    aside = db.with_name(f"{db.name}{db_files.ASIDE}20261120-100000")
    if killed_after in ("database_moved", "wal_moved"):
        os.replace(db, aside)
    if killed_after == "wal_moved":
        os.replace(f"{db}-wal", f"{aside}-wal")

    assert len(journal(office_dir)) == 2  # the next start finishes it: the backup's journal
    assert not ready.exists()
    conn = sqlite3.connect(aside)  # the old database kept aside, with what only its WAL held
    assert conn.execute("SELECT COUNT(*) FROM events").fetchone() == (5,)
    conn.close()
    no_empty_files(office_dir)


# ---- backups -------------------------------------------------------------------------

def test_a_backup_is_one_whole_file_that_restores(office_dir):
    issue(office_dir, 3)
    backup = Path(qserver("backup", "--data", str(office_dir)).stdout.strip())
    names = sorted(p.name for p in (office_dir / "backups").iterdir())
    assert names == [".lock", backup.name]  # no WAL or journal beside it
    assert backup.read_bytes()[18:20] == b"\x01\x01"  # rollback journal mode: a self-contained file
    assert qserver("restore", str(backup), "--data", str(office_dir)).returncode == 0
    assert len(journal(office_dir)) == 3


def test_a_killed_backup_is_cleaned_by_the_start_the_next_backup_and_pruning(office_dir):
    issue(office_dir, 2)
    big_journal(office_dir / DB_NAME, 40)
    folder = office_dir / "backups"

    def killed_backup() -> list[str]:
        proc = subprocess.Popen([QSERVER, "backup", "--data", str(office_dir)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_when(proc, lambda: folder.is_dir() and any(p.suffix == ".partial" for p in folder.iterdir()))
        left = sorted(p.name for p in folder.iterdir() if ".partial" in p.name)
        assert left, "the kill came too late to test anything"
        return left

    killed_backup()
    app = create_app(office_dir)  # the start cleans up …
    app.close()
    assert not [p for p in folder.iterdir() if ".partial" in p.name]

    left = killed_backup()
    time.sleep(1.1)  # `qserver backup` names its file by the second: this one is another file
    proc = qserver("backup", "--data", str(office_dir))  # … so does the next backup …
    assert not {Path(proc.stdout.strip()).stem + s for s in (".partial", ".partial-journal")} & set(left)
    assert proc.returncode == 0
    assert [p.name for p in folder.iterdir() if p.name != ".lock"] == [Path(proc.stdout.strip()).name]

    killed_backup()
    assert prune(office_dir, 14) == []  # … and pruning
    assert sorted(p.name for p in folder.iterdir() if p.name != ".lock") == [Path(proc.stdout.strip()).name]
    no_empty_files(office_dir)
    assert len(journal(office_dir)) == 2 + 40 * 5000  # the office was never hurt


def test_backups_in_one_folder_do_not_clean_up_after_each_other(office_dir):
    """A backup running now holds the folder: the start-up cleaning leaves its file alone."""
    issue(office_dir, 1)
    store = JournalStore(office_dir / DB_NAME)
    try:
        path = backup_now(store, office_dir, "2026-11-20")
        from queue_server.backup import backup_folder, clean_leftovers

        with backup_folder(office_dir) as folder:
            (folder / "office-2026-11-21.partial").write_bytes(b"being written")
            assert clean_leftovers(office_dir) == []  # held: not touched
        assert [p.name for p in clean_leftovers(office_dir)] == ["office-2026-11-21.partial"]
        assert path.exists()
    finally:
        store.close()
