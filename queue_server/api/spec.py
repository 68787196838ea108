"""Endpoints declared as data: one declaration validates input and documents it.

`@endpoint` registers a Flask view together with its JSON schemas, so
`/api/openapi.json` can never drift from what the server accepts.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, g, request
from jsonschema import Draft202012Validator

from ..auth import Principal
from .quick_check import quick_check

MAX_PATH_PARAM = 64
MAX_JSON_DEPTH = 8  # our bodies are flat objects; anything deeper is not ours
_INTEGER = re.compile(r"-?[0-9]{1,18}")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}},
}


@dataclass
class Endpoint:
    method: str
    path: str
    summary: str
    tag: str
    body: dict | None
    query: dict
    responses: dict[int, dict | None]
    auth: str  # "public", or a description of who may call it
    content_type: str | tuple[str, ...] = "application/json"  # of the success answer; several: a choice
    operation_id: str = ""
    links: dict = field(default_factory=dict)  # status → {name: (operationId, {param: expression})}


class Api:
    """A blueprint plus the declarations of its endpoints (one per app, no globals)."""

    def __init__(self, name: str):
        self.bp = Blueprint(name, __name__)
        self.endpoints: list[Endpoint] = []


@dataclass
class Guard:
    """Who may call an endpoint: a check run with the principal and the URL args."""

    describe: str
    check: Callable[[Principal, dict], None] | None = None
    optional: bool = False
    extra: dict = field(default_factory=dict)


def endpoint(api: Api, method: str, path: str, *, summary: str, tag: str,
             body: dict | None = None, query: dict | None = None,
             responses: dict[int, dict | None] | None = None, guard: Guard | None = None,
             content_type: str | tuple[str, ...] = "application/json", links: dict | None = None):
    """Register a view with its schemas; the view gets `body` and `query` validated."""
    responses = responses or {200: {"type": "object"}}
    validator = Draft202012Validator(body) if body else None
    quick = quick_check(body) if body else None
    query = query or {}
    flask_path = re.sub(r"\{(\w+)\}", r"<\1>", path)

    def deco(fn):
        @wraps(fn)
        def view(**kwargs):
            from .context import current_principal  # late: avoids an import cycle

            for name, value in kwargs.items():  # path parameters: the spec says maxLength 64
                if len(value) > MAX_PATH_PARAM:
                    raise ApiError(422, "invalid", f"{name}: at most {MAX_PATH_PARAM} characters")
            if guard is not None:
                principal = current_principal(optional=guard.optional)
                if guard.check and principal is not None:
                    guard.check(principal, kwargs)
                g.principal = principal
            if validator is not None:
                # get_data, not .data: .data would also run the form parser on a JSON body
                raw = request.get_data(cache=True)
                payload = parse_json_body(raw) if raw else {}
                if not isinstance(payload, dict):
                    raise ApiError(400, "bad_json", "The request body must be a JSON object")
                errors = [] if quick is not None and quick(payload) else sorted(
                    validator.iter_errors(payload), key=lambda e: list(e.path))
                if errors:
                    where = ".".join(str(p) for p in errors[0].path) or "body"
                    raise ApiError(422, "invalid", f"{where}: {errors[0].message}")
                kwargs["body"] = payload
            if query:
                kwargs["query"] = _parse_query(query)
            return fn(**kwargs)

        api.bp.add_url_rule(flask_path, fn.__name__, view, methods=[method])
        api.endpoints.append(Endpoint(method, path, summary, tag, body, query, responses,
                                 guard.describe if guard else "public", content_type, fn.__name__,
                                 links or {}))
        return view

    return deco


def parse_json_body(raw: bytes) -> object:
    """The request's JSON, or ApiError 400: never a 500 for what a client sends.

    Refused: a body that is not JSON or not sent as JSON, nesting deeper than
    MAX_JSON_DEPTH (json would recurse until RecursionError), and text with a lone
    UTF-16 surrogate (`"\\ud800"` decodes to a str that SQLite cannot store)."""
    if not request.is_json:
        raise ApiError(400, "bad_json", "The request body must be JSON (Content-Type: application/json)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "The request body is not UTF-8") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ApiError(400, "bad_json", f"The request body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        raise ApiError(400, "bad_json", "The request body is not valid JSON") from None
    if not clean_text(payload):
        raise ApiError(400, "bad_json", "The request body has text that is not valid Unicode (a lone surrogate)")
    return payload


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0  # cannot be deeper than the brackets it has
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def clean_text(value) -> bool:
    """True when every string (keys too) in a parsed JSON value is valid Unicode."""
    if isinstance(value, str):
        if value.isascii():
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(clean_text(k) and clean_text(v) for k, v in value.items())
    if isinstance(value, list):
        return all(clean_text(v) for v in value)
    return True


def _parse_query(spec: dict) -> dict:
    out = {}
    for name, schema in spec.items():
        raw = request.args.get(name)
        if raw is None:
            if schema.get("required"):
                raise ApiError(422, "invalid", f"query parameter {name!r} is required")
            out[name] = schema.get("default")
            continue
        if schema["type"] == "integer":
            if not _INTEGER.fullmatch(raw):
                raise ApiError(422, "invalid", f"{name}: a whole number is required")
            value = int(raw)
            if value < schema.get("minimum", -(2**62)) or value > schema.get("maximum", 2**62):
                raise ApiError(422, "invalid", f"{name}: out of range")
            out[name] = value
        elif "pattern" in schema and not re.fullmatch(schema["pattern"], raw):
            raise ApiError(422, "invalid", f"{name}: expected {schema.get('description', schema['pattern'])}")
        elif "enum" in schema and raw not in schema["enum"]:
            raise ApiError(422, "invalid", f"{name}: one of {', '.join(schema['enum'])}")
        else:
            out[name] = raw
    return out


def _with_enums(schema, enums: dict[str, list[str]]):
    """A copy of a schema where known identifiers (counter_id, service_id) list this office's values."""
    if isinstance(schema, list):
        return [_with_enums(s, enums) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _with_enums(v, enums) for k, v in schema.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        for name, values in enums.items():
            if name in props:
                nullable = "null" in (props[name].get("type") or [])
                out["properties"][name] = {"enum": [*values, None] if nullable else list(values)}
    return out


def openapi_document(api: Api, title: str, enums: dict[str, list[str]] | None = None) -> dict:
    enums = enums or {}
    paths: dict = {}
    for ep in api.endpoints:
        op: dict = {"summary": ep.summary, "tags": [ep.tag], "description": f"Who may call: {ep.auth}.",
                    "operationId": ep.operation_id, "responses": {}}
        params = [{"name": n, "in": "path", "required": True,
                   "schema": {"enum": enums[n]} if n in enums else {"type": "string", "maxLength": MAX_PATH_PARAM}}
                  for n in re.findall(r"\{(\w+)\}", ep.path)]
        for name, schema in ep.query.items():
            s = {k: v for k, v in schema.items() if k not in ("required", "default")}
            params.append({"name": name, "in": "query", "required": bool(schema.get("required")), "schema": s})
        if params:
            op["parameters"] = params
        if ep.body is not None:
            # required when the body has required fields; otherwise it may be left out
            op["requestBody"] = {"required": bool(ep.body.get("required")),
                                 "content": {"application/json": {"schema": _with_enums(ep.body, enums)}}}
            op["responses"]["413"] = _error_response("The body is larger than this route takes")
        if ep.auth != "public":
            op["security"] = [{"bearer": []}]
            op["responses"]["401"] = _error_response("Missing, unknown or expired token")
            op["responses"]["403"] = _error_response("This account may not do this")
        for status, schema in ep.responses.items():
            if schema is None:
                op["responses"][str(status)] = {"description": "No content"}
            elif status >= 400:
                op["responses"][str(status)] = _error_response(schema.get("description", "Error"))
            else:
                ctypes = (ep.content_type,) if isinstance(ep.content_type, str) else ep.content_type
                if status >= 300:
                    ctypes = ("application/json",)
                op["responses"][str(status)] = {"description": "OK", "content": {
                    ctype: {"schema": schema if ctype == "application/json" else {"type": "string"}}
                    for ctype in ctypes}}
        for status, named in ep.links.items():  # what a client (and schemathesis) may do next
            op["responses"][str(status)]["links"] = {
                name: {"operationId": target, "parameters": params} for name, (target, params) in named.items()}
        op["responses"].setdefault("422", _error_response("Invalid input"))
        op["responses"].setdefault("400", _error_response("Malformed request"))
        op["responses"].setdefault("429", {**_error_response("Too many requests: wait Retry-After seconds"),
                                           "headers": {"Retry-After": {"schema": {"type": "integer"}}}})
        paths.setdefault(ep.path, {})[ep.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
