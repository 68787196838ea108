"""Charts of the PDF report (reportlab.graphics, vector, no extra packages).

Three pictures answer the head's three questions: when in the day did
people wait too long (mean wait by hour, each role against its norm as a
dashed line of the same colour), which roles keep their norms (share of
waits and services within the norm), and when do people come (tickets by
hour with the longest queue of the hour).
"""
from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from .labels import name_in
from .layout import active_roles

ROLE_COLORS = {
    "administrator": colors.HexColor("#1f77b4"),
    "consultant": colors.HexColor("#2ca02c"),
    "cashier": colors.HexColor("#d62728"),
    "admin_consultant": colors.HexColor("#9467bd"),
}
GREY = colors.HexColor("#7f7f7f")
LIGHT = colors.HexColor("#9ecae1")


def _frame(width: float, height: float, heading: str, font: str) -> Drawing:
    d = Drawing(width, height)
    d.add(String(0, height - 11, heading, fontName=font, fontSize=9))
    return d


LEGEND_SIZE = 7
LEGEND_ROW = 10  # points per row of the legend


def legend_columns(items: list[tuple], room: float, font: str, columns: int = 4) -> int:
    """As many columns (up to ``columns``) as fit in ``room``: four long role names side by
    side ran off the page."""
    item = max((stringWidth(str(name), font, LEGEND_SIZE) for _c, name in items), default=0) + 8 + 6 + 14
    while columns > 1 and columns * item > room:
        columns -= 1
    return columns


def _legend(items: list[tuple], x: float, y: float, font: str, columns: int = 4) -> Legend:
    """The legend's top row at ``y``; further rows below it."""
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = font, LEGEND_SIZE
    legend.alignment = "right"
    legend.columnMaximum = max(1, -(-len(items) // columns))
    legend.dx, legend.dy, legend.deltax = 8, 6, 14
    legend.deltay = LEGEND_ROW
    legend.colorNamePairs = items
    return legend


def fit_label(name: str, room: float, font: str, size: float) -> str:
    """A category label that fits ``room``: on two lines at a space or after a hyphen, and
    cut with "…" only when even that is too wide (labels ran into each other)."""
    def fits(text: str) -> bool:
        return stringWidth(text, font, size) <= room

    if fits(name):
        return name
    cuts = [i for i, ch in enumerate(name) if ch == " "] + [i + 1 for i, ch in enumerate(name) if ch == "-"]
    for i in sorted(cuts, key=lambda i: abs(len(name) / 2 - i)):
        first, second = name[:i].rstrip(), name[i:].lstrip()
        if fits(first) and fits(second):
            return f"{first}\n{second}"
    first, second = (name[:cuts[0]].rstrip(), name[cuts[0]:].lstrip()) if cuts else (name, "")
    lines = []
    for line in (first, second):
        while line and not fits(line):
            line = line[:-2] + "…" if len(line) > 2 else ""
        if line:
            lines.append(line)
    return "\n".join(lines)


def wait_by_hour(report: dict, lang: str, _, font: str, width: float = 480,
                 height: float = 190) -> Drawing:
    """Mean wait by hour per role (minutes), with each role's norm dashed."""
    d = _frame(width, height, _("Mean wait by hour against the norm, min"), font)
    hours = report["hours"]
    roles = active_roles(report)
    if not hours or not roles:
        d.add(String(0, height / 2, _("No visits"), fontName=font, fontSize=9))
        return d
    first, last = hours[0]["hour"], hours[-1]["hour"] + 1
    items = [(ROLE_COLORS.get(rid, GREY), name_in(report["roles"][rid]["name"], lang)) for rid in roles]
    columns = legend_columns(items, width - 40, font)
    rows = -(-len(items) // columns)
    plot = LinePlot()
    lift = (rows - 1) * LEGEND_ROW  # more legend rows push the plot up, never the legend off the page
    plot.x, plot.y, plot.width, plot.height = 32, 40 + lift, width - 40, height - 70 - lift
    data, styles, top = [], [], 1.0
    for rid in roles:
        norm = report["roles"][rid]["norm"]["wait_s"] / 60
        color = ROLE_COLORS.get(rid, GREY)
        # an hour without calls breaks the line rather than bridging it
        for points in _runs([(h["hour"] + 0.5, h["wait_mean_by_role_s"].get(rid))
                             for h in hours]):
            top = max([top] + [y for _x, y in points])
            data.append(points)
            styles.append((color, None, True))
        top = max(top, norm)
        data.append([(first, norm), (last, norm)])
        styles.append((color, (4, 3), False))
    plot.data = data
    for i, (color, dash, marker) in enumerate(styles):
        plot.lines[i].strokeColor = color
        plot.lines[i].strokeWidth = 1.6 if dash is None else 1
        plot.lines[i].strokeDashArray = dash
        if marker:
            plot.lines[i].symbol = makeMarker("FilledCircle", size=4, fillColor=color)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = first, last
    plot.xValueAxis.valueSteps = list(range(first, last + 1))
    plot.xValueAxis.labelTextFormat = "%d"
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, top * 1.1
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = font, 7
    d.add(plot)
    d.add(_legend(items, 40, 14 + lift, font, columns))
    d.add(String(width, height - 11, _("dashed: the role's norm"), fontName=font, fontSize=7,
                 fillColor=GREY, textAnchor="end"))
    return d


def share_within_norm(report: dict, lang: str, _, font: str, width: float = 235,
                      height: float = 170) -> Drawing:
    """Share of waits and services within the norm, per role, in percent."""
    d = _frame(width, height, _("Within the norm, %"), font)
    roles = active_roles(report)
    if not roles:
        d.add(String(0, height / 2, _("No visits"), fontName=font, fontSize=9))
        return d
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 42, width - 40, height - 70
    chart.data = [
        [100 * (report["roles"][r]["wait"]["within_norm_share"] or 0) for r in roles],
        [100 * (report["roles"][r]["service"]["within_norm_share"] or 0) for r in roles],
    ]
    chart.bars[0].fillColor, chart.bars[1].fillColor = LIGHT, colors.HexColor("#3182bd")
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    room = chart.width / len(roles) - 4
    chart.categoryAxis.categoryNames = [fit_label(name_in(report["roles"][r]["name"], lang), room, font, 6.5)
                                        for r in roles]
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = font, 7
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.leading = 7.5
    chart.barLabelFormat = "%.0f"
    # a bar's label no wider than its bar, or neighbours' labels run into each other
    bar = chart.width / len(roles) / 2.6
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = min(6, bar / max(1e-6, stringWidth("100", font, 1)))
    chart.barLabels.nudge = 5
    d.add(chart)
    d.add(_legend([(LIGHT, _("Wait")), (colors.HexColor("#3182bd"), _("Service"))],
                  40, 10, font, columns=2))
    return d


def arrivals_by_hour(report: dict, lang: str, _, font: str, width: float = 235,
                     height: float = 170) -> Drawing:
    """Tickets issued per hour and the most people waiting at once."""
    d = _frame(width, height, _("Tickets by hour"), font)
    hours = report["hours"]
    if not hours:
        d.add(String(0, height / 2, _("No visits"), fontName=font, fontSize=9))
        return d
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 42, width - 40, height - 70
    chart.data = [[h["arrivals"] for h in hours], [h["waiting_max"] for h in hours]]
    chart.bars[0].fillColor, chart.bars[1].fillColor = colors.HexColor("#fd8d3c"), GREY
    chart.categoryAxis.categoryNames = [str(h["hour"]) for h in hours]
    chart.valueAxis.valueMin = 0
    top = max(max(row) for row in chart.data)
    chart.valueAxis.valueMax = max(1, top * 1.1)
    chart.barSpacing, chart.groupSpacing = 0, 3
    for labels in (chart.categoryAxis.labels, chart.valueAxis.labels):
        labels.fontName, labels.fontSize = font, 7
    d.add(chart)
    d.add(_legend([(colors.HexColor("#fd8d3c"), _("Tickets issued")),
                   (GREY, _("Most waiting at once"))], 40, 10, font, columns=2))
    return d


def _runs(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Consecutive points with a value, in minutes, as separate lines."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, seconds in points:
        if seconds is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, seconds / 60))
    return [run for run in runs if run]
