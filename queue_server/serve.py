"""Serving the app: HTTP and Socket.IO on one port.

Werkzeug's threaded server with simple-websocket is what python-socketio's
threading mode supports out of the box; one office has at most a few hundred
clients (boards, kiosks, counters, phones), which docs/performance.md shows
it carries within budget. Request logging is off: it costs more than the
request itself on the hot path.
"""
from __future__ import annotations

import logging
import os
import signal
import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """Werkzeug handler for the in-process server (tests, `--dev`).

    After a WebSocket session the connection must close: otherwise Werkzeug
    reads the client's close frame as a new HTTP request and the client waits
    3 s for a close that never comes.
    """

    def log_request(self, *args, **kwargs):
        pass

    def handle_one_request(self):
        super().handle_one_request()
        if self.headers is not None and self.headers.get("Upgrade", "").lower() == "websocket":
            self.close_connection = True


def serve(office_app, host: str, port: int, ready: threading.Event | None = None) -> None:
    server = make_server(host, port, office_app.wsgi, threaded=True, request_handler=QuietHandler)
    server.daemon_threads = True

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    logging.getLogger("queue_server").info("serving on http://%s:%s", host, port)
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        office_app.close()


def serve_production(make_app, host: str, port: int, threads: int) -> None:
    """gunicorn, one worker, many threads: what python-socketio documents for
    threading mode with WebSockets. One worker, because the office state and
    the serialized journal writer live in one process; each live Socket.IO
    client holds a thread, hence `server.threads`.
    """
    from gunicorn.app.base import BaseApplication

    class OfficeServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("timeout", 0)  # Socket.IO long-polls must not be killed as "stuck"
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("accesslog", None)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn ≥ 25
                self.cfg.set("control_socket_disable", True)
            if os.path.isdir("/dev/shm"):
                # The worker's heartbeat touches this file on every request: keep it in memory.
                self.cfg.set("worker_tmp_dir", "/dev/shm")

        def load(self):
            # Runs in the worker after the fork: threads (broadcaster, scheduler) start here.
            return make_app().wsgi

    OfficeServer().run()
