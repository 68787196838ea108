"""The bookings in the reports, worked by hand: a day with bookings kept, late, missed,
cancelled and still to come, made on that day or before, and the wait from the booked time.

Friday 2026-11-20 in Moscow, consultation (the consultant's wait norm: 20 min):

| code | made        | slot  | what happened                                        | wait from the slot |
|------|-------------|-------|------------------------------------------------------|--------------------|
| B1   | 18.11       | 10:00 | checked in 09:50, called 10:03                       | 3 min              |
| B2   | 19.11 staff | 11:00 | checked in 10:58, called 11:12                       | 12 min             |
| B3   | 20.11 08:00 | 12:00 | checked in 12:20: late, a walk-in, called 12:25      | (a walk-in: 5 min) |
| B4   | 19.11       | 13:00 | never came: no-show marked at 00:00:05 on the 21st   |                    |
| B5   | 20.11 08:10 | 14:00 | cancelled at 09:00                                   |                    |
| B6   | 20.11 10:30 | 25.11 | (another day: counts only as made on the 20th)       |                    |
| B7   | 20.11 08:20 | 15:00 | checked in 14:40, called 14:45 as a walk-in          | 0                  |
| B8   | 17.11       | 16:00 | nothing yet                                          |                    |

Made on the 20th: B3, B5, B6, B7 = 4. For the 20th (not cancelled): B1 B2 B3 B4 B7 B8 = 6, one by staff
(B2). Kept B1 B2 B7 = 3, late B3 = 1, no-show B4 = 1, pending B8 = 1, cancelled B5 = 1.
Wait from the slot: 180, 720, 0 s → mean 300, median (nearest rank 2 of 3) 180, p90 (rank 3) 720,
max 720, all three within 20 min. The consultant's waits: those three and the walk-in's 300 s
(B3 checked in 12:20, called 12:25) → mean 300.
"""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from journal_kit import Day, catalog
from openpyxl import load_workbook
from test_formats import line_with, needs_poppler, pdf_text

from queue_server.domain import events as ev
from queue_server.reports import daily_report
from queue_server.reports.csv_export import to_csv
from queue_server.reports.pdf_export import to_pdf
from queue_server.reports.xlsx_export import to_xlsx

THE_20TH = date(2026, 11, 20)
MSK = "+03:00"


def slot(day: str, hhmm: str) -> str:
    from datetime import datetime

    from queue_server.domain.events import format_at
    return format_at(datetime.fromisoformat(f"2026-11-{day}T{hhmm}:00{MSK}"))


def created(d: Day, clock: str, offset: int, code: str, start: str, staff: bool = False) -> None:
    d.add(ev.BOOKING_CREATED, clock, service="con", day_offset=offset, operator="cc1" if staff else None,
          code=code, start=start, minutes=15, name="Имя", phone="+79120000000", email=None, lang="ru",
          via="staff" if staff else "web")


def visit(d: Day, code: str, visit_id: str, number: str, checked: str, called: str, finished: str,
          due: str | None) -> None:
    data = {"number": number, "priority": "appointment" if due else None, "channel": "remote", "lang": "ru",
            "booking": code, **({"due": due} if due else {})}
    d.add(ev.VISIT_ISSUED, checked, visit=visit_id, step=1, service="con", **data)
    d.add(ev.BOOKING_CHECKED_IN, checked, visit=visit_id, service="con", code=code,
          start=slot("20", {"B1": "10:00", "B2": "11:00", "B3": "12:00", "B7": "15:00"}[code]),
          late=due is None, via="kiosk")
    d.add(ev.STEP_CALLED, called, visit=visit_id, step=1, service="con", counter="2", operator="opA")
    d.add(ev.STEP_FINISHED, finished, visit=visit_id, step=1, service="con", counter="2", operator="opA",
          outcome="served")


def the_day() -> tuple[list, list]:
    """(the day's journal lines, the booking lines of the wider span), in journal order."""
    d = Day(THE_20TH)
    created(d, "12:00", -3, "B8", slot("20", "16:00"))
    created(d, "09:00", -2, "B1", slot("20", "10:00"))
    created(d, "09:00", -1, "B2", slot("20", "11:00"), staff=True)
    created(d, "10:00", -1, "B4", slot("20", "13:00"))
    created(d, "08:00", 0, "B3", slot("20", "12:00"))
    created(d, "08:10", 0, "B5", slot("20", "14:00"))
    created(d, "08:20", 0, "B7", slot("20", "15:00"))
    d.add(ev.BOOKING_CANCELLED, "09:00", service="con", code="B5", start=slot("20", "14:00"), by="visitor")
    visit(d, "B1", "v1", "К001", "09:50", "10:03", "10:15", slot("20", "10:00"))
    created(d, "10:30", 0, "B6", slot("25", "10:00"), staff=True)
    visit(d, "B2", "v2", "К002", "10:58", "11:12", "11:25", slot("20", "11:00"))
    visit(d, "B3", "v3", "К003", "12:20", "12:25", "12:40", None)
    visit(d, "B7", "v7", "К004", "14:40", "14:45", "14:58", slot("20", "15:00"))
    d.add(ev.BOOKING_NO_SHOW, "00:00:05", service="con", day_offset=1, code="B4", start=slot("20", "13:00"))
    lines = [e.to_line() for e in d.events]
    return lines, [line for line in lines if line["type"].startswith("booking.")]


@pytest.fixture(scope="module")
def report() -> dict:
    lines, booking_lines = the_day()
    return daily_report(lines, catalog(), THE_20TH, bookings=booking_lines)


def test_the_bookings_of_the_day_by_hand(report):
    b = report["bookings"]
    assert {k: v for k, v in b.items() if k != "wait_from_slot"} == {
        "made": 4, "booked": 6, "by_staff": 1, "kept": 3, "late": 1, "no_show": 1, "pending": 1, "cancelled": 1}
    assert b["wait_from_slot"] == {"n": 3, "mean_s": 300.0, "median_s": 180.0, "p90_s": 720.0, "max_s": 720.0,
                                   "within_norm_share": 1.0}
    consultant = report["roles"]["consultant"]["wait"]
    assert consultant["n"] == 4 and consultant["mean_s"] == 300.0 and consultant["max_s"] == 720.0
    assert report["visits"]["by_channel"]["remote"] == 4
    assert report["visits"]["by_priority"]["appointment"] == 3


def test_without_the_wider_lines_a_no_show_marked_after_midnight_is_still_pending():
    """Why report_service passes the booking lines of a wider span."""
    lines, _ = the_day()
    b = daily_report(lines, catalog(), THE_20TH)["bookings"]
    day_lines_only = [line for line in lines if line["at"] < "2026-11-20T21:00"]
    b2 = daily_report(day_lines_only, catalog(), THE_20TH)["bookings"]
    assert (b["no_show"], b["pending"]) == (1, 1)  # the 21st's line came with the stream
    assert (b2["no_show"], b2["pending"]) == (0, 2)
    assert b2["made"] == 4 and b2["booked"] == 6


def test_csv_and_xlsx_show_the_bookings_block(report):
    rows = list(csv.reader(io.StringIO(to_csv(report, "ru").decode("utf-8-sig")), delimiter=";"))
    start = rows.index(["Предварительная запись"])
    block = {r[0]: r[1] for r in rows[start + 2:] if len(r) == 2}
    assert block["Записей сделано за период (на любой день)"] == "4"
    assert block["Записей на период"] == "6"
    assert block["Пришли: отметились вовремя"] == "3"
    assert block["Опоздали: отметились позже допуска, обслужены в общей очереди"] == "1"
    assert block["Не пришли"] == "1"
    assert block["Ожидание от времени записи: среднее, мин"] == "5,0"
    assert block["Ожидание от времени записи: 90-й процентиль, мин"] == "12,0"
    assert block["Ожидание от времени записи: в пределах нормы, %"] == "100,0"
    wb = load_workbook(io.BytesIO(to_xlsx(report, "en")))
    ws = wb["Bookings (pre-registration)"]
    values = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)}
    assert values["Kept: checked in on time"] == 3
    assert values["Wait from the booked time: mean, min"] == 5.0


@needs_poppler
def test_the_pdf_shows_the_bookings(report, tmp_path):
    text = pdf_text(to_pdf(report, "ru"), tmp_path)
    assert "Предварительная запись" in text
    line_with(text, "Записей на период", "6")
    line_with(text, "Пришли: отметились вовремя", "3")
    line_with(text, "Ожидание от времени записи: среднее", "5:00")
    line_with(text, "Ожидание от времени записи: 90-й процентиль", "12:00")


def test_a_period_with_bookings_and_ratings_from_stored_facts_equals_the_journal(tmp_path):
    """The period report from the facts stored as days close (the booked visitors' waits
    from their slot as facts and histograms, the ratings as counts) equals the one read
    from the journal, with the bookings' counts read from their lines as a day's are."""
    from datetime import datetime, timedelta

    from facts_kit import all_lines, differences, store_with

    from queue_server.report_service import build_report
    from queue_server.reports import period_report

    lines, _ = the_day()
    zone = Day(THE_20TH).zone
    for i, (score, via, who) in enumerate([(5, "track", ("con", "2", "opA")), (2, "pad", ("con", "2", "opA")),
                                           (4, "track", ("adm", "1", "opB"))]):
        at = datetime(2026, 11, 18 + i, 16, 0, tzinfo=zone)
        lines.append(ev.Event(ev.VISIT_RATED, at, visit=f"v{i + 1}", step=1, data={
            "score": score, "comment": "Долго" if score < 3 else "", "via": via,
            "served": [{"service": who[0], "counter": who[1], "operator": who[2]}]}).to_line())
    lines.sort(key=lambda line: line["at"])
    store = store_with(tmp_path / "office.sqlite", lines)
    try:
        start, end = date(2026, 11, 16), date(2026, 11, 22)
        for today in (date(2026, 12, 1), THE_20TH + timedelta(days=1)):  # all closed; the 21st going on
            from_facts = build_report(store, catalog(), start, end, today)
            from_journal = period_report(all_lines(store), catalog(), start, end)
            assert differences(from_facts, from_journal) == []
            b = from_facts["bookings"]
            assert (b["booked"], b["kept"], b["late"], b["no_show"], b["pending"], b["cancelled"]) == (6, 3, 1, 1, 1, 1)
            assert b["wait_from_slot"] == {"n": 3, "mean_s": 300.0, "median_s": 180.0, "p90_s": 720.0,
                                           "max_s": 720.0, "within_norm_share": 1.0}
            fb = from_facts["feedback"]
            assert (fb["n"], fb["comments"], fb["distribution"]) == (3, 1, {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1})
            assert [(s["id"], s["n"]) for s in fb["by_operator"]] == [("opA", 2), ("opB", 1)]
        stored = store.query("SELECT booked_n FROM fact_day WHERE unit = 'D' AND start = '2026-11-20'")
        assert stored == [(3,)]  # the 20th's booked waits are in its stored facts
    finally:
        store.close()
