"""Speech engines: an :class:`~counter_display.speech_text.Utterance` in, PCM out.

Offices differ: most are happy with espeak-ng (offline, free, robotic but
clear), some record a human voice once and want it played back, a few run
a desktop whose Qt build has a text-to-speech module. All three sit behind
:class:`SpeechEngine`, chosen from config by :func:`open_speech_engine`::

    espeak                      espeak-ng from PATH (the default; on Windows also where its
                                installer puts it, %ProgramFiles%\\eSpeak NG)
    espeak:/opt/espeak/bin/espeak-ng
    fragments:/srv/qoffice/voice    recorded WAVs, naming in docs/hardware.md
    qt                          QtTextToSpeech, if this PySide6 build has it

An engine that cannot speak a call raises :class:`SpeechError`; the announcer
then tries the next engine and, last of all, plays the chime alone.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from counter_display.speech_audio import Pcm, concat, read_wav, silence
from counter_display.speech_text import Utterance

# A console program (espeak-ng.exe) started by one without a console (qdisplayw.exe, the
# Windows bundle's board) gets a console window of its own, over the board, while it runs.
_NO_WINDOW = {"creationflags": subprocess.CREATE_NO_WINDOW} if os.name == "nt" else {}


class SpeechError(Exception):
    """An engine could not produce speech for one call; the message says why."""


class SpeechEngine:
    name = "base"

    def is_usable(self) -> bool:
        """Whether the engine can work on this machine at all (binary, module, folder)."""
        return True

    def synthesize(self, utterance: Utterance) -> Pcm:
        raise NotImplementedError


class EspeakEngine(SpeechEngine):
    """espeak-ng run once per call, writing a WAV (argument list, never a shell).

    The text goes in a UTF-8 file (``-b 1 -f``), not on the command line: espeak-ng on
    Windows reads its arguments in the ANSI code page and speaks Cyrillic given there
    as noise (espeak-ng issues #460, #1766); from a file it is right everywhere.
    """

    name = "espeak"
    VOICES = {"ru": "ru", "en": "en-gb"}
    # Letters espeak-ng misreads when they stand alone ("A" becomes "uh").
    LETTER_FIXES = {"en": {"A": "eh"}}

    def __init__(self, binary: str = "espeak-ng", *, speed: int = 140, timeout: float = 20.0,
                 voices: dict[str, str] | None = None):
        self.binary, self.speed, self.timeout = binary, speed, timeout
        self.voices = dict(self.VOICES if voices is None else voices)

    def is_usable(self) -> bool:
        return self.find_binary() is not None

    def find_binary(self) -> str | None:
        found = shutil.which(self.binary)
        if found is None and os.name == "nt" and self.binary == "espeak-ng":
            # the eSpeak NG installer (.msi) puts it here without adding it to PATH
            program_files = os.environ.get("ProgramFiles", r"C:\Program Files")
            candidate = Path(program_files) / "eSpeak NG" / "espeak-ng.exe"
            found = str(candidate) if candidate.is_file() else None
        return found

    def text_for(self, utterance: Utterance) -> str:
        fixes = self.LETTER_FIXES.get(utterance.lang, {})
        words = [fixes.get(t.text, t.text) if t.kind == "letter" else t.text for t in utterance.tokens]
        return " ".join(words).replace(" ,", ",")

    def synthesize(self, utterance: Utterance) -> Pcm:
        binary = self.find_binary()
        if binary is None:
            raise SpeechError(f"{self.binary} not found; install espeak-ng or choose another engine")
        voice = self.voices.get(utterance.lang, utterance.lang)
        with tempfile.TemporaryDirectory(prefix="qoffice-tts-") as tmp:
            out, text = Path(tmp) / "speech.wav", Path(tmp) / "text.txt"
            text.write_text(self.text_for(utterance), encoding="utf-8")
            argv = [binary, "-v", voice, "-s", str(self.speed), "-b", "1", "-w", str(out), "-f", str(text)]
            try:
                done = subprocess.run(argv, capture_output=True, timeout=self.timeout, check=False, **_NO_WINDOW)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise SpeechError(f"espeak-ng failed: {exc}") from exc
            if done.returncode != 0 or not out.exists():
                err = done.stderr.decode(errors="replace").strip()
                raise SpeechError(f"espeak-ng exited with {done.returncode}: {err}")
            return read_wav(out)


class FragmentEngine(SpeechEngine):
    """Recorded fragments glued together: ``<folder>/<lang>/<key>.wav``.

    Keys are the tokens' keys (``ticket``, ``letter_А``, ``100``, ``12``,
    ``counter``, ``3`` …); a file directly in ``<folder>`` serves every
    language. ``gap_s`` of silence goes between fragments (0 by default:
    recordings usually carry their own breath).
    """

    name = "fragments"

    def __init__(self, folder: str | Path, *, gap_s: float = 0.0):
        self.folder, self.gap_s = Path(folder), gap_s

    def is_usable(self) -> bool:
        return self.folder.is_dir()

    def path_for(self, key: str, lang: str) -> Path | None:
        for candidate in (self.folder / lang / f"{key}.wav", self.folder / f"{key}.wav"):
            if candidate.is_file():
                return candidate
        return None

    def synthesize(self, utterance: Utterance) -> Pcm:
        keys = utterance.fragment_keys
        paths = {k: self.path_for(k, utterance.lang) for k in keys}
        missing = sorted({f"{k}.wav" for k, p in paths.items() if p is None})
        if missing:
            raise SpeechError(f"missing voice fragments in {self.folder / utterance.lang}: {', '.join(missing)}")
        try:
            pieces = [read_wav(paths[k]) for k in keys]
        except (OSError, EOFError, ValueError, wave.Error) as exc:
            raise SpeechError(f"unreadable voice fragment: {exc}") from exc
        rate = pieces[0].rate if pieces else 22050
        if self.gap_s:
            gap = silence(self.gap_s, rate)
            pieces = [p for piece in pieces for p in (piece, gap)][:-1]
        return concat(pieces, rate)


class QtSpeechEngine(SpeechEngine):
    """QtTextToSpeech's ``synthesize()`` (Qt ≥ 6.6), when this PySide6 build ships it.

    PySide6-Essentials does not: then :meth:`is_usable` is False and the
    announcer moves on. Must be used from a thread running a Qt event loop.
    """

    name = "qt"
    LOCALES = {"ru": "ru_RU", "en": "en_GB"}

    def __init__(self, engine: str | None = None, timeout_ms: int = 15000):
        self.engine, self.timeout_ms = engine, timeout_ms

    def is_usable(self) -> bool:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError:
            return False
        return hasattr(QTextToSpeech, "synthesize")

    def synthesize(self, utterance: Utterance) -> Pcm:  # pragma: no cover - needs QtTextToSpeech
        if not self.is_usable():
            raise SpeechError("QtTextToSpeech is not available in this PySide6 build")
        from PySide6.QtCore import QEventLoop, QLocale, QTimer
        from PySide6.QtTextToSpeech import QTextToSpeech

        tts = QTextToSpeech(self.engine) if self.engine else QTextToSpeech()
        tts.setLocale(QLocale(self.LOCALES.get(utterance.lang, "ru_RU")))
        chunks: list[bytes] = []
        fmt: list = []

        def collect(audio_format, data) -> None:
            fmt[:] = [audio_format]
            chunks.append(bytes(data))

        loop = QEventLoop()
        tts.stateChanged.connect(lambda state: loop.quit() if state != QTextToSpeech.State.Synthesizing else None)
        QTimer.singleShot(self.timeout_ms, loop.quit)
        tts.synthesize(utterance.text, collect)
        loop.exec()
        if not chunks or not fmt:
            raise SpeechError(f"QtTextToSpeech produced no audio ({tts.errorString()})")
        return _pcm_from_qt(fmt[0], b"".join(chunks))


def _pcm_from_qt(audio_format, data: bytes) -> Pcm:  # pragma: no cover - needs QtTextToSpeech
    import io

    buf = io.BytesIO()
    with wave.open(buf, "wb") as wav:
        wav.setnchannels(audio_format.channelCount())
        wav.setsampwidth(audio_format.bytesPerSample())
        wav.setframerate(audio_format.sampleRate())
        wav.writeframes(data)
    buf.seek(0)
    return read_wav(buf)


ENGINES: dict[str, type[SpeechEngine]] = {
    "espeak": EspeakEngine,
    "fragments": FragmentEngine,
    "qt": QtSpeechEngine,
}


def open_speech_engine(spec: str = "espeak") -> SpeechEngine:
    """Config string → engine; ``name[:argument]`` as in the module docstring."""
    name, _, arg = spec.partition(":")
    if name not in ENGINES:
        raise ValueError(f"unknown speech engine {name!r}; known: {sorted(ENGINES)}")
    if name == "fragments" and not arg:
        raise ValueError("fragments engine needs a folder: fragments:/path/to/voice")
    return ENGINES[name](arg) if arg else ENGINES[name]()
