"""The call policy: order, explainable reasons, and fairness under pressure."""
from __future__ import annotations


def _called_number(h, counter: str) -> tuple[str, dict]:
    e = h.next(counter)
    visit = h.office.visit(e.visit)
    reason = e.data["reason"]
    h.do(h.office.finish, counter, f"op{counter}")
    return visit.number, reason


def test_waits_are_compared_in_norms_across_roles(office):
    # Counter 1 serves reception (norm 10 min) and quick (admin+consultant, norm 20 min).
    office.open("1")
    office.issue("quick")  # Б001 at 0
    office.tick(2)
    office.issue("reception")  # А001 at 2
    office.tick(8)
    # Now: Б001 waited 10 of 20 min (0.5 norm), А001 waited 8 of 10 (0.8 norm).
    number, reason = _called_number(office, "1")
    assert number == "А001"
    assert reason["code"] == "longest_wait" and reason["params"] == {"priority": "", "wait_min": 8.0, "norm_min": 10.0}
    number, reason = _called_number(office, "1")
    assert number == "Б001" and reason["code"] == "only"


def test_over_norm_is_named_as_the_reason(office):
    office.open("1")
    office.issue("reception")
    office.tick(1)
    office.issue("reception")
    office.tick(12)
    number, reason = _called_number(office, "1")
    assert number == "А001" and reason["code"] == "over_norm" and reason["wait_s"] == 13 * 60


def test_priority_category_goes_first_and_says_so(office):
    office.open("1")
    office.issue("reception")
    office.tick(3)
    office.issue("reception", priority="disabled")
    office.tick(1)
    number, reason = _called_number(office, "1")
    assert number == "А002"
    assert reason["code"] == "priority" and reason["priority"] == "disabled"
    assert _called_number(office, "1")[0] == "А001"


def test_transferred_visitor_gets_a_head_start(office):
    office.open("1")
    office.open("2")
    office.issue("consultation")  # К001 waits at counter 2's service
    office.tick(1)
    office.issue("reception")
    office.next("1")
    office.do(office.office.transfer, "1", "op1", service_id="consultation")
    office.tick(1)
    e = office.next("2")
    assert office.office.visit(e.visit).number == "А001"
    assert e.data["reason"]["code"] == "transfer"


def test_nobody_starves_under_a_long_priority_stream(office):
    """A veteran arrives every 2 minutes for 3 hours at a counter that serves one
    visitor per 2 minutes: ordinary visitors are still called, within ~2 norms."""
    office.open("1")
    ordinary = {office.issue("reception").visit for _ in range(5)}
    called_at = {}
    for minute in range(0, 180, 2):
        office.issue("reception", priority="veteran")
        office.tick(2)
        e = office.next("1")
        called_at[e.visit] = minute
        office.do(office.office.finish, "1", "op1")
    assert ordinary <= called_at.keys(), "ordinary visitors starved"
    waits = [called_at[v] for v in ordinary]
    assert max(waits) <= 2 * 10 + 2  # within about two administrator norms


def test_no_one_waiting_calls_nobody(office):
    office.open("4")
    office.issue("reception")
    assert office.next("4") is None
