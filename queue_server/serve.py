"""Serving the app: HTTP and Socket.IO on one port.

Werkzeug's threaded server with simple-websocket is what python-socketio's
threading mode supports out of the box; one office has at most a few hundred
clients (boards, kiosks, counters, phones), which docs/performance.md shows
it carries within budget. Request logging is off: it costs more than the
request itself on the hot path.
"""
from __future__ import annotations

import logging
import signal
import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # noqa: D401 - silence per-request lines
        pass


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
