"""Visitors' ratings in a report: `feedback` (GOST R 53368 §8).

From the period's `visit.rated` lines alone: each names the services, counters
and operators that served the visit (`served`), and the rating counts once for
each of them. A figure without ratings is ``None``, never 0.

The lines are first counted (`rating_counts`: how many of each score by how it was
given and by service, counter and operator, and how many came with a comment); those
counts add up over days and offices, so a day's are stored with its facts
(reports/facts.py, `fact_count` rows whose `what` is "rating") and a period's report
reads their sum (`feedback_of`) as a day's reads its own.
"""
from __future__ import annotations

from collections.abc import Iterable

SCORES = ("1", "2", "3", "4", "5")
RATING = "rating"  # the counts' first key: (RATING, by, id, score)
BY = ("service", "counter", "operator")


def _figures(counts: dict[str, int]) -> dict:
    n = sum(counts.values())
    total = sum(int(k) * v for k, v in counts.items())
    low = counts["1"] + counts["2"]
    return {"n": n, "mean": round(total / n, 2) if n else None, "distribution": dict(counts),
            "low_share": round(low / n, 4) if n else None}


def rating_counts(lines: Iterable[dict]) -> dict[tuple, int]:
    """`lines`: journal lines (dicts with `type` and `data`); only `visit.rated` count.
    {(RATING, "via", via, score) | (RATING, "service"|"counter"|"operator", id, score) |
    (RATING, "comment", None, None): how many}."""
    out: dict[tuple, int] = {}

    def add(key: tuple) -> None:
        out[key] = out.get(key, 0) + 1

    for line in lines:
        if line["type"] != "visit.rated":
            continue
        d = line["data"]
        score = d.get("score")
        if score not in (1, 2, 3, 4, 5):
            continue
        add((RATING, "via", d.get("via") or "track", str(score)))
        if d.get("comment"):
            add((RATING, "comment", None, None))
        served = d.get("served") or [{"service": line.get("service"), "counter": line.get("counter"),
                                      "operator": line.get("operator")}]
        for what in BY:
            for key in {s.get(what) for s in served if s.get(what)}:
                add((RATING, what, key, str(score)))
    return out


def feedback_of(counts: dict[tuple, int]) -> dict:
    """The report's `feedback` from rating counts (any other counts are passed over)."""
    overall = dict.fromkeys(SCORES, 0)
    tables: dict[str, dict[str, dict[str, int]]] = {"via": {}, **{what: {} for what in BY}}
    comments = 0
    for key, n in counts.items():
        if key[0] != RATING:
            continue
        _r, by, ident, score = key
        if by == "comment":
            comments += n
            continue
        table = tables.get(by)
        if table is None or score not in overall:
            continue
        table.setdefault(ident, dict.fromkeys(SCORES, 0))[score] += n
        if by == "via":  # every rating is given one way: the ways add up to them all
            overall[score] += n
    out = _figures(overall)
    out["comments"] = comments
    out["by_via"] = {k: _figures(v) for k, v in sorted(tables["via"].items())}
    for what in BY:
        table = tables[what]
        out[f"by_{what}"] = [{"id": key, **_figures(table[key])} for key in sorted(table)]
    return out

