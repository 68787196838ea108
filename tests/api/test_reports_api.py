"""Reports over HTTP and the CLI, computed from the journal of a scripted morning.

drive_a_morning (tests/tests_support.py), with times from the first ticket:
А001 waits 120 s for the administrator, is served 180 s (start at 150 → transfer
at 330), waits 60 s for the consultant and is served 600 s (390 → 990) with an
application about technological connection. The veteran's payment ticket is
called at 990 and marked a no-show at 1050. A quick-question ticket still waits.
"""
from __future__ import annotations

import requests
from tests_support import drive_a_morning


def test_daily_json_has_the_hand_computed_figures(live_office):
    drive_a_morning(live_office)
    r = live_office.get("/api/v1/reports/daily?date=2026-11-20", "head")
    assert r.status_code == 200, r.text
    report = r.json()
    admin, consultant = report["roles"]["administrator"], report["roles"]["consultant"]
    assert admin["norm"] == {"wait_s": 600, "service_s": 300}
    assert admin["steps"] == 1 and admin["wait"]["mean_s"] == 120 and admin["service"]["mean_s"] == 180
    assert admin["wait"]["within_norm_share"] == 1.0
    assert consultant["wait"]["mean_s"] == 60 and consultant["service"]["max_s"] == 600
    assert report["visits"]["count"] == 3 and report["visits"]["no_shows"] == 1
    assert report["visits"]["norm_s"] == 3600
    assert report["appeals"]["by_kind"]["application"] == 1
    assert report["appeals"]["by_topic"]["technological_connection"] == 1


def test_reports_are_for_heads_and_check_their_input(live_office):
    assert live_office.get("/api/v1/reports/daily?date=2026-11-20", "op1").status_code == 403
    assert live_office.get("/api/v1/reports/daily?date=2026-13-45", "head").status_code == 422
    assert live_office.get("/api/v1/reports/daily", "head").status_code == 422
    r = live_office.get("/api/v1/reports/period?from=2026-11-21&to=2026-11-20", "head")
    assert r.status_code == 422 and "before" in r.json()["error"]["message"]
    assert requests.get(f"{live_office.url}/api/v1/reports/daily?date=2026-11-20", timeout=5).status_code == 401


def test_a_period_report_sums_its_days(live_office):
    drive_a_morning(live_office)
    # The quick question left waiting is served first thing next morning.
    live_office.app.clock.advance(86400)
    assert live_office.get("/api/v1/state", "op3").status_code == 401  # yesterday's session expired
    live_office.relogin()
    live_office.post("/api/v1/counters/3/resume", "op3")
    called = live_office.post("/api/v1/counters/3/next", "op3")
    assert called.json()["service_id"] == "quick", called.text
    live_office.post("/api/v1/counters/3/finish", "op3")
    drive_a_morning(live_office)
    r = live_office.get("/api/v1/reports/period?from=2026-11-20&to=2026-11-21", "head")
    assert r.status_code == 200
    assert r.json()["visits"]["count"] == 6 and r.json()["visits"]["no_shows"] == 2
    assert r.json()["roles"]["administrator"]["steps"] == 2


def test_every_format_downloads_as_what_it_says(live_office):
    drive_a_morning(live_office)
    base = "/api/v1/reports/daily?date=2026-11-20&format="
    pdf = live_office.get(base + "pdf", "head")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "report-2026-11-20.pdf" in pdf.headers["Content-Disposition"]
    csv = live_office.get(base + "csv", "head")
    assert csv.content.startswith(b"\xef\xbb\xbf") and ";" in csv.content.decode("utf-8-sig")
    assert "Администратор" in csv.content.decode("utf-8-sig")
    xlsx = live_office.get(base + "xlsx&lang=en", "head")
    assert xlsx.content.startswith(b"PK") and "spreadsheetml" in xlsx.headers["Content-Type"]
    assert live_office.get(base + "docx", "head").status_code == 422


def test_qserver_report_writes_the_file(live_office, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    drive_a_morning(live_office)
    out = tmp_path / "day.csv"
    proc = subprocess.run([str(Path(sys.executable).with_name("qserver")), "report", "--data",
                           str(live_office.app.data_dir), "--date", "2026-11-20", "--format", "csv",
                           "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Администратор" in out.read_text(encoding="utf-8-sig")
