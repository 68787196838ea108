"""Journal export and import over HTTP."""
from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator

from flask import Response, jsonify, request, stream_with_context

from ..auth import require
from ..journal_io import ImportRefused, counted, iter_jsonl, to_jsonl
from ..service import ReplayRefused
from .context import office_app
from .schemas import IMPORTED
from .spec import Api, ApiError, Guard, clean_text, endpoint, json_depth

READERS = Guard("head or admin", lambda p, kw: require(p, staff_roles=("head", "admin")))
ADMIN = Guard("admin", lambda p, kw: require(p, staff_roles=("admin",)))
MAX_IMPORT_BYTES = 512 * 1024 * 1024
MAX_EXPORT_LIMIT = 100_000
MAX_LINE_DEPTH = 16  # a journal line nests 4 deep (event, data, reason, params)
SPOOL_IN_MEMORY = 8 * 1024 * 1024


def checked_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """Lines a JSON parser can take without harm: not nested too deep (json would recurse
    until RecursionError) and no lone surrogate in any text (SQLite cannot store it)."""
    for n, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRefused(n, "not UTF-8 text") from None
        if json_depth(text) > MAX_LINE_DEPTH:
            raise ImportRefused(n, f"nested deeper than {MAX_LINE_DEPTH} levels")
        if "\\ud" in text.lower():  # an escaped surrogate: paired is fine, alone is not
            try:
                if not clean_text(json.loads(text)):
                    raise ImportRefused(n, "text that is not valid Unicode (a lone surrogate)")
            except ValueError:
                pass  # not JSON: iter_jsonl names it
        yield text


def register(api: Api) -> None:
    @endpoint(api, "GET", "/api/v1/journal", summary="The journal as JSON Lines after a given seq",
              tag="journal", guard=READERS, content_type="application/x-ndjson",
              query={"after": {"type": "integer", "minimum": 0, "default": 0},
                     "limit": {"type": "integer", "minimum": 1, "maximum": MAX_EXPORT_LIMIT,
                               "default": None}},
              responses={200: {"type": "string"}})
    def journal_export(query):
        store = office_app().store
        lines = to_jsonl(store.events_after(query["after"], query["limit"]))
        return Response(stream_with_context(lines), mimetype="application/x-ndjson")

    @endpoint(api, "POST", "/api/v1/journal", summary="Import JSON Lines; facts already here are skipped",
              tag="journal", guard=ADMIN, responses={200: IMPORTED, 422: {"description": "A bad line"},
                                                     409: {"description": "The journal holds an event the "
                                                           "office cannot apply: run qserver doctor"}})
    def journal_import():
        """Streams: the body is spooled to a temporary file (memory up to 8 MB, then disk),
        checked through once, then imported, as `qserver import` does."""
        too_large = ApiError(413, "too_large", "The file is larger than 512 MB: import it with `qserver import`")
        if (request.content_length or 0) > MAX_IMPORT_BYTES:
            raise too_large
        app = office_app()
        catalog = app.config.catalog
        with tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY) as spool:
            size = 0
            while chunk := request.stream.read(1 << 16):
                size += len(chunk)
                if size > MAX_IMPORT_BYTES:
                    raise too_large
                spool.write(chunk)
            total = [0]
            try:  # every line checked before any is applied (JournalStore.import_events)
                spool.seek(0)
                app.store.import_events(counted(iter_jsonl(checked_lines(spool)), total), catalog, dry_run=True)
                spool.seek(0)
                added = app.service.import_events(iter_jsonl(checked_lines(spool)))
            except ImportRefused as exc:
                raise ApiError(422, "bad_line", str(exc), {"line": exc.line_no}) from None
            except ReplayRefused as exc:  # imported, but an older line of the journal stops the replay
                raise ApiError(409, "replay_refused", str(exc), {"seq": exc.seq}) from None
        return jsonify({"imported": added, "skipped": total[0] - added})

