"""The report as an A4 PDF for the office head: tables, charts, definitions.

DejaVu Sans is embedded (bundled in ``fonts/``, so Cyrillic prints the
same on every machine, Windows offices included). Durations are shown as
m:ss (h:mm:ss past an hour) because that is how people read waiting times;
CSV and XLSX carry the same figures as minutes for calculation. The
tables are the same as in CSV/XLSX (``layout.py``), with fewer columns
where the page is narrow.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import charts
from .labels import name_in, translator
from .layout import (
    HOUR,
    MIN,
    NUM,
    SHARE,
    TEXT,
    VERDICT,
    Section,
    office_label,
    sections,
    several_offices,
    title,
)

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_FONT_DIRS = (Path(__file__).parent / "fonts", Path("/usr/share/fonts/truetype/dejavu"))
OK_BG, BAD_BG, HEAD_BG = (colors.HexColor("#dff0d8"), colors.HexColor("#f2dede"),
                          colors.HexColor("#e8eef7"))
DASH = "—"


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (regular, bold) once per process."""
    for name, file in ((FONT, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        path = next((d / file for d in _FONT_DIRS if (d / file).exists()), None)
        if path is None:
            raise FileNotFoundError(f"{file} not found in {[str(d) for d in _FONT_DIRS]}")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return FONT, BOLD


def clock(seconds: float, hours: bool = False) -> str:
    """m:ss, or h:mm:ss from an hour up (or always, with ``hours``); rounded to the second.

    A column takes one form for all its cells (``hours`` when any reaches an hour):
    «9:10:00» over «0:00» read as two different units.
    """
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h or hours else f"{m}:{s:02d}"


def percent(share: float, lang: str) -> str:
    text = f"{share * 100:.1f}"
    return (text.replace(".", ",") if lang != "en" else text) + " %"


def cell(value, kind: str, lang: str, _, hours: bool = False) -> str:
    if value is None:
        return DASH
    if kind == MIN:
        return clock(value, hours)
    if kind == SHARE:
        return percent(value, lang)
    if kind == VERDICT:
        return _("within") if value else _("over")
    if kind == HOUR:
        return f"{value:02d}:00"
    if kind == NUM:
        text = f"{value:.2f}"
        return text if lang == "en" else text.replace(".", ",")
    return str(value)


class _Styles:
    def __init__(self) -> None:
        self.title = ParagraphStyle("t", fontName=BOLD, fontSize=14, leading=18, spaceAfter=2)
        self.sub = ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12)
        self.h2 = ParagraphStyle("h", fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=8,
                                 spaceAfter=4)
        # headers never break inside a word («Занятост|ь»): the size shrinks to fit instead
        self.head = ParagraphStyle("th", fontName=BOLD, fontSize=6, leading=7.2, splitLongWords=0)
        self.body = ParagraphStyle("td", fontName=FONT, fontSize=7, leading=8.5, splitLongWords=0)
        self.num = ParagraphStyle("tn", parent=self.body, alignment=TA_RIGHT)
        self.note = ParagraphStyle("n", fontName=FONT, fontSize=7, leading=9,
                                   textColor=colors.HexColor("#555555"))


WIDTH = A4[0] - 30 * mm
_FIGURES = ("norm", "mean_s", "median_s", "p90_s", "max_s", "share", "ok", "n")


def _widths(kinds: list[str]) -> list[float]:
    """A leading text column (role, service, name) gets room for a long name,
    other text two shares of the rest, verdicts 1.6, figures one share."""
    first = (46 if len(kinds) <= 10 else 36) * mm if kinds and kinds[0] == TEXT else 0.0
    rest = kinds[1:] if first else kinds
    weights = [1.9 if k == TEXT else 1.6 if k == VERDICT else 1.0 for k in rest]
    unit = (WIDTH - first) / sum(weights)
    return ([first] if first else []) + [w * unit for w in weights]


def _heads(cols, roles: dict, _) -> list[tuple[str | None, str]]:
    """(group, label) of each column: "Wait" over "mean", "median", ... so the
    narrow columns of the page need only one word each."""
    figure = {"norm": _("norm"), "mean_s": _("mean"), "median_s": _("median"),
              "p90_s": _("90th percentile"), "max_s": _("maximum"),
              "share": _("within the norm"), "ok": _("mean against the norm"), "n": _("Calls")}
    out = []
    for c in cols:
        what, _sep, rest = c.key.partition("_")
        if what in ("wait", "service") and rest in _FIGURES:
            out.append((_("Wait") if what == "wait" else _("Service"), figure[rest]))
        elif what in ("wait", "service") and rest in roles:
            group = _("Mean wait by role") if what == "wait" else _("Mean service by role")
            out.append((group, roles[rest]))
        else:
            out.append((None, c.label))
    return out


def _table(section: Section, keys: list[str] | None, lang: str, _, st: _Styles,
           roles: dict[str, str], widths: list[float] | None = None) -> Table:
    """A platypus table of some columns of a layout section, with grouped headers."""
    index = {c.key: i for i, c in enumerate(section.columns)}
    picked = [index[k] for k in keys if k in index] if keys else list(range(len(section.columns)))
    cols = [section.columns[i] for i in picked]
    heads = _heads(cols, roles, _)
    grouped = any(group for group, _label in heads)
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 7),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c3")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    widths = widths or _widths([c.kind for c in cols])

    def head(text: str, j: int, k: int | None = None) -> Paragraph:
        return _head(text, sum(widths[j:(k if k is not None else j) + 1]) - 4, st.head)

    spans = {}
    j = 0
    while j < len(heads):
        k = j
        while k + 1 < len(heads) and heads[j][0] and heads[k + 1][0] == heads[j][0]:
            k += 1
        spans[j] = k
        j = k + 1
    top = [head(group or label, j, spans.get(j, j)) for j, (group, label) in enumerate(heads)]
    rows = [top]
    if grouped:
        rows.append([head(label, j) if group else "" for j, (group, label) in enumerate(heads)])
        j = 0
        while j < len(heads):
            group = heads[j][0]
            k = j
            while k + 1 < len(heads) and group and heads[k + 1][0] == group:
                k += 1
            style.append(("SPAN", (j, 0), (k, 0) if group else (j, 1)))
            j = k + 1
    body = len(rows)
    style.append(("BACKGROUND", (0, 0), (-1, body - 1), HEAD_BG))
    # one form of duration per column: h:mm:ss for every cell once one reaches an hour
    long_column = set()
    for r, row in enumerate(section.rows):
        kinds = ([TEXT, section.row_kinds[r]] if section.row_kinds is not None
                 else [c.kind for c in section.columns])
        long_column.update(i for i in picked if kinds[i] == MIN and row[i] is not None and row[i] >= 3599.5)
    for j, c in enumerate(cols):
        if c.kind != TEXT:
            style.append(("ALIGN", (j, body), (j, -1), "RIGHT"))
    for r, row in enumerate(section.rows, start=body):
        kinds = ([TEXT, section.row_kinds[r - body]] if section.row_kinds is not None
                 else [c.kind for c in section.columns])
        out: list = []
        for j, i in enumerate(picked):
            kind, value = kinds[i], row[i]
            text = cell(value, kind, lang, _, i in long_column)
            # text may need wrapping (after a hyphen too, never inside a word); figures never do
            out.append(Paragraph(_fit_words(text, widths[j] - 4, st.body.fontName, st.body.fontSize), st.body)
                       if kind == TEXT and len(text) > 12 else text)
            if kind == VERDICT and value is not None:
                style.append(("BACKGROUND", (j, r), (j, r), OK_BG if value else BAD_BG))
            if section.row_kinds is not None and j == 1:
                style.append(("ALIGN", (j, r), (j, r), "LEFT" if kind == TEXT else "RIGHT"))
        rows.append(out)
    table = Table(rows, colWidths=widths, repeatRows=body,
                  hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _fit_words(text: str, room: float, font: str, size: float) -> str:
    """Escaped paragraph text in which a hyphenated word too wide for ``room`` breaks after
    its hyphen («Менеджер-|консультант») instead of reportlab cutting it anywhere."""
    out = []
    for word in text.split(" "):
        if "-" in word and pdfmetrics.stringWidth(word, font, size) > room:
            head, _sep, tail = word.partition("-")
            out.append(_escape(head + "-") + "<br/>" + _escape(tail))
        else:
            out.append(_escape(word))
    return " ".join(out)


def _head(text: str, room: float, style: ParagraphStyle) -> Paragraph:
    """A header cell whose every word fits its column: the font shrinks (to 4.2 pt) rather
    than a word being cut in two; a hyphenated word breaks after its hyphen."""
    words = text.replace("-", "- ").split()
    size = style.fontSize
    while size > 4.2 and max((pdfmetrics.stringWidth(w, style.fontName, size) for w in words), default=0) > room:
        size -= 0.2
    fitted = ParagraphStyle(f"th{size:.1f}", parent=style, fontSize=size, leading=size * 1.2)
    return Paragraph(_fit_words(text, room, style.fontName, size), fitted)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _footer(office: str, heading: str, _):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(15 * mm, 9 * mm, f"{office} · {heading}")
        canvas.drawRightString(A4[0] - 15 * mm, 9 * mm, _("Page {n}").format(n=doc.page))
        canvas.restoreState()
    return draw


def to_pdf(report: dict, lang: str = "ru") -> bytes:
    """An A4 PDF of the report, Russian unless ``lang`` is "en"."""
    register_fonts()
    lang = "en" if (lang or "").lower().startswith("en") else "ru"
    _ = translator(lang)
    st = _Styles()
    heading = title(report, lang)
    by_key = {s.key: s for s in sections(report, lang)}
    who = office_label(report, _)
    story: list = [Paragraph(_escape(heading), st.title),
                   Paragraph(_escape(f"{who} · {_('Time zone')}: {report['tz']}"),
                             st.sub), Spacer(1, 4)]
    roles = {rid: name_in(r["name"], lang) for rid, r in report["roles"].items()}
    story.append(_table(by_key["summary"], None, lang, _, st, roles, [85 * mm, 45 * mm]))
    for what, kind in ((_("Wait"), "wait"), (_("Service"), "service")):
        keys = ["role", "steps" if kind == "wait" else "served"] + [
            f"{kind}_{k}" for k in ("norm", "mean_s", "median_s", "p90_s", "max_s", "share", "ok")]
        story.append(Paragraph(_escape(_("{what} by role (m:ss)").format(what=what)), st.h2))
        story.append(_table(by_key["roles"], keys, lang, _, st, roles))
    story.append(Spacer(1, 6))
    story.append(KeepTogether([charts.wait_by_hour(report, lang, _, FONT)]))
    pair = Table([[charts.share_within_norm(report, lang, _, FONT),
                   charts.arrivals_by_hour(report, lang, _, FONT)]], colWidths=[90 * mm, 90 * mm])
    story.append(pair)

    def block(key: str, keys: list[str] | None, widths=None, together: bool = False):
        section = by_key.get(key)
        if section is None or not section.rows:
            return
        parts = [Paragraph(_escape(section.title), st.h2), _table(section, keys, lang, _, st, roles, widths)]
        story.extend([KeepTogether(parts)] if together else parts)

    block("offices", None)
    block("hours", None)
    block("services", ["service", "role", "steps", "no_shows", "wait_mean_s", "wait_share",
                       "wait_ok", "service_mean_s", "service_share", "service_ok"])
    if not several_offices(report):  # a company's counters and operators: in its CSV and XLSX
        block("counters", ["name", "steps", "no_shows", "open_s", "paused_s", "busy_share",
                           "wait_mean_s", "wait_p90_s", "wait_share", "service_mean_s",
                           "service_p90_s", "service_share"])
        block("operators", ["operator", "steps", "no_shows", "wait_mean_s", "wait_p90_s",
                            "wait_share", "service_mean_s", "service_p90_s", "service_share"])
    block("appeals", None, [45 * mm, 60 * mm, 20 * mm])
    block("bookings", None, [100 * mm, 30 * mm], together=True)  # a short table: kept with its heading
    block("feedback", None)  # visitors' ratings, the appeals registry (layout_appeals.py)
    block("appeals_registry", None, [120 * mm, 30 * mm])
    block("appeals_matrix", None)
    block("devices", None, [40 * mm, 25 * mm, 18 * mm, 25 * mm, 72 * mm])  # layout_devices.py
    block("days", None)
    story.append(Spacer(1, 8))
    notes = []
    if several_offices(report):
        notes.append(_("Each service centre's counters and operators are in the CSV and XLSX of this "
                       "report. Shares are held to each centre's own norms."))
    if report.get("kind") == "period" or report.get("offices") is not None:
        notes.append(_("Medians and 90th percentiles of a period come from the stored histograms of "
                       "its days: within half a second below a minute, within 4.4 % above."))
    for note in (*notes, _("Wait: from the ticket (or the transfer to another queue) to the first call. "
                   "Service: from the start of service (or the last call) to the finish or "
                   "transfer. A no-show has neither. Visit time: from the ticket to the end of "
                   "the last step."),
                 _("Norms are average values (GOST R 53368-2009): a role keeps its norm when "
                   "the mean is within it. Median and 90th percentile are nearest-rank. "
                   "Visits still open at closing time are counted apart and left out of "
                   "visit times."),
                 *((_("Bookings: a booked visitor's first wait runs from the later of the check-in and the "
                      "booked time; one who checks in later than the grace time is served as a walk-in."),)
                   if report.get("bookings") else ())):
        story.append(Paragraph(_escape(note), st.note))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=heading,
                            author=who, lang=lang, invariant=1)
    footer = _footer(who, heading, _)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
