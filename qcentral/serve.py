"""Serving the centre: uvicorn, with the Flask app behind a2wsgi's WSGI adapter.

Each process builds its own app from the database URL (QCENTRAL_DB, set by
`qcentral run`), so `--workers N` — or several machines behind a proxy — are
just more of the same stateless process. A background thread per process does
the hourly upkeep (privacy blanking, expired sessions); it is idempotent, so
running it in every process is harmless.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from .app import create_app

# Requests one process serves at once (a2wsgi's thread pool); the pool has as many
# connections, so no request waits for a connection another request holds.
THREADS = 16
UPKEEP_EVERY_S = 3600

log = logging.getLogger("qcentral")


def asgi_app():
    """uvicorn's factory (`--workers` imports it by name in each process)."""
    from a2wsgi import WSGIMiddleware

    app = create_app(os.environ["QCENTRAL_DB"], pool_size=THREADS)
    threading.Thread(target=_upkeep, args=(app,), name="qcentral-upkeep", daemon=True).start()
    return WSGIMiddleware(app.wsgi, workers=THREADS)


def _upkeep(app) -> None:
    from .privacy import blank_expired

    while True:
        try:
            with app.pool.connection() as conn:
                blanked = blank_expired(conn, app.now())
                app.accounts.prune_sessions(conn, app.now())
            if blanked:
                log.info("privacy: blanked the typed text of %d journal lines", blanked)
        except Exception:  # the database may be down: try again next round
            log.exception("upkeep failed")
        time.sleep(UPKEEP_EVERY_S)


def serve(db_url: str, host: str, port: int, certfile: str | None = None, keyfile: str | None = None,
          workers: int = 1) -> None:
    import uvicorn

    os.environ["QCENTRAL_DB"] = db_url
    log.info("serving on %s://%s:%s", "https" if certfile else "http", host, port)
    uvicorn.run("qcentral.serve:asgi_app", factory=True, host=host, port=port, workers=workers,
                ssl_certfile=certfile, ssl_keyfile=keyfile, lifespan="off", access_log=False,
                log_level="info")
