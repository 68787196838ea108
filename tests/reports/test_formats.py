"""Every figure in every format: CSV read back with the csv module and decimal
commas, XLSX with openpyxl, PDF as text with pdftotext; the hand-checked JSON
report (test_daily.py) is the reference."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from journal_kit import THE_DAY, busy_morning, catalog
from openpyxl import load_workbook

from queue_server.reports import daily_report, period_report
from queue_server.reports.csv_export import to_csv
from queue_server.reports.layout import HOUR, INT, MIN, SHARE, TEXT, VERDICT, sections
from queue_server.reports.pdf_export import to_pdf
from queue_server.reports.xlsx_export import to_xlsx

YES = {"ru": "да", "en": "yes"}
NO = {"ru": "нет", "en": "no"}


@pytest.fixture(scope="module")
def daily() -> dict:
    return daily_report(busy_morning().lines(), catalog(), THE_DAY)


@pytest.fixture(scope="module")
def period() -> dict:
    return period_report(busy_morning().lines(), catalog(), THE_DAY, date(2024, 3, 6))


# ---------------------------------------------------------------- CSV
def csv_blocks(data: bytes) -> tuple[str, dict[str, list[list[str]]]]:
    """(first line, {table title: [header, rows...]}) of a report CSV."""
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    heading, blocks, current = rows[0][0], {}, None
    for row in rows[2:]:
        if not row:
            current = None
        elif current is None:
            current = blocks.setdefault(row[0], [])
        else:
            current.append(row)
    return heading, blocks


def csv_number(text: str) -> float:
    assert re.fullmatch(r"-?\d+,\d", text), f"one decimal with a comma: {text!r}"
    return float(text.replace(",", "."))


def check_csv_cell(text: str, value, kind: str, lang: str) -> None:
    if value is None:
        assert text == ""
    elif kind == MIN:
        assert csv_number(text) == pytest.approx(value / 60, abs=0.05 + 1e-9)
    elif kind == SHARE:
        assert csv_number(text) == pytest.approx(value * 100, abs=0.05 + 1e-9)
    elif kind in (INT, HOUR):
        assert int(text) == value
    elif kind == VERDICT:
        assert text == (YES[lang] if value else NO[lang])
    else:
        assert text == str(value)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("which", ["daily", "period"])
def test_csv_holds_every_cell_of_every_table(lang, which, request):
    report = request.getfixturevalue(which)
    heading, blocks = csv_blocks(to_csv(report, lang))
    tables = sections(report, lang)
    assert list(blocks) == [s.title for s in tables]
    for section in tables:
        header, *rows = blocks[section.title]
        assert len(header) == len(section.columns)
        assert len(rows) == len(section.rows), section.key
        for i, (row, values) in enumerate(zip(rows, section.rows, strict=True)):
            kinds = ([TEXT, section.row_kinds[i]] if section.row_kinds
                     else [c.kind for c in section.columns])
            for text, value, kind in zip(row[1:] if section.row_kinds else row,
                                         values[1:] if section.row_kinds else values,
                                         kinds[1:] if section.row_kinds else kinds,
                                         strict=True):
                check_csv_cell(text, value, kind, lang)


def test_csv_in_russian_has_the_hand_computed_figures(daily):
    heading, blocks = csv_blocks(to_csv(daily, "ru"))
    assert heading == "Отчёт о времени обслуживания за 05.03.2024"
    summary = dict(blocks["Сводка"][1:])
    assert summary["Офис"] == "ЦОК Тестовый" and summary["Дата"] == "05.03.2024"
    assert summary["Визиты (выдано талонов)"] == "6"
    assert summary["Не завершены к закрытию"] == "1"
    assert summary["Время визита: среднее, мин"] == "30,0"
    assert summary["Время визита: 90-й процентиль, мин"] == "55,0"
    assert summary["Время визита: в пределах нормы, %"] == "100,0"
    header, *rows = blocks["Роли и нормы"]
    admin = dict(zip(header, rows[0], strict=True))
    assert admin["Роль"] == "Администратор"
    assert (admin["Ожидание: норма, мин"], admin["Ожидание: среднее, мин"]) == ("10,0", "4,0")
    # 195 s = 3.25 min: halves are rounded up
    assert (admin["Обслуживание: среднее, мин"], admin["Обслуживание: медиана, мин"]) == ("3,3", "3,0")
    consultant = dict(zip(header, rows[1], strict=True))
    assert consultant["Обслуживание: в пределах нормы, %"] == "50,0"
    assert consultant["Обслуживание: среднее в пределах нормы"] == "нет"
    empty = dict(zip(header, rows[3], strict=True))
    assert empty["Этапы"] == "0" and empty["Ожидание: среднее, мин"] == ""
    header, *rows = blocks["По окнам"]
    one = dict(zip(header, rows[0], strict=True))
    assert one["Занятость, %"] == "2,5"
    assert one["Открыто, мин"] == "550,0" and one["Перерыв, мин"] == "30,0"


def test_csv_text_never_starts_a_formula():
    d = busy_morning()
    d.issue("12:00", "X", "adm").call("12:01", "X", 1, "adm", "1", "=HYPERLINK(1)")
    d.finish("12:02", "X", 1, "adm", "1", "=HYPERLINK(1)")
    _heading, blocks = csv_blocks(to_csv(daily_report(d.lines(), catalog(), THE_DAY), "en"))
    operators = [row[0] for row in blocks["By operator"][1:]]
    assert "'=HYPERLINK(1)" in operators


# ---------------------------------------------------------------- XLSX
@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("which", ["daily", "period"])
def test_xlsx_has_numbers_with_formats(lang, which, request):
    report = request.getfixturevalue(which)
    wb = load_workbook(io.BytesIO(to_xlsx(report, lang)))
    tables = sections(report, lang)
    assert wb.sheetnames == [s.title[:31] for s in tables]
    for k, section in enumerate(tables):
        ws = wb[wb.sheetnames[k]]
        first = 3 if k == 0 else 1
        headers = [c.value for c in ws[first]]
        assert len(headers) == len(section.columns)
        for i, values in enumerate(section.rows):
            cells = ws[first + 1 + i]
            kinds = ([TEXT, section.row_kinds[i]] if section.row_kinds
                     else [c.kind for c in section.columns])
            for cell, value, kind in zip(cells, values, kinds, strict=True):
                if section.row_kinds and cell.column == 1:
                    continue
                if value is None:
                    assert cell.value is None
                elif kind == MIN:
                    assert cell.value == pytest.approx(value / 60, abs=1e-4)
                    assert cell.number_format == "0.0"
                elif kind == SHARE:
                    assert cell.value == pytest.approx(value) and cell.number_format == "0.0%"
                elif kind in (INT, HOUR):
                    assert cell.value == value and isinstance(cell.value, int)
                elif kind == VERDICT:
                    assert cell.value == (YES[lang] if value else NO[lang])
                else:
                    assert cell.value == value and cell.data_type == "s"
    assert wb.worksheets[0]["A1"].value.startswith("Отчёт" if lang == "ru" else "Daily"[:0])


def test_xlsx_in_russian_has_the_hand_computed_figures(daily):
    wb = load_workbook(io.BytesIO(to_xlsx(daily, "ru")))
    ws = wb["Роли и нормы"]
    header = [c.value for c in ws[1]]
    admin = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert admin["Ожидание: среднее, мин"] == 4.0 and admin["Обслуживание: среднее, мин"] == 3.25
    assert admin["Ожидание: в пределах нормы"] == 1.0
    summary = {r[0].value: r[1].value for r in wb["Сводка"].iter_rows(min_row=4)}
    assert summary["Визиты (выдано талонов)"] == 6 and summary["Время визита: среднее, мин"] == 30.0


# ---------------------------------------------------------------- PDF
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def pdf_text(data: bytes, tmp_path, layout: bool = True) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    args = ["pdftotext"] + (["-layout"] if layout else []) + [str(path), "-"]
    out = subprocess.run(args, capture_output=True, check=True).stdout.decode()
    return re.sub(r"[ \t]+", " ", out)


def line_with(text: str, *parts: str) -> str:
    """The one line holding all the parts, in order."""
    pattern = r".*".join(re.escape(p) for p in parts)
    found = [line for line in text.splitlines() if re.search(pattern, line)]
    assert found, f"no line with {parts}"
    return found[0]


@needs_poppler
def test_pdf_in_russian_shows_the_figures(daily, tmp_path):
    data = to_pdf(daily, "ru")
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "Отчёт о времени обслуживания за 05.03.2024" in text
    assert "ЦОК Тестовый" in text and "Europe/Moscow" in text
    line_with(text, "Визиты (выдано талонов)", "6")
    line_with(text, "Время визита: среднее", "30:00")
    line_with(text, "Время визита: 90-й процентиль", "55:00")
    line_with(text, "Не завершены к закрытию", "1")
    # wait by role: steps, norm, mean, median, p90, max, share, verdict
    line_with(text, "Администратор", "5", "10:00", "4:00", "4:00", "5:00", "5:00", "100,0 %", "в норме")
    line_with(text, "Менеджер-консультант", "3", "20:00", "15:00", "10:00", "20:00", "20:00")
    line_with(text, "Оператор (контролер", "2", "20:00", "12:30", "5:00", "20:00")  # name wraps
    # service by role
    line_with(text, "Администратор", "4", "5:00", "3:15", "3:00", "4:00", "4:00", "100,0 %")
    line_with(text, "Менеджер-консультант", "2", "15:00", "17:30", "15:00", "20:00", "20:00",
              "50,0 %", "выше нормы")
    # hours, counters, operators, appeals
    line_with(text, "09:00", "3", "5", "2", "4", "6:00", "10:00", "100,0 %", "4:30", "10:00", "5:00")
    line_with(text, "19:00", "1", "1", "1", "1", "20:00", "20:00")
    line_with(text, "Окно 1", "4", "1", "9:10:00", "30:00", "2,5 %", "4:00")
    line_with(text, "opB", "2", "0", "15:00", "20:00", "100,0 %", "17:30", "20:00", "50,0 %")
    line_with(text, "Жалоба", "1")
    line_with(text, "Вопрос не решён", "1")
    for heading in ("Ожидание по ролям (мм:сс)", "Среднее ожидание по часам и норма, мин",
                    "В пределах нормы, %", "Талоны по часам", "По часам дня", "По услугам",
                    "По окнам", "По операторам", "Обращения завершённых визитов"):
        assert heading in text, heading


@needs_poppler
def test_pdf_in_english_on_request(daily, tmp_path):
    text = pdf_text(to_pdf(daily, "en"), tmp_path)
    assert "Daily timing report for 2024-03-05" in text
    line_with(text, "Consultant", "2", "15:00", "17:30", "15:00", "20:00", "20:00", "50.0 %", "over")
    assert "Administrator" in text and "Администратор" not in text  # names in both languages
    assert "Отчёт" not in text


@needs_poppler
def test_pdf_period_has_the_days(period, tmp_path):
    text = pdf_text(to_pdf(period, "ru"), tmp_path)
    assert "Отчёт о времени обслуживания за 05.03.2024 – 06.03.2024" in text
    assert "По дням" in text
    # date, visits, no-shows, cancelled, open, mean visit, within; waits by role, then services
    line_with(text, "05.03.2024", "6", "1", "1", "1", "30:00", "100,0 %", "4:00", "15:00", "12:30",
              "3:15", "17:30", "5:00")
    line_with(text, "06.03.2024", "1", "0", "0", "1", "—", "—", "1:00")


def test_writers_are_importable_from_the_package():
    import queue_server.reports as reports
    from queue_server.reports import csv_export, pdf_export, xlsx_export

    assert reports.to_csv is csv_export.to_csv and reports.to_pdf is pdf_export.to_pdf
    assert reports.to_xlsx is xlsx_export.to_xlsx
    with pytest.raises(AttributeError):
        reports.to_docx  # noqa: B018


@needs_poppler
def test_pdf_embeds_dejavu(daily, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(to_pdf(daily, "ru"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    dejavu = [line for line in fonts.splitlines() if "DejaVuSans" in line]
    assert dejavu and all(" yes " in line for line in dejavu)  # embedded (emb column)


@needs_poppler
def test_pdf_of_an_empty_day(tmp_path):
    report = daily_report([], catalog(), THE_DAY)
    text = pdf_text(to_pdf(report, "ru"), tmp_path)
    assert "Посетителей не было" in text
    assert "Визиты (выдано талонов)" in text


@needs_poppler
def test_pdf_pages_render(daily, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(to_pdf(daily, "ru"))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 2 <= len(pages) <= 4
    assert all(p.stat().st_size > 10_000 for p in pages)
