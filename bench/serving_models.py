"""Prototypes of the serving models compared in bench/bench_serving.py (and the naive floor).

Each is the same tiny app — Flask, a `POST /ticket` that makes one durable SQLite
insert (WAL, synchronous=FULL, one writer at a time) and, unless naive, pushes
`called` to the Socket.IO room "hall" — on one of the deployments python-socketio
documents:

* `asgi`: uvicorn, `socketio.AsyncServer` on the loop, Flask in a2wsgi's thread pool;
  the request thread hands the emit to the loop (`run_coroutine_threadsafe`). This is
  how queue_server serves (queue_server/serve.py).
* `gevent`: gevent's pywsgi server, `socketio.Server(async_mode="gevent")` with
  simple-websocket. Our code is threaded and the project does not monkey-patch the
  standard library, so the blocking SQLite commit runs in gevent's thread pool
  (`get_hub().threadpool.apply`), as it would have to in the office server.
* `naive`: the `asgi` stack with no Socket.IO emit: the floor a ticket's round trip is
  held to (bench_server: ticket median ≤ 1.5 × this, measured in the same run).

Socket.IO clients join with `auth: {"room": NAME}` (no token: a prototype).

    python -m bench.serving_models --stack asgi --port 8123 --data /tmp/x
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path


def make_store(data: Path):
    data.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(data / "naive.sqlite", check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, service TEXT, at REAL)")
    lock = threading.Lock()

    def insert(service: str) -> int:
        with lock:  # one writer, as the journal has
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute("INSERT INTO tickets (service, at) VALUES (?, ?)", (service, time.time()))
            conn.execute("COMMIT")
            return cur.lastrowid
    return insert


def flask_app(insert, emit):
    from flask import Flask, jsonify, request

    app = Flask("naive")

    @app.get("/healthz")
    def healthz():
        return jsonify({"status": "ok", "pid": os.getpid()})

    @app.post("/ticket")
    def ticket():
        body = request.get_json(silent=True) or {}
        service = str(body.get("service_id", "quick"))[:64]
        number = insert(service)
        answer = {"number": number, "service_id": service, "visit_id": body.get("visit_id")}
        if emit is not None:
            emit("called", answer)
        return jsonify(answer), 201
    return app


def connect_handler(sio, is_async: bool):
    if is_async:
        async def connect(sid, environ, auth):
            room = (auth or {}).get("room", "idle")
            await sio.enter_room(sid, room)
            return True
    else:
        def connect(sid, environ, auth):
            room = (auth or {}).get("room", "idle")
            sio.enter_room(sid, room)
            return True
    sio.on("connect", connect)


def serve_asgi(port: int, data: Path, naive: bool) -> None:
    import asyncio

    import socketio
    import uvicorn
    from a2wsgi import WSGIMiddleware

    sio = socketio.AsyncServer(async_mode="asgi", ping_interval=25, ping_timeout=20)
    connect_handler(sio, True)
    loop_box: list = []

    def emit(event, body):
        asyncio.run_coroutine_threadsafe(sio.emit(event, body, room="hall"), loop_box[0])

    app = flask_app(make_store(data), None if naive else emit)
    inner = socketio.ASGIApp(sio, other_asgi_app=WSGIMiddleware(app, workers=32))

    async def asgi(scope, receive, send):
        if scope["type"] == "lifespan" and not loop_box:
            loop_box.append(asyncio.get_running_loop())
        await inner(scope, receive, send)

    uvicorn.run(asgi, host="127.0.0.1", port=port, loop="uvloop", http="httptools", ws="websockets-sansio",
                ws_ping_interval=None, lifespan="on", access_log=False, log_level="warning")


def serve_gevent(port: int, data: Path) -> None:
    import socket

    import gevent
    import socketio
    from gevent.pywsgi import WSGIHandler, WSGIServer

    class NoDelayHandler(WSGIHandler):
        """pywsgi writes headers and body in two sends: without TCP_NODELAY a keep-alive
        client waits ~40 ms for the delayed ACK on every answer (uvicorn sets it)."""

        def handle(self):
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return super().handle()

    sio = socketio.Server(async_mode="gevent", ping_interval=25, ping_timeout=20)
    connect_handler(sio, False)
    insert = make_store(data)
    pool = gevent.get_hub().threadpool
    pool.maxsize = 8

    def insert_off_the_hub(service: str) -> int:
        return pool.apply(insert, (service,))  # the commit blocks: a real thread does it

    app = flask_app(insert_off_the_hub, lambda event, body: sio.emit(event, body, room="hall"))
    WSGIServer(("127.0.0.1", port), socketio.WSGIApp(sio, app), log=None, error_log=None,
               handler_class=NoDelayHandler).serve_forever()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.serving_models", description=__doc__.split("\n\n")[0])
    p.add_argument("--stack", choices=("asgi", "gevent", "naive"), required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--data", required=True)
    args = p.parse_args(argv)
    if args.stack == "gevent":
        serve_gevent(args.port, Path(args.data))
    else:
        serve_asgi(args.port, Path(args.data), naive=args.stack == "naive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
