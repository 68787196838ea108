"""The report engine's speed: a busy day in every format, a year's period report, memory.

What runs: queue_server.reports on synthetic journals made in memory by
bench/reports_synth.py -- an office of 5 services and 7 counters, visits over
12 opening hours, 70% starting at the administrator and three quarters of
those transferred on, a quarter of calls recalled, 3% no-shows, counters
opening, pausing and closing: about 5.9 journal lines per visit.

* busy day: 3,000 visits (~18,000 lines, as dicts). Each round times the
  JSON report and then CSV, XLSX and PDF (Russian) of it; the budget is the
  median round, all four together. The first round of the process (imports,
  the PDF font read from disk) is printed apart as "cold".
* year: 365 days x 1,370 visits = 500,050 visits (~2.95 million lines, as
  dicts, all in memory like the brief says). The period report (JSON) is
  timed over the list; wall and CPU time are both printed (the machine is
  shared, and CPU time is what the code costs). Memory: a child process
  computes the same year while the lines are made on the fly -- as when
  the server streams them from SQLite -- and prints its peak RSS (VmHWM),
  which therefore includes Python and the line generator; the in-process
  tracemalloc peak of the report alone is printed too.

Percentiles are nearest-rank (bench/common.py).

    python -m bench.bench_reports          # budgets checked (exit 1 when over)
    python -m bench.bench_reports --tiny   # 100-visit day, 10-day period, budgets off
"""
from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta

from .common import Reporter, load1, log, median, percentile, rss_kb
from .reports_synth import TZ, journal, journal_stream, synth_catalog

FIRST_DAY = date(2024, 1, 1)
SIZES = {
    "full": {"day_visits": 3000, "day_rounds": 15, "year_days": 365, "year_visits": 1370,
             "year_rounds": 3},
    "tiny": {"day_visits": 100, "day_rounds": 2, "year_days": 10, "year_visits": 100,
             "year_rounds": 1},
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


def bench_year(rep: Reporter, size: dict) -> None:
    days, per_day = size["year_days"], size["year_visits"]
    t0 = time.perf_counter()
    events = journal(FIRST_DAY, days, per_day)
    log(f"year: {days} days x {per_day} visits, {len(events):,} journal lines "
        f"made in {time.perf_counter() - t0:.1f} s")
    walls, cpus = [], []
    load_before = load1()
    for _ in range(size["year_rounds"]):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        report = year_report(events, days)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        log(f"year report: {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU")
    assert report["visits"]["count"] == days * per_day, report["visits"]["count"]
    note = f"median of {len(walls)}, {days * per_day:,} visits, {len(events):,} lines as dicts"
    rep.figure("period_report_year_s", median(walls), note)
    rep.figure("period_report_year_p99_s", percentile(walls, 99))
    rep.figure("period_report_year_cpu_s", median(cpus), "process CPU time, same runs")
    rep.figure("period_report_year_lines_per_s", len(events) / median(walls))
    rep.comment(f"1-minute load average {load_before:.1f} before the year runs, {load1():.1f} after "
                f"(the machine is shared: wall time grows with it, CPU time less)")

    gc.collect()
    tracemalloc.start()
    year_report(events, days)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rep.figure("period_report_year_traced_mb", peak / 2**20,
               "tracemalloc peak of the report itself, lines already in memory")
    del events, report
    gc.collect()

    cmd = [sys.executable, "-m", "bench.bench_reports", "--rss-probe", str(days), str(per_day)]
    probe = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, check=True)
    rss = float(probe.stdout.strip().splitlines()[-1])
    rep.figure("period_report_year_rss_mb", rss,
               "peak RSS of a process computing the year from a stream of lines")


def rss_probe(days: int, per_day: int) -> None:
    """In the child: the year's report over lines made on the fly; print peak RSS in MB."""
    report = year_report(journal_stream(FIRST_DAY, days, per_day), days)
    assert report["visits"]["count"] == days * per_day
    print(rss_kb(os.getpid(), "VmHWM") / 1024)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tiny", action="store_true", help="tiny sizes, budgets printed, not checked")
    p.add_argument("--rss-probe", nargs=2, type=int, metavar=("DAYS", "VISITS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rss_probe:
        rss_probe(*args.rss_probe)
        return 0
    size = SIZES["tiny" if args.tiny else "full"]
    rep = Reporter("reports", budgets_on=not args.tiny)
    bench_day(rep, size)
    bench_year(rep, size)
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
