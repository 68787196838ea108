"""Codes are random, unambiguous, and read back the way people write them."""
from __future__ import annotations

from queue_server.domain.codes import ALPHABET, new_code, read_code, spaced


def test_codes_avoid_look_alikes_and_repeat_rarely():
    codes = {new_code() for _ in range(5000)}
    assert len(codes) == 5000
    assert not set("".join(codes)) & set("ILOU")
    assert set("".join(codes)) <= set(ALPHABET)


def test_a_taken_code_is_never_given():
    taken = {new_code() for _ in range(3)}
    seen = []

    def is_taken(code):
        seen.append(code)
        return code in taken or len(seen) < 3

    assert new_code(is_taken) not in taken
    assert len(seen) >= 3


def test_what_a_person_types_reads_as_the_code():
    assert read_code("k7m2-qxpa") == "K7M2QXPA"
    assert read_code(" K7M2 QXPA ") == "K7M2QXPA"
    assert read_code("KIM2QXPO") == "K1M2QXP0"  # I → 1, O → 0
    assert read_code("B-K7M2QXPA", prefix="B-") == "B-K7M2QXPA"
    for junk in ("", "K7M2", "K7M2QXPAA", "K7M2QXP!", "К7М2QXPA", "K7M2QXPU", None):
        assert read_code(junk) is None


def test_spaced_for_print_and_speech():
    assert spaced("K7M2QXPA") == "K7M2-QXPA"
