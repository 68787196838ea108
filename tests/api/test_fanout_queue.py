"""DirectQueue against a real socket pair and real WebSocket framing (wsproto):
what the engine.io writer thread sees of packets that went out directly."""
from __future__ import annotations

import queue
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from wsproto import ConnectionType
from wsproto.connection import Connection
from wsproto.events import BytesMessage, TextMessage
from wsproto.frame_protocol import FrameProtocol

from queue_server.fanout import DirectQueue, DirectWebSocket, plain_frame


class Packet:
    def __init__(self, text: str):
        self.text = text

    def encode(self) -> str:
        return self.text


@pytest.fixture(params=["framed per client", "one frame shared"])
def wire(request):
    """A client connection; frames come from its own wsproto connection (per-message
    deflate agreed) or are shared by all (no extension agreed)."""
    server_end, client_end = socket.socketpair()
    ws = DirectWebSocket(None, None)
    ws.ws = SimpleNamespace(ws=Connection(ConnectionType.SERVER), sock=server_end, connected=True)
    ws.shares_frames = request.param == "one frame shared"
    q = DirectQueue()
    q.websocket = ws
    yield q, client_end
    server_end.close()
    client_end.close()


def frames(sock: socket.socket, n: int) -> list[str]:
    """Decode n text frames the server wrote (a client-side frame parser)."""
    proto = FrameProtocol(client=True, extensions=[])
    out: list[str] = []
    sock.settimeout(5)
    while len(out) < n:
        proto.receive_bytes(sock.recv(65536))
        out += [f.payload for f in proto.received_frames()]
    return out


def waiting_writer(q: DirectQueue, timeout: float):
    """engine.io's writer: waits in get(); returns what it got or the exception."""
    result: list = []
    t = threading.Thread(target=lambda: result.append(_get(q, timeout)))
    t.start()
    while not q._idle:
        time.sleep(0.001)
    return t, result


def _get(q, timeout):
    try:
        return q.get(timeout=timeout)
    except queue.Empty as exc:
        return exc


def test_a_packet_for_an_idle_writer_goes_straight_to_the_socket(wire):
    q, client = wire
    writer, got = waiting_writer(q, timeout=5)
    q.put(Packet('42["called",{"number":"А001"}]'))
    assert frames(client, 1) == ['42["called",{"number":"А001"}]']
    assert q.qsize() == 0 and writer.is_alive()  # the writer was never woken for it
    q.put(None)  # engine.io's "close": always through the queue
    writer.join(5)
    assert got == [None]


def test_a_writer_busy_with_a_packet_keeps_the_order(wire):
    q, client = wire
    q.put(Packet("first"))  # nobody waits yet: queued
    q.put(Packet("second"))
    assert q.qsize() == 2
    assert q.get(timeout=1).encode() == "first"  # the writer has it in hand…
    q.put(Packet("third"))  # …so this queues behind instead of overtaking
    assert [q.get(block=False).encode() for _ in range(2)] == ["second", "third"]


def test_direct_traffic_keeps_the_writer_from_giving_the_client_up(wire):
    """engine.io closes a client whose writer waited a whole ping period for nothing;
    pings that went out directly must count."""
    q, client = wire
    writer, got = waiting_writer(q, timeout=0.3)
    for _ in range(6):
        time.sleep(0.1)
        q.put(Packet("2"))  # a ping, every 0.1 s for 0.6 s
    assert writer.is_alive() and not got
    assert frames(client, 6) == ["2"] * 6
    writer.join(2)  # quiet now: after one more period it gives up, as before
    assert isinstance(got[0], queue.Empty)


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 200_000])
def test_a_shared_frame_is_byte_for_byte_what_wsproto_frames(size):
    """The one frame a broadcast shares is the frame wsproto would have written, at each
    of the three length encodings' edges, for text (Cyrillic) and binary alike."""
    text = ("ж" * size)[: size // 2] + "x" * (size - size // 2)
    assert plain_frame(text) == Connection(ConnectionType.SERVER).send(TextMessage(data=text))
    data = bytes(range(256)) * (size // 256) + b"\x00" * (size % 256)
    assert plain_frame(data) == Connection(ConnectionType.SERVER).send(BytesMessage(data=data))
