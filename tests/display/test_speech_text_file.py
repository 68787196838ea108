"""espeak-ng reads the call from a UTF-8 file, never from its command line.

On Windows espeak-ng takes its arguments in the ANSI code page and turns Cyrillic
given there into noise; from a file (``-b 1 -f``) it speaks it right on every
system. The real espeak-ng speaks here, behind a wrapper that records what it was
given.
"""
import shutil

import pytest

from counter_display.speech import EspeakEngine
from counter_display.speech_text import compose_call

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def recording_espeak(folder):
    """An ``espeak-ng`` that notes its arguments and the file it is asked to read, then runs the real one."""
    wrapper = folder / "espeak-ng"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$@\" > '{folder}/argv'\n"
        f"prev=; for a; do [ \"$prev\" = -f ] && cp \"$a\" '{folder}/text'; prev=$a; done\n"
        f"exec '{shutil.which('espeak-ng')}' \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def test_the_call_goes_to_espeak_in_a_utf8_file_and_is_spoken(tmp_path):
    wrapper = recording_espeak(tmp_path)
    engine = EspeakEngine(str(wrapper))
    call = compose_call("А112", "3", "ru")
    pcm = engine.synthesize(call)
    argv = (tmp_path / "argv").read_text(encoding="utf-8").splitlines()
    assert all(arg.isascii() for arg in argv if not arg.startswith("/")), argv  # no Cyrillic in argv
    assert argv[argv.index("-b") + 1] == "1" and "-f" in argv
    assert (tmp_path / "text").read_bytes() == engine.text_for(call).encode("utf-8")
    assert "сто двенадцать" in engine.text_for(call)
    assert 1.5 < pcm.duration < 6.0  # the whole call spoken, not a word or two of noise
