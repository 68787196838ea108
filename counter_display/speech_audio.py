"""Mono 16-bit PCM in memory, read and written with the standard ``wave`` module.

Chime, synthesized speech and recorded fragments come at different rates and
widths (espeak-ng writes 22050 Hz, a studio recording may be 44.1 kHz stereo);
one announcement is one WAV, so everything is brought to one shape here.
Pure Python on purpose: ``audioop`` is gone from Python 3.13, and a call is a
few seconds of audio.
"""
from __future__ import annotations

import math
import sys
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DEFAULT_RATE = 22050


@dataclass
class Pcm:
    """Mono signed 16-bit samples at ``rate`` Hz."""

    rate: int
    samples: array

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def _to_int16(raw: bytes, width: int) -> array:
    if width == 2:
        out = array("h", raw)
        if sys.byteorder == "big":
            out.byteswap()
        return out
    if width == 1:  # unsigned 8-bit
        return array("h", ((b - 128) << 8 for b in raw))
    if width in (3, 4):  # keep the top 16 bits of each little-endian sample
        return array("h", (int.from_bytes(raw[i + width - 2 : i + width], "little", signed=True)
                           for i in range(0, len(raw), width)))
    raise ValueError(f"unsupported sample width {width}")


def read_wav(path: str | Path | BinaryIO) -> Pcm:
    """Any PCM WAV (a path or an open binary file) → mono 16-bit, channels averaged."""
    with wave.open(path if hasattr(path, "read") else str(path), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        samples = _to_int16(wav.readframes(wav.getnframes()), width)
    if channels > 1:
        samples = array("h", (sum(samples[i : i + channels]) // channels
                              for i in range(0, len(samples), channels)))
    return Pcm(rate, samples)


def write_wav(path: str | Path, pcm: Pcm) -> Path:
    data = array("h", pcm.samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(pcm.rate)
        wav.writeframes(data.tobytes())
    return Path(path)


def resample(pcm: Pcm, rate: int) -> Pcm:
    """Linear interpolation: plenty for speech on a hall loudspeaker."""
    if pcm.rate == rate or not pcm.samples:
        return Pcm(rate, array("h", pcm.samples))
    src, n_out = pcm.samples, max(1, round(len(pcm.samples) * rate / pcm.rate))
    step, last = pcm.rate / rate, len(src) - 1
    out = array("h", bytes(2 * n_out))
    for i in range(n_out):
        pos = i * step
        j = int(pos)
        if j >= last:
            out[i] = src[last]
        else:
            frac = pos - j
            out[i] = int(src[j] + (src[j + 1] - src[j]) * frac)
    return Pcm(rate, out)


def silence(seconds: float, rate: int = DEFAULT_RATE) -> Pcm:
    return Pcm(rate, array("h", bytes(2 * round(seconds * rate))))


def concat(parts: Iterable[Pcm], rate: int = DEFAULT_RATE) -> Pcm:
    out = array("h")
    for part in parts:
        out.extend(resample(part, rate).samples)
    return Pcm(rate, out)


def rms(pcm: Pcm) -> float:
    """Loudness as a fraction of full scale (0 = silence, ~0.7 = full sine)."""
    if not pcm.samples:
        return 0.0
    return math.sqrt(sum(s * s for s in pcm.samples) / len(pcm.samples)) / 32768


def normalize(pcm: Pcm, peak: float = 0.85) -> Pcm:
    """Scale so the loudest sample sits at ``peak`` of full scale.

    Recorded fragments and engines come at very different levels; the hall
    should hear every call as loud as the chime, whichever engine spoke.
    """
    top = max((abs(s) for s in pcm.samples), default=0)
    if top == 0:
        return Pcm(pcm.rate, array("h", pcm.samples))
    scale = peak * 32767 / top
    return Pcm(pcm.rate, array("h", (int(s * scale) for s in pcm.samples)))
