"""One event schema, and a journal that never bricks the office (issue #15, items 1 and 2).

Every line an import takes is checked against the schema and against what the
office could apply after its journal, and refused with its line number before
anything is applied (CLI and API alike). A journal that holds such a line
anyway (imported by an older version) stops `qserver run` with the seq and the
way out, `qserver doctor`, whose `--set-aside` repairs it without losing it.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from tests_support import drive_a_morning

from queue_server.app import CONFIG_NAME, DB_NAME
from queue_server.clock import FakeClock
from queue_server.config import load_config
from queue_server.domain import events as ev
from queue_server.domain.event_schema import SCHEMA, check_event
from queue_server.journal_io import Fingerprint, ImportRefused, iter_jsonl
from queue_server.journal_store import JournalStore
from queue_server.service import OfficeService, ReplayRefused

QSERVER = str(Path(sys.executable).with_name("qserver"))
AT = "2026-11-20T07:00:00.000Z"


def line(type_: str, visit: str | None = "v1", step: int | None = 1, service: str | None = "reception",
         counter: str | None = None, data=None, at: str = AT) -> dict:
    return {"at": at, "type": type_, "visit": visit, "step": step, "service": service, "counter": counter,
            "operator": "op1" if counter else None, "data": {} if data is None else data}


ISSUED = line(ev.VISIT_ISSUED, data={"number": "А900", "priority": None, "channel": "kiosk", "lang": "ru"})
CALL_REASON = {"code": "only", "template": "The only visitor waiting: {wait_min} min, norm {norm_min} min",
               "params": {"wait_min": 1.0, "norm_min": 10.0, "priority": ""}}
CALLED = line(ev.STEP_CALLED, counter="1", data={"reason": CALL_REASON})
FINISHED = line(ev.STEP_FINISHED, counter="1", data={"outcome": "served", "kind": None, "topic": None})

# (what is wrong, the lines, the words of the refusal); the bad line is always the last
REFUSED = [
    ("counter.paused whose data is a list", [line(ev.COUNTER_PAUSED, None, None, None, "1", ["break"])],
     "data must be an object"),
    ("visit.issued whose data is a list", [line(ev.VISIT_ISSUED, data=[1])], "data must be an object"),
    ("visit.issued without a number", [line(ev.VISIT_ISSUED, data={"priority": None})], "number is required"),
    ("an unknown priority", [line(ev.VISIT_ISSUED, data={"number": "А1", "priority": "vip"})], "priority"),
    ("a key the type does not declare", [line(ev.VISIT_ISSUED, data={"number": "А1", "name": "Иванов"})],
     "name is not a field"),
    ("a step that is not a whole number", [ISSUED, dict(CALLED, step="1")], "step must be a whole number"),
    ("a call whose reason has no template", [ISSUED, line(ev.STEP_CALLED, counter="1",
                                                          data={"reason": {"code": "only"}})], "template"),
    ("a call reason whose sentence reaches into the server",
     [ISSUED, line(ev.STEP_CALLED, counter="1", data={"reason": CALL_REASON | {
         "template": "{wait_min.__class__.__mro__}"}})], "template may use only"),
    ("a call for a visit never issued", [CALLED], "no visit v1"),
    ("a ticket issued twice", [ISSUED, dict(ISSUED, data={"number": "А901"})], "issued twice"),
    ("a finish of a visit already over", [ISSUED, CALLED, FINISHED, dict(FINISHED, data={"outcome": "unresolved"})],
     "already over"),
    ("a finish of a step never called", [ISSUED, FINISHED], "needs a step that is called or serving"),
    ("an event of another step than the current one", [ISSUED, dict(CALLED, step=2)], "not the current step"),
    ("a transfer to a service the office lacks",
     [ISSUED, CALLED, line(ev.STEP_TRANSFERRED, counter="1", data={"to_service": "astrology"})], "astrology"),
    ("an unknown type", [line("visit.teleported")], "unknown type"),
]


def jsonl(lines: list[dict]) -> bytes:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


def qserver(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([QSERVER, *args], capture_output=True, text=True, timeout=60)


def events_in(data: Path) -> list[tuple]:
    conn = sqlite3.connect(data / DB_NAME)
    try:
        return conn.execute("SELECT seq, type, data FROM events ORDER BY seq").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("why, lines, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_the_api_import_refuses_a_line_the_office_could_not_apply(live_office, why, lines, words):
    before = live_office.get("/api/v1/journal", "head").text
    r = requests.post(f"{live_office.url}/api/v1/journal", data=jsonl([ISSUED | {"visit": "ok"}, *lines]),
                      headers=live_office.headers("admin"), timeout=10)
    assert r.status_code == 422, (why, r.text)
    error = r.json()["error"]
    assert error["details"]["line"] == len(lines) + 1 and words in error["message"], error
    assert live_office.get("/api/v1/journal", "head").text == before  # nothing applied, not even line 1
    assert live_office.get("/api/v1/state", "head").status_code == 200


@pytest.mark.parametrize("why, lines, words", REFUSED[:4], ids=[r[0] for r in REFUSED[:4]])
def test_qserver_import_refuses_it_too_and_imports_nothing(office_dir, tmp_path, why, lines, words):
    file = tmp_path / "j.jsonl"
    file.write_bytes(jsonl([ISSUED | {"visit": "ok"}, *lines]))
    before = events_in(office_dir)
    proc = qserver("import", str(file), "--data", str(office_dir))
    assert proc.returncode == 2 and f"line {len(lines) + 1}:" in proc.stderr and words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and events_in(office_dir) == before


def test_an_import_follows_visits_already_in_the_journal(office_dir):
    """A later export (more events of the same visits) imports; its old lines are skipped."""
    store = JournalStore(office_dir / DB_NAME)
    catalog = load_config(office_dir / CONFIG_NAME).catalog
    try:
        first = list(iter_jsonl(jsonl([ISSUED, CALLED]).splitlines()))
        assert store.import_events(first, catalog) == 2
        later = list(iter_jsonl(jsonl([ISSUED, CALLED, FINISHED]).splitlines()))
        assert store.import_events(later, catalog, dry_run=True) == 1
        assert store.import_events(later, catalog) == 1
        assert store.import_events(later, catalog) == 0
        with pytest.raises(ImportRefused, match="line 1: .*already over"):
            store.import_events([ev.Event.from_line(CALLED | {"at": "2026-11-20T07:09:00.000Z"})], catalog)
    finally:
        store.close()


def test_a_file_that_changes_between_the_check_and_the_import_is_refused():
    checked = Fingerprint()
    list(checked.lines([b"a\n", b"b\n"]))
    list(Fingerprint(checked.digest).lines([b"a\n", b"b\n"]))
    with pytest.raises(ImportRefused, match="changed since it was checked"):
        list(Fingerprint(checked.digest).lines([b"a\n", b"c\n"]))


def test_a_line_that_is_not_utf8_is_refused_with_its_number():
    with pytest.raises(ImportRefused, match="line 2: not UTF-8"):
        list(iter_jsonl([jsonl([ISSUED]), b'{"at": "\xff"}\n']))


def test_every_event_the_office_writes_fits_the_schema(live_office):
    drive_a_morning(live_office)
    live_office.post("/api/v1/devices/status", "kiosk", {"status": "fault", "component": "printer"})
    lines = [json.loads(x) for x in live_office.get("/api/v1/journal", "head").text.splitlines()]
    assert len({x["type"] for x in lines}) >= 9
    for x in lines:
        assert check_event(ev.Event.from_line(x)) is None, x


def test_the_journal_refuses_to_append_what_does_not_fit(tmp_path):
    """A bug that made a bad event is one request's error, never an office that cannot start."""
    from queue_server.journal_store import JournalRefused

    store = JournalStore(tmp_path / DB_NAME)
    try:
        with pytest.raises(JournalRefused, match="data must be an object"):
            store.append([ev.Event(ev.COUNTER_PAUSED, datetime.now(UTC), counter="1", data=["break"])])
        assert store.last_seq() == 0
    finally:
        store.close()


def test_every_type_declares_its_data_and_free_text_comes_from_it():
    from queue_server.domain.event_schema import FREE_TEXT

    assert set(SCHEMA) >= {ev.VISIT_ISSUED, ev.STEP_TRANSFERRED, ev.COUNTER_PAUSED, ev.DEVICE_FAULT}
    assert (ev.STEP_TRANSFERRED, "note") in FREE_TEXT and (ev.VISIT_CANCELLED, "reason") in FREE_TEXT


# ---- a journal imported by an older version: start-up and doctor ------------------------------
def plant(data: Path, rows: list[tuple]) -> None:
    """Rows written straight into the journal, as an older version's import did."""
    conn = sqlite3.connect(data / DB_NAME)
    now = ev.format_at(datetime.now(UTC))
    for i, (type_, visit, counter, body) in enumerate(rows):
        conn.execute("INSERT INTO events (uid, at, type, visit, step, service, counter, operator, data) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (f"planted{i}", now, type_, visit, 1 if visit else None, "reception" if visit else None,
                      counter, "op1" if counter else None, body))
    conn.commit()
    conn.close()


BAD_DAY = [(ev.VISIT_ISSUED, "v1", None, '{"number": "А001"}'),
           (ev.COUNTER_PAUSED, None, "1", '["break"]'),  # the issue's line: `qserver run` then failed
           (ev.STEP_CALLED, "v1", "1", '{"reason": {"code": "only"}}'),
           (ev.STEP_STARTED, "v1", "1", "{}")]


def test_a_journal_the_office_cannot_apply_stops_the_start_with_the_seq_and_the_way_out(office_dir):
    plant(office_dir, BAD_DAY)
    proc = subprocess.run([QSERVER, "run", "--data", str(office_dir), "--port", "1"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    assert "event seq 2 cannot be applied: counter.paused: data must be an object" in proc.stderr
    assert f"qserver doctor --data {office_dir}" in proc.stderr


def test_unreadable_rows_stop_the_replay_with_their_seq(office_dir):
    plant(office_dir, [(ev.COUNTER_OPENED, None, "1", "{not json")])
    store = JournalStore(office_dir / DB_NAME)
    try:
        with pytest.raises(ReplayRefused, match="event seq 1 cannot be applied: unreadable row"):
            OfficeService(load_config(office_dir / CONFIG_NAME), store, FakeClock(datetime.now(UTC)))
    finally:
        store.close()


def test_doctor_reads_only_names_every_problem_and_its_repair_starts_the_office(office_dir):
    plant(office_dir, BAD_DAY)
    db = office_dir / DB_NAME
    before = db.read_bytes()
    proc = qserver("doctor", "--data", str(office_dir))
    assert proc.returncode == 1 and db.read_bytes() == before  # read-only
    out = proc.stdout
    assert "Database: ok" in out and "2 events stop the office from starting" in out
    assert "seq 2 counter.paused" in out and "seq 3 step.called" in out and "1 later events of its visit" in out
    assert f"qserver doctor --data {office_dir} --set-aside 2 3" in out
    assert qserver("doctor", "--data", str(office_dir), "--set-aside", "1").returncode == 2  # nothing wrong there

    fixed = qserver("doctor", "--data", str(office_dir), "--set-aside", "2", "3")
    assert fixed.returncode == 0 and "Start-up replay: ok, the office starts" in fixed.stdout, fixed.stdout
    rows = events_in(office_dir)
    assert [r[1] for r in rows] == [ev.VISIT_ISSUED] + [ev.JOURNAL_SET_ASIDE] * 3  # seqs kept, nothing lost
    kept = json.loads(json.loads(rows[1][2])["line"])
    assert kept["type"] == ev.COUNTER_PAUSED and kept["data"] == '["break"]'
    store = JournalStore(db)
    try:
        service = OfficeService(load_config(office_dir / CONFIG_NAME), store, FakeClock(datetime.now(UTC)))
        assert service.office.visits["v1"].current_step.state == "queued"  # as before the set-aside events
    finally:
        store.close()


def test_doctor_names_a_damaged_database(office_dir):
    (office_dir / DB_NAME).write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    proc = qserver("doctor", "--data", str(office_dir))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "Database:" in proc.stdout and "qserver restore" in proc.stdout
