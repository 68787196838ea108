"""The report as titled tables: one layout for CSV, XLSX and PDF.

Each format only decides how a cell of a given kind looks (minutes with a
decimal comma in CSV, a number with a format in XLSX, m:ss in PDF), so the
three formats can never disagree on which figures they show or in which
order. docs/reports.md lists these columns.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .labels import (
    APPEAL_KINDS,
    APPEAL_TOPICS,
    CHANNELS,
    N_,
    OUTCOMES,
    PRIORITIES,
    local_date,
    name_in,
    translator,
    word,
)

# cell kinds
TEXT, INT, MIN, SHARE, VERDICT, HOUR = "text", "int", "min", "share", "verdict", "hour"
NUM = "num"  # a plain number with two decimals (a mean score)


@dataclass
class Column:
    key: str
    label: str  # translated
    kind: str


@dataclass
class Section:
    key: str
    title: str  # translated
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    # a key/value section gives each row's value its own kind
    row_kinds: list[str] | None = None


def with_unit(label: str, kind: str, _: Callable[[str], str], share_unit: bool = True) -> str:
    """A header with the unit a spreadsheet cell needs: ", min" or ", %"."""
    if kind == MIN:
        return label + _(", min")
    if kind == SHARE and share_unit:
        return label + _(", %")
    return label


STATS = (("mean_s", N_("mean")), ("median_s", N_("median")), ("p90_s", N_("90th percentile")),
         ("max_s", N_("maximum")))


def _timing_columns(_: Callable[[str], str], prefix: str, what: str, norm: bool,
                    verdict: bool) -> list[Column]:
    """Columns of one duration (wait or service): norm, figures, share, verdict."""
    cols = []
    if norm:
        cols.append(Column(f"{prefix}_norm", _("{what}: norm").format(what=what), MIN))
    for key, label in STATS:
        cols.append(Column(f"{prefix}_{key}", _("{what}: {figure}").format(
            what=what, figure=_(label)), MIN))
    cols.append(Column(f"{prefix}_share", _("{what}: within the norm").format(what=what), SHARE))
    if verdict:
        cols.append(Column(f"{prefix}_ok", _("{what}: mean within the norm").format(what=what),
                           VERDICT))
    return cols


def _timing_cells(summary: dict, norm: int | None, with_norm: bool, ok=None,
                  with_verdict: bool = False) -> list:
    cells = [norm] if with_norm else []
    cells += [summary[key] for key, _label in STATS]
    cells.append(summary["within_norm_share"])
    if with_verdict:
        cells.append(ok)
    return cells


def sections(report: dict, lang: str) -> list[Section]:
    """The report's tables, in reading order, with translated titles."""
    from .layout_appeals import feedback_sections, quarter_sections, registry_sections
    from .layout_devices import device_sections

    if report.get("kind") == "appeals_quarter":
        return quarter_sections(report, lang)
    _ = translator(lang)
    out = [_summary(report, lang, _), _roles(report, lang, _)]
    if report.get("offices") is not None:
        out.append(_offices(report, lang, _))
    out += [_hours(report, lang, _), _services(report, lang, _), _counters(report, _),
            _operators(report, _), _appeals(report, _)]
    if report.get("bookings") is not None:
        out.append(_bookings(report, _))
    out += feedback_sections(report, lang) + registry_sections(report, lang) + device_sections(report, lang)
    if report.get("days") is not None:
        out.append(_days(report, lang, _))
    return out


def several_offices(report: dict) -> bool:
    return len(report.get("offices") or ()) > 1


def office_label(report: dict, _) -> str:
    """Who the report is of: the office's name, or how many service centres it adds up."""
    if several_offices(report):
        return _("Service centres: {n}").format(n=len(report["offices"]))
    return report["office"]


def title(report: dict, lang: str) -> str:
    _ = translator(lang)
    if report.get("kind") == "appeals_quarter":
        from .layout_appeals import quarter_title

        return quarter_title(report, lang)
    if report.get("kind") == "period":
        return _("Timing report for {start} - {end}").format(
            start=local_date(report["from"], lang), end=local_date(report["to"], lang))
    return _("Daily timing report for {day}").format(day=local_date(report["date"], lang))


def _summary(report: dict, lang: str, _) -> Section:
    v = report["visits"]
    total = v["total"]
    rows: list[tuple[str, object, str]] = [(_("Office"), report["office"], TEXT)]
    if several_offices(report):
        rows = [(_("Service centres"), len(report["offices"]), INT)]
    if report.get("kind") == "period":
        rows += [(_("From"), local_date(report["from"], lang), TEXT),
                 (_("To"), local_date(report["to"], lang), TEXT)]
    else:
        rows.append((_("Date"), local_date(report["date"], lang), TEXT))
    rows += [
        (_("Time zone"), report["tz"], TEXT),
        (_("Visits (tickets issued)"), v["count"], INT),
        (_("Visits completed"), v["completed"], INT),
        (_("No-shows"), v["no_shows"], INT),
        (_("Cancelled"), v["cancelled"], INT),
        (_("Visits through several roles"), v["transferred"], INT),
        (_("Transfers"), v["transfers"], INT),
        (_("Open at closing time"), v["open_at_close"], INT),
        (_("Visit time: norm"), v["norm_s"], MIN),
    ]
    for key, label in STATS:
        rows.append((_("Visit time: {figure}").format(figure=_(label)), total[key], MIN))
    rows += [
        (_("Visit time: within the norm"), total["within_norm_share"], SHARE),
        (_("Visit time: mean within the norm"), v["verdict"]["total_ok"], VERDICT),
    ]
    for key, n in v.get("by_priority", {}).items():
        rows.append((_("Priority: {kind}").format(kind=word(PRIORITIES, key, _)), n, INT))
    for key, n in v.get("by_channel", {}).items():
        rows.append((_("Channel: {channel}").format(channel=word(CHANNELS, key, _)), n, INT))
    return Section("summary", _("Summary"),
                   [Column("label", _("Indicator"), TEXT), Column("value", _("Value"), TEXT)],
                   [[label, value] for label, value, _kind in rows],
                   [kind for _label, _value, kind in rows])


def _roles(report: dict, lang: str, _) -> Section:
    cols = [Column("role", _("Role"), TEXT), Column("steps", _("Steps"), INT),
            Column("served", _("Served"), INT), Column("no_shows", _("No-shows"), INT),
            Column("recalls", _("Recalls"), INT), Column("open", _("Open at closing time"), INT)]
    cols += _timing_columns(_, "wait", _("Wait"), True, True)
    cols += _timing_columns(_, "service", _("Service"), True, True)
    rows = []
    for r in report["roles"].values():
        row = [name_in(r["name"], lang), r["steps"], r["service"]["n"], r["no_shows"],
               r["recalls"], r["open"]]
        row += _timing_cells(r["wait"], r["norm"]["wait_s"], True, r["verdict"]["wait_ok"], True)
        row += _timing_cells(r["service"], r["norm"]["service_s"], True,
                             r["verdict"]["service_ok"], True)
        rows.append(row)
    return Section("roles", _("Roles against the norms"), cols, rows)


def active_roles(report: dict) -> list[str]:
    """Roles that had any step: the others would only add empty columns."""
    return [rid for rid, r in report["roles"].items() if r["steps"]]


def _hours(report: dict, lang: str, _) -> Section:
    roles = active_roles(report)
    cols = [Column("hour", _("Hour"), HOUR), Column("arrivals", _("Tickets issued"), INT),
            Column("steps", _("Steps queued"), INT),
            Column("waiting_max", _("Most waiting at once"), INT),
            Column("wait_n", _("Calls"), INT),
            Column("wait_mean_s", _("Wait: mean"), MIN),
            Column("wait_max_s", _("Wait: maximum"), MIN),
            Column("wait_share", _("Wait: within the norm"), SHARE)]
    for rid in roles:
        cols.append(Column(f"wait_{rid}", _("Wait: mean ({role})").format(
            role=name_in(report["roles"][rid]["name"], lang)), MIN))
    rows = []
    for h in report["hours"]:
        row = [h["hour"], h["arrivals"], h["steps"], h["waiting_max"], h["wait_n"],
               h["wait_mean_s"], h["wait_max_s"], h["wait_within_norm_share"]]
        row += [h["wait_mean_by_role_s"].get(rid) for rid in roles]
        rows.append(row)
    return Section("hours", _("By hour of the day"), cols, rows)


def _services(report: dict, lang: str, _) -> Section:
    role_names = {rid: name_in(r["name"], lang) for rid, r in report["roles"].items()}
    cols = [Column("service", _("Service name"), TEXT), Column("role", _("Role"), TEXT),
            Column("steps", _("Steps"), INT), Column("served", _("Served"), INT),
            Column("no_shows", _("No-shows"), INT)]
    cols += _timing_columns(_, "wait", _("Wait"), False, True)
    cols += _timing_columns(_, "service", _("Service"), False, True)
    rows = []
    for s in report["services"]:
        row = [name_in(s["name"], lang), role_names.get(s["role"], ""), s["steps"],
               s["service"]["n"], s["no_shows"]]
        row += _timing_cells(s["wait"], None, False, s["verdict"]["wait_ok"], True)
        row += _timing_cells(s["service"], None, False, s["verdict"]["service_ok"], True)
        rows.append(row)
    return Section("services", _("By service"), cols, rows)


def _office_names(report: dict) -> dict:
    return {o["id"]: o["name"] for o in report.get("offices") or ()}


def _offices(report: dict, lang: str, _) -> Section:
    """A company report's row per office: its visits and each active role's means."""
    roles = active_roles(report)
    names = {rid: name_in(report["roles"][rid]["name"], lang) for rid in roles}
    cols = [Column("office", _("Service centre"), TEXT), Column("visits", _("Visits"), INT),
            Column("completed", _("Visits completed"), INT), Column("no_shows", _("No-shows"), INT),
            Column("open", _("Open at closing time"), INT),
            Column("total_mean_s", _("Visit time: mean"), MIN),
            Column("total_share", _("Visit time: within the norm"), SHARE)]
    cols += [Column(f"wait_{rid}", _("Wait: mean ({role})").format(role=names[rid]), MIN) for rid in roles]
    cols += [Column(f"service_{rid}", _("Service: mean ({role})").format(role=names[rid]), MIN)
             for rid in roles]
    rows = []
    for o in report["offices"]:
        v = o["visits"]
        row = [o["name"], v["count"], v["completed"], v["no_shows"], v["open_at_close"], v["total"]["mean_s"],
               v["total"]["within_norm_share"]]
        row += [o["roles"].get(rid, {}).get("wait", {}).get("mean_s") for rid in roles]
        row += [o["roles"].get(rid, {}).get("service", {}).get("mean_s") for rid in roles]
        rows.append(row)
    return Section("offices", _("By service centre"), cols, rows)


def _counters(report: dict, _) -> Section:
    offices = _office_names(report)
    cols = [Column("office", _("Service centre"), TEXT)] if offices else []
    cols += [Column("counter", _("Counter"), TEXT), Column("name", _("Name"), TEXT),
            Column("steps", _("Served"), INT), Column("no_shows", _("No-shows"), INT),
            Column("open_s", _("Open"), MIN), Column("paused_s", _("Paused"), MIN),
            Column("busy_s", _("Serving"), MIN),
            Column("busy_share", _("Busy share of working time"), SHARE)]
    cols += _timing_columns(_, "wait", _("Wait"), False, False)
    cols += _timing_columns(_, "service", _("Service"), False, False)
    rows = []
    for c in report["counters"]:
        row = [offices.get(c.get("office"), "")] if offices else []
        row += [c["id"], c["name"], c["steps"], c["no_shows"], c["open_s"], c["paused_s"],
                c["busy_s"], c["busy_share"]]
        row += _timing_cells(c["wait"], None, False) + _timing_cells(c["service"], None, False)
        rows.append(row)
    return Section("counters", _("By counter"), cols, rows)


def _operators(report: dict, _) -> Section:
    offices = _office_names(report)
    cols = [Column("office", _("Service centre"), TEXT)] if offices else []
    cols += [Column("operator", _("Operator"), TEXT), Column("steps", _("Served"), INT),
             Column("no_shows", _("No-shows"), INT)]
    cols += _timing_columns(_, "wait", _("Wait"), False, False)
    cols += _timing_columns(_, "service", _("Service"), False, False)
    rows = []
    for o in report["operators"]:
        row = [offices.get(o.get("office"), "")] if offices else []
        row += [o["id"], o["steps"], o["no_shows"]]
        row += _timing_cells(o["wait"], None, False) + _timing_cells(o["service"], None, False)
        rows.append(row)
    return Section("operators", _("By operator"), cols, rows)


def _appeals(report: dict, _) -> Section:
    cols = [Column("group", _("Grouped by"), TEXT), Column("item", _("Item"), TEXT),
            Column("count", _("Visits"), INT)]
    rows = []
    a = report["appeals"]
    for group, table, counts in ((_("Kind of appeal"), APPEAL_KINDS, a["by_kind"]),
                                 (_("Topic"), APPEAL_TOPICS, a["by_topic"]),
                                 (_("Outcome"), OUTCOMES, a["by_outcome"])):
        for key, n in counts.items():
            rows.append([group, word(table, key, _), n])
    return Section("appeals", _("Appeals of finished visits"), cols, rows)


def _bookings(report: dict, _) -> Section:
    """Pre-registration: what became of the period's bookings, and the wait from the slot."""
    b = report["bookings"]
    w = b["wait_from_slot"]
    rows: list[tuple[str, object, str]] = [
        (_("Bookings made in the period (for any day)"), b["made"], INT),
        (_("Bookings for the period"), b["booked"], INT),
        (_("of them booked by staff for a caller"), b["by_staff"], INT),
        (_("Kept: checked in on time"), b["kept"], INT),
        (_("Late: checked in after the grace time, served as walk-ins"), b["late"], INT),
        (_("Did not come"), b["no_show"], INT),
        (_("Not yet due"), b["pending"], INT),
        (_("Cancelled"), b["cancelled"], INT),
        (_("Booked visitors called"), w["n"], INT),
    ]
    for key, label in STATS:
        rows.append((_("Wait from the booked time: {figure}").format(figure=_(label)), w[key], MIN))
    rows.append((_("Wait from the booked time: within the norm"), w["within_norm_share"], SHARE))
    return Section("bookings", _("Bookings (pre-registration)"),
                   [Column("label", _("Indicator"), TEXT), Column("value", _("Value"), TEXT)],
                   [[label, value] for label, value, _kind in rows],
                   [kind for _label, _value, kind in rows])


def _days(report: dict, lang: str, _) -> Section:
    roles = active_roles(report)
    cols = [Column("date", _("Date"), TEXT), Column("visits", _("Visits"), INT),
            Column("no_shows", _("No-shows"), INT), Column("cancelled", _("Cancelled"), INT),
            Column("open", _("Open at closing time"), INT),
            Column("total_mean_s", _("Visit time: mean"), MIN),
            Column("total_share", _("Visit time: within the norm"), SHARE)]
    names = {rid: name_in(report["roles"][rid]["name"], lang) for rid in roles}
    cols += [Column(f"wait_{rid}", _("Wait: mean ({role})").format(role=names[rid]), MIN)
             for rid in roles]
    cols += [Column(f"service_{rid}", _("Service: mean ({role})").format(role=names[rid]), MIN)
             for rid in roles]
    rows = []
    for d in report["days"]:
        row = [local_date(d["date"], lang), d["visits"], d["no_shows"], d["cancelled"],
               d["open_at_close"], d["total_mean_s"], d["total_within_norm_share"]]
        row += [d["roles"][rid]["wait_mean_s"] for rid in roles]
        row += [d["roles"][rid]["service_mean_s"] for rid in roles]
        rows.append(row)
    return Section("days", _("By day"), cols, rows)
