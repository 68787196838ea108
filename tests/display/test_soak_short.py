"""The hall devices through a short day: the same soak as `make bench`, a few hundred operations.

Real `qdisplay hall` (ticker on) and `qdisplay counter` processes and the kiosk
(built as `qkiosk` builds it, in a child process, on 80 and 58 mm paper with
paper-outs) against a real server; staff call, recall, start, finish, transfer,
mark no-shows and pause over HTTP. Each device must stay up, keep its RSS
within 10 % after the warm-up, and end showing the last call; its GUI thread may
not stall over 200 ms after the warm-up unless an idle Qt process beside it
stalled at the same moment (then the shared machine held both back: `make test`
runs on a busy 2-core CI machine). The long run (≥ 2,000 calls and tickets) is
`python -m bench.soak_devices` in `make bench`.
"""
from __future__ import annotations

import pytest
from live_office import COUNTERS, make_office_dir, start_live_office, stop_live_office

from bench.soak_devices import Baseline, Staff, own_stalls, soak_displays, soak_kiosk

pytestmark = pytest.mark.slow

SERVICES = {"1": ["reception", "quick"], "2": ["consultation"], "3": ["consultation", "quick"], "4": ["payments"]}


@pytest.fixture
def office(tmp_path):
    live = start_live_office(make_office_dir(tmp_path / "office"))
    yield live
    stop_live_office(live)


@pytest.fixture
def idle(tmp_path):
    """The idle heartbeat beside the devices; the test reads its stalls at the end."""
    baseline = Baseline(tmp_path)
    yield baseline
    if baseline.proc.poll() is None:
        baseline.stop()


def check(figures, idle: Baseline) -> None:
    _max, _over, idle_stalls = idle.stop()
    for f in figures:
        assert f.alive, f.line()
        assert f.rss_growth <= 0.10, f.line()
        assert not own_stalls(f.stall_times, idle_stalls), (f.line(), f.stall_times, idle_stalls)


def test_hall_board_and_counter_display_through_a_short_day(office, tmp_path, idle):
    operators = {c: office.tokens[login] for login, c in COUNTERS.items()}
    staff = Staff(office.url, office.tokens["kiosk"], operators, SERVICES)
    day, figures = soak_displays(staff, office.tokens["display"], tmp_path, calls=300, rate=25)
    assert day.calls >= 300 and {"recall", "no-show", "finish", "transfer", "pause"} <= set(day.counts)
    print("\n".join(f.line() for f in figures))
    check(figures, idle)


def test_kiosk_through_a_few_hundred_tickets_on_both_widths_with_paper_outs(office, tmp_path, idle):
    figures = soak_kiosk(office.url, office.tokens["kiosk"], tmp_path, tickets=240)
    print(figures.line())
    assert "240 tickets on 80 mm and 58 mm paper" in figures.work, figures.work
    assert "not printed in 2 paper-outs" in figures.work, figures.work
    check([figures], idle)
