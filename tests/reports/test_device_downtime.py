"""The daily report lists device downtime (issue #13, item 4): worked out by hand from the journal's
`device.down` / `device.up` lines, within working hours, in JSON, CSV, XLSX and PDF."""
from __future__ import annotations

from datetime import date, time

from journal_kit import Day, catalog
from openpyxl import load_workbook
from test_formats import csv_blocks, needs_poppler, pdf_text

from queue_server.domain.events import format_at
from queue_server.domain.hours import DayHours, WorkingHours
from queue_server.reports import daily_report, period_report
from queue_server.reports.csv_export import to_csv
from queue_server.reports.pdf_export import to_pdf
from queue_server.reports.xlsx_export import to_xlsx

THE_DAY = date(2024, 3, 5)  # a Tuesday
HOURS = WorkingHours({d: DayHours(time(9), time(17, 45), time(18)) for d in ("mon", "tue", "wed", "thu", "fri")},
                     "Europe/Moscow")


def journal() -> Day:
    """kiosk-1 down 10:00–10:20 and 12:00–12:05; board-1 down since the evening before, back at 09:30;
    pad-1 down at 17:50 and still down at the end of the day (counted to 18:00)."""
    d = Day(THE_DAY)
    d.add("device.down", "18:30", operator="board-1", day_offset=-1, kind="display",
          since=format_at(d.at("18:29", -1)), silent_s=61)
    d.add("device.up", "09:30", operator="board-1", kind="display", down_since=format_at(d.at("18:29", -1)))
    d.add("device.down", "10:01", operator="kiosk-1", kind="kiosk", since=format_at(d.at("10:00")), silent_s=61)
    d.add("device.up", "10:20", operator="kiosk-1", kind="kiosk", down_since=format_at(d.at("10:00")))
    d.add("device.down", "12:01", operator="kiosk-1", kind="kiosk", since=format_at(d.at("12:00")), silent_s=61)
    d.add("admin.device_added", "12:05", operator="admin", device="kiosk-1", kind="kiosk", via="api")
    d.add("device.down", "17:51", operator="pad-1", kind="buttons", since=format_at(d.at("17:50")), silent_s=61)
    return d


def report() -> dict:
    lines = [e.to_line() for e in journal().events]
    return daily_report([x for x in lines if x["at"] >= "2024-03-04T21:00"], catalog(), THE_DAY,
                        device_lines=lines, hours=HOURS)


def test_downtime_per_device_within_working_hours():
    devices = report()["devices"]
    assert [(d["device"], d["kind"], d["outages"], d["down_s"]) for d in devices] == [
        ("board-1", "display", 1, 30 * 60.0),      # 09:00 (opening) to 09:30: the night does not count
        ("kiosk-1", "kiosk", 2, 25 * 60.0),        # 20 min, then 5 min until it was added again
        ("pad-1", "buttons", 1, 10 * 60.0)]        # 17:50 to closing, still down
    assert devices[2]["periods"] == [{"from": "2024-03-05T14:50:00.000Z", "to": None}]


def test_without_device_lines_the_days_own_lines_are_read():
    lines = [e.to_line() for e in journal().events if e.at.date() == THE_DAY]
    devices = daily_report(lines, catalog(), THE_DAY, hours=HOURS)["devices"]
    assert [d["device"] for d in devices] == ["kiosk-1", "pad-1"]  # board-1's down was the evening before


def test_a_period_counts_each_day_within_its_hours():
    lines = [e.to_line() for e in journal().events]
    devices = period_report(lines, catalog(), date(2024, 3, 4), THE_DAY, device_lines=lines, hours=HOURS)["devices"]
    board = next(d for d in devices if d["device"] == "board-1")
    assert board["down_s"] == 30 * 60.0  # it went down on Monday at 18:29, after closing: Tuesday 09:00–09:30


def test_every_format_shows_the_downtime(tmp_path):
    r = report()
    _, blocks = csv_blocks(to_csv(r, "ru"))
    rows = blocks["Устройства без связи (нет сигнала «жив»)"]
    assert rows[0] == ["Устройство", "Вид", "Раз без связи", "Без связи в рабочее время, мин", "Без связи (с – по)"]
    assert rows[1:] == [["board-1", "Табло", "1", "30,0", "04.03 18:29 – 09:30"],
                        ["kiosk-1", "Терминал", "2", "25,0", "10:00 – 10:20; 12:00 – 12:05"],
                        ["pad-1", "Кнопочный пульт", "1", "10,0", "17:50 – до сих пор"]]
    wb = load_workbook(__import__("io").BytesIO(to_xlsx(r, "en")))
    ws = wb["Devices down (no heartbeat)"]
    assert [c.value for c in ws[1]] == ["Device", "Kind", "Times down", "Down in working hours, min",
                                        "Down (from – to)"]
    assert [c.value for c in ws[3]][:4] == ["kiosk-1", "Kiosk", 2, 25.0]


@needs_poppler
def test_the_pdf_has_the_table(tmp_path):
    text = pdf_text(to_pdf(report(), "ru"), tmp_path)
    assert "Устройства без связи" in text and "kiosk-1" in text and "до сих пор" in text
