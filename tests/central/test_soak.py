"""Soak: the link runs all day. Tickets flow while the centre is stopped, SIGKILLed and
started again in turns; at the end every line is at the centre exactly once and the
pusher has kept one thread and no leaked sockets.

Short here (QCENTRAL_SOAK_S, default 12 s); `bench/bench_central.py --soak 600` runs it long.
"""
from __future__ import annotations

import os
import threading
import time

import pytest
from central_support import (
    add_office,
    caught_up,
    centre_lines,
    office_lines,
    pusher,
    pushing_office,
    wait_for,
)
from live_office import stop_live_office

pytestmark = pytest.mark.slow


def _open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return count


def soak(centre, db_url: str, tmp_path, seconds: float) -> dict:
    office_id, token = add_office(db_url, "Марафон")
    live = pushing_office(tmp_path / "o", centre.url, token, interval_s=1)
    try:
        pusher(live).batch = 50
        live.ticket("reception")
        wait_for(caught_up(live, db_url, office_id))
        sockets_before = _open_sockets()
        stop = threading.Event()
        issued = []

        def kiosk():
            while not stop.is_set():
                issued.append(live.ticket("reception")["number"])
                time.sleep(0.01)

        thread = threading.Thread(target=kiosk, daemon=True)
        thread.start()
        deadline = time.monotonic() + seconds
        rounds = 0
        while time.monotonic() < deadline:
            time.sleep(1.0)
            centre.kill() if rounds % 2 else centre.stop()
            time.sleep(1.0)
            centre.start()
            rounds += 1
        stop.set()
        thread.join(10)
        wait_for(caught_up(live, db_url, office_id), timeout=60, what="the centre to catch up after the soak")
        lines = centre_lines(db_url, office_id)
        assert [line[0] for line in lines] == list(range(1, len(office_lines(live)) + 1))
        assert len({line[1] for line in lines}) == len(lines)
        threads = [t.name for t in threading.enumerate() if t.name == "central-push"]
        assert threads == ["central-push"]
        assert _open_sockets() <= sockets_before + 2  # the kept-alive connection, give or take one
        return {"tickets": len(issued), "outages": rounds, "lines": len(lines)}
    finally:
        stop_live_office(live)


def test_soak_link_with_outages(centre, central_db, tmp_path):
    result = soak(centre, central_db, tmp_path, float(os.environ.get("QCENTRAL_SOAK_S", "12")))
    assert result["tickets"] > 50 and result["outages"] >= 3
