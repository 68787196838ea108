"""`qserver doctor`: what is wrong with an office's database and journal, read-only.

It answers the question the office's IT person has when `qserver run` refuses
to start ("event seq N cannot be applied"): which lines, why, and what to do.
It opens the database read-only, checks SQLite's integrity and our tables,
replays the journal exactly as the start-up does (the same `replay`, going on
past each problem as a set-aside would), and checks every line of the whole
journal as an import would check it. The repair it prints (docs/journal.md,
"When the office does not start") loses nothing: `--set-aside` keeps each
line it takes out of the replay inside the journal.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .adapters import migrations
from .config import ConfigError, OfficeConfig, load_config
from .domain import events as ev
from .domain.journal_check import JournalCheck
from .domain.office import Office
from .journal_store import UnreadableRow, connect, read_events
from .service.office_service import replay, replay_start

SHOWN = 20  # problems listed per section; the rest are counted


@dataclass
class Problem:
    seq: int | None
    what: str  # the line's type and time, or the table
    why: str
    followers: list[int] = field(default_factory=list)  # later events of the same visit

    def line(self) -> str:
        tail = f" (and the {len(self.followers)} later events of its visit)" if self.followers else ""
        where = f"seq {self.seq} {self.what}" if self.seq is not None else self.what
        return f"{where}: {self.why}{tail}"


@dataclass
class Findings:
    database: list[str] = field(default_factory=list)
    blocking: list[Problem] = field(default_factory=list)  # the start-up replay refuses these
    journal: list[Problem] = field(default_factory=list)  # an import would refuse these
    facts: list[str] = field(default_factory=list)

    @property
    def starts(self) -> bool:
        return not self.database and not self.blocking


def examine(data_dir: Path, now: datetime, db_name: str, config_name: str) -> Findings:
    """Everything doctor reports, without writing anything."""
    found = Findings()
    try:
        config: OfficeConfig | None = load_config(data_dir / config_name)
    except ConfigError as exc:
        found.database.append(f"{config_name}: {exc}")
        config = None
    path = data_dir / db_name
    if not path.exists():
        found.database.append(f"{path} does not exist (a new office: `qserver init --data {data_dir}`)")
        return found
    try:
        conn = connect(path, readonly=True)
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        found.database.append(f"{path} is not a readable SQLite database: {exc}")
        return found
    if integrity != ["ok"]:
        found.database += [f"integrity: {r}" for r in integrity[:SHOWN]]
    try:
        version = migrations.found_version(conn, str(path))
        migrations.check_version(version, str(path))
        if version == migrations.CURRENT:
            migrations.check_layout(conn, str(path))
    except migrations.SchemaError as exc:
        found.database.append(str(exc))
        return found
    count, first, last = conn.execute("SELECT COUNT(*), MIN(seq), MAX(seq) FROM events").fetchone()
    upgrade = "" if version == migrations.CURRENT else f" (the server upgrades it to {migrations.CURRENT} at start)"
    found.facts.append(f"database layout {version}{upgrade}; {count} events"
                      + (f" (seq {first}–{last})" if count else ""))
    if config is not None:
        _replay(conn, config, now, found)
        _whole_journal(conn, config, found)
    conn.close()
    return found


def _what(e) -> str:
    return f"{e.type} at {ev.format_at(e.at)}" if e is not None else "(unreadable row)"


def _replay(conn: sqlite3.Connection, config: OfficeConfig, now: datetime, found: Findings) -> None:
    """The start-up's own replay, noting each refusal instead of stopping at the first."""
    start = replay_start(now, config.catalog.timezone)
    by_visit: dict[str, Problem] = {}

    def refuse(seq, problem, e) -> None:
        p = Problem(seq, _what(e), problem)
        found.blocking.append(p)
        if e is not None and isinstance(e.visit, str):
            by_visit[e.visit] = p

    replay(Office(config.catalog, config.hours), _noting_followers(
        read_events(conn, "WHERE at >= ?", (ev.format_at(start),)), by_visit), refuse)
    found.facts.append(f"start-up replay: events since {start:%Y-%m-%d %H:%M} local time")


def _noting_followers(items, by_visit: dict[str, Problem]):
    for e in items:
        if not isinstance(e, UnreadableRow) and isinstance(e.visit, str) and e.visit in by_visit:
            by_visit[e.visit].followers.append(e.seq)
        yield e


def _whole_journal(conn: sqlite3.Connection, config: OfficeConfig, found: Findings) -> None:
    """Every line against the schema and its visit's story, as an import checks it."""
    check = JournalCheck(config.catalog)
    by_visit: dict[str, Problem] = {}
    for e in read_events(conn):
        if isinstance(e, UnreadableRow):
            found.journal.append(Problem(e.seq, "(unreadable row)", e.reason))
            continue
        if e.type == ev.JOURNAL_SET_ASIDE:
            continue
        if isinstance(e.visit, str) and e.visit in by_visit:
            by_visit[e.visit].followers.append(e.seq)  # type: ignore[arg-type]
            continue
        problem = check.check(e)
        if problem:
            p = Problem(e.seq, _what(e), problem)
            found.journal.append(p)
            if isinstance(e.visit, str):
                by_visit[e.visit] = p


def report(found: Findings, data_dir: Path) -> str:
    """What doctor prints: findings, then the repair."""
    out = [f"qserver doctor: {data_dir}"]
    out += [f"  {f}" for f in found.facts]
    out.append("Database: " + ("ok" if not found.database else f"{len(found.database)} problems"))
    out += [f"  {d}" for d in found.database]
    out.append("Start-up replay: " + ("ok, the office starts" if not found.blocking else
                                      f"{len(found.blocking)} events stop the office from starting"))
    out += [f"  {p.line()}" for p in found.blocking[:SHOWN]]
    if len(found.blocking) > SHOWN:
        out.append(f"  … and {len(found.blocking) - SHOWN} more")
    out.append("Whole journal: " + ("every line as an import would take it" if not found.journal else
                                    f"{len(found.journal)} lines an import would refuse"))
    out += [f"  {p.line()}" for p in found.journal[:SHOWN]]
    if len(found.journal) > SHOWN:
        out.append(f"  … and {len(found.journal) - SHOWN} more")
    if found.journal and not found.blocking:
        out.append("  (the office starts: these lie outside the start-up replay; reports pass over what they "
                   "cannot read)")
    if found.blocking:
        seqs = " ".join(str(p.seq) for p in found.blocking if p.seq is not None)
        out += ["", "Repair (docs/journal.md, \"When the office does not start\"):",
                "  1. With the server stopped, keep a copy:      "
                f"qserver backup --data {data_dir}",
                "  2. Set the events aside (each is kept inside the journal, with the rest of its visit):",
                f"     qserver doctor --data {data_dir} --set-aside {seqs}",
                f"  3. Check again, then start:                   qserver doctor --data {data_dir}"]
    elif found.database:
        out += ["", "Repair: restore the latest good backup (`qserver restore --data "
                f"{data_dir} FILE`, docs/journal.md)."]
    return "\n".join(out) + "\n"
