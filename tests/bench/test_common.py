"""The benchmark helpers that decide pass or fail: percentiles, budgets, summary lines."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package
from bench.common import (  # noqa: E402
    Budget,
    Reporter,
    child_pids,
    find_budget,
    fmt,
    format_figure,
    load_budgets,
    median,
    parse_budgets,
    parse_figure,
    percentile,
    rss_kb,
    summarize,
)


# ---- percentiles (nearest rank, as queue_server/reports/stats.py) -------------------------
def test_nearest_rank_of_one_to_a_hundred_is_the_value_at_that_rank():
    xs = list(range(1, 101))
    random.Random(1).shuffle(xs)
    assert percentile(xs, 50) == 50
    assert percentile(xs, 95) == 95
    assert percentile(xs, 99) == 99
    assert percentile(xs, 100) == 100
    assert percentile(xs, 0.5) == 1


def test_percentile_is_always_a_value_that_happened():
    xs = [1.0, 2.0, 10.0, 11.0]
    assert percentile(xs, 50) == 2.0  # the lower middle, never 6.0
    assert percentile(xs, 75) == 10.0
    assert percentile(xs, 76) == 11.0
    assert median([3.0, 1.0, 2.0]) == 2.0


def test_p99_of_small_samples_is_the_maximum_and_of_a_thousand_the_tenth_largest():
    assert percentile([5.0, 1.0, 3.0], 99) == 5.0
    xs = list(range(1000))
    assert percentile(xs, 99) == 989
    assert percentile(xs, 99.9) == 998  # ceil(999.0) with float noise: rank 999, not 1000


def test_percentile_refuses_nothing_and_nonsense():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 0)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summarize():
    s = summarize([4.0, 1.0, 3.0, 2.0])
    assert s == {"n": 4, "mean": 2.5, "median": 2.0, "p95": 4.0, "p99": 4.0, "max": 4.0}
    assert summarize([])["median"] is None


# ---- budgets ---------------------------------------------------------------------------------
def test_max_and_min_budgets():
    ceiling = Budget("p99_ms", 15, "max")
    floor = Budget("ops_per_s", 300, "min")
    assert ceiling.ok(15) and ceiling.ok(0.1) and not ceiling.ok(15.01)
    assert floor.ok(300) and floor.ok(1e6) and not floor.ok(299.9)
    assert not ceiling.ok(None) and not floor.ok(None) and not ceiling.ok(float("nan"))
    assert ceiling.text() == "≤ 15" and floor.text() == "≥ 300"


def test_parse_budgets_reads_sections_and_refuses_ambiguity():
    parsed = parse_budgets({"server": {"a_ms": {"max": 3, "what": "x"}, "b_per_s": {"min": 300.5}}})
    assert parsed["server"]["a_ms"] == Budget("a_ms", 3.0, "max", "x")
    assert parsed["server"]["b_per_s"].kind == "min" and parsed["server"]["b_per_s"].limit == 300.5
    for bad in ({"s": {"x": {"max": 1, "min": 0}}}, {"s": {"x": {"what": "no limit"}}},
                {"s": {"x": {"max": "fast"}}}, {"s": {"x": 3}}, {"s": 3}):
        with pytest.raises(ValueError):
            parse_budgets(bad)


def test_the_budgets_file_has_every_budget_of_the_issues():
    budgets = load_budgets()
    server = budgets["server"]
    # issue #14: the single-client ticket as a ratio to a naive floor of the same run
    assert server["ticket_issue_1c_median_vs_naive"].text() == "≤ 1.50"
    assert server["ticket_issue_1c_p99_vs_naive"].text() == "≤ 1.50"
    assert server["ticket_ops_mix_16c_per_s"].text() == "≥ 300"
    assert server["called_push_hall_2040c_p99_ms"].text() == "≤ 25"
    assert server["track_called_phone_2040c_p99_ms"].text() == "≤ 250"
    assert server["server_rss_2040c_mb"].text() == "≤ 300"
    assert server["ticket_issue_500idle_median_vs_quiet"].text() == "≤ 2"
    assert server["ticket_issue_loginflood_450c_p99_ms"].text() == "≤ 50"
    assert server["history_visits"].text() == "≥ 500000"
    reports = budgets["reports"]
    assert reports["daily_report_busy_day_all_formats_s"].text() == "≤ 1"
    assert reports["period_report_year_s"].text() == "≤ 1"  # issue #19: from the stored facts
    assert reports["period_report_year_rss_mb"].text() == "≤ 200"
    assert budgets["central"]["company_period_report_50x_year_s"].text() == "≤ 5"
    assert {b.limit for b in budgets["kiosk"].values()} == {200, 3, 250}
    assert [b.limit for b in budgets["display"].values()] == [100, 100]
    assert find_budget("kiosk_rss_mb", budgets).limit == 250
    assert find_budget("no_such_figure", budgets) is None


# ---- summary lines ---------------------------------------------------------------------------
def test_figure_lines_say_the_budget_and_whether_it_was_missed():
    b = Budget("ticket_issue_http_1c_p99_ms", 15, "max")
    assert format_figure(b.name, 4.1, b) == "ticket_issue_http_1c_p99_ms 4.10 (budget ≤ 15)"
    assert format_figure(b.name, 31.0, b) == "ticket_issue_http_1c_p99_ms 31 (budget ≤ 15) OVER BUDGET"
    assert format_figure(b.name, 31.0, b, checked=False) == "ticket_issue_http_1c_p99_ms 31 (budget ≤ 15, not checked)"
    assert format_figure("server_startup_s", 1.234, note="median of 3") == "server_startup_s 1.23  # median of 3"


def test_numbers_are_short():
    assert [fmt(x) for x in (None, 7, 2.0, 1234.56, 45.67, 4.567, 0.01234)] == [
        "n/a", "7", "2", "1235", "45.7", "4.57", "0.0123"]


def test_lines_round_trip_through_the_parser():
    b = Budget("called_push_200c_p99_ms", 25, "max")
    for value, over in ((12.5, False), (40.0, True)):
        f = parse_figure(format_figure(b.name, value, b, note="5 clients; max 3 ms"))
        assert f["name"] == b.name and f["value"] == value
        assert (f["sign"], f["limit"], f["checked"], f["over"]) == ("≤", 25.0, True, over)
        assert f["note"] == "5 clients; max 3 ms"
    f = parse_figure(format_figure("x_per_s", 280.0, Budget("x_per_s", 300, "min"), checked=False))
    assert (f["sign"], f["limit"], f["checked"], f["over"]) == ("≥", 300.0, False, False)


def test_the_parser_accepts_other_benchmarks_styles_and_ignores_prose():
    f = parse_figure("kiosk_touch_to_printer_median_ms: 87.3 ms (budget <= 200)")
    assert (f["name"], f["value"], f["unit"], f["sign"], f["limit"]) == (
        "kiosk_touch_to_printer_median_ms", 87.3, "ms", "≤", 200.0)
    assert parse_figure("period_report_year_s 12.4 (budget ≤ 10) OVER BUDGET")["over"] is True
    assert parse_figure("figure_without_budget n/a")["value"] is None
    for prose in ("# a comment", "", "Traceback (most recent call last):", "== bench_server: ok"):
        assert parse_figure(prose) is None


def test_reporter_fails_only_on_checked_budgets(capsys):
    budgets = {"a_ms": Budget("a_ms", 10, "max")}
    rep = Reporter("x", budgets_on=True, budgets=budgets)
    assert rep.figure("a_ms", 5) and rep.figure("other", 1e9)
    assert rep.exit_code() == 0
    assert not rep.figure("a_ms", 11)
    assert rep.exit_code() == 1 and rep.missed == ["a_ms"]
    tiny = Reporter("x", budgets_on=False, budgets=budgets)
    assert tiny.figure("a_ms", 11) and tiny.exit_code() == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["a_ms 5 (budget ≤ 10)", "other 1000000000", "a_ms 11 (budget ≤ 10) OVER BUDGET",
                   "a_ms 11 (budget ≤ 10, not checked)"]


# ---- processes -------------------------------------------------------------------------------
def test_rss_and_children_from_proc():
    import os
    import subprocess
    import sys

    assert rss_kb(os.getpid()) > 1000
    assert rss_kb(os.getpid(), "VmHWM") >= rss_kb(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in child_pids(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert rss_kb(child.pid) is None


def test_the_cpu_reference_takes_longer_when_the_machine_is_busier():
    """The reference loop is what a reader compares runs by: it must slow down when
    another busy thread shares the interpreter, as every figure does."""
    import threading

    from bench.common import cpu_reference_ms

    def loaded_run() -> dict:
        stop = threading.Event()
        busy = threading.Thread(target=lambda: [None for _ in iter(stop.is_set, True)], daemon=True)
        busy.start()
        try:
            return cpu_reference_ms(rounds=3)
        finally:
            stop.set()
            busy.join()

    # alternated, best of each: other sessions on this shared machine slow either side at
    # random, the thread beside the loop slows every loaded round
    quiet, loaded = [], []
    for _ in range(3):
        quiet.append(cpu_reference_ms(rounds=3))
        loaded.append(loaded_run())
    assert all(0 < q["min"] <= q["median"] for q in quiet)
    assert min(x["min"] for x in loaded) > 1.3 * min(q["min"] for q in quiet)
