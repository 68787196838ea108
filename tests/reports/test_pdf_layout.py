"""The PDF report reads cleanly: whole words in headers, one duration form per column,
legends and labels inside their pictures, the console's words for appeal kinds.

Checked on what a reader gets: the text pdftotext takes out of the PDF, and the
bounds of the chart drawings (the pages themselves are in docs/screenshots/).
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
from journal_kit import THE_DAY, busy_morning, catalog
from reportlab.pdfbase.pdfmetrics import stringWidth

from queue_server.reports import daily_report
from queue_server.reports.charts import fit_label, share_within_norm, wait_by_hour
from queue_server.reports.pdf_export import register_fonts, to_pdf

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
ROLES = {"administrator": "Администратор", "consultant": "Менеджер-консультант",
         "cashier": "Оператор (контролер-кассир)", "admin_consultant": "Администратор-консультант"}


@pytest.fixture(scope="module")
def text(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pdf") / "r.pdf"
    path.write_bytes(to_pdf(daily_report(busy_morning().lines(), catalog(), THE_DAY), "ru"))
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_poppler
def test_headers_keep_their_words_whole(text):
    words = set(text.split())
    for word in ("Занятость", "процентиль", "Наибольшая", "Администратор", "Обслужено", "Поставлено"):
        assert word in words, word
    for piece in ("Занятост", "проце", "Наибольша", "Администра"):  # halves of a cut word
        assert piece not in words, piece


@needs_poppler
def test_a_column_of_durations_has_one_form(tmp_path):
    """The counters' "open" column: «9:10:00» for one, so «0:00:00», not «0:00», for the others."""
    path = tmp_path / "r.pdf"
    path.write_bytes(to_pdf(daily_report(busy_morning().lines(), catalog(), THE_DAY), "ru"))
    lines = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    rows = {name: next(line.split() for line in lines if line.split()[:2] == name.split())
            for name in ("Окно 1", "Окно 2", "Касса 3")}
    assert rows["Окно 1"][4] == "9:10:00"  # name (2 words), served, no-shows, open
    assert rows["Окно 2"][4] == "0:00:00" and rows["Касса 3"][4] == "0:00:00"


@needs_poppler
def test_appeal_kinds_read_as_in_the_console(text):
    assert "Заявление" in text and "Заявка" not in text


def four_role_report() -> dict:
    hours = [{"hour": h, "arrivals": 5, "waiting_max": 7,
              "wait_mean_by_role_s": dict.fromkeys(ROLES, 300 + 60 * h)} for h in range(8, 20)]
    roles = {rid: {"steps": 10, "name": {"ru": name, "en": rid}, "norm": {"wait_s": 1200, "service_s": 600},
                   "wait": {"within_norm_share": 1.0}, "service": {"within_norm_share": 0.5}}
             for rid, name in ROLES.items()}
    return {"hours": hours, "roles": roles}


def test_the_legend_of_four_roles_stays_inside_the_page():
    font, _bold = register_fonts()
    drawing = wait_by_hour(four_role_report(), "ru", lambda s: s, font)
    x1, y1, x2, y2 = drawing.getBounds()
    assert x1 >= 0 and y1 >= 0 and x2 <= drawing.width + 1, (x1, y1, x2, y2, drawing.width)


def test_role_names_under_the_bars_fit_their_place():
    font, _bold = register_fonts()
    drawing = share_within_norm(four_role_report(), "ru", lambda s: s, font)
    x1, _y1, x2, _y2 = drawing.getBounds()
    assert x1 >= 0 and x2 <= drawing.width + 1
    room = (drawing.width - 40) / 4 - 4
    for name in ROLES.values():
        for line in fit_label(name, room, font, 6.5).split("\n"):
            assert stringWidth(line, font, 6.5) <= room, line
