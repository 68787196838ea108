"""The booking book: one per contact, cancel and move, check-in early, on time and late,
no-shows, and the book folded again from its events (the fake clock, no server)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from booking_kit import WEEKDAY_HOURS, BookingHarness, msk

from queue_server.domain import events as ev
from queue_server.domain.bookings import BOOKED, CANCELLED, CHECKED_IN, NO_SHOW, BookingBook
from queue_server.domain.errors import BookingExists, InvalidInput, InvalidState, SlotUnavailable

TODAY = date(2026, 11, 20)


def test_a_booking_carries_what_the_visitor_gave_in_one_written_form():
    h = BookingHarness()
    code = h.make("reception", msk("2026-11-21", "10:00"), phone="8 (912) 345-67-89", email="Ivan@Mail.RU",
                  name="  Иванов   Иван ")
    (e,) = h.journal
    assert e.type == ev.BOOKING_CREATED and e.service == "reception" and e.operator is None
    assert e.data == {"code": code, "start": "2026-11-21T07:00:00.000Z", "minutes": 5, "name": "Иванов Иван",
                      "phone": "+79123456789", "email": "Ivan@mail.ru", "lang": "ru", "via": "web"}
    assert len(code) == 8 and h.book.get(code).state == BOOKED


@pytest.mark.parametrize(("name", "phone", "email", "words"), [
    ("", "+79120000000", None, "Give the name"),
    ("Иван\x1b[31mПетров", "+79120000000", None, "letters, spaces"),
    ("Я" * 101, "+79120000000", None, "at most 100"),
    ("Иван", None, None, "phone number or an e-mail"),
    ("Иван", "12", None, "digits only"),
    ("Иван", None, "ivan@mail.ru\r\nBcc: x@y.ru", "Not an e-mail"),
])
def test_bad_details_are_refused_with_clear_words(name, phone, email, words):
    h = BookingHarness()
    with pytest.raises(InvalidInput, match=words):
        h.make("reception", msk("2026-11-21", "10:00"), phone=phone, email=email, name=name)
    assert h.journal == []


def test_one_booking_per_phone_or_e_mail_per_service_per_day():
    h = BookingHarness()
    first = h.make("reception", msk("2026-11-21", "10:00"), phone="+7 912 345-67-89", email="a@b.ru")
    for phone, email in (("89123456789", None), (None, "a@B.RU"), ("+79990000000", "a@b.ru")):
        with pytest.raises(BookingExists):
            h.make("reception", msk("2026-11-21", "15:00"), phone=phone, email=email)
    h.make("consultation", msk("2026-11-21", "15:00"), phone="89123456789")  # another service
    h.make("reception", msk("2026-11-22", "15:00"), phone="89123456789")  # another day
    h.apply(h.book.cancel(first, h.now))
    h.make("reception", msk("2026-11-21", "15:00"), phone="89123456789")  # the cancelled one frees it


def test_cancel_frees_the_slot_and_is_refused_twice_or_after_the_time():
    h = BookingHarness()
    start = msk("2026-11-21", "10:00")
    code = h.make("reception", start)
    assert start not in h.free_starts("reception", date(2026, 11, 21))
    (e,) = h.apply(h.book.cancel(code, h.now))
    assert e.data == {"code": code, "start": "2026-11-21T07:00:00.000Z", "by": "visitor"}
    assert start in h.free_starts("reception", date(2026, 11, 21))
    assert h.book.get(code).state == CANCELLED
    with pytest.raises(InvalidState, match="cancelled"):
        h.book.cancel(code, h.now)
    later = h.make("reception", start, phone="+79121111111")
    h.now = start + timedelta(minutes=1)
    with pytest.raises(InvalidState, match="has passed"):
        h.book.cancel(later, h.now)


def test_a_move_takes_the_new_slot_and_frees_the_old_one():
    h = BookingHarness()
    old, new = msk("2026-11-21", "10:00"), msk("2026-11-21", "11:00")
    code = h.make("reception", old)
    (e,) = h.apply(h.book.reschedule(code, new, h.now, by="op1"))
    assert e.data["was"] == "2026-11-21T07:00:00.000Z" and e.operator == "op1"
    free = h.free_starts("reception", date(2026, 11, 21))
    assert old in free and new not in free
    h.make("reception", old, phone="+79121111111")
    with pytest.raises(SlotUnavailable):  # a full slot
        h.book.reschedule(code, old, h.now)
    # moving to another day checks that day's bookings of the same contact
    h.make("reception", msk("2026-11-22", "09:00"), phone="+79120000000", email="z@z.ru", name="Тот же")
    with pytest.raises(BookingExists):
        h.book.reschedule(code, msk("2026-11-22", "12:00"), h.now)


def test_check_in_early_on_time_and_late():
    """Early (the same day): an appointment due at the slot, waiting as a walk-in till then.
    On time and up to `late_min` after: the same. Later: a walk-in ticket, said so."""
    h = BookingHarness()
    early = h.make("reception", msk("2026-11-20", "11:00"), phone="+79120000001")
    on_time = h.make("reception", msk("2026-11-20", "11:30"), phone="+79120000002")
    late = h.make("payments", msk("2026-11-20", "11:30"), phone="+79120000003")
    issued, checked = h.check_in(early)  # at 10:00, an hour early
    assert issued.type == ev.VISIT_ISSUED and issued.data["priority"] == "appointment"
    assert issued.data["channel"] == "remote" and issued.data["booking"] == early
    assert issued.data["due"] == "2026-11-20T08:00:00.000Z"
    assert checked.type == ev.BOOKING_CHECKED_IN and checked.visit == issued.visit
    assert checked.data == {"code": early, "start": "2026-11-20T08:00:00.000Z", "late": False, "via": "kiosk"}
    h.now = msk("2026-11-20", "11:45")  # 15 min after 11:30: still on time
    assert h.check_in(on_time)[1].data["late"] is False
    h.now = msk("2026-11-20", "11:45") + timedelta(seconds=1)
    issued, checked = h.check_in(late)
    assert checked.data["late"] is True
    assert issued.data["priority"] is None and "due" not in issued.data and issued.data["booking"] == late
    assert h.book.get(late).state == CHECKED_IN and h.book.get(late).late


def test_check_in_is_refused_on_another_day_after_a_cancel_and_twice():
    h = BookingHarness()
    tomorrow = h.make("reception", msk("2026-11-21", "11:00"), phone="+79120000001")
    today = h.make("reception", msk("2026-11-20", "11:00"), phone="+79120000002")
    with pytest.raises(InvalidState, match="21.11 at 11:00: check in on that day"):
        h.check_in(tomorrow)
    h.apply(h.book.cancel(tomorrow, h.now))
    with pytest.raises(InvalidState, match="cancelled"):
        h.check_in(tomorrow)
    h.check_in(today)
    with pytest.raises(InvalidState, match="your number is А001"):
        h.check_in(today)
    h.now += timedelta(days=1)
    yesterday = h.make("reception", msk("2026-11-21", "12:00"), phone="+79120000003")
    h.now += timedelta(days=1)
    with pytest.raises(InvalidState, match="that day is over"):
        h.check_in(yesterday)


def test_a_phone_checks_in_only_near_the_slot():
    h = BookingHarness()  # window 15 min either side
    code = h.make("reception", msk("2026-11-20", "11:00"))
    h.now = msk("2026-11-20", "10:44")
    with pytest.raises(InvalidState, match="15 minutes either side of 11:00"):
        h.check_in(code, via="phone")
    h.now = msk("2026-11-20", "10:45")
    assert h.check_in(code, via="phone")[1].data["via"] == "phone"


def test_a_booked_visitor_checks_in_after_the_last_ticket_until_closing():
    h = BookingHarness(hours=WEEKDAY_HOURS, now=msk("2026-11-20", "09:00"))
    code = h.make("consultation", msk("2026-11-20", "16:45"))
    h.now = msk("2026-11-20", "16:50")  # after the last ticket (16:45): walk-ins are refused
    with pytest.raises(Exception, match="closed"):
        h.issue("consultation")
    assert h.check_in(code)[0].data["due"]


def test_no_shows_are_marked_once_the_day_is_over():
    h = BookingHarness(hours=WEEKDAY_HOURS, now=msk("2026-11-20", "09:00"))
    came = h.make("payments", msk("2026-11-20", "10:00"), phone="+79120000001")
    missed = h.make("payments", msk("2026-11-20", "11:00"), phone="+79120000002")
    h.make("payments", msk("2026-11-21", "11:00"), phone="+79120000003")
    h.now = msk("2026-11-20", "10:00")
    h.check_in(came)
    h.now = msk("2026-11-20", "16:59")
    assert h.book.no_shows(h.now) == []  # still open: they may come
    h.now = msk("2026-11-20", "17:00")
    (e,) = h.apply(h.book.no_shows(h.now))
    assert e.type == ev.BOOKING_NO_SHOW and e.data["code"] == missed
    assert h.book.get(missed).state == NO_SHOW
    assert h.book.no_shows(h.now) == []
    with pytest.raises(InvalidState):
        h.check_in(missed)


def test_the_book_folded_again_from_its_events_is_the_same():
    h = BookingHarness()
    a = h.make("reception", msk("2026-11-20", "11:00"), phone="+79120000001")
    b = h.make("consultation", msk("2026-11-21", "11:00"), phone="+79120000002")
    c = h.make("payments", msk("2026-11-21", "12:00"), phone="+79120000003")
    h.apply(h.book.reschedule(b, msk("2026-11-21", "12:00"), h.now))
    h.apply(h.book.cancel(c, h.now))
    h.check_in(a)
    again = BookingBook(h.config.catalog, h.config.hours, h.config.booking)
    for e in h.journal:
        if e.type.startswith("booking."):
            again.apply(e)
    assert again.bookings == h.book.bookings
    assert again._at_start == h.book._at_start and again._in_hour == h.book._in_hour
    assert again._contacts == h.book._contacts


def test_staff_booking_names_the_clerk_and_blanking_forgets_the_person():
    h = BookingHarness()
    code = h.make("reception", msk("2026-11-20", "11:00"), by="op1", email="a@b.ru")
    assert h.journal[-1].operator == "op1" and h.journal[-1].data["via"] == "staff"
    h.book.blank_personal(msk("2026-11-20", "11:01"))
    b = h.book.get(code)
    assert (b.name, b.phone, b.email) == ("", None, None)
    # the contact no longer holds the day: nothing personal is left to match
    h.make("reception", msk("2026-11-20", "12:00"), email="a@b.ru")
