"""The device watch's soak, short (bench/soak_watch.py runs a month in `make bench`).

Two simulated hours of 40 devices beating into the real watch with planned outages: each
outage journaled down and up exactly once, nothing else journaled, the day's report
counting the downtime within a heartbeat's interval of the planned.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package
from bench.common import Reporter  # noqa: E402
from bench.soak_watch import BEAT_S, JITTER_S, soak  # noqa: E402


def test_two_hours_of_heartbeats_journal_each_outage_once_and_nothing_else():
    figures = soak(2 / 24, Reporter("soak_watch", budgets_on=False))
    assert figures["soak_watch_heartbeats"] > 40 * 300
    assert figures["soak_watch_outages_planned"] >= 3
    assert figures["soak_watch_down_journaled"] == figures["soak_watch_outages_planned"]
    assert figures["soak_watch_up_journaled"] == figures["soak_watch_outages_planned"]
    assert figures["soak_watch_false_alarms"] == 0 and figures["soak_watch_missed_outages"] == 0
    assert figures["soak_watch_other_lines"] == 0
    assert 0 <= figures["soak_watch_downtime_mean_error_s"] <= BEAT_S + JITTER_S
