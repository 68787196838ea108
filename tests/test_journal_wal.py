"""The journal's WAL stays bounded while tickets keep coming.

An office that issues tickets without a pause must not see its WAL file grow
all day: the disk fills, and every commit that extends the file pays for a
slower fdatasync. The background checkpoint has to catch up even when a
commit arrives while it copies.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from queue_server.domain import events as ev
from queue_server.domain.events import Event
from queue_server.journal_store import CHECKPOINT_EVERY, JournalStore


def _ticket(i: int) -> Event:
    at = datetime(2026, 11, 26, 6, 0, tzinfo=UTC) + timedelta(milliseconds=i)
    return Event(ev.VISIT_ISSUED, at, visit=f"v{i:06d}", step=1, service="admin",
                 data={"number": f"A{i % 1000:03d}", "priority": None, "channel": "kiosk", "lang": "ru"})


def test_wal_stops_growing_under_steady_commits(tmp_path):
    store = JournalStore(tmp_path / "office.sqlite")
    wal = tmp_path / "office.sqlite-wal"
    try:
        for i in range(CHECKPOINT_EVERY - 1):  # one checkpoint interval's worth, none run yet
            store.append([_ticket(i)])
        one_interval = os.path.getsize(wal)
        sizes = []
        for i in range(CHECKPOINT_EVERY - 1, 12 * CHECKPOINT_EVERY):
            store.append([_ticket(i)])
            if i % CHECKPOINT_EVERY == 0:
                sizes.append(os.path.getsize(wal))
        assert store.last_seq() == 12 * CHECKPOINT_EVERY
    finally:
        store.close()
    # Twelve intervals of commits without a pause: the WAL holds about two
    # intervals at most (the one being copied and the one being written).
    assert max(sizes) <= 3 * one_interval, (
        f"WAL grew to {max(sizes) / one_interval:.1f} checkpoint intervals: "
        + ", ".join(f"{s / one_interval:.1f}" for s in sizes))
