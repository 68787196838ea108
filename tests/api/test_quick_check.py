"""The quick body check never says yes where jsonschema says no.

It is a shortcut in front of jsonschema for the API's flat bodies; a yes it
gave wrongly would let a bad body reach the office, so it is held to
jsonschema's verdict on every body schema the API declares, over bodies
built to sit on every edge: missing and extra keys, wrong types, lengths at
and past each bound, nulls, near-miss enum words.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from queue_server.api import schemas as S
from queue_server.api.quick_check import quick_check

BODIES = {"LOGIN": S.LOGIN, "TICKET": S.TICKET, "FINISH": S.FINISH, "TRANSFER": S.TRANSFER,
          "PAUSE": S.PAUSE, "CANCEL": S.CANCEL, "DEVICE_STATUS": S.DEVICE_STATUS, "EMPTY": S.EMPTY}


def _words(schema: dict) -> list[str]:
    """Every enum word and property name of the schema, and near misses of them."""
    out = set(schema.get("properties", {}))
    for prop in schema.get("properties", {}).values():
        out.update(v for v in prop.get("enum", []) if isinstance(v, str))
    return sorted(out | {w.upper() for w in out} | {w + " " for w in out} | {"x"})


def values(schema: dict):
    lengths = sorted({n for p in schema.get("properties", {}).values()
                      for b in (p.get("minLength"), p.get("maxLength")) if b is not None
                      for n in (b - 1, b, b + 1) if n >= 0} | {0, 1})
    return st.one_of(
        st.sampled_from(_words(schema)),
        st.builds(lambda n, c: c * n, st.sampled_from(lengths), st.sampled_from(["a", "я", "😀"])),
        st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
        st.lists(st.just("a"), max_size=1), st.dictionaries(st.just("a"), st.just(1), max_size=1))


def bodies(schema: dict):
    keys = st.sampled_from(_words(schema) + ["extra"])
    return st.dictionaries(keys, values(schema), max_size=4)


def test_every_body_schema_of_the_api_has_a_quick_check():
    assert all(quick_check(schema) is not None for schema in BODIES.values())


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_the_quick_check_agrees_with_jsonschema(data):
    name = data.draw(st.sampled_from(sorted(BODIES)))
    schema = BODIES[name]
    body = data.draw(bodies(schema))
    assert quick_check(schema)(body) == Draft202012Validator(schema).is_valid(body), (name, body)


def test_a_schema_it_does_not_understand_gets_no_quick_check():
    assert quick_check({"type": "object", "properties": {"n": {"type": "integer"}}}) is None
    assert quick_check({"type": "object", "properties": {}}) is None  # extra keys allowed
    assert quick_check(S.STATE) is None


def _valid_value(prop: dict):
    if "enum" in prop:
        return next(v for v in prop["enum"] if v is not None)
    return "a" * max(prop.get("minLength", 0), 1)


def _edges(prop: dict) -> list:
    out = [None, "", True, 0, 1.5, [], {}, "a"]
    for bound in (prop.get("minLength"), prop.get("maxLength")):
        if bound is not None:
            out += ["я" * n for n in (bound - 1, bound, bound + 1) if n >= 0]
    for word in prop.get("enum", []):
        if isinstance(word, str):
            out += [word, word.upper(), word + " ", word[:-1]]
    return out


def test_every_edge_of_every_property_gets_jsonschemas_verdict():
    """Deterministic: each property at each edge, the rest of the body valid."""
    tried = 0
    for name, schema in BODIES.items():
        props = schema.get("properties", {})
        base = {k: _valid_value(props[k]) for k in schema.get("required", ())}
        validator, quick = Draft202012Validator(schema), quick_check(schema)
        assert quick(base) and validator.is_valid(base), name
        for key, prop in props.items():
            for value in _edges(prop):
                body = {**base, key: value}
                assert quick(body) == validator.is_valid(body), (name, key, value)
                tried += 1
        for key in schema.get("required", ()):
            body = {k: v for k, v in base.items() if k != key}
            assert quick(body) is False and not validator.is_valid(body), (name, key)
        assert quick({**base, "extra": 1}) is False
    assert tried > 150
