"""Outages: the centre SIGKILLed mid-push, the link cut for a while, an office SIGKILLed
mid-push, PostgreSQL itself killed. After each, the centre holds every line of every
office exactly once, in order, and the office never stopped issuing tickets."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import requests
from central_support import (
    ROOT,
    add_office,
    caught_up,
    central_section,
    centre_lines,
    office_lines,
    pusher,
    pushing_office,
    wait_for,
)
from live_office import free_port, make_office_dir, stop_live_office

pytestmark = pytest.mark.slow


def _small_batches(live, lines: int = 20) -> None:
    """Many small batches make "mid-push" a wide window instead of a lucky instant."""
    pusher(live).batch = lines


def _tickets(live, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        live.ticket("reception")
        times.append(time.perf_counter() - t)
    return times


def _exactly_once(live, db_url: str, office_id: int) -> None:
    wait_for(caught_up(live, db_url, office_id), timeout=60, what="the centre to catch up")
    lines = centre_lines(db_url, office_id)
    assert [line[0] for line in lines] == list(range(1, len(office_lines(live)) + 1))
    assert len({line[1] for line in lines}) == len(lines)  # no fact twice


def test_centre_killed_mid_push_and_restarted(centre, central_db, tmp_path):
    office_id, token = add_office(central_db, "Килл")
    centre.stop()  # a backlog builds up while the centre is away
    live = pushing_office(tmp_path / "o", centre.url, token, interval_s=2)
    try:
        _small_batches(live, 10)
        _tickets(live, 300)
        centre.start()
        wait_for(lambda: 0 < len(centre_lines(central_db, office_id)) < 300, interval=0.005,
                 what="the push to be under way")
        centre.kill()
        had = len(centre_lines(central_db, office_id))
        assert had < len(office_lines(live))  # killed with the push unfinished
        _tickets(live, 20)  # the office works on with the centre dead
        centre.start()
        _exactly_once(live, central_db, office_id)
    finally:
        stop_live_office(live)


def test_link_cut_for_a_while_then_restored(centre, central_db, tmp_path):
    office_id, token = add_office(central_db, "Обрыв")
    live = pushing_office(tmp_path / "o", centre.url, token, interval_s=2)
    try:
        up = _tickets(live, 40)
        wait_for(caught_up(live, central_db, office_id))
        centre.stop()
        down = _tickets(live, 40)  # the link is down: tickets as usual
        live.post("/api/v1/counters/1/next", "op1")
        wait_for(lambda: pusher(live).state == "down", what="the pusher to notice the outage")
        more = _tickets(live, 40)
        assert len(centre_lines(central_db, office_id)) < len(office_lines(live))
        centre.start()
        _exactly_once(live, central_db, office_id)
        # side by side, for the report (speed is judged in benchmarks, not here)
        med = lambda xs: sorted(xs)[len(xs) // 2] * 1000  # noqa: E731
        print(f"ticket median: link up {med(up):.2f} ms, link down {med(down + more):.2f} ms")
    finally:
        stop_live_office(live)


def test_database_killed_mid_push(pg, centre, central_db, tmp_path):
    office_id, token = add_office(central_db, "БД")
    live = pushing_office(tmp_path / "o", centre.url, token, interval_s=2)
    try:
        _small_batches(live, 10)
        _tickets(live, 10)
        wait_for(caught_up(live, central_db, office_id))
        centre.stop()
        _tickets(live, 200)
        centre.start()
        pg.kill()  # PostgreSQL stops as in a power cut; the centre answers 503 meanwhile
        try:
            r = requests.get(centre.url + "/healthz", timeout=30)
            assert r.status_code == 503 and r.json()["error"]["code"] == "database_unavailable"
            _tickets(live, 10)
        finally:
            pg.restart()
        _exactly_once(live, central_db, office_id)
    finally:
        stop_live_office(live)


def _start_office_process(data, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "run", "--data", str(data),
                             "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=(data / "server.log").open("ab"))
    wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=30, what="the office to start")
    return proc


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_office_killed_mid_push(centre, central_db, tmp_path):
    office_id, token = add_office(central_db, "Офис-килл")
    data = make_office_dir(tmp_path / "o")
    with (data / "office.toml").open("a", encoding="utf-8") as f:
        f.write(central_section(centre.url, token, interval_s=2).replace("interval_s", "batch_lines = 5\ninterval_s"))
    kiosk = subprocess.run([sys.executable, "-m", "queue_server.cli", "device", "add", "kiosk-1", "--data",
                            str(data), "--kind", "kiosk"], capture_output=True, text=True, check=True,
                           cwd=ROOT).stdout.strip().splitlines()[-1]
    centre.stop()
    port = free_port()
    proc = _start_office_process(data, port)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            r = requests.post(url + "/api/v1/tickets", json={"service_id": "reception"},
                              headers={"Authorization": f"Bearer {kiosk}"}, timeout=5)
            assert r.status_code == 201
        centre.start()
        wait_for(lambda: 0 < len(centre_lines(central_db, office_id)) < 150, interval=0.005,
                 what="the push to be under way")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert len(centre_lines(central_db, office_id)) < 150
        proc = _start_office_process(data, port)
        from queue_server.journal_store import JournalStore

        store = JournalStore(data / "office.sqlite")
        try:
            expected = [tuple(r) for r in store.query("SELECT seq, uid, type, visit FROM events ORDER BY seq")]
        finally:
            store.close()
        wait_for(lambda: centre_lines(central_db, office_id) == expected, timeout=60,
                 what="the restarted office to finish its push")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_a_centre_that_never_answers_does_not_slow_the_office(tmp_path):
    """A centre that accepts the connection and then says nothing (a hung proxy)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    live = pushing_office(tmp_path / "o", url, "some-token", interval_s=1)
    try:
        wait_for(lambda: held, what="the pusher to connect")
        times = _tickets(live, 30)  # the pusher is stuck in its request meanwhile
        assert len(office_lines(live)) >= 30
        assert max(times) < 2.0, times  # nowhere near the push timeout: tickets do not wait on it
    finally:
        stop_live_office(live)
        stop.set()
        thread.join(2)
        for s in held:
            s.close()
        listener.close()



