"""The two-tone "ding-dong" that makes the hall look up before a call.

Synthesized rather than shipped as a binary: it is deterministic, costs a
few milliseconds, and an office that wants its own sound passes a WAV path to
:class:`~counter_display.announcer.Announcer` instead.

Each note is a soft bell: a fundamental with two quieter partials, a 10 ms
attack, an exponential decay and a short fade-out (no clicks). The second, lower note starts
while the first still rings, like a door chime.
"""
from __future__ import annotations

import math
from array import array
from pathlib import Path

from counter_display.speech_audio import DEFAULT_RATE, Pcm, write_wav

DING_HZ, DONG_HZ = 659.25, 523.25  # E5 then C5: a major third down
DONG_START_S = 0.45
NOTE_S = 1.1
PARTIALS = ((1.0, 1.0), (2.0, 0.25), (3.0, 0.08))  # (frequency ratio, amplitude)


def _note(freq: float, seconds: float, rate: int) -> list[float]:
    attack, release = 0.01, 0.08
    out = []
    for i in range(round(seconds * rate)):
        t = i / rate
        fade = min(1.0, t / attack, (seconds - t) / release)  # no click at either end
        envelope = fade * math.exp(-3.2 * t)
        out.append(envelope * sum(a * math.sin(2 * math.pi * freq * r * t) for r, a in PARTIALS))
    return out


def chime(rate: int = DEFAULT_RATE, volume: float = 0.6) -> Pcm:
    """The ding-dong as PCM, about 1.55 s long, peaking at ``volume`` of full scale."""
    start = round(DONG_START_S * rate)
    ding, dong = _note(DING_HZ, NOTE_S, rate), _note(DONG_HZ, NOTE_S, rate)
    mix = [0.0] * (start + len(dong))
    for i, v in enumerate(ding):
        mix[i] += v
    for i, v in enumerate(dong):
        mix[start + i] += v
    peak = max(abs(v) for v in mix) or 1.0
    scale = volume * 32767 / peak
    return Pcm(rate, array("h", (int(v * scale) for v in mix)))


def write_chime(path: str | Path, rate: int = DEFAULT_RATE) -> Path:
    """Save the chime, e.g. to audition it or to start a custom one from it."""
    return write_wav(path, chime(rate))
