"""The daily report's figures, against a day worked out by hand (journal_kit.busy_morning)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from journal_kit import (
    EXPECTED_ROLES,
    EXPECTED_VISITS,
    NULL,
    THE_DAY,
    Day,
    busy_morning,
    catalog,
    summary,
)

from queue_server.reports import daily_report
from queue_server.reports.rows import JournalFormatError

INPUTS = {
    "events": lambda d: d.sorted(),
    "dict lines": lambda d: d.lines(),
    "sqlite rows": lambda d: d.rows(),
}


@pytest.fixture(params=list(INPUTS))
def report(request) -> dict:
    return daily_report(INPUTS[request.param](busy_morning()), catalog(), THE_DAY, "Europe/Moscow")


def test_header(report):
    assert report["kind"] == "daily"
    assert report["date"] == "2024-03-05"
    assert report["office"] == "ЦОК Тестовый"
    assert report["tz"] == "Europe/Moscow"
    assert "from" not in report and "days" not in report


def test_every_role_figure(report):
    assert list(report["roles"]) == ["administrator", "consultant", "cashier", "admin_consultant"]
    for rid, expected in EXPECTED_ROLES.items():
        got = dict(report["roles"][rid])
        assert got.pop("name")["ru"]
        assert got == expected, rid


def test_visit_figures(report):
    assert report["visits"] == EXPECTED_VISITS


def test_hours_bucket_by_local_time(report):
    hours = {h["hour"]: h for h in report["hours"]}
    assert list(hours) == list(range(9, 20))
    nine, ten, eleven, noon, seven_pm = hours[9], hours[10], hours[11], hours[12], hours[19]
    assert (nine["arrivals"], nine["steps"], nine["waiting_max"]) == (3, 5, 2)
    assert (nine["wait_n"], nine["wait_mean_s"], nine["wait_max_s"]) == (4, 360.0, 600.0)
    assert nine["wait_within_norm_share"] == 1.0
    assert nine["wait_mean_by_role_s"] == {"administrator": 270.0, "consultant": 600.0,
                                           "cashier": 300.0, "admin_consultant": None}
    assert (ten["arrivals"], ten["steps"], ten["waiting_max"]) == (1, 3, 1)
    assert (ten["wait_n"], ten["wait_mean_s"], ten["wait_max_s"]) == (3, 540.0, 1200.0)
    assert ten["wait_mean_by_role_s"]["administrator"] == 210.0
    assert ten["wait_mean_by_role_s"]["consultant"] == 1200.0
    assert (eleven["arrivals"], eleven["steps"], eleven["waiting_max"], eleven["wait_n"]) == (1, 1, 1, 0)
    assert eleven["wait_mean_s"] is None and eleven["wait_within_norm_share"] is None
    assert (noon["arrivals"], noon["steps"], noon["waiting_max"], noon["wait_mean_s"]) == (0, 0, 0, None)
    assert (seven_pm["arrivals"], seven_pm["wait_mean_s"], seven_pm["waiting_max"]) == (1, 1200.0, 1)


def test_services(report):
    services = {s["id"]: s for s in report["services"]}
    assert list(services) == ["adm", "con", "cash"]
    for sid, rid in (("adm", "administrator"), ("con", "consultant"), ("cash", "cashier")):
        s, r = services[sid], EXPECTED_ROLES[rid]
        assert s["role"] == rid
        for key in ("steps", "no_shows", "recalls", "open", "wait", "service", "verdict"):
            assert s[key] == r[key], (sid, key)
    assert services["con"]["name"] == {"ru": "Консультация", "en": "Consultation"}


def test_counters_and_operators(report):
    counters = {c["id"]: c for c in report["counters"]}
    one, two, three = counters["1"], counters["2"], counters["3"]
    # counter 1: open 08:50-18:00 with a half-hour pause, served 180+180+180+240 s
    assert (one["open_s"], one["paused_s"], one["busy_s"]) == (33000.0, 1800.0, 780.0)
    assert one["busy_share"] == 0.025
    assert one["name"] == "Окно 1"
    assert (one["steps"], one["no_shows"]) == (4, 1)
    assert one["wait"] == EXPECTED_ROLES["administrator"]["wait"]
    assert one["service"] == EXPECTED_ROLES["administrator"]["service"]
    assert (two["open_s"], two["busy_s"], two["busy_share"]) == (0.0, 2100.0, None)
    assert (two["steps"], two["wait"]["mean_s"], two["service"]["within_norm_share"]) == (2, 900.0, 0.5)
    assert (three["steps"], three["wait"]["n"], three["service"]["n"]) == (1, 2, 1)
    assert "verdict" not in one
    ops = {o["id"]: o for o in report["operators"]}
    assert list(ops) == ["opA", "opB", "opC"]
    assert ops["opA"]["wait"] == one["wait"] and ops["opA"]["no_shows"] == 1
    assert ops["opB"]["service"] == two["service"] and ops["opC"]["steps"] == 1


def test_appeals(report):
    assert report["appeals"] == {
        "by_kind": {"application": 0, "complaint": 1, "consultation": 1, "payment": 1},
        "by_topic": {"technological_connection": 0, "electricity_transmission": 0,
                     "energy_supply": 1, "metering": 1, "power_quality": 1, "other": 0},
        "by_outcome": {"served": 2, "unresolved": 1},
    }


def test_report_is_plain_json(report):
    assert json.loads(json.dumps(report)) == report


def test_a_day_with_no_visits():
    r = daily_report([], catalog(), THE_DAY, "Europe/Moscow")
    assert r["visits"]["count"] == 0 and r["visits"]["total"] == NULL
    assert r["visits"]["verdict"] == {"total_ok": None}
    assert r["hours"] == []
    for role in r["roles"].values():
        assert role["steps"] == 0 and role["wait"] == NULL and role["service"] == NULL
        assert role["verdict"] == {"wait_ok": None, "service_ok": None}
    assert all(c["busy_share"] is None for c in r["counters"])
    assert r["operators"] == []
    assert sum(r["appeals"]["by_kind"].values()) == 0


def test_only_the_days_visits_count():
    """The busy morning seen from the day before: only V0 (issued then) is there,
    and its finish the next morning lies outside, so it is open at close."""
    r = daily_report(busy_morning().lines(), catalog(), date(2024, 3, 4), "Europe/Moscow")
    assert r["visits"]["count"] == 1 and r["visits"]["open_at_close"] == 1
    assert r["roles"]["administrator"]["wait"]["n"] == 0
    assert r["hours"][0]["hour"] == 19 and r["hours"][0]["arrivals"] == 1


def test_time_zone_defaults_to_the_catalogs():
    a = daily_report(busy_morning().lines(), catalog(), THE_DAY)
    b = daily_report(busy_morning().lines(), catalog(), THE_DAY, "Europe/Moscow")
    assert a == b


def test_a_started_step_without_a_call_waits_until_the_start():
    d = Day(THE_DAY)
    d.issue("09:00", "S", "adm").start("09:06", "S", 1, "adm", "1", "opA")
    d.finish("09:09", "S", 1, "adm", "1", "opA")
    r = daily_report(d.lines(), catalog(), THE_DAY)
    adm = r["roles"]["administrator"]
    assert adm["wait"]["mean_s"] == 360.0 and adm["service"]["mean_s"] == 180.0


def test_served_at_another_counter_than_called():
    """Wait is charged to the counter that called, service to the one that served."""
    d = Day(THE_DAY)
    d.issue("09:00", "S", "adm").call("09:01", "S", 1, "adm", "1", "opA")
    d.call("09:02", "S", 1, "adm", "2", "opB").finish("09:05", "S", 1, "adm", "2", "opB")
    r = daily_report(d.lines(), catalog(), THE_DAY)
    counters = {c["id"]: c for c in r["counters"]}
    assert counters["1"]["wait"]["mean_s"] == 60.0 and counters["1"]["service"]["n"] == 0
    assert counters["2"]["wait"]["n"] == 0 and counters["2"]["service"]["mean_s"] == 180.0
    assert r["roles"]["administrator"]["service"]["mean_s"] == 180.0


def test_a_service_missing_from_the_catalog_is_listed_without_a_role():
    d = Day(THE_DAY)
    d.issue("09:00", "S", "gone").call("09:10", "S", 1, "gone", "1", "opA")
    d.finish("09:12", "S", 1, "gone", "1", "opA")
    r = daily_report(d.lines(), catalog(), THE_DAY)
    gone = [s for s in r["services"] if s["id"] == "gone"][0]
    assert gone["role"] is None and gone["wait"]["mean_s"] == 600.0
    assert gone["wait"]["within_norm_share"] is None and gone["verdict"]["wait_ok"] is None
    assert all(role["steps"] == 0 for role in r["roles"].values())
    assert r["visits"]["total"]["mean_s"] == 720.0


def test_percentiles_are_nearest_rank():
    d = Day(THE_DAY)
    for i in range(10):  # waits of 1..10 minutes
        v = f"P{i}"
        d.issue("09:00", v, "con").call(f"09:{i + 1:02d}", v, 1, "con", "2", "opB")
        d.finish(f"09:{i + 1:02d}:30", v, 1, "con", "2", "opB")
    wait = daily_report(d.lines(), catalog(), THE_DAY)["roles"]["consultant"]["wait"]
    # ranks: median ceil(0.5*10)=5 -> 300 s; p90 ceil(0.9*10)=9 -> 540 s
    assert wait == summary(10, 330.0, 300.0, 540.0, 600.0, 1.0)


@pytest.mark.parametrize("bad, message", [
    ([{"type": "visit.issued"}], "without a time"),
    ([{"type": "visit.issued", "at": "2024-03-05T09:00:00"}], "without a zone"),
    ([{"type": "visit.issued", "at": "yesterday"}], "unreadable time"),
    ([(1, "2024-03-05T09:00:00Z", "visit.issued")], "columns"),
    ([42], "cannot read"),
])
def test_unreadable_journals_are_refused_in_words(bad, message):
    with pytest.raises(JournalFormatError, match=message):
        daily_report(bad, catalog(), THE_DAY)


def test_a_line_missing_a_key_is_refused_in_words():
    line = busy_morning().lines()[3]
    del line["visit"]
    with pytest.raises(JournalFormatError, match="visit"):
        daily_report([line], catalog(), THE_DAY)
