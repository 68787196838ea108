"""Pushes written straight to the sockets by the emitting thread (queue_server/fanout.py):
they keep their order, arrive whole, and a client that stops reading neither loses its
pushes nor holds up everybody else."""
from __future__ import annotations

import json
import queue
import socket
import threading

import websocket
from test_realtime import connect

PUSHES = 80
# ~60 KB of UTF-8 per push, 4.8 MB in all: more than the server's socket buffer may grow
# to (tcp_wmem: 4 MB) plus the stalled client's receive buffer (kept small below).
PAD = "ж" * 30_000


def raw_hall_client(live) -> websocket.WebSocket:
    """A display joined at the protocol level that then stops reading."""
    url = live.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(url, timeout=30, skip_utf8_validation=True,
                                     sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)])
    assert ws.recv().startswith("0")
    ws.send("40" + json.dumps({"token": live.tokens["display"]}))
    while not (msg := ws.recv()).startswith("40"):
        assert not msg.startswith("44"), msg
    return ws


def probes_in(ws: websocket.WebSocket, want: int) -> list[int]:
    seen = []
    while len(seen) < want:
        msg = ws.recv()
        if msg == "2":
            ws.send("3")
        elif msg.startswith('42["probe"'):
            body = json.loads(msg[2:])[1]
            assert body["pad"] == PAD  # not a byte lost or interleaved
            seen.append(body["n"])
    return seen


def test_a_stalled_client_gets_every_push_in_order_and_holds_up_nobody(live_office_realtime):
    live = live_office_realtime
    stalled = raw_hall_client(live)
    reader, received = connect(live, live.tokens["display"])
    got: queue.Queue = queue.Queue()
    reader.on("probe", lambda body: got.put(body["n"]))
    try:
        sio = live.app.realtime.sio
        emitter = threading.Thread(target=lambda: [sio.emit("probe", {"n": n, "pad": PAD}, room="hall")
                                                   for n in range(PUSHES)])
        emitter.start()
        # The reading client has every push while the stalled one has read nothing.
        assert [got.get(timeout=30) for _ in range(PUSHES)] == list(range(PUSHES))
        emitter.join(30)
        assert not emitter.is_alive(), "the emitting thread was held up by the stalled client"
        # The stalled client wakes up: everything is there, in order, whole.
        assert probes_in(stalled, PUSHES) == list(range(PUSHES))
    finally:
        reader.disconnect()
        stalled.close()


def test_pushes_from_several_threads_arrive_whole(live_office_realtime):
    live = live_office_realtime
    clients = [connect(live, live.tokens["display"]) for _ in range(5)]
    got = [queue.Queue() for _ in clients]
    for (client, _rx), q in zip(clients, got, strict=True):
        client.on("probe", lambda body, q=q: q.put(body))
    try:
        sio = live.app.realtime.sio

        def emit(base):
            for n in range(20):
                sio.emit("probe", {"n": base + n, "pad": PAD[:2000]}, room="hall")

        threads = [threading.Thread(target=emit, args=(k * 100,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        for q in got:
            bodies = [q.get(timeout=30) for _ in range(80)]
            assert all(b["pad"] == PAD[:2000] for b in bodies)
            ns = [b["n"] for b in bodies]
            assert sorted(ns) == sorted(k * 100 + n for k in range(4) for n in range(20))
            for k in range(4):  # each thread's pushes in the order it made them
                mine = [n for n in ns if k * 100 <= n < k * 100 + 100]
                assert mine == sorted(mine)
    finally:
        for client, _rx in clients:
            client.disconnect()
