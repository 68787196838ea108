"""The pinned `qserver` commands, nightly backups and restore, on real files."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from live_office import TEST_SECURITY
from tests_support import KIOSK

from queue_server.app import DB_NAME, create_app
from queue_server.backup import prune
from queue_server.clock import FakeClock
from queue_server.domain.commands import IssueTicket

QSERVER = str(Path(sys.executable).with_name("qserver"))


def qserver(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([QSERVER, *args], capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_init_user_device_export_import_restore(tmp_path):
    data = tmp_path / "office"
    out = qserver("init", "--data", str(data)).stdout
    assert (data / "office.toml").exists() and "qserver run" in out
    with (data / "office.toml").open("a", encoding="utf-8") as fh:
        fh.write(TEST_SECURITY.replace("[security]", "[security]  # cheap argon2 for tests"))
    assert qserver("init", "--data", str(data), check=False).returncode == 1  # never overwrites silently
    qserver("user", "add", "ivanova", "--data", str(data), "--role", "operator", "--password", "s3cret-pw-2468")
    bad = qserver("user", "add", "x", "--data", str(data), "--role", "operator", "--password", "123", check=False)
    assert bad.returncode == 2 and "10 characters" in bad.stderr
    token = qserver("device", "add", "kiosk-hall", "--data", str(data), "--kind", "kiosk").stdout.strip().splitlines()[-1]
    assert len(token) >= 40 and " " not in token

    journal = tmp_path / "journal.jsonl"
    lines = [{"seq": 1, "at": "2026-11-20T07:00:00.000Z", "type": "visit.issued", "visit": "v1", "step": 1,
              "service": "reception", "counter": None, "operator": None,
              "data": {"number": "А001", "priority": None, "channel": "kiosk"}}]
    journal.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    assert "Imported 1 events" in qserver("import", str(journal), "--data", str(data)).stdout
    assert "Imported 0 events, skipped 1" in qserver("import", str(journal), "--data", str(data)).stdout
    exported = qserver("export", "--data", str(data)).stdout
    assert json.loads(exported.splitlines()[0]) == lines[0]

    backup = Path(qserver("backup", "--data", str(data)).stdout.strip())
    assert backup.exists()
    lines[0] = dict(lines[0], visit="v2", data={"number": "А002"})
    journal.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    qserver("import", str(journal), "--data", str(data))
    assert len(qserver("export", "--data", str(data)).stdout.splitlines()) == 2
    restored = qserver("restore", str(backup), "--data", str(data)).stdout
    assert "Restored 1 journal events" in restored and "before-restore" in restored
    assert len(qserver("export", "--data", str(data)).stdout.splitlines()) == 1
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    refused = qserver("restore", str(garbage), "--data", str(data), check=False)
    assert refused.returncode == 2 and "not an office database" in refused.stderr
    assert len(qserver("export", "--data", str(data)).stdout.splitlines()) == 1  # nothing lost


def test_a_bad_import_names_the_line_and_imports_nothing(tmp_path):
    data = tmp_path / "office"
    qserver("init", "--data", str(data))
    journal = tmp_path / "j.jsonl"
    journal.write_text('{"at": "2026-11-20T07:00:00Z", "type": "visit.issued", "visit": "v", "service": "reception", "data": {"number": "А1"}}\n'
                       '{"at": "2026-11-20T07:00:00Z", "type": "visit.teleported", "visit": "v"}\n', encoding="utf-8")
    proc = qserver("import", str(journal), "--data", str(data), check=False)
    assert proc.returncode == 2 and "line 2" in proc.stderr and "visit.teleported" in proc.stderr
    assert qserver("export", "--data", str(data)).stdout == ""


def test_bad_config_stops_the_start_with_a_clear_message(tmp_path):
    data = tmp_path / "office"
    qserver("init", "--data", str(data))
    (data / "office.toml").write_text((data / "office.toml").read_text(encoding="utf-8").replace(
        'timezone = "Europe/Moscow"', 'timezone = "Europe/Atlantis"'), encoding="utf-8")
    proc = qserver("run", "--data", str(data), check=False)
    assert proc.returncode == 2 and "office.timezone" in proc.stderr and "Atlantis" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_nightly_backup_runs_at_its_time_and_keeps_the_configured_days(office_dir):
    # 02:59 Moscow: the 03:00 backup has not run yet today.
    clock = FakeClock(datetime(2026, 11, 19, 23, 59, tzinfo=UTC))
    app = create_app(office_dir, clock=clock)
    try:
        scheduler = app.extras["scheduler"]
        folder = office_dir / "backups"
        scheduler.tick()
        assert not folder.exists()
        for day in range(16):
            clock.set(datetime(2026, 11, 20, 0, 1, tzinfo=UTC) + timedelta(days=day))
            app.service.handle(IssueTicket("reception"), KIOSK)
            scheduler.tick()
            scheduler.tick()  # once a day, however often it ticks
        backups = sorted(p.name for p in folder.glob("*.sqlite"))
        assert len(backups) == 14  # backup.keep_days
        assert backups[-1] == "office-2026-12-05.sqlite" and backups[0] == "office-2026-11-22.sqlite"
        import sqlite3

        conn = sqlite3.connect(folder / backups[-1])
        assert conn.execute("SELECT COUNT(*) FROM events WHERE type='visit.issued'").fetchone()[0] == 16
        conn.close()
    finally:
        app.close()
    assert (office_dir / DB_NAME).exists()


def test_prune_keeps_newest(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for d in ("2026-11-01", "2026-11-02", "2026-11-03"):
        (folder / f"office-{d}.sqlite").write_bytes(b"")
    removed = prune(tmp_path, 2)
    assert [p.name for p in removed] == ["office-2026-11-01.sqlite"]


def test_tokens_never_start_with_a_dash_so_command_lines_take_them(tmp_path, monkeypatch):
    """`qdisplay led --token -x…` would read the token as an option; one in 64 random
    tokens starts with '-', so the server never hands such a token out."""
    import queue_server.auth as auth
    from queue_server.journal_store import JournalStore

    made = iter(["-starts-with-a-dash", "fine-token"])
    monkeypatch.setattr(auth.secrets, "token_urlsafe", lambda n: next(made))
    store = JournalStore(tmp_path / "office.sqlite")
    try:
        accounts = auth.Accounts(store, hasher=auth.password_hasher(1, 1024))
        token = accounts.add_device("board-1", "display", datetime.now(UTC))
        assert token == "fine-token"
        assert accounts.authenticate(token, datetime.now(UTC)).subject == "board-1"
    finally:
        store.close()


def test_at_most_two_password_checks_run_at_once(tmp_path):
    """argon2 holds 64 MiB per check: ten operators logging in together at a shift
    change must not take 640 MiB. A hasher that records how many checks overlap."""
    import threading
    import time as _time

    import queue_server.auth as auth
    from queue_server.journal_store import JournalStore

    real = auth.password_hasher(1, 1024)
    running, peak, lock = 0, 0, threading.Lock()

    class CountingHasher:
        def hash(self, password):
            return real.hash(password)

        def verify(self, hashed, password):
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            try:
                _time.sleep(0.05)  # as long as a real check takes, roughly
                return real.verify(hashed, password)
            finally:
                with lock:
                    running -= 1

    store = JournalStore(tmp_path / "office.sqlite")
    try:
        accounts = auth.Accounts(store, hasher=CountingHasher())
        for i in range(10):
            accounts.add_user(f"op{i}", "operator", password="secret-pw-2468")
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(
            accounts.login(f"op{i}", "secret-pw-2468", datetime.now(UTC))[1].subject)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(results) == sorted(f"op{i}" for i in range(10))  # everyone got in
        assert peak == auth.CONCURRENT_PASSWORD_CHECKS
    finally:
        store.close()
