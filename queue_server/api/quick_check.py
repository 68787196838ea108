"""A plain-Python yes for the flat request bodies this API takes.

jsonschema is general and, inside the server, slow: validating a ticket's body
`{"service_id": "quick"}` took a median 104 µs of CPU there (25 µs in a warm
loop; between requests its code is out of the caches), about 4 % of a
ticket's CPU. A body here is one flat object of strings, nullable strings,
booleans and enums of strings, which a few comparisons decide. The quick check only ever
says "valid"; anything it does not accept goes to jsonschema, so every error
message still comes from there. A schema it does not understand gets no quick
check at all. `tests/api/test_quick_check.py` holds it to jsonschema's verdict.
"""
from __future__ import annotations

import math
from collections.abc import Callable

Check = Callable[[object], bool]


def quick_check(schema: dict) -> Check | None:
    """A predicate that is True only for bodies jsonschema accepts, or None."""
    if (set(schema) - {"type", "required", "additionalProperties", "properties"}
            or schema.get("type") != "object" or schema.get("additionalProperties", True) is not False):
        return None
    checks: dict[str, Check] = {}
    for name, prop in schema.get("properties", {}).items():
        check = _value_check(prop)
        if check is None:
            return None
        checks[name] = check
    required = tuple(schema.get("required", ()))

    def body_ok(body) -> bool:
        if type(body) is not dict:
            return False
        for name in required:
            if name not in body:
                return False
        for name, value in body.items():
            check = checks.get(name)
            if check is None or not check(value):
                return False
        return True

    return body_ok


def _value_check(prop: dict) -> Check | None:
    keys = set(prop) - {"description"}
    if keys == {"enum"} and all(v is None or type(v) is str for v in prop["enum"]):
        words = frozenset(v for v in prop["enum"] if v is not None)
        nullable = None in prop["enum"]
        return lambda v: (type(v) is str and v in words) or (v is None and nullable)
    kind = prop.get("type")
    if keys == {"type"} and kind == "boolean":
        return lambda v: type(v) is bool
    if keys <= {"type", "minLength", "maxLength"} and kind in ("string", ["string", "null"]):
        shortest, longest = prop.get("minLength", 0), prop.get("maxLength", math.inf)
        nullable = kind != "string"
        return lambda v: (type(v) is str and shortest <= len(v) <= longest) or (v is None and nullable)
    return None
