"""Players: put a finished announcement WAV on the hall's loudspeaker.

``play(path)`` blocks until the sound has ended — that is how the queue
guarantees calls never overlap. Chosen by :func:`open_player`::

    auto          the first of aplay, paplay, pw-play, winsound that exists; else silent
    aplay | paplay | pw-play | winsound
    file:/dir     copy each WAV into /dir (tests, remote speakers, archiving)
    null          silent

PySide6-Essentials has no QtMultimedia, so there is no Qt player here; the
command-line players cover Linux (ALSA, PulseAudio, PipeWire) and winsound
covers Windows. A machine with no audio device degrades to silence with a
logged fault instead of stopping the board.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


class AudioFault(OSError):
    """A sound could not be played (no device, player crashed, timed out).

    An ``OSError`` so callers that already handle I/O trouble (the CLI's
    ``test-announce``) print its words instead of a traceback.
    """


def wav_duration(path: str | Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


class Player:
    name = "base"

    def is_usable(self) -> bool:
        return True

    def play(self, path: Path) -> None:
        """Play ``path`` and return when it has finished; raise :class:`AudioFault`."""
        raise NotImplementedError


class NullPlayer(Player):
    """Silence, said once in the log so nobody hunts for a broken speaker."""

    name = "null"

    def __init__(self, reason: str = "no audio player configured"):
        self.reason = reason
        self._told = False

    def play(self, path: Path) -> None:
        if not self._told:
            log.warning("announcements are silent: %s", self.reason)
            self._told = True


@dataclass(frozen=True)
class Played:
    path: Path  # the copy kept by the player
    start: float
    end: float


class WavFilePlayer(Player):
    """Copies each WAV into ``folder`` as ``0001-<name>.wav`` and records when.

    ``pace`` > 0 makes ``play`` take ``pace`` × the sound's duration, so tests
    can see real sequencing without waiting real seconds.
    """

    name = "file"

    def __init__(self, folder: str | Path, *, pace: float = 0.0, clock: Callable[[], float] = time.monotonic):
        self.folder, self.pace, self.clock = Path(folder), pace, clock
        self.played: list[Played] = []
        self._lock = threading.Lock()

    def play(self, path: Path) -> None:
        start = self.clock()
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            target = self.folder / f"{len(self.played) + 1:04d}-{Path(path).name}"
        try:
            shutil.copyfile(path, target)
            if self.pace > 0:
                time.sleep(wav_duration(target) * self.pace)
        except (OSError, wave.Error, EOFError) as exc:
            raise AudioFault(f"cannot write {target}: {exc}") from exc
        with self._lock:
            self.played.append(Played(target, start, self.clock()))


class CommandPlayer(Player):
    """A command-line player run per file: ``argv + [path]``, no shell."""

    argv: tuple[str, ...] = ()

    def is_usable(self) -> bool:
        return shutil.which(self.argv[0]) is not None

    def play(self, path: Path) -> None:
        try:
            done = subprocess.run(
                [*self.argv, str(path)], capture_output=True, timeout=wav_duration(path) + 10, check=False
            )
        except (OSError, subprocess.TimeoutExpired, wave.Error) as exc:
            raise AudioFault(f"{self.name} failed: {exc}") from exc
        if done.returncode != 0:
            raise AudioFault(f"{self.name} exited with {done.returncode}: "
                             f"{done.stderr.decode(errors='replace').strip()}")


class AplayPlayer(CommandPlayer):
    name, argv = "aplay", ("aplay", "-q")


class PaplayPlayer(CommandPlayer):
    name, argv = "paplay", ("paplay",)


class PwPlayPlayer(CommandPlayer):
    name, argv = "pw-play", ("pw-play",)


class WinsoundPlayer(Player):
    name = "winsound"

    def is_usable(self) -> bool:
        try:
            import winsound  # noqa: F401
        except ImportError:
            return False
        return True

    def play(self, path: Path) -> None:  # pragma: no cover - Windows only
        import winsound

        try:
            winsound.PlaySound(str(path), winsound.SND_FILENAME)
        except RuntimeError as exc:
            raise AudioFault(f"winsound failed: {exc}") from exc


PLAYERS: dict[str, type[Player]] = {
    "aplay": AplayPlayer,
    "paplay": PaplayPlayer,
    "pw-play": PwPlayPlayer,
    "winsound": WinsoundPlayer,
    "file": WavFilePlayer,
    "null": NullPlayer,
}
AUTO_ORDER = ("aplay", "paplay", "pw-play", "winsound")


def open_player(spec: str = "auto") -> Player:
    """Config string → player (see the module docstring)."""
    name, _, arg = spec.partition(":")
    if name == "auto":
        for candidate in AUTO_ORDER:
            player = PLAYERS[candidate]()
            if player.is_usable():
                return player
        return NullPlayer("no audio player found (install alsa-utils for aplay)")
    if name not in PLAYERS:
        raise ValueError(f"unknown audio player {name!r}; known: auto, {', '.join(sorted(PLAYERS))}")
    if name == "file":
        if not arg:
            raise ValueError("file player needs a folder: file:/path/to/dir")
        return WavFilePlayer(arg)
    player = PLAYERS[name]()
    if not player.is_usable():
        return NullPlayer(f"{name} is not available on this machine")
    return player
