"""Bookings through months of office days (soak): the booking book and the nightly jobs stay bounded.

``python -m bench.soak_bookings`` runs 120 office days (``--tiny``: 6) through the real
service layer and scheduler with a fake clock: every day visitors book ~40 slots of the
next two weeks through the public path, those of the day check in at the kiosk (a few
never come), and the clock passes midnight (tickets and no-shows swept), the backup time
(names and contacts blanked three days after the slot, for the soak; backups pruned) and
the eve's reminder time. Figures: the bookings the book holds in memory at its largest and
at the end (bounded by the horizon, not by the days run), the process's RSS growth after a
warm-up, the journal lines still holding a name, and the wall time per simulated day.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PER_DAY = 40
KEEP_DAYS = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a short run; budgets printed, not checked")
    parser.add_argument("--days", type=int, default=120)
    args = parser.parse_args(argv)
    from .common import Reporter

    rep = Reporter("soak_bookings", budgets_on=not args.tiny)
    soak(6 if args.tiny else args.days, rep)
    return 1 if rep.missed else 0


def soak(days: int, rep) -> None:
    from queue_server.app import create_app
    from queue_server.auth import Principal
    from queue_server.cli import demo_config
    from queue_server.clock import FakeClock
    from queue_server.domain import commands as c
    from queue_server.domain import events as ev
    from queue_server.domain.errors import DomainError
    from queue_server.service.authz import PUBLIC

    from .common import log, rss_kb

    rng = random.Random(18)
    kiosk = Principal("device", "kiosk-1", "kiosk")
    start = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # a Monday, 09:00 in Moscow
    clock = FakeClock(start)
    with tempfile.TemporaryDirectory(prefix="qoffice-soak-bookings-") as tmp:
        data = Path(tmp) / "office"
        data.mkdir()
        text = demo_config().replace("keep_personal_days = 30", f"keep_personal_days = 30\nkeep_booking_days = {KEEP_DAYS}")
        (data / "office.toml").write_text(text.replace("keep_days = 14", "keep_days = 2"), encoding="utf-8")
        app = create_app(data, clock=clock)
        book = app.service.office.bookings
        scheduler = app.extras["scheduler"]
        held, rss_start, wall = [], None, time.perf_counter()
        made = refused = came = 0
        try:
            for d in range(days):
                morning = start + timedelta(days=d)
                clock.set(morning)
                due = [b for b in list(book.bookings.values()) if b.state == "booked"
                       and book.day(b.start) == book.day(morning)]
                for _ in range(PER_DAY):  # bookings of the next two weeks, through the public path
                    day = (morning + timedelta(days=rng.randint(1, 13))).astimezone(app.service.office.tz).date()
                    service = rng.choice(("reception", "consultation", "payments", "quick"))
                    free = [s.start for s, n in book.slots(service, day, morning) if n > 0]
                    if not free:
                        refused += 1
                        continue
                    try:
                        app.service.handle(c.MakeBooking(service, rng.choice(free), "Гость Тестовый",
                                                         f"+7912{rng.randrange(10**7):07d}"), PUBLIC)
                        made += 1
                    except DomainError:
                        refused += 1
                for b in due:  # today's visitors come, early, except a few
                    if rng.random() < 0.9:
                        app.service.handle(c.CheckInBooking(b.code), kiosk)
                        came += 1
                for hhmm in ((18, 0, 30), (24, 0, 30), (27, 0, 30)):  # the eve, midnight, the backup
                    clock.set(morning.replace(hour=0, minute=0) - timedelta(hours=3)
                              + timedelta(hours=hhmm[0], minutes=hhmm[1], seconds=hhmm[2]))
                    scheduler.tick()
                held.append(len(book.bookings))
                if d == min(days - 1, 20) and rss_start is None:
                    rss_start = rss_kb(os.getpid())
                if d % 20 == 19:
                    log(f"day {d + 1}: {len(book.bookings)} bookings held, {made} made")
            rss_end = rss_kb(os.getpid())
            named = sum(1 for e in app.store.events_after(0)
                        if e.type == ev.BOOKING_CREATED and e.data.get("name")
                        and book.day(datetime.fromisoformat(e.data["start"].replace("Z", "+00:00")))
                        < book.day(clock.now()) - timedelta(days=KEEP_DAYS + 1))
        finally:
            app.close()
    per_day_ms = (time.perf_counter() - wall) * 1000 / days
    rep.figure("soak_bookings_days", days)
    rep.figure("soak_bookings_made", made, f"{refused} refused (full), {came} came")
    rep.figure("soak_bookings_held_max", max(held), "bookings in memory at the most")
    rep.figure("soak_bookings_held_end", held[-1])
    rep.figure("soak_bookings_named_past_keep", named, "journal lines still holding a name past the keep")
    rep.figure("soak_bookings_rss_growth_pct",
               round(100 * (rss_end - rss_start) / rss_start, 1) if rss_start and rss_end else None,
               "after day 21 to the end")
    rep.figure("soak_bookings_ms_per_day", round(per_day_ms, 1))


if __name__ == "__main__":
    raise SystemExit(main())
