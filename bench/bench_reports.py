"""The report engine's speed: a busy day in every format, a year's period report, memory.

* busy day: queue_server.reports on a synthetic journal made in memory by
  bench/reports_synth.py -- an office of 5 services and 7 counters, visits over
  12 opening hours, 70% starting at the administrator and three quarters of
  those transferred on, a quarter of calls recalled, 3% no-shows, counters
  opening, pausing and closing: about 5.9 journal lines per visit. 3,000 visits
  (~18,000 lines, as dicts). Each round times the JSON report and then CSV, XLSX
  and PDF (Russian) of it; the budget is the median round, all four together.
  The first round of the process (imports, the PDF font read from disk) is
  printed apart as "cold".
* a year from the stored facts (the budget): the history office of
  bench/history.py (34 counters, 255 working days of ~2,000 visits: ≈ 509,000
  visits, 2.4 million journal lines, imported through `qserver import`), its
  per-day facts built once by `qserver facts refresh` and cached beside the
  history; each run builds one month of them again (the cost of a day's facts)
  and times `report_service.build_report` over the whole history -- a year that
  starts and ends mid-month, so weeks and days are read besides months -- in a
  child process, as JSON and as PDF, and the calendar year alone. The child's
  peak RSS (VmHWM) is the memory figure: Python, SQLite and the report together.
* the baseline, side by side: the same kind of year (365 days x 1,370 visits,
  ~2.95 million lines as dicts in memory) read from the journal lines by the
  report's pass, as every period report was before per-day facts.

Percentiles are nearest-rank (bench/common.py).

    python -m bench.bench_reports          # budgets checked (exit 1 when over)
    python -m bench.bench_reports --tiny   # 100-visit day, a 3-day history, 10-day baseline, budgets off
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from .common import Reporter, load1, log, median, percentile, rss_kb
from .reports_synth import TZ, journal, synth_catalog

FIRST_DAY = date(2024, 1, 1)
SIZES = {
    "full": {"day_visits": 3000, "day_rounds": 15, "year_days": 365, "year_visits": 1370,
             "year_rounds": 5, "history_days": 255, "history_visits": 2000},
    "tiny": {"day_visits": 100, "day_rounds": 2, "year_days": 10, "year_visits": 100,
             "year_rounds": 1, "history_days": 3, "history_visits": 120},
}


def one_day(events: list, catalog) -> dict[str, float]:
    """Seconds of the JSON report and of each format made from it."""
    from queue_server.reports import daily_report
    from queue_server.reports.csv_export import to_csv
    from queue_server.reports.pdf_export import to_pdf
    from queue_server.reports.xlsx_export import to_xlsx

    out = {}
    t0 = time.perf_counter()
    report = daily_report(events, catalog, FIRST_DAY, TZ)
    out["json"] = time.perf_counter() - t0
    for name, fn in (("csv", to_csv), ("xlsx", to_xlsx), ("pdf", to_pdf)):
        t0 = time.perf_counter()
        body = fn(report, "ru")
        out[name] = time.perf_counter() - t0
        assert body
    out["all"] = sum(out.values())
    return out


def bench_day(rep: Reporter, size: dict) -> None:
    catalog = synth_catalog()
    events = journal(FIRST_DAY, 1, size["day_visits"])
    log(f"busy day: {size['day_visits']} visits, {len(events)} journal lines")
    cold = one_day(events, catalog)
    rounds = [one_day(events, catalog) for _ in range(size["day_rounds"])]
    n = size["day_visits"]
    rep.figure("daily_report_busy_day_all_formats_s", median(r["all"] for r in rounds),
               f"median of {len(rounds)} rounds, {n} visits: JSON+CSV+XLSX+PDF")
    rep.figure("daily_report_busy_day_all_formats_p99_s", percentile((r["all"] for r in rounds), 99))
    rep.figure("daily_report_busy_day_cold_s", cold["all"],
               "first round of the process: imports and the PDF font included")
    for part in ("json", "csv", "xlsx", "pdf"):
        xs = [r[part] for r in rounds]
        rep.figure(f"daily_report_busy_day_{part}_median_ms", median(xs) * 1000)
        rep.figure(f"daily_report_busy_day_{part}_p99_ms", percentile(xs, 99) * 1000)


def year_report(events, days: int):
    from queue_server.reports import period_report

    return period_report(events, synth_catalog(), FIRST_DAY,
                         FIRST_DAY + timedelta(days=days - 1), TZ)


def bench_year_journal(rep: Reporter, size: dict) -> None:
    """The baseline: a year's period report read from the journal lines themselves."""
    days, per_day = size["year_days"], size["year_visits"]
    t0 = time.perf_counter()
    events = journal(FIRST_DAY, days, per_day)
    log(f"year: {days} days x {per_day} visits, {len(events):,} journal lines "
        f"made in {time.perf_counter() - t0:.1f} s")
    gc.collect()
    load_before = load1()
    w0, c0 = time.perf_counter(), time.process_time()
    report = year_report(events, days)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    assert report["visits"]["count"] == days * per_day, report["visits"]["count"]
    rep.figure("period_report_year_journal_s", wall,
               f"the baseline: {days * per_day:,} visits, {len(events):,} journal lines as dicts read by the "
               f"report's pass; {cpu:.1f} s CPU; load {load_before:.1f} → {load1():.1f}")
    del events, report
    gc.collect()


def facts_office(size: dict) -> tuple[Path, dict]:
    """The history office (bench/history.py) with its per-day facts built, cached beside it
    (the history's own cache stays as it is: other branches' code opens it)."""
    from bench import history as H

    hist = H.ensure_history(size["history_days"], size["history_visits"])
    folder = hist.path.with_name(hist.path.name + "-facts")
    marker = folder / "facts.json"
    from queue_server.adapters.migrations import CURRENT

    if marker.exists() and json.loads(marker.read_text()).get("history") == hist.meta \
            and json.loads(marker.read_text()).get("layout") == CURRENT:  # facts of this code's layout
        return folder, json.loads(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    work = H.copy_office(hist.path, folder.with_name(folder.name + ".building"))
    t0 = time.perf_counter()
    done = subprocess.run([H.qserver(), "facts", "refresh", "--data", str(work)], capture_output=True,
                          text=True, timeout=3600, check=True)
    meta = {"history": hist.meta, "layout": CURRENT, "refresh_s": round(time.perf_counter() - t0, 1),
            "refresh": done.stdout.strip()}
    shutil.rmtree(work / "backups", ignore_errors=True)  # the copy kept before the upgrade
    (work / "facts.json").write_text(json.dumps(meta, indent=1))
    work.rename(folder)
    log(f"facts: {meta['refresh']} in {meta['refresh_s']} s")
    return folder, meta


def bench_year_facts(rep: Reporter, size: dict) -> None:
    """A year of one office from its stored facts, as the server makes it (report_service)."""
    from bench import history as H

    folder, meta = facts_office(size)
    hist = meta["history"]
    first, last = date.fromisoformat(hist["first_day"]), date.fromisoformat(hist["last_day"])
    with tempfile.TemporaryDirectory() as tmp:
        work = H.copy_office(folder, Path(tmp) / "office")
        # the cost of a day's facts: a month of them built again from the journal
        month_end = min(first + timedelta(days=30), last)
        t0 = time.perf_counter()
        done = subprocess.run([H.qserver(), "facts", "rebuild", "--data", str(work), "--from", str(first),
                               "--to", str(month_end)], capture_output=True, text=True, timeout=3600, check=True)
        built_s = time.perf_counter() - t0
        rep.figure("facts_build_month_s", built_s,
                   f"`qserver facts rebuild` of the history's first 31 days ({done.stdout.strip()} "
                   f"~{hist['visits_per_day']} visits a working day; the process start included)")
        if meta.get("refresh_s"):
            rep.comment(f"the whole history's facts were built once in {meta['refresh_s']} s "
                        f"({meta['refresh']}), cached since")
        cases = [("period_report_year_s", first, last, "json"),
                 ("period_report_calendar_year_s", date(last.year, 1, 1), date(last.year, 12, 31), "json"),
                 ("period_report_year_pdf_s", first, last, "pdf")]
        for name, start, end, fmt in cases:
            probe = subprocess.run([sys.executable, "-m", "bench.bench_reports", "--facts-probe", str(work),
                                    str(start), str(end), fmt, str(size["year_rounds"])],
                                   capture_output=True, text=True, timeout=3600, check=True)
            walls, cpus, visits, rss = json.loads(probe.stdout.strip().splitlines()[-1])
            rep.figure(name, median(walls), f"median of {len(walls)}, {start} … {end} ({visits:,} visits), "
                       f"{fmt}, from the stored facts; CPU {median(cpus):.2f} s; first {walls[0]:.2f} s; "
                       f"load {load1():.1f}")
            if name == "period_report_year_s":
                rep.figure("period_report_year_rss_mb", rss,
                           "peak RSS (VmHWM) of the process making the year's report: Python, SQLite and all")
                assert visits >= (500_000 if size["history_visits"] >= 2000 else 1), visits


def facts_probe(data: str, start: str, end: str, fmt: str, rounds: int) -> None:
    """In the child: the report of start..end from an office folder's facts, `rounds` times;
    prints [walls, cpus, visits, peak RSS MB] as JSON."""
    from queue_server.config import load_config
    from queue_server.journal_store import JournalStore
    from queue_server.report_service import build_report, render

    folder = Path(data)
    config = load_config(folder / "office.toml")
    store = JournalStore(folder / "office.sqlite")
    walls, cpus, visits = [], [], 0
    today = date.fromisoformat(end) + timedelta(days=2)
    for _ in range(rounds + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        report = build_report(store, config.catalog, date.fromisoformat(start), date.fromisoformat(end), today)
        body, _ = render(report, fmt, "ru")
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        visits = report["visits"]["count"]
        assert body
    store.close()
    print(json.dumps([walls, cpus, visits, rss_kb(os.getpid(), "VmHWM") / 1024]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tiny", action="store_true", help="tiny sizes, budgets printed, not checked")
    p.add_argument("--facts-probe", nargs=5, metavar=("DATA", "FROM", "TO", "FORMAT", "ROUNDS"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.facts_probe:
        data, start, end, fmt, rounds = args.facts_probe
        facts_probe(data, start, end, fmt, int(rounds))
        return 0
    size = SIZES["tiny" if args.tiny else "full"]
    rep = Reporter("reports", budgets_on=not args.tiny)
    bench_day(rep, size)
    bench_year_facts(rep, size)
    bench_year_journal(rep, size)
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
