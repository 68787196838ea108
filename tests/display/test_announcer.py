"""The WAV the hall hears: chime, then the call, loud enough and not too long."""
import shutil

import pytest

from counter_display.announcer import Announcer, test_announce
from counter_display.chime import chime, write_chime
from counter_display.speech import QtSpeechEngine, SpeechEngine, SpeechError
from counter_display.speech_audio import Pcm, read_wav, rms

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def loud(pcm: Pcm, start: float, end: float) -> float:
    return rms(Pcm(pcm.rate, pcm.samples[int(start * pcm.rate) : int(end * pcm.rate)]))


@needs_espeak
@pytest.mark.parametrize("lang, text", [
    ("ru", "Талон А сто двенадцать — окно номер три"),
    ("en", "Ticket A one hundred twelve, counter three"),
])
def test_call_wav_is_audible_well_formed_and_of_sensible_length(tmp_path, lang, text):
    announcement = Announcer().announce_to_wav("А112", "3", lang, tmp_path / "call.wav")
    pcm = read_wav(announcement.path)
    assert announcement.engine == "espeak" and announcement.text == text
    assert 8000 <= pcm.rate <= 48000
    assert 2.0 < pcm.duration < 8.0
    assert pcm.duration == pytest.approx(announcement.duration_s)
    assert rms(pcm) > 0.05
    chime_s = chime().duration
    assert loud(pcm, 0, 0.5) > 0.05  # the chime comes first
    assert loud(pcm, chime_s + 0.2, pcm.duration) > 0.03  # then speech, not silence
    assert pcm.duration > chime_s + 1.0


def test_without_any_engine_the_chime_still_plays_and_the_fault_is_reported(tmp_path):
    class Broken(SpeechEngine):
        name = "broken"

        def synthesize(self, utterance):
            raise SpeechError("no voice today")

    faults = []
    announcement = Announcer([Broken()], on_fault=faults.append).announce_to_wav(
        "А1", "1", "ru", tmp_path / "call.wav"
    )
    assert announcement.engine is None
    assert announcement.caption == "Талон А1 — окно 1"
    assert rms(read_wav(announcement.path)) > 0.05
    assert "no voice today" in faults[0]


def test_custom_chime_replaces_the_built_in_one(tmp_path):
    write_chime(tmp_path / "ding.wav", rate=8000)

    class Mute(SpeechEngine):
        def synthesize(self, utterance):
            raise SpeechError("mute")

    pcm = read_wav(Announcer([Mute()], chime_wav=tmp_path / "ding.wav").announce_to_wav(
        "А1", "1", "ru", tmp_path / "call.wav").path)
    assert pcm.duration == pytest.approx(chime().duration + 0.3, abs=0.01)


def dominant_freq(pcm: Pcm, start: float, end: float) -> float:
    part = pcm.samples[int(start * pcm.rate) : int(end * pcm.rate)]
    crossings = sum(1 for a, b in zip(part, part[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (end - start)


def test_chime_is_a_ding_then_a_lower_dong_without_clipping():
    pcm = chime()
    assert 1.0 < pcm.duration < 2.5
    assert dominant_freq(pcm, 0.05, 0.4) == pytest.approx(659, rel=0.03)
    assert dominant_freq(pcm, 1.2, 1.5) == pytest.approx(523, rel=0.03)
    assert max(abs(s) for s in pcm.samples) < 32767
    assert abs(pcm.samples[0]) < 500 and abs(pcm.samples[-1]) < 500  # no clicks


def test_qt_engine_degrades_when_pyside_lacks_text_to_speech():
    engine = QtSpeechEngine()
    if not engine.is_usable():
        with pytest.raises(SpeechError):
            engine.synthesize(None)


@needs_espeak
def test_commissioning_writes_a_sample_into_a_folder(tmp_path):
    path = test_announce("Б7", "2", "ru", out=str(tmp_path))
    assert path.parent == tmp_path and path.suffix == ".wav"
    assert read_wav(path).duration > 2.0
