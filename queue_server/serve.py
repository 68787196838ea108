"""Serving the office: one process, one asyncio event loop, HTTP and Socket.IO on one port.

uvicorn runs the loop; python-socketio's AsyncServer holds every live
connection on it (an idle phone or board costs a few objects, no thread);
the Flask app runs in a2wsgi's thread pool (`server.threads`), where the
blocking work is: the durable SQLite commit of each action, argon2 at login.
The edge (entrypoints/edge.py) sits in front of both. docs/architecture.md
says why this deployment and not gevent or threads: it was measured.

`ServerThread` runs the same stack in a thread on a free port: tests and the
office-day benchmark serve exactly what production serves.
"""
from __future__ import annotations

import gc
import logging
import threading
import time

import socketio
import uvicorn
from a2wsgi import WSGIMiddleware

from .entrypoints.edge import Edge

log = logging.getLogger(__name__)
WS_MAX_MESSAGE = 64 * 1024  # Socket.IO frames from clients are tiny (auth, pongs)


def build_asgi(office_app):
    """The office as one ASGI app: edge → Socket.IO at /socket.io/, Flask for the rest."""
    flask = WSGIMiddleware(office_app.flask, workers=office_app.config.get("server.threads"))
    return Edge(socketio.ASGIApp(office_app.realtime.sio, other_asgi_app=flask), office_app)


def uvicorn_config(office_app, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        build_asgi(office_app), host=host, port=port, loop="uvloop", http="httptools",
        ws="websockets-sansio", ws_max_size=WS_MAX_MESSAGE, ws_ping_interval=None,  # engine.io pings
        lifespan="on", access_log=False, log_level="warning", log_config=None,  # our JSON lines only
        proxy_headers=False,
        server_header=False, timeout_keep_alive=30, timeout_graceful_shutdown=3, backlog=2048)


SLOW_GC_MS = 20.0
# Python's default (700, 10, 10) collects the youngest objects every 700 allocations, so a
# `state` body still on its way to 40 screens is caught alive and promoted; enough of those
# and a full collection walks every object of every live connection: 250-740 ms pauses with
# 2,000 phones connected (bench_server, logged by log_slow_collections). Collecting the
# young every 50,000 allocations lets them die young, and freezing what start-up built keeps
# it out of every collection: no full-collection pause over 20 ms in the same probe
# (docs/performance.md).
GC_THRESHOLDS = (50_000, 20, 100)


def log_slow_collections() -> None:
    """Log each garbage collection that stops the process for more than SLOW_GC_MS: with
    thousands of live connections a full collection walks every one of their objects."""
    started: list[float] = []

    def timer(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            ms = (time.perf_counter() - started[0]) * 1000
            if ms > SLOW_GC_MS:
                log.warning("garbage collection of generation %s took %.0f ms", info.get("generation"), ms)
    gc.callbacks.append(timer)


def serve(office_app, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM (uvicorn's own handlers), then close the office."""
    log_slow_collections()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.collect()
    gc.freeze()  # what start-up built (modules, the app, today's office) lives as long as we do
    server = uvicorn.Server(uvicorn_config(office_app, host, port))
    logging.getLogger("queue_server").info("serving on http://%s:%s", host, port)
    try:
        server.run()
    finally:
        office_app.close()


class ServerThread:
    """The production stack in a background thread (tests, in-process benchmarks)."""

    def __init__(self, office_app, host: str, port: int):
        self.office_app = office_app
        self.server = uvicorn.Server(uvicorn_config(office_app, host, port))
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn:{port}", daemon=True)

    def start(self, timeout: float = 20.0) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        return self

    def stop(self, close_office: bool = True) -> None:
        """Stop at once, cutting every open connection (as when the process dies)."""
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(15)
        if close_office:
            self.office_app.close()
