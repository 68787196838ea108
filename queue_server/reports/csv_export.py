"""The report as CSV that a Russian Excel opens correctly by double-click.

Excel decides the encoding and the separator from the file itself: UTF-8
needs a byte-order mark, and with Russian regional settings the list
separator is ``;`` and the decimal separator is ``,``. So: BOM, ``;``,
CRLF, durations in minutes with one decimal and a decimal comma
(``12,5``), shares in percent with one decimal (``87,5``). English keeps
the same separators so one file works in both (a decimal point would turn
``12.5`` into a date in a Russian Excel). Each table of the report is a
block: its title, a header row, the rows, an empty line. Text that would
start a formula (=, +, -, @) is prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from .labels import translator
from .layout import HOUR, INT, MIN, NUM, SHARE, TEXT, VERDICT, sections, title, with_unit

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def number(value: float) -> str:
    """One decimal, halves rounded up (3.25 -> 3,3), decimal comma."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded).replace(".", ",")


def cell(value, kind: str, _) -> str:
    """One value as the text a Russian Excel reads back as the same value."""
    if value is None:
        return ""
    if kind == MIN:
        return number(value / 60)
    if kind == SHARE:
        return number(value * 100)
    if kind == NUM:
        return f"{value:.2f}".replace(".", ",")
    if kind in (INT, HOUR):
        return str(value)
    if kind == VERDICT:
        return _("yes") if value else _("no")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(report: dict, lang: str = "ru") -> bytes:
    """UTF-8 CSV (with BOM, ``;``) of every table of the report."""
    _ = translator(lang)
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    out.writerow([title(report, lang)])
    out.writerow([])
    for section in sections(report, lang):
        out.writerow([section.title])
        out.writerow([with_unit(c.label, c.kind, _) for c in section.columns])
        for i, row in enumerate(section.rows):
            if section.row_kinds is not None:  # a key/value table: the unit goes with the key
                kind = section.row_kinds[i]
                out.writerow([cell(with_unit(row[0], kind, _), TEXT, _), cell(row[1], kind, _)])
                continue
            kinds = [c.kind for c in section.columns]
            out.writerow([cell(v, k, _) for v, k in zip(row, kinds, strict=True)])
        out.writerow([])
    return (BOM + buf.getvalue()).encode("utf-8")
