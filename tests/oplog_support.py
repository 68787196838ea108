"""Read what the server logs, as an IT person would: the JSON lines on its stdout."""
from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from queue_server.adapters import oplog


class JsonLines:
    def __init__(self, stream: io.StringIO, handler: logging.Handler):
        self.stream, self.handler = stream, handler

    def text(self) -> str:
        self.handler.flush()  # lines are written by the log's own thread
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines()]

    def events(self, name: str, **match) -> list[dict]:
        return [x for x in self.lines() if x["event"] == name and all(x.get(k) == v for k, v in match.items())]


@contextmanager
def json_log() -> Iterator[JsonLines]:
    """The server's own JSON log set-up, writing into a buffer for the length of the block."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = oplog.setup(stream)
    try:
        yield JsonLines(stream, handler)
    finally:
        root.removeHandler(handler)
        handler.stop()
        root.setLevel(level)


@contextmanager
def background_logger(name: str) -> Iterator[tuple[logging.Logger, io.StringIO, oplog.BackgroundHandler]]:
    """A logger of its own with the server's BackgroundHandler writing JSON into a buffer."""
    stream = io.StringIO()
    handler = oplog.BackgroundHandler(logging.StreamHandler(stream))
    handler.target.setFormatter(oplog.JsonFormatter())
    log = logging.getLogger(name)
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    try:
        yield log, stream, handler
    finally:
        log.removeHandler(handler)
        log.propagate = True
        handler.stop()
