"""The report's tables for visitors' ratings and the appeals registry, and the quarterly form.

Titles and columns come from the reports catalog; the names of kinds, topics
and channels from the registry's own vocabulary (queue_server/appeal_words.py),
so the form calls a complaint what the slip and the console call it.
"""
from __future__ import annotations

from queue_server import appeal_words as aw

from .labels import local_date, translator
from .layout import INT, NUM, SHARE, TEXT, Column, Section

SCORES = ("1", "2", "3", "4", "5")


def feedback_sections(report: dict, lang: str) -> list[Section]:
    """Ratings: the overall figures, then by service, counter and operator."""
    fb = report.get("feedback")
    if fb is None:
        return []
    _ = translator(lang)
    services = {s["id"]: s["name"] for s in report.get("services", [])}
    counters = {c["id"]: c["name"] for c in report.get("counters", [])}
    cols = [Column("item", _("Rated"), TEXT), Column("n", _("Ratings"), INT), Column("mean", _("Mean score"), NUM)]
    cols += [Column(f"s{s}", _("Score {score}").format(score=s), INT) for s in SCORES]
    cols.append(Column("low_share", _("Scores 1-2"), SHARE))

    def row(label: str, f: dict) -> list:
        return [label, f["n"], f["mean"], *(f["distribution"][s] for s in SCORES), f["low_share"]]

    rows = [row(_("All ratings"), fb)]
    for item in fb["by_service"]:
        names = services.get(item["id"])
        rows.append(row(_("Service: {name}").format(name=(names or {}).get(lang) or (names or {}).get("ru")
                                                      or item["id"]), item))
    for item in fb["by_counter"]:
        rows.append(row(_("Counter: {name}").format(name=counters.get(item["id"], item["id"])), item))
    for item in fb["by_operator"]:
        rows.append(row(_("Operator: {name}").format(name=item["id"]), item))
    return [Section("feedback", _("Visitors' ratings"), cols, rows)]


def registry_sections(report: dict, lang: str) -> list[Section]:
    """The registry's figures (key/value) and its registrations by kind × topic × place."""
    reg = report.get("appeals_registry")
    if reg is None:
        return []
    _ = translator(lang)
    w = aw.words(lang)
    ind = reg["indicators"]
    rows: list[tuple[str, object, str]] = [
        (_("Appeals registered"), reg["registered"], INT),
        (_("Decided (first decision)"), reg["decided"], INT),
        (_("Decided in time"), reg["decided_in_time"], INT),
        (_("Decided late"), reg["decided_late"], INT),
        (_("Overdue, not answered"), reg["overdue"], INT),
        (_("Extended"), reg["extended"], INT),
        (_("Decision not accepted by the customer"), reg["not_accepted"], INT),
        (_("Open at the end of the period"), reg["open_at_end"], INT),
    ]
    rows += [(_("Decisions: {decision}").format(decision=w["decision"][k]), n, INT) for k, n in reg["by_decision"].items()]
    rows += [(_("Channel: {channel}").format(channel=w["channel"][k]), n, INT) for k, n in reg["by_channel"].items()]
    rows += [
        (_("Complaints repeated (§7.11)"), ind["repeated"], INT),
        (_("Complaints found unjustified (§7.11)"), ind["unjustified"], INT),
        (_("Complaints rejected, later found justified (§7.11)"), ind["rejected_then_justified"], INT),
        (_("Late actions on complaints (§7.11)"), ind["late_actions"], INT),
        (_("Complaint records lacking what §7.4 asks (§7.11)"), ind["record_violations"], INT),
    ]
    figures = Section("appeals_registry", _("Appeals registry"),
                      [Column("label", _("Indicator"), TEXT), Column("value", _("Value"), TEXT)],
                      [[label, value] for label, value, _kind in rows], [kind for _l, _v, kind in rows])
    return [figures, _matrix(reg["by_kind_topic_place"], w, _, "appeals_matrix",
                             _("Appeals registered by kind and topic"))]


def _matrix(matrix: dict, w: dict, _, key: str, title: str) -> Section:
    cols = [Column("kind", _("Kind"), TEXT), Column("topic", _("Topic"), TEXT),
            Column("in_person", _("In person"), INT), Column("remote", _("Remote"), INT),
            Column("total", _("Total"), INT)]
    rows = []
    for kind, topics in matrix.items():
        for topic, places in topics.items():
            total = places["in_person"] + places["remote"]
            if total:
                rows.append([w["kind_plural"].get(kind, kind), w["topic"].get(topic, topic),
                             places["in_person"], places["remote"], total])
    return Section(key, title, cols, rows)


def quarter_title(report: dict, lang: str) -> str:
    _ = translator(lang)
    return _("Appeals monitoring, {quarter} ({start} - {end})").format(
        quarter=report["quarter"], start=local_date(report["from"], lang), end=local_date(report["to"], lang))


def quarter_sections(report: dict, lang: str) -> list[Section]:
    """The monitoring form: appeals by kind with shares of all, each by topic with shares of
    its kind, in person and remote; then the registry's figures for the quarter."""
    _ = translator(lang)
    w = aw.words(lang)
    cols = [Column("kind", _("Kind"), TEXT), Column("topic", _("Topic"), TEXT), Column("n", _("Total"), INT),
            Column("share", _("Share (a topic: of its kind)"), SHARE), Column("in_person", _("In person"), INT),
            Column("in_person_share", _("In person, share of all"), SHARE), Column("remote", _("Remote"), INT),
            Column("remote_share", _("Remote, share of all"), SHARE)]
    places = report["places"]
    rows = [[_("All appeals"), "", report["total"], 1.0 if report["total"] else None,
             places["in_person"]["n"], places["in_person"]["share"], places["remote"]["n"], places["remote"]["share"]]]
    for k in report["kinds"]:
        p = k["places"]
        rows.append([w["kind_plural"][k["kind"]], "", k["n"], k["share"], p["in_person"]["n"], p["in_person"]["share"],
                     p["remote"]["n"], p["remote"]["share"]])
        for t in k["topics"]:
            rows.append(["", w["topic"][t["topic"]], t["n"], t["share"], t["places"]["in_person"], None,
                         t["places"]["remote"], None])
    form = Section("monitoring", _("Appeals monitoring: kinds, topics, in person and remote"), cols, rows)
    return [form, *registry_sections({"appeals_registry": report["appeals_registry"]}, lang)[:1]]
