"""Serving models side by side: ASGI (uvicorn + AsyncServer) against gevent, same run.

What runs: the two prototypes of bench/serving_models.py — the same tiny Flask app
(one durable SQLite insert per `POST /ticket`, then `called` to the room "hall") on
each stack, as two processes on 127.0.0.1 at once. Every measurement alternates
between them (A, B, A, B…), so both see the same phase of this shared VM:

1. a ticket's round trip from one keep-alive client (rounds alternated);
2. idle connections: N Socket.IO clients that join and stay quiet (bench/sio_clients.py,
   one epoll thread in a helper process) — the server's RSS and threads before and after,
   per connection;
3. fan-out with those N connected: `POST /ticket` sent → `called` received at hall
   watchers that joined last (the fan-out's worst case), calls alternated.

The office server then uses the winner (queue_server/serve.py); the reasons are in
docs/architecture.md.

    python -m bench.bench_serving          # N = 2,000 idle connections
    python -m bench.bench_serving --tiny   # N = 20, a few samples, budgets off
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from .common import (
    Reporter,
    cpu_reference_ms,
    cpu_seconds,
    free_port,
    load1,
    log,
    percentile,
    rss_kb,
    thread_count,
)
from .http_client import Session
from .sio_clients import Holder, Watcher, address_pool

STACKS = ("asgi", "gevent")
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    ticket_rounds: int
    tickets_per_round: int
    idle: int
    watchers: int
    calls: int


FULL = Size(ticket_rounds=6, tickets_per_round=200, idle=2000, watchers=5, calls=150)
TINY = Size(ticket_rounds=2, tickets_per_round=10, idle=20, watchers=2, calls=6)


class Proto:
    """One prototype server process."""

    def __init__(self, stack: str, data: Path):
        self.stack, self.port = stack, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.serving_models", "--stack", stack,
                                      "--port", str(self.port), "--data", str(data / stack)],
                                     cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{stack} prototype exited: {self.proc.stderr.read()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"{stack} prototype did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def ticket_rounds(servers: dict[str, Proto], size: Size) -> dict[str, list[float]]:
    sessions = {s: Session() for s in servers}
    for s, proto in servers.items():  # warm the connections
        for _ in range(5):
            sessions[s].post(proto.url + "/ticket", json={"service_id": "quick"}).raise_for_status()
    times: dict[str, list[float]] = {s: [] for s in servers}
    for rnd in range(size.ticket_rounds):
        order = list(servers) if rnd % 2 == 0 else list(reversed(servers))
        for s in order:
            url = servers[s].url + "/ticket"
            for _ in range(size.tickets_per_round):
                t0 = time.perf_counter()
                sessions[s].post(url, json={"service_id": "quick"}).raise_for_status()
                times[s].append((time.perf_counter() - t0) * 1000)
    for session in sessions.values():
        session.close()
    return times


def run(size: Size, rep: Reporter) -> None:
    ref = cpu_reference_ms()
    rep.figure("serving_cpu_reference_ms", ref["median"], "the VM's speed at the start (lower is faster)")
    tmp = Path(tempfile.mkdtemp(prefix="qbench-serving-"))
    servers: dict[str, Proto] = {}
    holders: dict[str, Holder] = {}
    try:
        for stack in STACKS:
            servers[stack] = Proto(stack, tmp)
        log("tickets, 1 client, alternated")
        times = ticket_rounds(servers, size)
        for s, xs in times.items():
            rep.figure(f"serving_{s}_ticket_1c_median_ms", percentile(xs, 50),
                       f"p99 {percentile(xs, 99):.2f} ms over {len(xs)} tickets in rounds alternated with the other stack")
        # idle connections, then fan-out with them connected
        base = {s: (rss_kb(p.proc.pid) or 0, thread_count(p.proc.pid) or 0) for s, p in servers.items()}
        for s, proto in servers.items():
            log(f"{s}: {size.idle} idle Socket.IO connections")
            holders[s] = Holder(proto.url)
            t0 = time.perf_counter()
            held = holders[s].join(size.idle, {"room": "idle"}, address_pool("127.20.0.1", 50))
            took = time.perf_counter() - t0
            time.sleep(1.0)
            rss, threads = rss_kb(proto.proc.pid) or 0, thread_count(proto.proc.pid) or 0
            rep.figure(f"serving_{s}_idle_kb_per_connection", (rss - base[s][0]) / max(held, 1),
                       f"{held} idle connections: RSS {base[s][0] / 1024:.0f} → {rss / 1024:.0f} MB, threads "
                       f"{base[s][1]} → {threads}; connecting them took {took:.1f} s")
            rep.figure(f"serving_{s}_idle_threads", threads - base[s][1], f"threads added by {held} idle connections")
        watchers = {s: [Watcher(p.url, {"room": "hall"}, key="number") for _ in range(size.watchers)]
                    for s, p in servers.items()}
        sessions = {s: Session() for s in servers}
        pushes: dict[str, list[float]] = {s: [] for s in servers}
        cpu0 = {s: cpu_seconds(p.proc.pid) for s, p in servers.items()}
        log(f"fan-out: {size.calls} calls per stack, alternated, {size.idle} idle + {size.watchers} watchers")
        for i in range(size.calls):
            for s in (STACKS if i % 2 == 0 else tuple(reversed(STACKS))):
                t0 = time.perf_counter()
                r = sessions[s].post(servers[s].url + "/ticket", json={"service_id": "quick"})
                number = r.json()["number"]
                for w in watchers[s]:
                    t = w.wait_for(number)
                    if t is not None:
                        pushes[s].append((t - t0) * 1000)
                time.sleep(0.02)
        for s, xs in pushes.items():
            cpu = (cpu_seconds(servers[s].proc.pid) or 0) - (cpu0[s] or 0)
            rep.figure(f"serving_{s}_called_p99_ms", percentile(xs, 99) if xs else None,
                       f"median {percentile(xs, 50):.1f} ms; POST → `called` at {size.watchers} watchers joined last, "
                       f"{holders[s].count} idle connections; server CPU {cpu * 1000 / size.calls:.2f} ms per call; "
                       f"load average {load1() or 0:.1f}")
        for ws in watchers.values():
            for w in ws:
                w.close()
        ratio = statistics.median(times["asgi"]) / statistics.median(times["gevent"])
        rep.comment(f"ticket median asgi/gevent = {ratio:.2f}")
    finally:
        for h in holders.values():
            h.close()
        for p in servers.values():
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bench_serving", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="tiny size, budgets printed but not checked")
    args = p.parse_args(argv)
    rep = Reporter("serving", budgets_on=not args.tiny)
    t0 = time.perf_counter()
    run(TINY if args.tiny else FULL, rep)
    rep.comment(f"bench_serving took {time.perf_counter() - t0:.0f} s")
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
