"""Which of a device's GUI stalls are its own: those an idle process beside it did not share."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench/ is not an installed package
from bench.soak_devices import own_stalls  # noqa: E402


def test_a_stall_the_idle_process_shared_is_the_machines():
    device = [(100.0, 300.0)]  # the late beat came at t=100 s, 300 ms late: frozen 99.7–100.0
    assert own_stalls(device, [(100.02, 250.0)]) == []


def test_a_stall_nobody_shared_is_the_devices_own():
    device = [(100.0, 300.0), (200.0, 150.0)]
    assert own_stalls(device, [(150.0, 400.0)]) == [(100.0, 300.0)]  # the 150 ms one is under the limit


def test_a_short_idle_hiccup_does_not_excuse_a_long_stall():
    assert own_stalls([(100.0, 500.0)], [(99.8, 60.0)]) == [(100.0, 500.0)]
