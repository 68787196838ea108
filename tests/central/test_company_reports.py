"""Company reports at the centre: per-day facts built from the pushed journals, reports over
any set of offices, per office and in total, with the office report's keys plus `offices`.

Two synthetic offices push four days each (three closed, today) through the real push
endpoint; a real `qcentral` process on a throwaway PostgreSQL answers. The centre's report of
one office must be the office's own period report (the same code over the same lines, from
facts in PostgreSQL rather than SQLite), and hold to the journal within the stated resolution.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from central_support import HEAD_PASSWORD, add_office, qcentral

ROOT = Path(__file__).parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "reports")]
from facts_kit import differences, store_with  # noqa: E402

from bench.reports_synth import TZ, journal, synth_catalog  # noqa: E402
from queue_server.adapters.central_push import catalog_payload  # noqa: E402
from queue_server.report_service import build_report  # noqa: E402
from queue_server.reports import period_report  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
PINNED = {"version", "kind", "office", "tz", "from", "to", "days", "roles", "visits", "hours", "services",
          "counters", "operators", "appeals", "bookings", "feedback", "appeals_registry", "devices", "offices"}


def today() -> date:
    return datetime.now(ZoneInfo(TZ)).date()


def history(seed: int, first: date, days: int, per_day: int) -> list[dict]:
    lines = journal(first, days, per_day, seed=seed)
    for line in lines:
        line["uid"] = hashlib.sha256(f"{seed}:{line['seq']}".encode()).hexdigest()[:32]
    return lines


def push(url: str, token: str, lines: list[dict], catalog: bool = True) -> None:
    payload = catalog_payload(SimpleNamespace(catalog=synth_catalog(), get=lambda key: 30))
    for i in range(0, len(lines), 1000):
        body = {"protocol": 1, "office_seq": lines[-1]["seq"], "lines": lines[i:i + 1000]}
        if catalog and i == 0:
            body["catalog"] = payload
        r = requests.post(url + "/api/v1/push", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def company(shared_centre):
    """Two offices with three closed days and today each; a company head and a branch head."""
    url, db = shared_centre.url, shared_centre.db_url
    first = today() - timedelta(days=3)
    offices = {}
    for name, seed, per_day in (("ЦОК Северный", 1, 150), ("ЦОК Южный", 2, 90)):
        office_id, token = add_office(db, name)
        lines = history(seed, first, 4, per_day)
        push(url, token, lines)
        offices[name] = SimpleNamespace(id=office_id, token=token, lines=lines, per_day=per_day)
    qcentral(db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
    south = offices["ЦОК Южный"].id
    qcentral(db, "user", "add", "south-head", "--role", "head", "--password", HEAD_PASSWORD, "--offices", str(south))
    return SimpleNamespace(centre=shared_centre, db=db, first=first, offices=offices,
                           boss=shared_centre.login("boss"), south_head=shared_centre.login("south-head"))


def period(company, token: str, offices: str, start: date, end: date, fmt: str = "json", lang: str = "ru"):
    return company.centre.get(f"/api/v1/reports/period?from={start}&to={end}&offices={offices}"
                              f"&format={fmt}&lang={lang}", token)


def without_offices(report: dict) -> dict:
    """An office's own report's keys: the company report adds `offices`, and names the office
    of each counter and operator."""
    out = {k: v for k, v in report.items() if k != "offices"}
    for key in ("counters", "operators"):
        out[key] = [{k: v for k, v in row.items() if k != "office"} for row in report[key]]
    return out


def test_the_centre_reports_an_office_as_the_office_does(company, tmp_path):
    north = company.offices["ЦОК Северный"]
    start, end = company.first, today()
    r = period(company, company.boss, str(north.id), start, end)
    assert r.status_code == 200, r.text
    report = r.json()
    assert set(report) == PINNED
    assert [o["name"] for o in report["offices"]] == ["ЦОК Северный"]
    store = store_with(tmp_path / "office.sqlite", north.lines)
    try:
        at_office = build_report(store, synth_catalog(), start, end, today())
    finally:
        store.close()
    assert report["office"] == "ЦОК Северный"  # the name the centre knows it by
    # the same facts, the same histograms, the same SQL: the same report
    as_office = {**without_offices(report), "office": at_office["office"]}
    assert as_office == at_office
    from_journal = period_report(north.lines, synth_catalog(), start, end)
    assert differences(as_office, from_journal) == []
    assert report["visits"]["count"] == 4 * north.per_day
    built = company.centre.db_url
    with psycopg.connect(built) as conn:
        days = [d for (d,) in conn.execute("SELECT day FROM fact_built WHERE office_id = %s ORDER BY day",
                                           (north.id,))]
    assert days == [company.first + timedelta(days=i) for i in range(3)]  # today stays journal-only


def test_the_total_is_the_sum_of_the_offices(company):
    r = period(company, company.boss, "all", company.first, today())
    assert r.status_code == 200, r.text
    report = r.json()
    assert set(report) == PINNED
    names = [o["name"] for o in report["offices"]]
    assert names == ["ЦОК Северный", "ЦОК Южный"]
    assert report["visits"]["count"] == sum(o["visits"]["count"] for o in report["offices"]) == 4 * (150 + 90)
    for o in report["offices"]:
        alone = period(company, company.boss, str(o["id"]), company.first, today()).json()
        assert o["visits"] == alone["visits"] and o["roles"] == alone["roles"]
        assert set(o) == {"id", "name", "tz", "visits", "roles"}
    admin = report["roles"]["administrator"]
    assert admin["steps"] == sum(o["roles"]["administrator"]["steps"] for o in report["offices"])
    assert admin["wait"]["n"] == sum(o["roles"]["administrator"]["wait"]["n"] for o in report["offices"])
    assert {c["office"] for c in report["counters"]} == {o["id"] for o in report["offices"]}
    assert [d["visits"] for d in report["days"]] == [240, 240, 240, 240]
    north_only = period(company, company.boss, str(company.offices["ЦОК Северный"].id), company.first, today())
    assert north_only.json()["visits"]["count"] == 600


def test_a_report_read_in_parts_is_the_report_read_whole(company):
    """The centre reads a company report's offices in parts at once (qcentral/facts.py
    REPORT_PARTS): the sum's medians then come from the parts' histograms added up in
    Python, and must be those of the histograms added up in SQL."""
    from qcentral.db import make_pool
    from qcentral.facts import Office, catalog_for, company_report

    now = datetime.now(UTC)
    pool = make_pool(company.db, max_size=3)
    try:
        with pool.connection() as conn:
            offices = [Office(o.id, name, catalog_for(conn, o.id)) for name, o in sorted(company.offices.items())]
            whole = company_report(conn, offices, company.first, today(), now)
            parts = company_report(conn, offices, company.first, today(), now, pool=pool)
    finally:
        pool.close()
    assert parts == whole
    assert whole["roles"]["administrator"]["wait"]["median_s"] is not None
    busy = make_pool(company.db, max_size=1)  # its one connection is the report's own: no second
    try:
        with busy.connection() as conn:
            assert company_report(conn, offices, company.first, today(), now, pool=busy) == whole
    finally:
        busy.close()


def test_the_daily_company_report(company):
    day = company.first + timedelta(days=1)
    r = company.centre.get(f"/api/v1/reports/daily?date={day}&offices=all", company.boss)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["kind"] == "daily" and report["date"] == day.isoformat() and "days" not in report
    assert report["visits"]["count"] == 240 and len(report["offices"]) == 2


def test_a_branch_head_gets_only_the_branch(company):
    south, north = company.offices["ЦОК Южный"], company.offices["ЦОК Северный"]
    mine = period(company, company.south_head, "all", company.first, today())
    assert mine.status_code == 200
    assert [o["id"] for o in mine.json()["offices"]] == [south.id]
    assert mine.json()["visits"]["count"] == 4 * 90
    for asked in (str(north.id), f"{south.id},{north.id}"):
        r = period(company, company.south_head, asked, company.first, today())
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert period(company, company.boss, "99999", company.first, today()).status_code == 404
    push_token = period(company, south.token, "all", company.first, today())
    assert push_token.status_code == 403
    anonymous = requests.get(company.centre.url + f"/api/v1/reports/period?from={company.first}&to={today()}",
                             timeout=10)
    assert anonymous.status_code == 401


@pytest.mark.parametrize("query, why", [
    ("from=2026-01-10&to=2026-01-01&offices=all", "before"),
    ("from=2025-01-01&to=2026-12-31&offices=all", "at most"),
    ("from=2026-02-30&to=2026-03-01&offices=all", "real date"),
    ("from=yesterday&to=2026-03-01&offices=all", "YYYY-MM-DD"),
    ("to=2026-03-01", "from"),
    ("from=2026-03-01&to=2026-03-01&offices=1;DROP TABLE offices", "office ids"),
    ("from=2026-03-01&to=2026-03-01&offices=" + ",".join(["1"] * 1001), "office ids"),
    ("from=2026-03-01&to=2026-03-01&offices=-1", "office ids"),
    ("from=2026-03-01&to=2026-03-01&format=docx", "format"),
    ("from=2026-03-01&to=2026-03-01&lang=de", "lang"),
])
def test_a_bad_request_is_refused_in_words(company, query, why):
    r = company.centre.get("/api/v1/reports/period?" + query, company.boss)
    assert r.status_code == 422, r.text
    assert why in r.json()["error"]["message"]


def test_lines_pushed_late_for_a_closed_day_are_counted(company):
    """An office back after an outage pushes yesterday's last visits: the day's facts are
    built again from its lines."""
    south = company.offices["ЦОК Южный"]
    day = company.first
    before = period(company, company.boss, str(south.id), day, day).json()
    seq = south.lines[-1]["seq"]
    late = []
    for i, (kind, minute) in enumerate((("visit.issued", 0), ("step.called", 3), ("step.finished", 9))):
        seq += 1
        at = datetime.combine(day, datetime.min.time(), ZoneInfo(TZ)).replace(hour=19, minute=minute)
        late.append({"seq": seq, "uid": f"late{seq:028d}", "at": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                     "type": kind, "visit": "late-visit-1", "step": 1, "service": "pay",
                     "counter": None if i == 0 else "6", "operator": None if i == 0 else "op6",
                     "data": {"number": "P999", "priority": None, "channel": "kiosk", "lang": "ru"} if i == 0
                     else {"outcome": "served", "kind": "payment", "topic": "metering"} if i == 2 else {}})
    push(company.centre.url, south.token, late, catalog=False)
    south.lines += late
    after = period(company, company.boss, str(south.id), day, day).json()
    assert after["visits"]["count"] == before["visits"]["count"] + 1
    assert after["roles"]["cashier"]["wait"]["n"] == before["roles"]["cashier"]["wait"]["n"] + 1


def test_qcentral_facts_rebuild_gives_the_same_report(company):
    start, end = company.first, today() - timedelta(days=1)
    before = period(company, company.boss, "all", start, end).json()
    with psycopg.connect(company.db) as conn:
        conn.execute("DELETE FROM fact_hist_group WHERE unit <> 'D'")  # derived data lost by hand
    done = qcentral(company.db, "facts", "rebuild")
    assert "facts of 3 days built" in done.stdout
    assert period(company, company.boss, "all", start, end).json() == before


def test_the_company_report_in_every_format(company, tmp_path):
    start, end = company.first, today()
    csv_body = period(company, company.boss, "all", start, end, "csv")
    assert csv_body.status_code == 200 and csv_body.headers["Content-Type"].startswith("text/csv")
    assert f'filename="company-report-{start}_{end}.csv"' in csv_body.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_body.content.decode("utf-8-sig")), delimiter=";"))
    offices_at = [i for i, row in enumerate(rows) if row and row[0] == "По центрам обслуживания"]
    assert offices_at, "the offices table"
    header = rows[offices_at[0] + 1]
    assert header[0] == "Центр обслуживания" and rows[offices_at[0] + 2][0] == "ЦОК Северный"
    xlsx = period(company, company.boss, "all", start, end, "xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert "По центрам обслуживания"[:31] in book.sheetnames
    pdf = period(company, company.boss, "all", start, end, "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "company.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "По центрам обслуживания" in text and "ЦОК Южный" in text and "ЦОК Северный" in text
    SHOTS.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")],
                   check=True)
    for i, page in enumerate(sorted(tmp_path.glob("page*.png")), start=1):
        (SHOTS / f"central-report-ru-{i}.png").write_bytes(page.read_bytes())
    english = period(company, company.boss, "all", start, end, "json", "en").json()
    assert english == period(company, company.boss, "all", start, end).json()  # JSON is not translated
    assert json.dumps(english)
