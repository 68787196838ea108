"""Helpers for the stored-facts tests: an office database holding given events, and the
field-by-field comparison of a report from facts with the report from the journal."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from queue_server.domain.event_schema import check_event
from queue_server.domain.events import Event
from queue_server.journal_store import JournalStore
from queue_server.reports.facts import resolution_s

PERCENTILES = ("median_s", "p90_s")


def store_with(path: Path, events) -> JournalStore:
    """A real office database whose journal holds the events (those the journal takes:
    the report kits also write noise such as device faults the schema refuses)."""
    store = JournalStore(path)
    batch = []
    for e in events:
        if isinstance(e, dict):
            e = Event.from_line(e)
        e = Event(e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data)
        if check_event(e) is None:
            batch.append(e)
        if len(batch) == 5000:
            store.append(batch)
            batch = []
    if batch:
        store.append(batch)
    return store


def all_lines(store: JournalStore) -> list[dict]:
    return list(store.lines_between(datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(days=3650)))


def differences(from_facts, from_journal, path: str = "") -> list[str]:
    """Where two reports differ, except medians and 90th percentiles within the stored
    histograms' resolution (reports/facts.py); empty when they agree."""
    out = []
    if isinstance(from_journal, dict) and isinstance(from_facts, dict):
        if set(from_facts) != set(from_journal):
            return [f"{path}: keys {sorted(set(from_facts) ^ set(from_journal))}"]
        for key in from_journal:
            a, b = from_facts[key], from_journal[key]
            if key in PERCENTILES and a is not None and b is not None:
                if abs(a - b) > resolution_s(b) + 0.05:
                    out.append(f"{path}.{key}: {a} from facts, {b} from the journal")
            else:
                out += differences(a, b, f"{path}.{key}")
    elif isinstance(from_journal, list) and isinstance(from_facts, list):
        if len(from_facts) != len(from_journal):
            return [f"{path}: {len(from_facts)} rows from facts, {len(from_journal)} from the journal"]
        for i, (a, b) in enumerate(zip(from_facts, from_journal, strict=True)):
            out += differences(a, b, f"{path}[{i}]")
    elif from_facts != from_journal:
        out.append(f"{path}: {from_facts!r} from facts, {from_journal!r} from the journal")
    return out


def percentile_gaps(from_facts, from_journal) -> list[float]:
    """How far each percentile from facts is from the journal's, in seconds."""
    gaps = []
    if isinstance(from_journal, dict):
        for key, b in from_journal.items():
            if key in PERCENTILES and b is not None:
                gaps.append(abs(from_facts[key] - b))
            elif isinstance(b, dict | list):
                gaps += percentile_gaps(from_facts[key], b)
    elif isinstance(from_journal, list):
        for a, b in zip(from_facts, from_journal, strict=True):
            gaps += percentile_gaps(a, b)
    return gaps
