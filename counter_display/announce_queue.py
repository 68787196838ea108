"""Calls spoken one after another, never over each other, off the GUI thread.

When three operators press "next" in the same second, the hall must hear
three complete announcements in the order they were made. :class:`AnnouncementQueue`
keeps them in a FIFO and one worker thread renders and plays each to the end
before starting the next. ``put`` returns at once, so the GUI (or the
Socket.IO handler) never waits for audio.

``on_started(announcement)`` fires right before a call is heard — the moment
to show its caption; ``on_finished`` after it; ``on_fault(message)`` when a
call could not be rendered or played (it is skipped, the queue goes on).
If calls pile up beyond ``max_pending`` (the speaker is slower than the
office), the oldest waiting ones are dropped: the board still shows them.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from counter_display.announce_players import AudioFault, Player
from counter_display.announcer import Announcement, Announcer

log = logging.getLogger(__name__)


class AnnouncementQueue:
    def __init__(
        self,
        announcer: Announcer,
        player: Player,
        *,
        max_pending: int = 20,
        on_started: Callable[[Announcement], None] | None = None,
        on_finished: Callable[[Announcement], None] | None = None,
        on_fault: Callable[[str], None] | None = None,
    ):
        self.announcer, self.player = announcer, player
        self.max_pending = max_pending
        self.on_started, self.on_finished, self.on_fault = on_started, on_finished, on_fault
        self._pending: deque[tuple[str, str, str]] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._workdir: Path | None = None
        self._seq = 0

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._workdir = Path(tempfile.mkdtemp(prefix="qoffice-calls-"))
            self._thread = threading.Thread(target=self._run, name="announcements", daemon=True)
            self._thread.start()

    def put(self, number: str, counter: str, lang: str = "ru") -> None:
        """Queue one call; returns immediately."""
        with self._cond:
            if len(self._pending) >= self.max_pending:
                dropped = self._pending.popleft()
                log.warning("announcement backlog full, dropped %s → %s", dropped[0], dropped[1])
            self._pending.append((number, counter, lang))
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every queued call has been played (or skipped)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the call being played, drop the rest, remove temporary files."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return
                request = self._pending.popleft()
                self._busy = True
            try:
                self._announce(*request)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _announce(self, number: str, counter: str, lang: str) -> None:
        self._seq += 1
        assert self._workdir is not None
        path = self._workdir / f"call-{self._seq:05d}.wav"
        try:
            announcement = self.announcer.announce_to_wav(number, counter, lang, path)
        except Exception as exc:  # rendering bugs must not silence later calls
            log.exception("cannot render call %s → %s", number, counter)
            self._fault(f"cannot render call {number} → {counter}: {exc}")
            return
        self._callback(self.on_started, announcement)
        try:
            self.player.play(path)
        except AudioFault as exc:
            self._fault(f"cannot play call {number} → {counter}: {exc}")
        except Exception as exc:
            log.exception("player crashed")
            self._fault(f"player crashed on call {number} → {counter}: {exc}")
        finally:
            path.unlink(missing_ok=True)
        self._callback(self.on_finished, announcement)

    def _fault(self, message: str) -> None:
        log.warning("%s", message)
        self._callback(self.on_fault, message)

    @staticmethod
    def _callback(callback: Callable | None, *args) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("announcement callback failed")
