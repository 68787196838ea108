"""The dashboard's "today" and the day's report agree (issue #15, item 7).

Both read the journal through the domain's one fold of waits and services. The
issue saw the administrator's mean wait as 258.9 s on the dashboard and 280.7 s
in the report of the same day: the dashboard had a fold of its own.
"""
from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from tests_support import drive_a_morning

from queue_server.reports import daily_report
from queue_server.web.today import today_figures

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package
from bench.reports_synth import TZ, journal, synth_catalog  # noqa: E402

DAY = date(2024, 3, 5)


def same_figures(today: dict, report: dict) -> None:
    assert today["roles"], "nothing to compare"
    for row in today["roles"]:
        role = report["roles"][row["role"]]
        assert (row["called"], row["wait_mean_s"]) == (role["wait"]["n"], role["wait"]["mean_s"]), row["role"]
        assert (row["served"], row["service_mean_s"]) == (role["service"]["n"], role["service"]["mean_s"]), row
        assert row["wait_within_share"] == role["wait"]["within_norm_share"], row["role"]
        assert row["service_within_share"] == role["service"]["within_norm_share"], row["role"]
    visits = report["visits"]
    assert (today["visits"]["issued"], today["visits"]["completed"]) == (visits["count"], visits["completed"])
    assert today["visits"]["total_mean_s"] == visits["total"]["mean_s"]


@pytest.mark.parametrize("visits", [40, 600])
def test_today_is_the_daily_report_on_a_busy_synthetic_day(visits):
    """Transfers, recalls, no-shows, visits of the evening before still served on
    the day, and the next day's first events, in the same journal."""
    lines = journal(DAY - timedelta(days=1), 3, visits)
    zone = ZoneInfo(TZ)
    start = datetime.combine(DAY, time(), zone)
    day_lines = [x for x in lines if start <= datetime.fromisoformat(x["at"]) < start + timedelta(days=1)]
    catalog = synth_catalog()
    same_figures(today_figures(day_lines, catalog, DAY.isoformat()), daily_report(lines, catalog, DAY, TZ))
    # the dashboard reads only the day's lines: the report, all three days'; both tally the day's visits


def test_today_is_the_daily_report_of_a_live_morning(live_office):
    drive_a_morning(live_office)
    app = live_office.app
    today = live_office.get("/api/v1/dashboard/today", "head").json()
    lines = [json.loads(x) for x in live_office.get("/api/v1/journal", "head").text.splitlines()]
    day = date.fromisoformat(today["date"])
    same_figures(today, daily_report(lines, app.config.catalog, day))
