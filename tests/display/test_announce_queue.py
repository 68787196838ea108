"""A burst of calls: every one heard, in order, never two at once."""
import shutil
import threading

import pytest

from counter_display.announce_players import AudioFault, NullPlayer, WavFilePlayer, open_player
from counter_display.announce_queue import AnnouncementQueue
from counter_display.announcer import Announcer
from counter_display.speech import SpeechEngine
from counter_display.speech_audio import silence


class Quick(SpeechEngine):
    """Half a second of speech-shaped silence: the queue, not espeak, is under test."""

    name = "quick"

    def synthesize(self, utterance):
        return silence(0.5)


@pytest.fixture
def queue_with(tmp_path):
    made = []

    def make(player, **callbacks):
        q = AnnouncementQueue(Announcer([Quick()]), player, **callbacks)
        q.start()
        made.append(q)
        return q

    yield make
    for q in made:
        q.stop()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_burst_of_five_calls_plays_all_in_order_without_overlap(tmp_path):
    player = WavFilePlayer(tmp_path / "heard", pace=0.05)  # 0.05 × ~5 s per call
    captions = []
    q = AnnouncementQueue(Announcer(), player, on_started=lambda a: captions.append(a.caption))
    q.start()
    calls = [(f"А{n}", str(n)) for n in range(101, 106)]
    for number, counter in calls:
        q.put(number, counter, "ru")
    assert q.wait_idle(20)
    q.stop()

    assert captions == [f"Талон {n} — окно {c}" for n, c in calls]
    assert len(player.played) == 5
    for earlier, later in zip(player.played, player.played[1:], strict=False):
        assert earlier.end <= later.start
    assert all(p.end - p.start > 0.1 for p in player.played)
    assert sorted(p.name for p in (tmp_path / "heard").iterdir()) == [p.path.name for p in player.played]


def test_put_never_waits_for_playback(tmp_path, queue_with):
    release = threading.Event()

    class Stuck(WavFilePlayer):
        def play(self, path):
            release.wait(5)
            super().play(path)

    q = queue_with(Stuck(tmp_path))
    for n in range(3):
        q.put(f"А{n}", "1")
    assert q.pending() >= 2
    release.set()
    assert q.wait_idle(10)


def test_a_failing_speaker_skips_the_call_reports_it_and_goes_on(tmp_path, queue_with):
    class Flaky(WavFilePlayer):
        def play(self, path):
            if not self.played and not getattr(self, "failed", False):
                self.failed = True
                raise AudioFault("no sound card")
            super().play(path)

    faults = []
    player = Flaky(tmp_path)
    q = queue_with(player, on_fault=faults.append)
    q.put("А1", "1")
    q.put("А2", "2")
    assert q.wait_idle(10)
    assert len(player.played) == 1 and "no sound card" in faults[0]


def test_backlog_beyond_the_limit_drops_the_oldest_waiting_calls(tmp_path):
    q = AnnouncementQueue(Announcer([Quick()]), NullPlayer(), max_pending=2)
    for n in range(5):
        q.put(f"А{n}", "1")
    assert q.pending() == 2


def test_player_choice_degrades_to_silence(tmp_path):
    assert isinstance(open_player("file:" + str(tmp_path)), WavFilePlayer)
    assert open_player("auto").name in {"aplay", "paplay", "pw-play", "winsound", "null"}
    with pytest.raises(ValueError):
        open_player("speakers")


def test_audio_faults_are_io_errors_so_commissioning_prints_words_not_tracebacks():
    assert issubclass(AudioFault, OSError)
