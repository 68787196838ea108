"""Plain rules behind the screens, without Qt."""
from __future__ import annotations

from kiosk.model import IssuedTicket, Office, ahead_text, paginate, wait_text


def ticket(ahead: int, wait_s: int) -> IssuedTicket:
    return IssuedTicket.from_json({"visit_id": "v1", "number": "А001", "service_id": "reception",
                                   "issued_at": "2026-11-20T07:00:00.000Z", "ahead": ahead,
                                   "position": ahead + 1, "estimated_wait_s": wait_s,
                                   "track_url": "http://x/t/v1"}, None, "ru")


def test_pages_are_balanced():
    items = tuple(range(7))
    assert [len(p) for p in paginate(items, 6)] == [4, 3]
    assert [len(p) for p in paginate(tuple(range(14)), 6)] == [5, 5, 4]
    assert paginate(tuple(range(3)), 6) == [(0, 1, 2)]
    assert paginate((), 6) == [()]


def test_wait_in_words():
    assert wait_text(ticket(0, 0), "ru") == "Вас скоро вызовут"
    assert wait_text(ticket(2, 601), "ru") == "Ожидание: около 11 мин"
    assert wait_text(ticket(2, 601), "en") == "Estimated wait: about 11 min"
    assert wait_text(ticket(40, 3 * 3600), "en") == "Estimated wait: about 3 h"
    assert ahead_text(ticket(0, 0), "ru") == "Перед вами никого нет"
    assert ahead_text(ticket(3, 900), "ru") == "Перед вами в очереди: 3"


def test_issued_ticket_reads_the_servers_answer():
    t = ticket(2, 600)
    assert t.issued_at.tzinfo is not None and t.ahead == 2 and t.service_name == "reception"


def test_services_in_both_languages():
    office = Office.from_json({"office": "ЦОК", "services": [
        {"id": "a", "name": "Касса", "name_en": "Cashier", "hint": "Оплата", "hint_en": ""}]})
    s = office.services[0]
    assert (s.name("ru"), s.name("en"), s.hint("ru"), s.hint("en")) == ("Касса", "Cashier", "Оплата", "Оплата")
