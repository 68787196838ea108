"""The journal's WAL stays bounded while tickets keep coming, and its checkpoint
waits for a pause so that no ticket waits for it.

An office that issues tickets without a pause must not see its WAL file grow
all day: the disk fills, and every commit that extends the file pays for a
slower fdatasync. The background checkpoint has to catch up even when a
commit arrives while it copies. Where the office does pause (most of a real
day), the checkpoint runs there: its sync would otherwise hold a ticket for
5–10 ms.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from queue_server import journal_store
from queue_server.domain import events as ev
from queue_server.domain.events import Event
from queue_server.journal_store import JournalStore


def _ticket(i: int) -> Event:
    at = datetime(2026, 11, 26, 6, 0, tzinfo=UTC) + timedelta(milliseconds=i)
    return Event(ev.VISIT_ISSUED, at, visit=f"v{i:06d}", step=1, service="admin",
                 data={"number": f"A{i % 1000:03d}", "priority": None, "channel": "kiosk", "lang": "ru"})


def _wal_salt(wal) -> bytes:
    """The WAL header's salts (SQLite's file format: bytes 16–23), new each time the WAL starts over."""
    with open(wal, "rb") as f:
        return f.read(24)[16:24]


@contextmanager
def _one_ticket_in(tmp_path, monkeypatch, quiet_s: float):
    """A store with CHECKPOINT_QUIET_S = quiet_s and one ticket committed: (store, its WAL,
    the WAL's salt then, which changes once a checkpoint lets the WAL start over)."""
    monkeypatch.setattr(journal_store, "CHECKPOINT_QUIET_S", quiet_s)
    store = JournalStore(tmp_path / "office.sqlite")
    wal = tmp_path / "office.sqlite-wal"
    try:
        store.append([_ticket(0)])
        yield store, wal, _wal_salt(wal)
    finally:
        store.close()


@pytest.fixture
def small_intervals(monkeypatch):
    """Shorter intervals than the office's, so a test needs hundreds of commits, not thousands."""
    monkeypatch.setattr(journal_store, "CHECKPOINT_EVERY", 50)
    monkeypatch.setattr(journal_store, "CHECKPOINT_LATEST", 200)


def test_wal_stops_growing_under_steady_commits(tmp_path, small_intervals):
    latest = journal_store.CHECKPOINT_LATEST
    store = JournalStore(tmp_path / "office.sqlite")
    wal = tmp_path / "office.sqlite-wal"
    try:
        for i in range(latest - 1):  # the most a checkpoint waits for, none run yet
            store.append([_ticket(i)])
        one_interval = os.path.getsize(wal)
        sizes = []
        for i in range(latest - 1, 12 * latest):
            store.append([_ticket(i)])
            if i % latest == 0:
                sizes.append(os.path.getsize(wal))
        assert store.last_seq() == 12 * latest
    finally:
        store.close()
    # Twelve intervals of commits without a pause: the WAL holds about two
    # intervals at most (the one being copied and the one being written).
    assert max(sizes) <= 3 * one_interval, (
        f"WAL grew to {max(sizes) / one_interval:.1f} checkpoint intervals: "
        + ", ".join(f"{s / one_interval:.1f}" for s in sizes))


def test_checkpoint_waits_for_a_pause_then_runs_in_it(tmp_path, small_intervals, monkeypatch):
    with _one_ticket_in(tmp_path, monkeypatch, quiet_s=2.0) as (store, wal, first):
        for i in range(1, journal_store.CHECKPOINT_EVERY + 20):  # a checkpoint is due; tickets keep coming
            store.append([_ticket(i)])
        time.sleep(0.3)
        store.append([_ticket(10_000)])
        assert _wal_salt(wal) == first, "the checkpoint ran while tickets kept coming"

        time.sleep(2.5)  # the office pauses: the checkpoint runs, and the next commit starts the WAL over
        deadline = time.monotonic() + 10
        i = 10_001
        while True:
            store.append([_ticket(i)])
            i += 1
            if _wal_salt(wal) != first or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert _wal_salt(wal) != first, "the checkpoint did not run in the pause"


def test_a_checkpoint_overdue_runs_without_a_pause(tmp_path, small_intervals, monkeypatch):
    with _one_ticket_in(tmp_path, monkeypatch, quiet_s=30.0) as (store, wal, first):
        i = 1
        deadline = time.monotonic() + 20
        while _wal_salt(wal) == first and time.monotonic() < deadline:
            store.append([_ticket(i)])
            i += 1
        assert _wal_salt(wal) != first, "the WAL was never checkpointed under steady load"
        assert i > journal_store.CHECKPOINT_LATEST, "the checkpoint ran before it was overdue"
