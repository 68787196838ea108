"""Period reports read the facts stored as days close, and agree with the journal.

The office's journal is the truth: a period report made from the stored facts
(report_service.build_report → adapters/facts.py) must equal the period report
made from the journal lines (reports.period_report) field by field, except the
medians and 90th percentiles, which stored histograms give to within their stated
resolution (reports/facts.py: half a second below a minute, one bin of 4.4 % above).
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from facts_kit import all_lines, differences, percentile_gaps, store_with
from journal_kit import THE_DAY, Day, busy_morning, catalog

from queue_server.report_service import build_report
from queue_server.reports import period_report

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))
from bench.reports_synth import journal, synth_catalog  # noqa: E402

QSERVER = str(Path(sys.executable).with_name("qserver"))


def the_same(store, cat, start: date, end: date, today: date) -> tuple[dict, dict]:
    from_facts = build_report(store, cat, start, end, today)
    from_journal = period_report(all_lines(store), cat, start, end)
    assert differences(from_facts, from_journal) == []
    return from_facts, from_journal


def midnight_days() -> Day:
    """A ticket the office cancelled at midnight, a visitor still at the counter at
    midnight, and the next morning."""
    d = Day(THE_DAY)
    d.counter("08:00", "opened", "1", "opA")
    d.issue("19:00", "A1", "adm").call("19:05", "A1", 1, "adm", "1", "opA")
    d.finish("19:10", "A1", 1, "adm", "1", "opA", kind="payment", topic="other")
    d.issue("19:30", "A2", "adm")
    d.issue("23:40", "N1", "con").call("23:50", "N1", 1, "con", "2", "opB")
    d.start("23:51", "N1", 1, "con", "2", "opB")
    d.cancel("00:00", "A2", 1, "adm", day_offset=1, reason="day_over")
    d.finish("00:20", "N1", 1, "con", "2", "opB", day_offset=1, kind="application", topic="other")
    d.issue("09:00", "B1", "cash", day_offset=1, priority="veteran")
    d.call("09:20", "B1", 1, "cash", "3", "opC", day_offset=1)
    d.finish("09:25", "B1", 1, "cash", "3", "opC", kind="payment", topic="metering", day_offset=1)
    return d


@pytest.mark.parametrize("days, build, tz", [
    ((THE_DAY - timedelta(days=1), date(2024, 3, 6)), busy_morning, "Europe/Moscow"),
    ((THE_DAY, date(2024, 3, 6)), midnight_days, "Europe/Moscow"),
    ((date(2024, 3, 30), date(2024, 4, 1)), None, "Europe/Berlin"),  # a day of 23 hours
])
def test_the_known_answer_days_from_facts_equal_the_journal(tmp_path, days, build, tz):
    if build is None:  # visits every 40 minutes round the clock over the spring-forward night
        d = Day(days[0], tz)
        start = datetime.combine(days[0], datetime.min.time(), d.zone).astimezone(UTC)
        for i in range(0, 3 * 24 * 60 - 60, 40):
            at = start + timedelta(minutes=i)
            v = f"V{i}"
            d.issue(at, v, "adm").call(at + timedelta(minutes=7 + i % 11), v, 1, "adm", "1", "opA")
            d.finish(at + timedelta(minutes=12 + i % 17), v, 1, "adm", "1", "opA", kind="payment", topic="other")
    else:
        d = build()
    cat = catalog(tz)
    store = store_with(tmp_path / "office.sqlite", d.sorted())
    try:
        start, end = days
        # every day closed, then the last one still going on (read from the journal)
        the_same(store, cat, start, end, end + timedelta(days=1))
        the_same(store, cat, start, end, end)
    finally:
        store.close()


def test_a_synthetic_month_from_facts_equals_the_journal_within_the_resolution(tmp_path):
    """Five services, seven counters, 300 visits a day for 35 days: whole months are read
    from the month's stored rows, the days around them from each day's."""
    cat = synth_catalog()
    store = store_with(tmp_path / "office.sqlite", journal(date(2024, 2, 27), 35, 300, seed=7))
    try:
        start, end = date(2024, 2, 27), date(2024, 4, 1)
        from_facts, from_journal = the_same(store, cat, start, end, date(2024, 6, 1))
        assert from_facts["visits"]["count"] == 35 * 300
        gaps = percentile_gaps(from_facts, from_journal)
        assert len(gaps) > 50 and max(gaps) > 0  # histograms, not a copy of the journal's values
        units = store.query("SELECT unit, start, count(*) FROM fact_combo GROUP BY unit, start ORDER BY unit, start")
        assert ("M", "2024-03-01") in [(u, s) for u, s, _n in units]
        assert ("Y", "2024-01-01") in [(u, s) for u, s, _n in units]
        # a month alone is one row per key: the same report
        the_same(store, cat, date(2024, 3, 1), date(2024, 3, 31), date(2024, 6, 1))
    finally:
        store.close()


def test_a_whole_year_is_read_from_its_year_rows(tmp_path):
    cat = synth_catalog()
    store = store_with(tmp_path / "office.sqlite", journal(date(2023, 12, 30), 370, 12, seed=3))
    try:
        from_facts, _ = the_same(store, cat, date(2023, 12, 30), date(2025, 1, 2), date(2025, 6, 1))
        assert from_facts["visits"]["count"] == 370 * 12
        assert len(from_facts["days"]) == 370
        year = store.query("SELECT count(*) FROM fact_hist_group WHERE unit = 'Y' AND start = '2024-01-01'")[0][0]
        days = store.query("SELECT count(*) FROM fact_hist_group WHERE unit = 'D' AND start LIKE '2024-%'")[0][0]
        assert 0 < year < days / 2  # a year's histograms by group are far smaller than its days'
    finally:
        store.close()


def histograms(conn, span) -> dict:
    """{(dim, key, metric, bin): (n, µs)} of a span's units added up (and subtracted)."""
    rows, params = span.rows("fact_hist_group", "dim, key, metric, bin, n, us")
    found = conn.execute(f"SELECT dim, key, metric, bin, sum(n), sum(us) FROM {rows} r "
                         "GROUP BY dim, key, metric, bin HAVING sum(n) > 0", params).fetchall()
    assert len(found) > 100
    return {tuple(row[:4]): tuple(row[4:]) for row in found}


def test_a_year_less_its_edges_is_read_as_the_year_minus_them(tmp_path):
    """15 Jan … 14 Dec: the year's histograms less those of 1–14 Jan and 15–31 Dec
    (facts_sql.histogram_units) are exactly the histograms of the days added up, so the
    medians are the same to the microsecond, and agree with the journal's."""
    from queue_server.adapters.facts_sql import SQLITE, Span, histogram_units, percentiles, units

    cat = synth_catalog()
    store = store_with(tmp_path / "office.sqlite", journal(date(2024, 1, 1), 366, 10, seed=5))
    try:
        for start, end, visits in ((date(2024, 1, 15), date(2024, 12, 14), 335 * 10),
                                   (date(2024, 2, 2), date(2024, 4, 29), 88 * 10)):  # 3 months less 2 days
            from_facts, _ = the_same(store, cat, start, end, date(2025, 6, 1))
            assert from_facts["visits"]["count"] == visits
            plus, minus = histogram_units(start, end)
            assert minus, (start, end, plus)
            conn = store.reader()
            added, less = Span([0], units(start, end), SQLITE), Span([0], plus, SQLITE, minus=minus)
            assert histograms(conn, less) == histograms(conn, added)
            assert percentiles(conn, SQLITE, less, False, False) == percentiles(conn, SQLITE, added, False, False)
    finally:
        store.close()


def test_closed_days_are_built_on_demand_and_today_is_read_from_the_journal(tmp_path):
    d = busy_morning()
    store = store_with(tmp_path / "office.sqlite", d.sorted())
    cat = catalog()
    try:
        assert store.query("SELECT count(*) FROM fact_built")[0][0] == 0
        report = build_report(store, cat, THE_DAY, date(2024, 3, 6), today=date(2024, 3, 6))
        built = store.query("SELECT day, events FROM fact_built ORDER BY day")
        assert [day for day, _n in built] == ["2024-03-04", "2024-03-05"]  # not today, the 6th
        assert report["visits"]["count"] == 7  # V7 of the 6th came from the journal
        assert store.query("SELECT count(*) FROM fact_day WHERE start = '2024-03-06'")[0][0] == 0
        # the 6th closes: the next report stores it
        build_report(store, cat, THE_DAY, date(2024, 3, 6), today=date(2024, 3, 7))
        assert store.query("SELECT day FROM fact_built ORDER BY day DESC LIMIT 1")[0][0] == "2024-03-06"
    finally:
        store.close()


def test_lines_arriving_for_a_closed_day_rebuild_its_facts(tmp_path):
    """An import of history (or any line written for a day whose facts exist) is
    seen by its journal number, and that day is built again whole."""
    store = store_with(tmp_path / "office.sqlite", busy_morning().sorted())
    cat = catalog()
    try:
        before = build_report(store, cat, THE_DAY, THE_DAY, today=date(2024, 3, 10))
        late = Day(THE_DAY)
        late.issue("15:00", "L1", "cash").call("15:02", "L1", 1, "cash", "3", "opC")
        late.finish("15:09", "L1", 1, "cash", "3", "opC", kind="payment", topic="metering")
        store.import_events(late.sorted(), cat)
        after, _ = the_same(store, cat, THE_DAY, THE_DAY, date(2024, 3, 10))
        assert after["visits"]["count"] == before["visits"]["count"] + 1
        assert after["roles"]["cashier"]["steps"] == before["roles"]["cashier"]["steps"] + 1
    finally:
        store.close()


def test_qserver_facts_rebuild_makes_them_again_from_the_journal(office_dir):
    from queue_server.app import DB_NAME
    from queue_server.config import load_config

    cat = load_config(office_dir / "office.toml").catalog
    as_office = {"adm": "reception", "con": "consultation", "tc": "consultation", "pay": "payments",
                 "met": "payments"}  # the synthetic office's services as the example office's
    lines = journal(date(2024, 5, 1), 5, 200, seed=11)
    for line in lines:
        line["service"] = as_office.get(line["service"], line["service"])
        if line["data"].get("to_service"):
            line["data"] = {**line["data"], "to_service": as_office[line["data"]["to_service"]]}
    db = office_dir / DB_NAME
    store_with(db, lines).close()
    # the facts are derived data: broken by hand (a lost month row, a doubled day) ...
    subprocess.run([QSERVER, "facts", "refresh", "--data", str(office_dir)], check=True, capture_output=True)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM fact_combo WHERE unit = 'M'")
        conn.execute("INSERT INTO fact_day SELECT * FROM fact_day WHERE start = '2024-05-02'")
    conn.close()
    done = subprocess.run([QSERVER, "facts", "rebuild", "--data", str(office_dir)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Facts of 5 days built (2024-05-01 … 2024-05-05)." in done.stdout
    store = store_with(db, [])
    try:
        the_same(store, cat, date(2024, 5, 1), date(2024, 5, 31), date(2024, 7, 1))
    finally:
        store.close()


def test_the_nightly_job_stores_the_day_that_ended(office_dir):
    from tests_support import KIOSK

    from queue_server.app import create_app
    from queue_server.clock import FakeClock
    from queue_server.domain.commands import IssueTicket

    clock = FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))  # 10:00 in Moscow
    app = create_app(office_dir, clock=clock)
    try:
        app.service.handle(IssueTicket("reception"), KIOSK)
        app.extras["scheduler"].tick()
        assert app.store.query("SELECT count(*) FROM fact_built")[0][0] == 0
        clock.set(datetime(2026, 11, 20, 21, 6, tzinfo=UTC))  # 00:06 on the 21st
        app.extras["scheduler"].tick()
        assert app.store.query("SELECT day, events FROM fact_built") == [("2026-11-20", 1)]
        assert app.store.query("SELECT visits, open_at_close FROM fact_day") == [(1, 1)]
    finally:
        app.close()


def test_an_office_of_layout_5_gets_its_days_histograms_by_group(tmp_path):
    """Layout 5 kept days' and weeks' histograms by (service, role, counter, operator)
    in `fact_hist`; step 6 regroups them into `fact_hist_group` as the current code
    writes them (reports/facts.py group_rows), row for row, and drops the old table."""
    import sqlite3

    from queue_server.adapters import migrations
    from queue_server.adapters.facts import day_facts
    from queue_server.reports.facts import METRIC_SERVICE, METRIC_TOTAL, METRIC_WAIT, _histogram

    cat = synth_catalog()
    first = date(2024, 3, 4)
    store = store_with(tmp_path / "office.sqlite", journal(first, 16, 12, seed=9))
    old = sqlite3.connect(tmp_path / "old.sqlite", isolation_level=None)
    try:
        build_report(store, cat, first, first + timedelta(days=15), date(2024, 6, 1))
        now = "SELECT unit, start, dim, key, metric, bin, n, us FROM fact_hist_group WHERE unit IN ('D', 'W')"
        current = sorted(store.query(now))
        migrations.upgrade(old, steps=migrations.STEPS[:5])
        for i in range(16):  # each day's rows as layout 5 wrote them
            day = first + timedelta(days=i)
            facts, _lines = day_facts(store, cat, day)
            for (_o, sid, role, ctr, op), combo in facts.combos.items():
                for metric, f in ((METRIC_WAIT, combo.wait), (METRIC_SERVICE, combo.service)):
                    for b, (n, us) in _histogram(f).items():
                        old.execute("INSERT INTO fact_hist VALUES (0, 'D', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    (day.isoformat(), sid, role, ctr, op, metric, b, n, us))
            for b, (n, us) in _histogram(facts.days[0].total).items():
                old.execute("INSERT INTO fact_hist VALUES (0, 'D', ?, NULL, NULL, NULL, NULL, ?, ?, ?, ?)",
                            (day.isoformat(), METRIC_TOTAL, b, n, us))
        old.execute("INSERT INTO fact_hist SELECT 0, 'W', date(start, '-6 days', 'weekday 1'), service, role, "
                    "counter, operator, metric, bin, sum(n), sum(us) FROM fact_hist WHERE unit = 'D' "
                    "GROUP BY 3, service, role, counter, operator, metric, bin")
        assert migrations.upgrade(old) == (5, migrations.CURRENT)
        assert sorted(old.execute(now).fetchall()) == current and len(current) > 500
        assert "fact_hist" not in migrations.layout(old)
    finally:
        old.close()
        store.close()
