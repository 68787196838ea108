"""Many Socket.IO clients, cheaply: protocol-level clients read by one epoll thread.

The benchmarks' extra clients share the machine with the server; python-socketio
clients would spend more CPU decoding each push (times hundreds) than the server
spends sending it. These speak Engine.IO 4 over a WebSocket by hand: they join
with an `auth` body (a display token, a ticket to follow, a prototype's room) or
never join at all (the hall's attacker), answer pings and read every frame
without decoding it. Each can come from its own loopback address (127.x.y.z), as
phones in a hall do: the server caps sockets per address.

`Holder` runs them in a helper process (`python -m bench.sio_clients`), driven
by JSON lines on its stdin; each command answers `ready N` with the number held.
"""
from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def sio_client():
    """A python-socketio client for measuring: no reconnection, no UTF-8 re-check."""
    import logging

    import socketio

    # a client dropped at the end logs "packet queue is empty, aborting": expected, not news
    logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
    logging.getLogger("socketio.client").setLevel(logging.CRITICAL)
    # websocket-client checks every text frame's UTF-8 in pure Python unless told not to:
    # 8.7 ms for a 21 KB `state` push here, CPU taken from the server sharing these cores.
    # str decoding checks UTF-8 anyway, so nothing is lost (see docs/performance.md).
    return socketio.Client(reconnection=False, handle_sigint=False,
                           websocket_extra_options={"skip_utf8_validation": True})


class Watcher:
    """A measuring client in this process, noting when each `called` arrives, by one field
    of its body (`visit_id` for the office, `number` for bench_serving's prototypes)."""

    def __init__(self, url: str, auth: dict, key: str = "visit_id", tries: int = 3):
        self.key = key
        self.arrived: dict = {}
        self.cond = threading.Condition()
        self.sio = sio_client()
        self.sio.on("called", self._called)
        for attempt in range(tries):
            try:
                self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=30)
                break
            except Exception:  # socketio.exceptions.ConnectionError and transport errors
                if attempt == tries - 1:
                    raise
                time.sleep(0.5)

    def _called(self, data):
        t = time.perf_counter()
        with self.cond:
            self.arrived.setdefault(data.get(self.key), t)
            self.cond.notify_all()

    def wait_for(self, value, timeout: float = 5.0) -> float | None:
        deadline = time.perf_counter() + timeout
        with self.cond:
            while value not in self.arrived:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)
            return self.arrived[value]

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:
            pass


PONG = bytes([0x81, 0x81, 0, 0, 0, 0]) + b"3"  # FIN text frame "3", masked with a zero key


def address_pool(base: str, count: int) -> list[str]:
    """`count` loopback addresses from `base` (e.g. "127.1.0.1"), skipping .0 and .255."""
    a, b, c, d = (int(x) for x in base.split("."))
    out = []
    n = (b << 16) | (c << 8) | d
    while len(out) < count:
        if n & 0xFF not in (0, 255):
            out.append(f"{a}.{(n >> 16) & 0xFF}.{(n >> 8) & 0xFF}.{n & 0xFF}")
        n += 1
    return out


class FrameSink:
    """Reads the WebSocket frames of many connections on one thread (epoll), answering
    Engine.IO pings ("2" → "3"); notes when the server closes one."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.buffers: dict = {}
        self.closed = 0
        threading.Thread(target=self._run, daemon=True).start()

    def add(self, sock) -> None:
        sock.setblocking(False)
        self.buffers[sock] = b""
        self.sel.register(sock, selectors.EVENT_READ)

    def _run(self) -> None:
        while True:
            for key, _ in self.sel.select(timeout=0.05):
                self._read(key.fileobj)

    def _drop(self, sock) -> None:
        try:
            self.sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        self.buffers.pop(sock, None)
        self.closed += 1
        sock.close()

    def _read(self, sock) -> None:
        try:
            chunk = sock.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(sock)
            return
        buf = self.buffers.get(sock, b"") + chunk
        while len(buf) >= 2:
            opcode, n, head = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if n == 126:
                if len(buf) < 4:
                    break
                n, head = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    break
                n, head = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < head + n:
                break
            if opcode == 0x8:  # the server closes the WebSocket
                self._drop(sock)
                return
            if buf[head:head + n] == b"2":
                try:
                    sock.send(PONG)
                except OSError:
                    pass
            buf = buf[head + n:]
        if sock in self.buffers:
            self.buffers[sock] = buf


class RawClient:
    """An Engine.IO 4 WebSocket from `source`, joined with `auth` (or not, when None)."""

    def __init__(self, url: str, auth: dict | None, sink: FrameSink | None, source: str | None = None,
                 timeout: float = 30):
        import websocket

        host, port = url.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)), timeout,
                                        source_address=(source, 0) if source else None)
        self.ws = websocket.create_connection(f"ws://{host}:{port}/socket.io/?EIO=4&transport=websocket",
                                              socket=sock, timeout=timeout, skip_utf8_validation=True)
        opened = self.ws.recv()
        if not opened.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened[:80]!r}")
        if auth is not None:
            self.ws.send("40" + json.dumps(auth))
            while True:  # until the namespace is joined (or refused)
                msg = self.ws.recv()
                if msg.startswith("40"):
                    break
                if msg.startswith("44"):
                    raise ConnectionError(f"refused: {msg[:200]}")
                if msg == "2":
                    self.ws.send("3")
        if sink is not None:
            sink.add(self.ws.sock)  # websocket-client reads frame by frame: nothing is left buffered

    def close(self) -> None:
        try:
            self.ws.sock.setblocking(True)
            self.ws.send("41")
            self.ws.close()
        except Exception:
            pass


class Holder:
    """The helper process holding the clients; `command()` sends one JSON line."""

    def __init__(self, url: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.sio_clients", url],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                                     cwd=str(Path(__file__).resolve().parent.parent))
        self.count = 0

    def command(self, **cmd) -> int:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"client holder failed: {line!r}")
        self.count = int(line.split()[1])
        return self.count

    def join(self, n: int, auth: dict, sources: list[str] | None = None) -> int:
        """n more clients joined with `auth`, spread over `sources`."""
        return self.command(join=n, auth=auth, sources=sources or [])

    def follow(self, visits: list[str], sources: list[str]) -> int:
        """One phone per visit (auth {"visit": id}), spread over `sources`."""
        return self.command(follow=visits, sources=sources)

    def idle(self, n: int, sources: list[str]) -> int:
        """Keep n sockets open that never join, opening new ones as the server closes them."""
        return self.command(idle=n, sources=sources)

    def cpu_s(self) -> float | None:
        from .common import cpu_seconds

        return cpu_seconds(self.proc.pid)

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(60)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def hold_main(url: str) -> int:
    clients: list[RawClient] = []
    pool = ThreadPoolExecutor(8)
    sink = FrameSink()
    idle_target = [0, []]  # how many never-joining sockets to keep open, and from where

    def connect(auth, source):
        for attempt in range(3):
            try:
                return RawClient(url, auth, sink, source)
            except Exception as exc:
                if attempt == 2:
                    print(f"connect failed from {source}: {str(exc)[:120]}", file=sys.stderr, flush=True)
                time.sleep(0.3)
        return None

    def keep_idle():
        """Eight openers keep `idle_target` sockets open: the server closes each after a
        few seconds (it never joins), and another is opened in its place."""
        opened = [0]
        lock = threading.Lock()

        def opener(k: int):
            while True:
                n, sources = idle_target
                with lock:
                    live = opened[0] - idle_sink.closed
                    go = live < n and bool(sources)
                    if go:
                        opened[0] += 1
                        source = sources[opened[0] % len(sources)]
                if not go:
                    time.sleep(0.02)
                    continue
                try:
                    RawClient(url, None, idle_sink, source, timeout=5)
                except Exception:
                    with lock:
                        opened[0] -= 1
                    time.sleep(0.05)
        for k in range(8):
            threading.Thread(target=opener, args=(k,), daemon=True).start()

    idle_sink = FrameSink()

    idle_thread = None
    for line in sys.stdin:
        cmd = json.loads(line)
        if "join" in cmd:
            sources = cmd["sources"] or [None]
            jobs = [(cmd["auth"], sources[i % len(sources)]) for i in range(cmd["join"])]
            clients += [c for c in pool.map(lambda j: connect(*j), jobs) if c is not None]
        elif "follow" in cmd:
            sources = cmd["sources"] or [None]
            jobs = [({"visit": v}, sources[i % len(sources)]) for i, v in enumerate(cmd["follow"])]
            clients += [c for c in pool.map(lambda j: connect(*j), jobs) if c is not None]
        elif "idle" in cmd:
            idle_target[:] = [cmd["idle"], cmd["sources"]]
            if not cmd["idle"]:  # let them all go (the sink counts each as closed)
                for sock in list(idle_sink.buffers):
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                deadline = time.monotonic() + 10
                while idle_sink.buffers and time.monotonic() < deadline:
                    time.sleep(0.05)
            if idle_thread is None:
                idle_thread = threading.Thread(target=keep_idle, daemon=True)
                idle_thread.start()
            deadline = time.monotonic() + 60
            while cmd["idle"] and len(idle_sink.buffers) < cmd["idle"] * 0.9 and time.monotonic() < deadline:
                time.sleep(0.05)
            print(f"ready {len(idle_sink.buffers)}", flush=True)
            continue
        print(f"ready {len(clients)}", flush=True)
    list(pool.map(lambda c: c.close(), clients))
    os._exit(0)  # client threads may linger; nothing left to flush


if __name__ == "__main__":
    sys.exit(hold_main(sys.argv[1]))
