"""One call, one WAV: the chime, then "Талон А сто двенадцать — окно номер три".

:class:`Announcer` turns a call into a finished WAV file plus the caption the
board shows while it plays. Rendering to a file (rather than speaking
directly) is what lets the queue play calls strictly one after another, lets
tests measure what a visitor would hear, and lets commissioning save a sample.

Speech engines are tried in order (e.g. recorded fragments first, espeak-ng
when a fragment is missing); when none can speak, the chime still plays and
the fault is reported — a silent hall is worse than a chime alone.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from counter_display.chime import chime
from counter_display.speech import EspeakEngine, SpeechEngine, SpeechError
from counter_display.speech_audio import (
    DEFAULT_RATE,
    Pcm,
    concat,
    normalize,
    read_wav,
    silence,
    write_wav,
)
from counter_display.speech_text import Utterance, compose_call

log = logging.getLogger(__name__)

PAUSE_AFTER_CHIME_S = 0.15
TAIL_S = 0.3  # a little air so players that cut the last buffer do not clip the counter


@dataclass(frozen=True)
class Announcement:
    """A rendered call: where its WAV is, what it says and how long it lasts."""

    path: Path
    number: str
    counter: str
    lang: str
    caption: str  # what the board shows while it plays: "Талон А112 — окно 3"
    text: str  # what is spoken: "Талон А сто двенадцать — окно номер три"
    duration_s: float
    engine: str | None  # None: no engine could speak, the chime played alone


class Announcer:
    """Composes chime + speech. Engines default to espeak-ng, built here, not at import."""

    def __init__(
        self,
        engines: Sequence[SpeechEngine] | None = None,
        *,
        chime_wav: str | Path | None = None,
        rate: int = DEFAULT_RATE,
        on_fault: Callable[[str], None] | None = None,
    ):
        self.engines = list(engines) if engines is not None else [EspeakEngine()]
        self.rate = rate
        self.on_fault = on_fault
        self._chime = read_wav(chime_wav) if chime_wav is not None else chime(rate)

    def compose(self, number: str, counter: str, lang: str = "ru") -> Utterance:
        return compose_call(number, counter, lang)

    def speak(self, utterance: Utterance) -> tuple[Pcm | None, str | None]:
        """Speech from the first engine that manages; (None, None) if none does."""
        errors = []
        for engine in self.engines:
            try:
                return engine.synthesize(utterance), engine.name
            except SpeechError as exc:
                errors.append(f"{engine.name}: {exc}")
        self._fault("no speech engine could speak the call: " + "; ".join(errors or ["none configured"]))
        return None, None

    def render(self, number: str, counter: str, lang: str = "ru") -> tuple[Pcm, Utterance, str | None]:
        utterance = self.compose(number, counter, lang)
        speech, engine = self.speak(utterance)
        parts = [self._chime]
        if speech is not None:
            parts += [silence(PAUSE_AFTER_CHIME_S, self.rate), normalize(speech)]
        parts.append(silence(TAIL_S, self.rate))
        return concat(parts, self.rate), utterance, engine

    def announce_to_wav(self, number: str, counter: str, lang: str, path: str | Path) -> Announcement:
        """Render one call into ``path`` (a WAV file) and describe it."""
        pcm, utterance, engine = self.render(number, counter, lang)
        write_wav(path, pcm)
        return Announcement(
            Path(path), number, counter, utterance.lang, utterance.caption, utterance.text,
            pcm.duration, engine,
        )

    def _fault(self, message: str) -> None:
        log.warning("announcer: %s", message)
        if self.on_fault is not None:
            try:
                self.on_fault(message)
            except Exception:
                log.exception("announcer fault callback failed")


def test_announce(number: str, counter: str, lang: str = "ru", out: str | None = None) -> Path:
    """Commissioning: render a call and save it to ``out``, or play it when ``out`` is None.

    ``out`` may be a file or an existing folder. Returns the WAV's path. With
    no ``out`` the call is played on the first audio player found (silently
    skipped, with a logged fault, when the machine has none); a player that
    fails raises :class:`~counter_display.announce_players.AudioFault`, an OSError.
    """
    from counter_display.announce_players import open_player

    if out is not None:
        target = Path(out)
        if target.is_dir():
            target = target / f"announce-{number}-{counter}-{lang}.wav"
    else:
        target = Path(tempfile.mkdtemp(prefix="qoffice-announce-")) / f"announce-{number}-{counter}.wav"
    announcement = Announcer().announce_to_wav(number, counter, lang, target)
    log.info("announcement %r (%.1f s) in %s", announcement.text, announcement.duration_s, target)
    if out is None:
        open_player("auto").play(target)
    return target


test_announce.__test__ = False  # a commissioning helper, not a pytest test
