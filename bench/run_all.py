"""Run every benchmark in bench/ and write docs/performance.md.

    python -m bench.run_all            # `make bench`: full size, budgets checked, doc rewritten
    python -m bench.run_all --tiny     # `make test`: each once at a tiny size, budgets off, doc untouched
                                       # (all at once: only that each still works is judged;
                                       #  one that fails side by side gets one solitary retry)
    python -m bench.run_all --only bench_server,office_day   # a subset (doc untouched unless --write)

Each benchmark runs as its own subprocess (`python -m bench.NAME [--tiny]`),
prints one summary line per figure on stdout and exits non-zero when a figure
misses its budget. This runner streams their output, parses the figure lines
back (bench/common.py `parse_figure`), cross-checks every figure that has a
budget in bench/budgets.toml, and, on a full run, writes the figures with the
machine they ran on into docs/performance.md. Its exit status is non-zero
when any benchmark failed or missed a budget.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .common import (
    REPO,
    Budget,
    cpu_reference_ms,
    fdatasync_ms,
    find_budget,
    fmt,
    load_budgets,
    machine,
    parse_figure,
)

DOC = REPO / "docs" / "performance.md"
NOTES_BEGIN, NOTES_END = "<!-- notes:begin -->", "<!-- notes:end -->"
# (module, title): the order they run and appear in the doc
BENCHES = (
    ("bench_serving", "Serving models, side by side"),
    ("bench_server", "Queue server"),
    ("office_day", "Office day, simulated at 100×"),
    ("bench_reports", "Reports"),
    ("bench_central", "The centre: ingest, the network view, company reports"),
    ("bench_kiosk", "Kiosk"),
    ("bench_display", "Displays"),
    ("soak_devices", "Hall devices through a day (soak)"),
    ("soak_bookings", "Bookings through four months (soak)"),
    ("soak_watch", "The device watch through a month of heartbeats (soak)"),
    ("fuzz_api", "API fuzzing (schemathesis, long)"),
)
TIMEOUT_S = {"tiny": 180, "full": 3 * 3600}


@dataclass
class Run:
    name: str
    title: str
    present: bool = True
    rc: int | None = None
    seconds: float = 0.0
    stdout: list[str] = field(default_factory=list)
    stderr_tail: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def figures(self) -> list[dict]:
        return [f for f in (parse_figure(line) for line in self.stdout) if f]

    @property
    def comments(self) -> list[str]:
        return [line.lstrip("# ").rstrip() for line in self.stdout if line.startswith("#")]

    @property
    def status(self) -> str:
        if not self.present:
            return "not present"
        if self.timed_out:
            return "timed out"
        if self.rc == 0:
            return "ok"
        if any(f["over"] for f in self.figures):
            return "over budget"
        return f"failed (exit {self.rc})"


def _pump(stream, sink: list[str], echo, prefix: str, keep: int | None = None) -> None:
    for line in iter(stream.readline, ""):
        line = line.rstrip("\n")
        sink.append(line)
        if keep and len(sink) > keep:
            del sink[0]
        echo.write(f"{prefix}{line}\n")
        echo.flush()


class _Quiet:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def run_bench(name: str, title: str, tiny: bool, echo: bool = True) -> Run:
    """Run one benchmark to the end; `echo` streams its output as it comes."""
    run = Run(name, title)
    if not (REPO / "bench" / f"{name}.py").exists():
        run.present = False
        print(f"== {name}: bench/{name}.py is not there yet — skipped", flush=True)
        return run
    cmd = [sys.executable, "-m", f"bench.{name}"] + (["--tiny"] if tiny else [])
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")  # kiosk and display benches run Qt without a screen
    if echo:
        print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
    out, err = (sys.stdout, sys.stderr) if echo else (_Quiet(), _Quiet())
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, bufsize=1)
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, run.stdout, out, "   ")),
             threading.Thread(target=_pump, args=(proc.stderr, run.stderr_tail, err, "   ! ", 40))]
    for p in pumps:
        p.start()
    try:
        run.rc = proc.wait(TIMEOUT_S["tiny" if tiny else "full"])
    except subprocess.TimeoutExpired:
        run.timed_out = True
        proc.kill()
        run.rc = proc.wait()
    for p in pumps:
        p.join(10)
    run.seconds = time.perf_counter() - t0
    if echo:
        print(f"== {name}: {run.status} in {run.seconds:.1f} s", flush=True)
    return run


def run_together(chosen, tiny: bool) -> list[Run]:
    """All at once (the tiny run: its figures are not judged, only that each still works),
    each one's output printed in one piece when it ends."""
    lock = threading.Lock()

    def one(bench):
        run = run_bench(*bench, tiny=tiny, echo=False)
        if run.present:
            with lock:
                print(f"== {run.name}: {run.status} in {run.seconds:.1f} s", flush=True)
                for line in run.stdout:
                    print(f"   {line}")
                if run.status != "ok":
                    for line in run.stderr_tail[-20:]:
                        print(f"   ! {line}")
                sys.stdout.flush()
        return run

    with ThreadPoolExecutor(len(chosen) or 1) as ex:
        runs = list(ex.map(one, chosen))
    # Side by side on a small machine, a benchmark's own time-outs can trip; one that failed
    # gets a second try on its own. Real rot fails twice.
    for i, run in enumerate(runs):
        if run.present and run.status != "ok":
            print(f"== {run.name}: trying again on its own", flush=True)
            again = one((run.name, run.title))
            if again.status == "ok":
                print(f"== {run.name}: ok on the second try (the first failed side by side)", flush=True)
            runs[i] = again
    return runs


# ---- verdicts -------------------------------------------------------------------------------
def verdict(fig: dict, budgets: dict[str, dict[str, Budget]], tiny: bool) -> tuple[str, str]:
    """(budget text, verdict) for one parsed figure line."""
    b = find_budget(fig["name"], budgets)
    if fig["limit"] is not None:
        text = f"{fig['sign']} {fmt(fig['limit'])}"
    elif b is not None:
        text = b.text()
    else:
        return "", ""
    if tiny or (fig["limit"] is not None and not fig["checked"]):
        return text, "not checked"
    if fig["over"]:
        return text, "**OVER**"
    if b is not None and not b.ok(fig["value"]):
        return text, "**OVER**"  # budgets.toml is stricter than the benchmark's own
    if fig["limit"] is not None:
        sign_ok = fig["value"] is not None and (
            fig["value"] <= fig["limit"] if fig["sign"] == "≤" else fig["value"] >= fig["limit"])
        return text, "ok" if sign_ok else "**OVER**"
    return text, "ok"


def budget_overview(runs: list[Run], budgets: dict[str, dict[str, Budget]]) -> list[tuple]:
    """Every budget of budgets.toml with what was measured against it."""
    seen = {f["name"]: (r, f) for r in runs for f in r.figures}
    rows = []
    for section, table in budgets.items():
        for name, b in table.items():
            if name in seen:
                r, f = seen[name]
                _text, v = verdict(f, budgets, tiny=False)
                rows.append((section, name, b, f["value"], v, r.name))
            else:
                rows.append((section, name, b, None, "not reported", ""))
    return rows


# ---- the document ---------------------------------------------------------------------------
def docstring(name: str) -> str:
    try:
        return ast.get_docstring(ast.parse((REPO / "bench" / f"{name}.py").read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        return ""


DEFAULT_NOTES = """_Hand-written notes go here; `make bench` keeps whatever is between these markers._"""


def existing_notes() -> str:
    try:
        text = DOC.read_text(encoding="utf-8")
    except OSError:
        return DEFAULT_NOTES
    m = re.search(re.escape(NOTES_BEGIN) + r"\n(.*?)\n?" + re.escape(NOTES_END), text, re.S)
    return m.group(1).strip() if m else DEFAULT_NOTES


def md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(runs: list[Run], m_start: dict, m_end: dict, total_s: float,
           budgets: dict[str, dict[str, Budget]]) -> str:
    def disk(m: dict) -> str:
        d = m.get("fdatasync")
        return f"median {d['median']:.1f} ms, p99 {d['p99']:.1f} ms" if d and d["n"] else "not measured"

    def cpu(m: dict) -> str:
        c = m.get("cpu_ref")
        return f"{c['median']:.0f} ms (best {c['min']:.0f})" if c else "not measured"

    out = ["# Performance", "",
           "The figures behind every speed claim in this project, written by `make bench`",
           "(`bench/run_all.py`) — **do not edit by hand**, except between the notes markers at the",
           "end, which are kept across runs. Budgets live in `bench/budgets.toml`; a benchmark exits",
           "non-zero when a figure misses its budget, and so does `make bench`.", ""]
    out += ["## The machine", "", "| | |", "|---|---|",
            f"| date | {m_start['date']} |",
            f"| CPU | {m_start['cpu_model']} |",
            f"| cores | {m_start['cores']} ({m_start['usable_cores']} usable by this process) |",
            f"| memory | {m_start['memory_gb']} GB |",
            f"| Python | {m_start['implementation']} {m_start['python']} |",
            f"| OS | {m_start['os']} |",
            f"| commit | {m_start['commit'] or 'unknown'} (plus the working tree) |",
            f"| load average (1, 5, 15 min) | at start {m_start['loadavg']}, at end {m_end['loadavg']} |",
            f"| disk: 4 KiB write + fdatasync (one durable journal commit) | at start {disk(m_start)}; "
            f"at end {disk(m_end)} |",
            f"| CPU speed: a fixed pure-Python loop (`bench.common.cpu_reference_ms`; lower is faster) | "
            f"at start {cpu(m_start)}; at end {cpu(m_end)} |",
            f"| whole run | {total_s / 60:.1f} min |", "",
            "The machine may be shared: the load average above is part of every figure (it counts "
            "runnable threads, the benchmarks' own and other sessions' included). Latencies are "
            "percentiles of many samples (nearest rank: always a "
            "value that really happened), throughputs are medians of rounds; clients run on the same "
            "cores as the server, so every figure includes the clients' own CPU time.", ""]
    rows = budget_overview(runs, budgets)
    out += ["## Budgets at a glance", "", "| area | figure | budget | measured | verdict |",
            "|---|---|---|---|---|"]
    for section, name, b, value, v, _bench in rows:
        out.append(f"| {section} | `{name}` — {md_cell(b.what)} | {b.text()} | {fmt(value)} | {v} |")
    missed = [name for _s, name, _b, _v, v, _r in rows if v == "**OVER**"]
    unreported = [name for _s, name, _b, _v, v, _r in rows if v == "not reported"]
    out.append("")
    if missed:
        out.append(f"**Over budget:** {', '.join(f'`{n}`' for n in missed)} — see the notes below.")
    else:
        out.append("Every reported figure is within its budget.")
    if unreported:
        out.append(f"Not reported by any benchmark (under these names): {', '.join(f'`{n}`' for n in unreported)}.")
    out.append("")
    for r in runs:
        out += [f"## {r.title} (`bench/{r.name}.py`)", ""]
        if not r.present:
            out += [f"`bench/{r.name}.py` is not in the tree yet.", ""]
            continue
        out += [f"Status: **{r.status}**, {r.seconds:.0f} s.", ""]
        figs = r.figures
        if figs:
            out += ["| figure | value | budget | verdict | note |", "|---|---|---|---|---|"]
            for f in figs:
                text, v = verdict(f, budgets, tiny=False)
                value = fmt(f["value"]) + (f" {f['unit']}" if f["unit"] else "")
                out.append(f"| `{f['name']}` | {value} | {text} | {v} | {md_cell(f['note'])} |")
            out.append("")
        if r.comments:
            out += [f"- {md_cell(c)}" for c in r.comments] + [""]
        if r.rc not in (0, None) and not any(f["over"] for f in figs):
            out += ["Last lines of its stderr:", "", "```"] + r.stderr_tail[-15:] + ["```", ""]
        doc = docstring(r.name)
        if doc:
            out += ["<details><summary>How it is measured (the benchmark's docstring)</summary>", "",
                    doc, "", "</details>", ""]
    out += ["## Notes", "", NOTES_BEGIN, existing_notes(), NOTES_END, ""]
    out += ["## Running them", "",
            "- `make bench` — everything at full size, budgets checked, this file rewritten "
            "(about a quarter of an hour; the first run also builds the year of history, "
            "cached under `~/.cache/queue-office-bench` or `$QUEUE_BENCH_CACHE`).",
            "- `make test` ends with `python -m bench.run_all --tiny`: every benchmark once at a tiny "
            "size, budgets printed but not checked, this file untouched — so none of them rots.",
            "- One benchmark: `python -m bench.bench_server [--tiny]`, `python -m bench.office_day`, "
            "`python -m bench.history` (build or refresh the cached history).", ""]
    return "\n".join(out)


def machine_now() -> dict:
    m = machine()
    m["fdatasync"] = fdatasync_ms(Path(tempfile.gettempdir()))
    m["cpu_ref"] = cpu_reference_ms()
    return m


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="tiny sizes, budgets off, docs/performance.md untouched")
    p.add_argument("--only", help="comma-separated benchmark names (e.g. bench_server,office_day)")
    p.add_argument("--write", action="store_true", help="write docs/performance.md even with --only")
    p.add_argument("--no-write", action="store_true", help="do not write docs/performance.md")
    p.add_argument("--one-by-one", action="store_true", help="with --tiny: one after another, not all at once")
    args = p.parse_args(argv)
    chosen = BENCHES
    if args.only:
        names = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = names - {n for n, _t in BENCHES}
        if unknown:
            p.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        chosen = tuple(b for b in BENCHES if b[0] in names)
    budgets = load_budgets()
    m_start = machine_now()
    t0 = time.perf_counter()
    if args.tiny and not args.one_by_one:
        runs = run_together(chosen, tiny=True)
    else:
        runs = [run_bench(name, title, args.tiny) for name, title in chosen]
    total = time.perf_counter() - t0
    m_end = machine_now()
    write = not args.tiny and not args.no_write and (not args.only or args.write)
    if write:
        DOC.write_text(render(runs, m_start, m_end, total, budgets), encoding="utf-8")
        print(f"== wrote {DOC.relative_to(REPO)}")
    failed = [r for r in runs if r.present and r.status != "ok"]
    print(f"== {len([r for r in runs if r.present])} benchmark(s) in {total:.0f} s"
          + (" (tiny, budgets off)" if args.tiny else "")
          + (f"; not ok: {', '.join(f'{r.name} ({r.status})' for r in failed)}" if failed else "; all ok"),
          flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
