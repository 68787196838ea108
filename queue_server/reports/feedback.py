"""Visitors' ratings in a report: `feedback` (GOST R 53368 §8).

From the period's `visit.rated` lines alone: each names the services, counters
and operators that served the visit (`served`), and the rating counts once for
each of them. A figure without ratings is ``None``, never 0.
"""
from __future__ import annotations

from collections.abc import Iterable

SCORES = ("1", "2", "3", "4", "5")


class _Scores:
    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts = dict.fromkeys(SCORES, 0)

    def add(self, score: int) -> None:
        self.counts[str(score)] += 1

    def figures(self) -> dict:
        n = sum(self.counts.values())
        total = sum(int(k) * v for k, v in self.counts.items())
        low = self.counts["1"] + self.counts["2"]
        return {"n": n, "mean": round(total / n, 2) if n else None, "distribution": dict(self.counts),
                "low_share": round(low / n, 4) if n else None}


def feedback(lines: Iterable[dict]) -> dict:
    """`lines`: journal lines (dicts with `type` and `data`); only `visit.rated` count."""
    overall, via = _Scores(), {}
    by: dict[str, dict[str, _Scores]] = {"service": {}, "counter": {}, "operator": {}}
    comments = 0
    for line in lines:
        if line["type"] != "visit.rated":
            continue
        d = line["data"]
        score = d.get("score")
        if score not in (1, 2, 3, 4, 5):
            continue
        overall.add(score)
        via.setdefault(d.get("via") or "track", _Scores()).add(score)
        comments += bool(d.get("comment"))
        served = d.get("served") or [{"service": line.get("service"), "counter": line.get("counter"),
                                      "operator": line.get("operator")}]
        for what, table in by.items():
            for key in {s.get(what) for s in served if s.get(what)}:
                table.setdefault(key, _Scores()).add(score)
    out = overall.figures()
    out["comments"] = comments
    out["by_via"] = {k: v.figures() for k, v in sorted(via.items())}
    for what, table in by.items():
        out[f"by_{what}"] = [{"id": key, **table[key].figures()} for key in sorted(table)]
    return out
