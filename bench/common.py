"""Shared helpers for the benchmarks: percentiles, budgets, summary lines, RSS, machine.

Every benchmark prints one summary line per figure on stdout::

    ticket_issue_http_1c_p99_ms 4.1 (budget ≤ 15)
    called_push_200c_p99_ms 31.0 (budget ≤ 25) OVER BUDGET
    server_startup_s 1.92  # median of 3 starts, 512,345 visits in the journal

and exits non-zero when a checked figure is worse than its budget in
bench/budgets.toml. Progress and diagnostics go to stderr, so stdout is only
figures (and `#` comment lines). `run_all` parses these lines back
(`parse_figure`) to write docs/performance.md.

Percentiles are nearest-rank, the method the office reports use
(queue_server/reports/stats.py): the p-th percentile of n values is the value
at rank ceil(p·n/100) of the sorted values — always a latency that really
happened, never an interpolation.
"""
from __future__ import annotations

import math
import os
import platform
import re
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
BUDGETS_PATH = BENCH_DIR / "budgets.toml"


# ---- statistics ------------------------------------------------------------
def percentile(values: Iterable[float], p: float) -> float:
    """Nearest-rank p-th percentile (0 < p <= 100) of values, in any order."""
    xs = sorted(values)
    if not xs:
        raise ValueError("percentile of no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    rank = math.ceil(p * len(xs) / 100 - 1e-9)  # guard 99.9*1000/100 = 999.0000000001
    return xs[max(rank, 1) - 1]


def median(values: Iterable[float]) -> float:
    """The nearest-rank median (the lower middle value for an even count)."""
    return percentile(values, 50)


def summarize(values: Sequence[float]) -> dict:
    """n, mean, median, p95, p99, max of the values (None for all when empty)."""
    if not values:
        return {"n": 0, "mean": None, "median": None, "p95": None, "p99": None, "max": None}
    xs = sorted(values)
    return {"n": len(xs), "mean": sum(xs) / len(xs), "median": percentile(xs, 50),
            "p95": percentile(xs, 95), "p99": percentile(xs, 99), "max": xs[-1]}


# ---- budgets -----------------------------------------------------------------
@dataclass(frozen=True)
class Budget:
    """A limit on one figure: `max` (the figure must be ≤) or `min` (≥)."""

    name: str
    limit: float
    kind: str  # "max" or "min"
    what: str = ""

    def ok(self, value: float | None) -> bool:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return False
        return value <= self.limit if self.kind == "max" else value >= self.limit

    @property
    def sign(self) -> str:
        return "≤" if self.kind == "max" else "≥"

    def text(self) -> str:
        return f"{self.sign} {fmt(self.limit)}"


def parse_budgets(raw: dict, source: str = "budgets") -> dict[str, dict[str, Budget]]:
    """{section: {figure name: Budget}} from the parsed TOML."""
    out: dict[str, dict[str, Budget]] = {}
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise ValueError(f"{source}: [{section}] must be a table")
        out[section] = {}
        for name, spec in table.items():
            if not isinstance(spec, dict) or ("max" in spec) == ("min" in spec):
                raise ValueError(f"{source}: {section}.{name}: give exactly one of max or min")
            kind = "max" if "max" in spec else "min"
            limit = spec[kind]
            if isinstance(limit, bool) or not isinstance(limit, int | float):
                raise ValueError(f"{source}: {section}.{name}.{kind}: a number is required")
            out[section][name] = Budget(name, float(limit), kind, str(spec.get("what", "")))
    return out


def load_budgets(section: str | None = None, path: Path = BUDGETS_PATH):
    """All budgets ({section: {name: Budget}}), or one section's ({name: Budget})."""
    with open(path, "rb") as fh:
        budgets = parse_budgets(tomllib.load(fh), str(path))
    return budgets if section is None else budgets.get(section, {})


def find_budget(name: str, budgets: dict[str, dict[str, Budget]]) -> Budget | None:
    for table in budgets.values():
        if name in table:
            return table[name]
    return None


# ---- summary lines -----------------------------------------------------------
def fmt(value: float | int | None) -> str:
    """Compact number: 3 significant figures for small values, whole numbers for big."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return "n/a"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    a = abs(value)
    if a >= 100:
        return f"{value:.0f}"
    if a >= 10:
        return f"{value:.1f}"
    if a >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_figure(name: str, value: float | int | None, budget: Budget | None = None,
                  checked: bool = True, note: str = "") -> str:
    line = f"{name} {fmt(value)}"
    if budget is not None:
        if checked:
            line += f" (budget {budget.text()})"
            if not budget.ok(value):
                line += " OVER BUDGET"
        else:
            line += f" (budget {budget.text()}, not checked)"
    if note:
        line += f"  # {note}"
    return line


_FIGURE = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)[ \t:=]+(?P<value>-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?|n/a)"
    r"(?P<unit>[ \t]*[A-Za-z%/]+(?=[ \t(#]|$))?"
    r"(?:[ \t]*\((?:budget|limit)[ \t]*(?P<sign>≤|≥|<=|>=|<|>)[ \t]*(?P<limit>-?[0-9]+(?:\.[0-9]+)?)"
    r"(?P<unchecked>[^)]*not checked|[^)]*off)?[^)]*\))?"
    r"(?P<over>[ \t]*(?:OVER BUDGET|OVER|FAIL\w*|MISSED))?"
    r"[ \t]*(?:#[ \t]*(?P<note>.*))?$"
)


def parse_figure(line: str) -> dict | None:
    """A summary line back into its parts, or None for any other line.

    Lenient about what other engineers' benchmarks print: `name value`,
    optional unit word, optional `(budget ≤ X)`, optional `OVER BUDGET`,
    optional `# note`.
    """
    m = _FIGURE.match(line.strip())
    if not m:
        return None
    value = None if m["value"] == "n/a" else float(m["value"])
    sign = {"<=": "≤", "<": "≤", ">=": "≥", ">": "≥"}.get(m["sign"] or "", m["sign"])
    return {"name": m["name"], "value": value, "unit": (m["unit"] or "").strip(),
            "sign": sign, "limit": float(m["limit"]) if m["limit"] else None,
            "checked": m["limit"] is not None and not m["unchecked"],
            "over": bool(m["over"]), "note": (m["note"] or "").strip()}


@dataclass
class Reporter:
    """Prints summary lines as figures come in and remembers the missed budgets."""

    section: str
    budgets_on: bool = True
    budgets: dict[str, Budget] | None = None
    figures: list[tuple[str, float | None, str]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.budgets is None:
            self.budgets = load_budgets(self.section)

    def figure(self, name: str, value: float | int | None, note: str = "") -> bool:
        """Print one figure; True when it is within its budget (or has none)."""
        budget = self.budgets.get(name)
        self.figures.append((name, value, note))
        print(format_figure(name, value, budget, self.budgets_on, note), flush=True)
        if budget is not None and self.budgets_on and not budget.ok(value):
            self.missed.append(name)
            return False
        return True

    def comment(self, text: str) -> None:
        print(f"# {text}", flush=True)

    def exit_code(self) -> int:
        if self.missed:
            log(f"{self.section}: over budget: {', '.join(self.missed)}")
            return 1
        return 0


def log(text: str) -> None:
    """Progress for the person watching (stderr: stdout is only figures)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# ---- processes -----------------------------------------------------------------
def rss_kb(pid: int, field_name: str = "VmRSS") -> int | None:
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM …), None if gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def child_pids(pid: int) -> list[int]:
    """Direct children of a process (from /proc, no psutil)."""
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                kids += [int(x) for x in fh.read().split()]
        return kids
    except OSError:
        pass
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (/proc/<pid>/stat), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load1() -> float | None:
    """The 1-minute load average (how busy the shared machine was)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def thread_count(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the machine -------------------------------------------------------------
def cpu_reference_ms(rounds: int = 5) -> dict:
    """How fast this machine runs Python right now: a fixed pure-Python loop, in ms.

    The VM is shared and its speed drifts by a third within an hour (measured: the
    same loop 231–338 ms in one session), and every figure drifts with it; a run
    records this reference at its start and end so its figures can be read against
    the machine's phase."""
    def loop() -> float:
        t0 = time.perf_counter()
        acc, seen = 0, {}
        for i in range(600_000):
            acc += i * i % 7
            seen[i & 1023] = acc
        return (time.perf_counter() - t0) * 1000
    xs = sorted(loop() for _ in range(rounds))
    return {"min": xs[0], "median": median(xs)}


def fdatasync_ms(directory: Path, n: int = 40) -> dict:
    """Latency of a durable 4 KiB append in `directory` (write + fdatasync, what a
    SQLite WAL commit with synchronous=FULL waits for): summarize() in ms."""
    path = Path(directory) / f".fsync-probe-{os.getpid()}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    xs = []
    try:
        block = b"\0" * 4096
        for _ in range(n):
            os.write(fd, block)
            t0 = time.perf_counter()
            os.fdatasync(fd)
            xs.append((time.perf_counter() - t0) * 1000)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return summarize(xs)



def _first(path: str, prefix: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine() -> dict:
    """What the figures ran on: cores, memory, CPU model, Python, OS, date, load."""
    mem_kb = _first("/proc/meminfo", "MemTotal")
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = os.cpu_count()
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                text=True, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        "cpu_model": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "usable_cores": affinity,
        "memory_gb": round(int(mem_kb.split()[0]) / 1024 / 1024, 1) if mem_kb else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": tuple(round(x, 2) for x in load) if load else None,
        "commit": commit,
    }
