"""The appeal's clock (GOST R 53368 §5.24, §7.6–7.8): calendar days in the office's time zone,
moved off closed days, across a DST change; extensions, decisions in time or late, the
customer's word; repeated complaints (§7.11). Pure domain, a fake clock's times."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from queue_server.domain import events as ev
from queue_server.domain.appeals import DECIDED, DISPUTED, AppealRegistry, AppealRules
from queue_server.domain.codes import ALPHABET
from queue_server.domain.errors import InvalidInput, InvalidState, NotFound
from queue_server.domain.event_schema import check_event

MOSCOW = AppealRules(timezone="Europe/Moscow")
WEEKDAYS_ONLY = AppealRules(timezone="Europe/Moscow", closed_weekdays=frozenset({5, 6}),
                            holidays=frozenset({date(2027, 1, 1), date(2027, 1, 4)}))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class Registry:
    """Runs the registry as the service layer does: events are checked, numbered, applied."""

    def __init__(self, rules: AppealRules = MOSCOW):
        self.r = AppealRegistry(rules)
        self.seq = 0

    def do(self, method, now: datetime, *args, **kw):
        e = getattr(self.r, method)(now, "head", *args, **kw)
        assert check_event(e) is None, check_event(e)
        self.seq += 1
        e = ev.Event(e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data, self.seq)
        self.r.apply(e)
        return e

    def register(self, now: datetime, kind="complaint", channel="in_person", **kw):
        base = {"topic": "metering", "text": "Счёт завышен вдвое"}
        base.update(kw)
        return self.do("register", now, kind=kind, channel=channel, **base)


@pytest.mark.parametrize("registered,due_date,due_at", [
    # 10:00 Moscow on Friday 20 November: 14 calendar days → Friday 4 December, to its last second
    ("2026-11-20T10:00:00+03:00", "2026-12-04", "2026-12-04T20:59:59.000Z"),
    # 23:30 Moscow is still the 20th (20:30 UTC)…
    ("2026-11-20T23:30:00+03:00", "2026-12-04", "2026-12-04T20:59:59.000Z"),
    # …00:30 Moscow is the 21st, though it is still the 20th in UTC
    ("2026-11-21T00:30:00+03:00", "2026-12-05", "2026-12-05T20:59:59.000Z"),
])
def test_the_answer_is_due_fourteen_calendar_days_after_the_local_day_of_registration(registered, due_date, due_at):
    e = Registry().register(at(registered))
    assert (e.data["due_date"], e.data["due_at"], e.data["answer_days"]) == (due_date, due_at, 14)


def test_a_due_date_on_a_day_off_or_a_holiday_moves_to_the_next_working_day():
    reg = Registry(WEEKDAYS_ONLY)
    # a letter registered on Saturday 21 November: day 14 is Saturday 5 December → Monday 7
    assert reg.register(at("2026-11-21T11:00:00+03:00"), channel="post").data["due_date"] == "2026-12-07"
    # 18 December + 14 = 1 January (a holiday) → 2 January is Saturday → 3 Sunday → 4 a holiday → 5 January
    assert reg.register(at("2026-12-18T12:00:00+03:00")).data["due_date"] == "2027-01-05"
    # a weekday stays where it is
    assert reg.register(at("2026-11-20T12:00:00+03:00")).data["due_date"] == "2026-12-04"
    # the office may count plain calendar days instead
    plain = Registry(AppealRules(timezone="Europe/Moscow", closed_weekdays=frozenset({5, 6}),
                                 move_off_closed_days=False))
    assert plain.register(at("2026-11-21T11:00:00+03:00")).data["due_date"] == "2026-12-05"


@pytest.mark.parametrize("registered,due_at", [
    # Berlin leaves summer time on 25 October 2026: the due day ends at 23:59:59 CET, 22:59:59 UTC
    ("2026-10-20T10:00:00+02:00", "2026-11-03T22:59:59.000Z"),
    # and enters it on 28 March 2027: 23:59:59 CEST is 21:59:59 UTC
    ("2027-03-20T10:00:00+01:00", "2027-04-03T21:59:59.000Z"),
])
def test_the_due_day_ends_at_local_midnight_across_a_dst_change(registered, due_at):
    reg = Registry(AppealRules(timezone="Europe/Berlin"))
    e = reg.register(at(registered))
    assert e.data["due_at"] == due_at


def test_answer_days_per_kind_and_channel():
    rules = AppealRules(timezone="Europe/Moscow", answer_days=10,
                        terms={"question.email": 3, "application.email": 3, "complaint": 14, "suggestion.web": 5})
    reg = Registry(rules)
    now = at("2026-11-20T10:00:00+03:00")
    days = {(k, c): reg.register(now, kind=k, channel=c).data["answer_days"]
            for k, c in (("question", "email"), ("question", "phone"), ("application", "email"),
                         ("complaint", "email"), ("suggestion", "web"), ("suggestion", "post"))}
    assert days == {("question", "email"): 3, ("question", "phone"): 10, ("application", "email"): 3,
                    ("complaint", "email"): 14, ("suggestion", "web"): 5, ("suggestion", "post"): 10}


def test_the_code_is_short_random_readable_and_holds_nothing_of_the_customer():
    reg = Registry()
    codes = {reg.register(at("2026-11-20T10:00:00+03:00"), contract="4711",
                          contact={"name": "Иванова Мария", "phone": "+7 912 345-67-89"}).data["code"]
             for _ in range(200)}
    # the same customer, the same words, 200 times: 200 different codes, so none is made of them
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in codes)
    # and no two neighbours in time share a prefix more than chance would (not a counter, not a date)
    assert len({c[:3] for c in codes}) > 180
    one = next(iter(codes))
    # read back as people type it: lower case, a dash, O for 0 and I/L for 1
    typed = (one[:4] + "-" + one[4:]).lower().replace("0", "o").replace("1", "l")
    assert reg.r.get(typed).code == one
    with pytest.raises(NotFound):
        reg.r.get("ZZZZZZZZ")


def test_an_extension_moves_the_due_date_with_a_reason_within_the_limit():
    reg = Registry()
    code = reg.register(at("2026-11-20T10:00:00+03:00")).data["code"]
    e = reg.do("extend", at("2026-12-01T12:00:00+03:00"), code, 7, "Нужна поверка счётчика")
    assert (e.data["due_date"], e.data["late"]) == ("2026-12-11", False)
    assert reg.r.get(code).status == "extended" and reg.r.get(code).extended_days == 7
    with pytest.raises(InvalidInput):  # 7 + 4 > 10 days in all
        reg.r.extend(at("2026-12-02T12:00:00+03:00"), "head", code, 4, "ещё")
    with pytest.raises(InvalidInput):  # a reason is required
        reg.r.extend(at("2026-12-02T12:00:00+03:00"), "head", code, 2, "  ")
    # asked after the due day had passed: allowed, and marked late (§7.11 late actions)
    late = reg.do("extend", at("2026-12-12T09:00:00+03:00"), code, 3, "Ожидаем ответ сетевой организации")
    assert (late.data["due_date"], late.data["late"]) == ("2026-12-14", True)


def test_a_decision_is_in_time_until_the_last_second_of_the_due_day():
    reg = Registry()
    first = reg.register(at("2026-11-20T10:00:00+03:00")).data["code"]
    second = reg.register(at("2026-11-20T10:00:00+03:00")).data["code"]
    ok = reg.do("decide", at("2026-12-04T23:59:59+03:00"), first, "justified", "Счёт пересчитан")
    late = reg.do("decide", at("2026-12-05T00:00:00+03:00"), second, "partly", "Пересчитан частично")
    assert (ok.data["in_time"], late.data["in_time"]) == (True, False)
    assert reg.r.get(first).status == DECIDED and reg.r.get(first).decided_in_time is True
    with pytest.raises(InvalidState):  # decided already: the customer's word comes next
        reg.r.decide(at("2026-12-06T10:00:00+03:00"), "head", first, "justified", "ещё раз")


def test_a_decision_the_customer_rejects_stays_open_and_can_be_reversed():
    reg = Registry()
    code = reg.register(at("2026-11-20T10:00:00+03:00")).data["code"]
    with pytest.raises(InvalidState):  # nothing to accept before a decision
        reg.r.close(at("2026-11-21T10:00:00+03:00"), "head", code, True)
    reg.do("decide", at("2026-11-25T10:00:00+03:00"), code, "unjustified", "Начисления верны")
    reopened = reg.do("close", at("2026-11-26T10:00:00+03:00"), code, False)
    appeal = reg.r.get(code)
    # open again (§7.8), with a new answer date counted from the customer's "no"
    assert appeal.status == DISPUTED and appeal.awaiting
    assert reopened.data["due_date"] == "2026-12-10"
    again = reg.do("decide", at("2026-12-01T10:00:00+03:00"), code, "justified", "После проверки — перерасчёт")
    assert (again.data["round"], again.data["reversed"]) == (2, True)
    reg.do("close", at("2026-12-02T10:00:00+03:00"), code, True)
    assert appeal.status == "closed" and appeal.closed_at == at("2026-12-02T10:00:00+03:00")
    assert appeal.public() == {"code": code, "status": "closed", "registered_at": "2026-11-20T07:00:00.000Z",
                               "due_at": "2026-12-10T20:59:59.000Z", "decided_at": "2026-12-01T07:00:00.000Z"}


def test_a_complaint_of_the_same_customer_on_the_same_topic_within_a_year_is_repeated():
    reg = Registry()
    first = reg.register(at("2026-01-10T10:00:00+03:00"), contract="77-123",
                         contact={"email": "Ivanova@Example.ru"}).data["code"]
    # the same contract
    assert reg.register(at("2026-06-01T10:00:00+03:00"), contract="77-123").data["repeat_of"] == first
    # the same e-mail (its domain is written in one form), no contract
    by_mail = reg.register(at("2026-06-02T10:00:00+03:00"), contact={"email": "Ivanova@EXAMPLE.RU"})
    assert by_mail.data["repeat_of"] is not None
    # another topic, another customer, a question, or more than a year later: not repeated
    assert reg.register(at("2026-06-03T10:00:00+03:00"), topic="power_quality", contract="77-123").data["repeat_of"] is None
    assert reg.register(at("2026-06-03T10:00:00+03:00"), contract="99-999").data["repeat_of"] is None
    assert reg.register(at("2026-06-03T10:00:00+03:00"), kind="question", contract="77-123").data["repeat_of"] is None
    assert reg.register(at("2027-06-03T10:00:00+03:00"), contract="99-999", topic="other").data["repeat_of"] is None


def test_a_complaint_record_says_what_section_7_4_needs_and_it_lacks():
    reg = Registry()
    full = reg.register(at("2026-11-20T10:00:00+03:00"), service_id="consultation", contract="1",
                        contact={"phone": "8 912 345 67 89"})
    bare = reg.register(at("2026-11-20T10:00:00+03:00"))
    question = reg.register(at("2026-11-20T10:00:00+03:00"), kind="question")
    assert full.data["missing"] == [] and full.data["contact"] == {"phone": "+79123456789"}
    assert bare.data["missing"] == ["service", "contract", "contact"]
    assert question.data["missing"] == []


@pytest.mark.parametrize("bad", [
    {"kind": "praise"}, {"topic": "weather"}, {"channel": "pigeon"}, {"text": "   "},
    {"text": "x" * 4001}, {"contact": {"email": "a@b.ru\nBcc: x@y.ru"}}, {"contact": {"fax": "1"}},
    {"contact": {"phone": "12345"}}, {"contract": "x" * 41},
])
def test_bad_input_is_refused_with_words_and_nothing_registered(bad):
    reg = Registry()
    args = {"kind": "complaint", "topic": "metering", "channel": "in_person", "text": "Счёт"}
    args.update(bad)
    with pytest.raises(InvalidInput):
        reg.r.register(at("2026-11-20T10:00:00+03:00"), "op1", **args)
    assert reg.r.appeals == {}
