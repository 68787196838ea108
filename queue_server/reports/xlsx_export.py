"""The report as an Excel workbook: numbers stay numbers, with formats.

One sheet per table, so each can be sorted and filtered on its own.
Durations are minutes as numbers with the format ``0.0`` (Excel shows the
decimal separator of the reader's locale), shares are fractions with the
format ``0.0%``, counts are integers. Text is always stored as text, never
as a formula, whatever it starts with.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .labels import translator
from .layout import HOUR, INT, MIN, NUM, SHARE, TEXT, VERDICT, Section, sections, title, with_unit

FORMATS = {MIN: "0.0", SHARE: "0.0%", INT: "0", HOUR: "0", NUM: "0.00"}
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


def _value(value, kind: str, _):
    if value is None:
        return None
    if kind == MIN:
        return round(value / 60, 4)
    if kind == VERDICT:
        return _("yes") if value else _("no")
    return value


def _sheet(wb: Workbook, section: Section, heading: str | None, _) -> None:
    ws = wb.create_sheet(section.title.translate(_BAD_TITLE)[:31])
    first = 1
    if heading:
        ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=12)
        first = 3
    for j, col in enumerate(section.columns, start=1):
        c = ws.cell(row=first, column=j, value=with_unit(col.label, col.kind, _, False))
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(section.rows, start=first + 1):
        kinds = [col.kind for col in section.columns]
        if section.row_kinds is not None:  # a key/value table: the unit goes with the key
            kinds = [TEXT, section.row_kinds[i - first - 1]]
            row = [with_unit(row[0], kinds[1], _, False), row[1]]
        for j, (value, kind) in enumerate(zip(row, kinds, strict=True), start=1):
            c = ws.cell(row=i, column=j, value=_value(value, kind, _))
            if kind in FORMATS and value is not None:
                c.number_format = FORMATS[kind]
            elif isinstance(c.value, str):
                c.data_type = "s"  # never a formula
    ws.freeze_panes = ws.cell(row=first + 1, column=2)
    for j in range(1, len(section.columns) + 1):
        width = 34 if j == 1 and section.key in ("summary", "roles", "services") else 14
        ws.column_dimensions[get_column_letter(j)].width = width


def to_xlsx(report: dict, lang: str = "ru") -> bytes:
    """An .xlsx workbook of every table of the report."""
    _ = translator(lang)
    wb = Workbook()
    wb.remove(wb.active)
    for k, section in enumerate(sections(report, lang)):
        _sheet(wb, section, title(report, lang) if k == 0 else None, _)
    wb.properties.title = title(report, lang)
    wb.properties.creator = report.get("office", "")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
