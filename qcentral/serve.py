"""Serving the centre: uvicorn, with the Flask app behind a2wsgi's WSGI adapter.

Each process builds its own app from the database URL (QCENTRAL_DB, set by
`qcentral run`), so `--workers N` — or several machines behind a proxy — are
just more of the same stateless process. A background thread per process first
folds every office's live state (so the first /network does not wait for it),
then does the hourly upkeep (privacy blanking, expired sessions, the facts of the
days that closed in each office); all idempotent, so running them in every
process is harmless (facts take an advisory lock per office).
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

    if not logging.getLogger().handlers:  # a --workers child: configure as the parent did
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(os.environ["QCENTRAL_DB"], pool_size=THREADS)
    threading.Thread(target=_upkeep, args=(app,), name="qcentral-upkeep", daemon=True).start()
    return WSGIMiddleware(app.wsgi, workers=THREADS)


def _upkeep(app) -> None:
    from .facts import refresh_all
    from .privacy import blank_expired

    try:
        started = time.monotonic()
        with app.pool.connection() as conn:
            folded = app.live.warm(conn, app.now())
        log.info("folded the live state of %d offices in %.1f s", folded, time.monotonic() - started)
    except Exception:  # the database may be down: requests fold on demand then
        log.exception("warming the live view failed")
    while True:
        try:
            with app.pool.connection() as conn:
                blanked = blank_expired(conn, app.now())
                app.accounts.prune_sessions(conn, app.now())
            if blanked:
                log.info("privacy: blanked the typed text of %d journal lines", blanked)
        except Exception:  # the database may be down: try again next round
            log.exception("upkeep failed")
        try:
            with app.pool.connection() as conn:
                refresh_all(conn, app.now())  # the days that closed in each office's time zone
        except Exception:
            log.exception("building facts failed")
        time.sleep(UPKEEP_EVERY_S)


def serve(db_url: str, host: str, port: int, certfile: str | None = None, keyfile: str | None = None,
          workers: int = 1) -> None:
    import uvicorn

    os.environ["QCENTRAL_DB"] = db_url
    log.info("serving on %s://%s:%s", "https" if certfile else "http", host, port)
    uvicorn.run("qcentral.serve:asgi_app", factory=True, host=host, port=port, workers=workers,
                ssl_certfile=certfile, ssl_keyfile=keyfile, lifespan="off", access_log=False,
                log_level="info")
