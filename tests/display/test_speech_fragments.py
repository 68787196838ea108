"""A recorded voice: fragments played back in the order of the sentence."""
import math
from array import array

import pytest

from counter_display.announcer import Announcer
from counter_display.speech import FragmentEngine, SpeechEngine, SpeechError, open_speech_engine
from counter_display.speech_audio import Pcm, write_wav
from counter_display.speech_text import compose_call

RATE = 16000
# key → (tone in Hz, seconds): distinct tones let the test hear the order.
FRAGMENTS = {
    "ticket": (300, 0.40),
    "letter_А": (400, 0.25),
    "100": (500, 0.30),
    "12": (600, 0.35),
    "counter": (700, 0.45),
    "3": (800, 0.20),
}


def tone(freq, seconds, rate=RATE):
    n = round(seconds * rate)
    return Pcm(rate, array("h", (int(12000 * math.sin(2 * math.pi * freq * i / rate)) for i in range(n))))


def dominant_freq(samples, rate):
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


@pytest.fixture
def voice(tmp_path):
    (tmp_path / "ru").mkdir()
    for key, (freq, seconds) in FRAGMENTS.items():
        write_wav(tmp_path / "ru" / f"{key}.wav", tone(freq, seconds))
    return tmp_path


def test_fragments_concatenate_in_sentence_order_with_no_loss(voice):
    pcm = FragmentEngine(voice).synthesize(compose_call("А112", "3", "ru"))
    expected = sum(round(s * RATE) for _, s in FRAGMENTS.values())
    assert len(pcm.samples) == expected
    assert pcm.rate == RATE
    offset = 0
    for freq, seconds in FRAGMENTS.values():
        n = round(seconds * RATE)
        assert dominant_freq(pcm.samples[offset : offset + n], RATE) == pytest.approx(freq, rel=0.03)
        offset += n


def test_shared_fragment_outside_the_language_folder_is_used(voice):
    (voice / "ru" / "3.wav").rename(voice / "3.wav")
    assert FragmentEngine(voice).synthesize(compose_call("А112", "3", "ru")).duration > 1.9


def test_missing_fragment_names_the_file_to_record(voice):
    with pytest.raises(SpeechError, match=r"letter_Б\.wav"):
        FragmentEngine(voice).synthesize(compose_call("Б112", "3", "ru"))


def test_announcer_falls_back_to_the_next_engine_when_a_fragment_is_missing(voice):
    class Beep(SpeechEngine):
        name = "beep"

        def synthesize(self, utterance):
            return tone(1000, 1.0)

    announcement = Announcer([FragmentEngine(voice), Beep()]).announce_to_wav(
        "Б112", "3", "ru", voice / "out.wav"
    )
    assert announcement.engine == "beep"


def test_engine_specs_from_config(voice):
    assert isinstance(open_speech_engine(f"fragments:{voice}"), FragmentEngine)
    assert open_speech_engine("espeak").name == "espeak"
    with pytest.raises(ValueError):
        open_speech_engine("festival")
