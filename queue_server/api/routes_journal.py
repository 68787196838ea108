"""Journal export and import over HTTP."""
from __future__ import annotations

from flask import Response, jsonify, request, stream_with_context

from ..auth import require
from ..journal_io import ImportRefused, parse_jsonl, to_jsonl
from ..service import ReplayRefused
from .context import office_app
from .schemas import IMPORTED
from .spec import Api, ApiError, Guard, endpoint

READERS = Guard("head or admin", lambda p, kw: require(p, staff_roles=("head", "admin")))
ADMIN = Guard("admin", lambda p, kw: require(p, staff_roles=("admin",)))
MAX_IMPORT_BYTES = 512 * 1024 * 1024


def register(api: Api) -> None:
    @endpoint(api, "GET", "/api/v1/journal", summary="The journal as JSON Lines after a given seq",
              tag="journal", guard=READERS, content_type="application/x-ndjson",
              query={"after": {"type": "integer", "minimum": 0, "default": 0},
                     "limit": {"type": "integer", "minimum": 1, "default": None}},
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
        if (request.content_length or 0) > MAX_IMPORT_BYTES:
            raise ApiError(413, "too_large", "The file is larger than 512 MB: import it with `qserver import`")
        app = office_app()
        try:  # every line checked before any is applied (JournalStore.import_events)
            lines = parse_jsonl(request.get_data().splitlines())
            added = app.service.import_events(lines)
        except ImportRefused as exc:
            raise ApiError(422, "bad_line", str(exc), {"line": exc.line_no}) from None
        except ReplayRefused as exc:  # imported, but an older line of the journal stops the replay
            raise ApiError(409, "replay_refused", str(exc), {"seq": exc.seq}) from None
        return jsonify({"imported": added, "skipped": len(lines) - added})
