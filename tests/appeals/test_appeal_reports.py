"""Report figures of the registry and of ratings against hand-worked appeals (2026Q4, Moscow).

The quarter's appeals, worked out by hand (due = registration day + days, to 23:59:59):
  A1 complaint·metering·in person  05.10, due 19.10; justified 15.10 (in time); accepted 16.10
  A2 complaint·metering·phone      06.10, the same contract as A1 → repeated; due 20.10;
     unjustified 25.10 (late); not accepted 26.10 → due 09.11; justified 02.11 (round 2,
     reversed, in time); accepted 03.11
  A3 application·grid·e-mail       02.11, 3 days → due 05.11; extended +5 on 04.11 → 10.11;
     partly 12.11 (late); never accepted nor rejected
  A4 question·energy supply·web    20.12, due 03.01.2027: open at the quarter's end, not overdue
  A5 complaint·power quality·post  01.12 with no service, contract or contact (a record
     violation), due 15.12, never answered: overdue at the quarter's end
  A6 suggestion·other·in person    30.09 (Q3), due 14.10; justified 20.10 (late): decided in Q4
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from queue_server.cli import demo_config
from queue_server.config import parse_config
from queue_server.domain import events as ev
from queue_server.domain.appeals import AppealRegistry, AppealRules
from queue_server.domain.event_schema import check_event
from queue_server.report_service import render
from queue_server.reports import daily_report, period_report
from queue_server.reports.appeal_figures import quarter_report
from queue_server.reports.csv_export import to_csv
from queue_server.reports.xlsx_export import to_xlsx

CATALOG = parse_config(__import__("tomllib").loads(demo_config()), __import__("pathlib").Path("x")).catalog
MSK = "+03:00"
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def t(day: str, hhmm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00{MSK}").astimezone(UTC)


def build_journal() -> tuple[list[ev.Event], dict[str, str]]:
    reg = AppealRegistry(AppealRules(timezone="Europe/Moscow"))
    journal: list[ev.Event] = []
    codes: dict[str, str] = {}

    def do(e: ev.Event) -> ev.Event:
        assert check_event(e) is None
        e = ev.Event(e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data, len(journal) + 1)
        reg.apply(e)
        journal.append(e)
        return e

    def register(name, when, **kw):
        e = do(reg.register(when, "op1", **kw))
        codes[name] = e.data["code"]

    def act(method, name, when, *args):
        return do(getattr(reg, method)(when, "head", codes[name], *args))

    customer = {"contract": "77-1", "contact": {"phone": "+79123456789"}, "service_id": "consultation"}
    register("A6", t("2026-09-30"), kind="suggestion", topic="other", channel="in_person", text="Поставьте кулер",
             service_id="reception")
    register("A1", t("2026-10-05"), kind="complaint", topic="metering", channel="in_person", text="Счёт", **customer)
    register("A2", t("2026-10-06"), kind="complaint", topic="metering", channel="phone", text="Опять счёт", **customer)
    act("decide", "A1", t("2026-10-15"), "justified", "Перерасчёт")
    act("close", "A1", t("2026-10-16"), True)
    act("decide", "A6", t("2026-10-20"), "justified", "Поставим")
    act("decide", "A2", t("2026-10-25"), "unjustified", "Верно")
    act("close", "A2", t("2026-10-26"), False)
    register("A3", t("2026-11-02", "09:00"), kind="application", topic="technological_connection", channel="email",
             text="Присоединить дом", contact={"email": "a3@example.ru"})
    act("decide", "A2", t("2026-11-02"), "justified", "После проверки — перерасчёт")
    act("close", "A2", t("2026-11-03"), True)
    act("extend", "A3", t("2026-11-04"), 5, "Запрос в сетевую организацию")
    act("decide", "A3", t("2026-11-12"), "partly", "Частично")
    register("A5", t("2026-12-01"), kind="complaint", topic="power_quality", channel="post", text="Скачки напряжения")
    register("A4", t("2026-12-20"), kind="question", topic="energy_supply", channel="web", text="Тариф?",
             contact={"email": "a4@example.ru"})
    return journal, codes


def rated(at: datetime, visit: str, score: int, served: list[tuple[str, str, str]], comment: str = "") -> ev.Event:
    return ev.Event(ev.VISIT_RATED, at, visit=visit, step=len(served), data={
        "score": score, "comment": comment, "via": "track",
        "served": [{"service": s, "counter": c, "operator": o} for s, c, o in served]})


def test_the_quarters_registry_figures_are_the_hand_worked_ones():
    journal, codes = build_journal()
    assert journal[2].data["repeat_of"] == codes["A1"]
    q = quarter_report(journal, "ЦОК", "Europe/Moscow", "2026Q4", ("2026-10-01", "2026-12-31"),
                       t("2026-10-01", "00:00"), t("2027-01-01", "00:00"), as_of=t("2027-02-01"))
    reg = q["appeals_registry"]
    assert {k: reg[k] for k in ("registered", "decided", "decided_in_time", "decided_late", "redecided", "overdue",
                                "extended", "not_accepted", "closed", "open_at_end")} == {
        "registered": 5, "decided": 4, "decided_in_time": 1, "decided_late": 3, "redecided": 1, "overdue": 1,
        "extended": 1, "not_accepted": 1, "closed": 2, "open_at_end": 4}
    assert reg["by_kind"] == {"complaint": 3, "application": 1, "question": 1, "suggestion": 0}
    assert reg["by_topic"] == {"technological_connection": 1, "electricity_transmission": 0, "energy_supply": 1,
                               "metering": 2, "power_quality": 1, "other": 0}
    assert reg["by_channel"] == {"in_person": 1, "phone": 1, "post": 1, "email": 1, "web": 1}
    assert reg["by_place"] == {"in_person": 1, "remote": 4}
    assert reg["by_decision"] == {"justified": 3, "unjustified": 1, "partly": 1}
    assert reg["indicators"] == {"repeated": 1, "unjustified": 1, "rejected_then_justified": 1, "late_actions": 1,
                                 "record_violations": 1}
    # the monitoring form: shares of all for kinds and places, of the kind for topics
    total, kinds = q["total"], {k["kind"]: k for k in q["kinds"]}
    assert total == 5 and q["places"] == {"in_person": {"n": 1, "share": 0.2}, "remote": {"n": 4, "share": 0.8}}
    complaints = kinds["complaint"]
    assert (complaints["n"], complaints["share"]) == (3, 0.6)
    assert complaints["places"] == {"in_person": {"n": 1, "share": 0.2}, "remote": {"n": 2, "share": 0.4}}
    assert {x["topic"]: (x["n"], x["share"]) for x in complaints["topics"] if x["n"]} == {
        "metering": (2, 0.6667), "power_quality": (1, 0.3333)}
    assert (kinds["suggestion"]["n"], kinds["suggestion"]["share"]) == (0, 0.0)
    assert [t_["share"] for t_ in kinds["suggestion"]["topics"]] == [None] * 6  # nothing to share


def test_overdue_is_cut_at_the_periods_end_or_at_now():
    journal, _ = build_journal()
    # 10 December, the quarter still running: A5 is not overdue yet (due 15.12)
    q = quarter_report(journal, "ЦОК", "Europe/Moscow", "2026Q4", ("2026-10-01", "2026-12-31"),
                       t("2026-10-01", "00:00"), t("2027-01-01", "00:00"), as_of=t("2026-12-10"))
    assert q["appeals_registry"]["overdue"] == 0
    # a day's report: 2 November, the day A3 came and A2 was decided again
    day = daily_report([e.to_line() for e in journal if t("2026-11-02", "00:00") <= e.at < t("2026-11-03", "00:00")],
                       CATALOG, date(2026, 11, 2), appeal_lines=journal)
    reg = day["appeals_registry"]
    assert (reg["registered"], reg["decided"], reg["redecided"], reg["by_decision"]["justified"]) == (1, 0, 1, 1)
    assert reg["overdue"] == 0 and reg["open_at_end"] == 3  # A2 (decided, not yet accepted), A3, A6
    # 21 October: A2 (due 20.10) and A6 (due 14.10, decided 20.10) — A2 is overdue at the day's end
    day = daily_report([], CATALOG, date(2026, 10, 21), appeal_lines=journal)
    assert day["appeals_registry"]["overdue"] == 1


def test_feedback_figures_by_service_counter_and_operator():
    day = t("2026-11-20")
    lines = [rated(day, "v1", 5, [("reception", "1", "op1")]),
             rated(day, "v2", 4, [("reception", "1", "op1"), ("consultation", "2", "op2")]),
             rated(day, "v3", 1, [("consultation", "2", "op2")], "Нагрубили"),
             rated(t("2026-11-21"), "v4", 3, [("reception", "1", "op1")])]  # the next day: not in
    fb = daily_report([e.to_line() for e in lines], CATALOG, date(2026, 11, 20))["feedback"]
    assert (fb["n"], fb["mean"], fb["distribution"], fb["comments"], fb["low_share"]) == (
        3, 3.33, {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1}, 1, 0.3333)
    assert [(s["id"], s["n"], s["mean"]) for s in fb["by_service"]] == [("consultation", 2, 2.5), ("reception", 2, 4.5)]
    assert [(c["id"], c["n"], c["mean"]) for c in fb["by_counter"]] == [("1", 2, 4.5), ("2", 2, 2.5)]
    assert [(o["id"], o["n"], o["mean"]) for o in fb["by_operator"]] == [("op1", 2, 4.5), ("op2", 2, 2.5)]
    week = period_report(lines, CATALOG, date(2026, 11, 16), date(2026, 11, 22))["feedback"]
    assert (week["n"], week["mean"]) == (4, 3.25)
    empty = daily_report([], CATALOG, date(2026, 11, 20))["feedback"]
    assert (empty["n"], empty["mean"], empty["distribution"]) == (0, None, {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_csv_and_xlsx_carry_the_same_figures(lang):
    journal, _ = build_journal()
    ratings = [rated(t("2026-11-12"), "v1", 5, [("reception", "1", "op1")]),
               rated(t("2026-11-12"), "v2", 2, [("reception", "1", "op1")])]
    events = sorted([*journal, *ratings], key=lambda e: e.at)
    report = period_report([e.to_line() for e in events], CATALOG, date(2026, 11, 1), date(2026, 11, 30),
                           appeal_lines=journal)
    rows = list(csv.reader(io.StringIO(to_csv(report, lang).decode("utf-8-sig")), delimiter=";"))
    label = {"ru": ("Все оценки", "Зарегистрировано обращений", "Рассмотрено в срок", "Систематически повторяющиеся"),
             "en": ("All ratings", "Appeals registered", "Decided in time", "Complaints repeated")}[lang]
    (all_ratings,) = [r for r in rows if r[:1] == [label[0]]]
    assert all_ratings[1:3] == ["2", "3,50"] and all_ratings[4] == "1" and all_ratings[7] == "1"
    assert [r for r in rows if r[:1] == [label[1]]][0][1] == "1"  # November: A3
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, lang)))
    values = {(ws.title, r[0]): r[1:] for ws in book.worksheets for r in ws.iter_rows(values_only=True) if r and r[0]}
    (mean,) = [v[1] for (title, key), v in values.items() if key == label[0]]
    assert mean == 3.5


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils")
def test_the_pdfs_show_ratings_the_registry_and_the_quarterly_form(tmp_path):
    """Pages drawn to PNG for the docs (docs/screenshots/report-appeals-*.png) and read back as text."""
    journal, _ = build_journal()
    ratings = [rated(t("2026-11-12"), "v1", 5, [("reception", "1", "op1")]),
               rated(t("2026-11-12"), "v2", 2, [("consultation", "2", "op2")], "Долго")]
    events = sorted([*journal, *ratings], key=lambda e: e.at)
    month = period_report([e.to_line() for e in events], CATALOG, date(2026, 11, 1), date(2026, 11, 30),
                          appeal_lines=journal)
    quarter = quarter_report(journal, CATALOG.office_name, "Europe/Moscow", "2026Q4", ("2026-10-01", "2026-12-31"),
                             t("2026-10-01", "00:00"), t("2027-01-01", "00:00"), as_of=t("2027-02-01"))
    for name, body in (("period", render(month, "pdf", "ru")[0]), ("quarter", render(quarter, "pdf", "ru")[0]),
                       ("quarter-en", render(quarter, "pdf", "en")[0])):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(body)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        if name == "period":
            assert "Оценки посетителей" in text and "Реестр обращений" in text
            assert re.search(r"Все оценки\s+2\s+3,50", text)
            assert re.search(r"Рассмотрено в срок\s+0", text) and re.search(r"Продлено|Срок продлён\s+1", text)
        elif name == "quarter":
            assert "Мониторинг обращений клиентов, 2026Q4 (01.10.2026 - 31.12.2026)" in " ".join(text.split())
            assert re.search(r"Жалобы\s+3\s+60,0 %\s+1\s+20,0 %\s+2\s+40,0 %", text)
            assert re.search(r"учёт электроэнергии\s+2\s+66,7 %", text)
            assert re.search(r"Систематически повторяющиеся претензии \(п\. 7\.11\)\s+1", text)
        else:
            assert re.search(r"Complaints\s+3\s+60.0 %", text)
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(tmp_path / name)], check=True)
        pages = sorted(tmp_path.glob(f"{name}-*.png"))
        SHOTS.mkdir(parents=True, exist_ok=True)
        if name == "period":  # the pages with the new tables
            pages = [p for n, p in enumerate(pages, start=1) if "Оценки посетителей" in subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, check=True).stdout.decode()]
            assert pages
        for i, page in enumerate(pages, start=1):
            shutil.copy(page, SHOTS / f"report-appeals-{name}-{i}.png")
