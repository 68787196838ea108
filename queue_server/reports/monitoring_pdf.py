"""The quarterly «Мониторинг обращений» as an A4 PDF, in the layout of the company's form
(seed 002, slide 10): all appeals, then each kind with its share of all and its in-person
and remote counts, and under it each topic with its share of the kind; then the
registry's figures for the quarter (deadlines kept, extensions, the §7.11 indicators).
The same tables as the CSV and XLSX (layout_appeals.quarter_sections).
"""
from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .labels import translator
from .layout import TEXT
from .layout_appeals import quarter_sections, quarter_title
from .pdf_export import BOLD, FONT, cell, register_fonts

KIND_BG, HEAD_BG, ALL_BG = colors.HexColor("#e8eef7"), colors.HexColor("#d5deeb"), colors.HexColor("#c9d6ea")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_pdf(report: dict, lang: str = "ru") -> bytes:
    register_fonts()
    lang = "en" if (lang or "").lower().startswith("en") else "ru"
    _ = translator(lang)
    heading = quarter_title(report, lang)
    title = ParagraphStyle("t", fontName=BOLD, fontSize=14, leading=18, spaceAfter=2)
    sub = ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12)
    h2 = ParagraphStyle("h", fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=10, spaceAfter=4)
    head = ParagraphStyle("th", fontName=BOLD, fontSize=7.5, leading=9)
    note = ParagraphStyle("n", fontName=FONT, fontSize=7, leading=9, textColor=colors.HexColor("#555555"))
    form, figures = quarter_sections(report, lang)
    story: list = [Paragraph(_escape(heading), title),
                   Paragraph(_escape(f"{report['office']} · {_('Time zone')}: {report['tz']}"), sub), Spacer(1, 6),
                   Paragraph(_escape(form.title), h2)]
    rows = [[Paragraph(_escape(c.label), head) for c in form.columns]]
    style = [("FONT", (0, 0), (-1, -1), FONT, 8), ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3")),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
             ("ALIGN", (2, 1), (-1, -1), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
             ("RIGHTPADDING", (0, 0), (-1, -1), 2.5)]
    body = ParagraphStyle("td", fontName=FONT, fontSize=8, leading=9.5)
    for r, row in enumerate(form.rows, start=1):
        cells = []
        for v, c in zip(row, form.columns, strict=True):
            text = "" if v is None and c.kind == TEXT else cell(v, c.kind, lang, _)
            cells.append(Paragraph(_escape(text), body) if c.kind == TEXT and len(text) > 12 else text)
        rows.append(cells)
        if row[0]:  # a kind's row (or all appeals): bold, shaded
            style += [("FONT", (0, r), (-1, r), BOLD, 8), ("BACKGROUND", (0, r), (-1, r), ALL_BG if r == 1 else KIND_BG)]
            if isinstance(cells[0], Paragraph):
                cells[0] = Paragraph(f"<b>{_escape(str(row[0]))}</b>", body)
    widths = [30 * mm, 36 * mm, 19 * mm, 21 * mm, 16 * mm, 20 * mm, 18 * mm, 20 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    story.append(table)
    story.append(Paragraph(_escape(figures.title), h2))
    kv = [[Paragraph(_escape(label), ParagraphStyle("b", fontName=FONT, fontSize=8, leading=10)),
           cell(value, kind, lang, _)] for (label, value), kind in zip(figures.rows, figures.row_kinds or [], strict=True)]
    t2 = Table(kv, colWidths=[120 * mm, 30 * mm], hAlign="LEFT")
    t2.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3"))]))
    story += [t2, Spacer(1, 8)]
    for text in (_("Shares: a kind of the appeals of all kinds; a topic of the appeals of its kind. In person: "
                   "registered at a counter; remote: by phone, post, e-mail or the web form."),
                 _("Decided in time: the first decision by the end of the due day (office time), extensions "
                   "included. Overdue: awaiting an answer past the due day at the end of the quarter. The §7.11 "
                   "indicators count complaints (GOST R 53368-2009).")):
        story.append(Paragraph(_escape(text), note))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=16 * mm, title=heading, author=report.get("office", ""), invariant=1)
    doc.build(story)
    return buf.getvalue()
