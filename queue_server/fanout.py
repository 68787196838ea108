"""Direct fan-out for python-socketio's threading mode.

In threading mode every connected client has a writer thread waiting on its
own send queue, and a push to the hall puts one packet in each queue. Each of
those puts wakes a thread, and on a 2-core machine a thread wake-up plus the
GIL hand-off around its send() costs 100–200 µs: 200 hall clients put the
last one ~50 ms behind, while the work itself (frame the message, one
send() system call) is ~10 µs.

So when a client's writer is idle — nothing queued, nothing being sent — the
thread that emits writes the WebSocket frame to the client's socket itself,
under the same lock the writer uses. A socket that cannot take the whole
frame at once (a slow or stalled client) gets the rest through its writer
thread as before, and every later packet queues behind it: order is kept,
and a slow client never holds up the others. Polling clients, and
connections that upgrade from polling, keep the plain path.

The hooks are python-engineio's ``create_queue()`` and the ``websocket``
entry of its async driver (the class that wraps each WebSocket).
"""
from __future__ import annotations

import queue
import select
import struct
import threading
from contextlib import contextmanager
from socket import MSG_DONTWAIT

import engineio
import simple_websocket
import socketio
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from wsproto.events import BytesMessage, TextMessage
from wsproto.utilities import LocalProtocolError


class RawFrame(bytes):
    """Bytes of a WebSocket frame already framed: the writer sends them as they are."""


class _RawPacket:
    """Stands in for an engine.io packet in the queue; ``encode()`` is what the writer sends."""

    def __init__(self, frame: RawFrame):
        self.frame = frame

    def encode(self) -> RawFrame:
        return self.frame


class DirectWebSocket(SimpleWebSocketWSGI):
    """The engine.io WebSocket wrapper, with one lock around every write to the socket."""

    def __init__(self, handler, server, **kwargs):
        super().__init__(handler, server, **kwargs)
        self.lock = threading.Lock()
        self._poll: select.poll | None = None
        self.shares_frames = False  # no extension agreed: frames are the same for every client

    def __call__(self, environ, start_response):
        socket = getattr(self.app, "__self__", None)  # the engine.io Socket this handler serves
        q = getattr(socket, "queue", None)
        if isinstance(q, DirectQueue) and not getattr(socket, "connected", True):
            q.websocket = self  # a WebSocket from the start; upgrades keep the plain path
            # wsproto agrees to no extension the client did not offer
            self.shares_frames = not environ.get("HTTP_SEC_WEBSOCKET_EXTENSIONS")
        return super().__call__(environ, start_response)

    def send(self, message):
        with self.lock:
            if isinstance(message, RawFrame):
                try:
                    self.ws.sock.sendall(message)
                except OSError:
                    raise OSError() from None
                return None
            return super().send(message)

    def send_now(self, packet) -> RawFrame | None:
        """Frame `packet` and write what the socket takes now; the caller holds `lock`.
        Returns the bytes still to send (None when all went out)."""
        ws = self.ws
        if not ws.connected:
            raise OSError("the WebSocket is closed")
        if self.shares_frames:
            frame = shared_frame(packet)
        else:  # per-message deflate: every connection compresses with its own context
            data = packet.encode()
            frame = ws.ws.send(BytesMessage(data=data) if isinstance(data, bytes) else TextMessage(data=data))
        sock = ws.sock
        # Never block here: MSG_DONTWAIT (a blocking socket would wait until every byte
        # is taken), and a socket with a timeout would wait in send(), so ask it first.
        if sock.gettimeout():
            if self._poll is None:
                self._poll = select.poll()
                self._poll.register(sock.fileno(), select.POLLOUT)
            if not self._poll.poll(0):
                return RawFrame(frame)  # the client is not reading: its writer waits for it
        try:
            sent = sock.send(frame, MSG_DONTWAIT)
        except BlockingIOError:
            sent = 0
        return RawFrame(frame[sent:]) if sent < len(frame) else None


def plain_frame(data: str | bytes) -> bytes:
    """One whole, unmasked WebSocket frame (RFC 6455, 5.2): what a server sends a client
    that agreed to no extension. The bytes are the same for every such client."""
    payload, first = (data.encode(), 0x81) if isinstance(data, str) else (bytes(data), 0x82)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", first, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", first, 126, n)
    else:
        head = struct.pack("!BBQ", first, 127, n)
    return head + payload


def shared_frame(packet) -> bytes:
    """A broadcast puts one packet object in every client's queue: frame it once."""
    frame = getattr(packet, "_plain_frame", None)
    if frame is None:
        frame = packet._plain_frame = plain_frame(packet.encode())
    return frame


class DirectQueue(queue.Queue):
    """A client's send queue whose ``put`` writes straight to the socket when it can."""

    def __init__(self, maxsize: int = 0):
        super().__init__(maxsize)
        self.websocket: DirectWebSocket | None = None
        self._idle = False  # the writer waits in get() with nothing in hand
        self._direct_sent = 0  # packets written by put() itself

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        ws = self.websocket
        if item is None or ws is None or not hasattr(item, "encode"):
            return super().put(item, block, timeout)
        if not ws.lock.acquire(blocking=False):
            # Somebody is writing to this client (its writer, or another emitting thread
            # that got here first): the writer thread sends this after it, in order.
            return super().put(item, block, timeout)
        try:
            with self.mutex:
                direct = self._idle and not self.queue
            if not direct:
                return super().put(item, block, timeout)
            try:
                rest = ws.send_now(item)
            except (OSError, simple_websocket.ConnectionClosed, LocalProtocolError):
                return None  # the client is gone (or going): engine.io notices on its own
            self._direct_sent += 1
            if rest is not None:
                # What the socket did not take goes first: anything queued meanwhile is newer.
                with self.mutex:
                    self.queue.appendleft(_RawPacket(rest))
                    self.unfinished_tasks += 1
                    self.not_empty.notify()
            return None
        finally:
            ws.lock.release()

    def get(self, block: bool = True, timeout: float | None = None):
        if not block:
            return super().get(block, timeout)
        while True:
            with self.mutex:
                self._idle = True  # waiting with nothing in hand (until _get takes a packet)
                sent_before = self._direct_sent
            try:
                return super().get(block, timeout)
            except queue.Empty:
                # engine.io's writer gives a client up after a ping period with nothing
                # to send; packets that went out directly (pings among them) count.
                if self._direct_sent == sent_before:
                    raise
            finally:
                with self.mutex:
                    self._idle = False

    def _get(self):
        # Under the queue's mutex, in the same step as the packet leaves the queue: from
        # here until the writer comes back the writer has a packet in hand, and a direct
        # send would overtake it (or cut into it, when only part of a frame went out).
        self._idle = False
        return self.queue.popleft()


class DirectEngineIO(engineio.Server):
    """engine.io server with direct fan-out (see module doc)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.async_mode == "threading":
            self._async = {**self._async, "websocket": DirectWebSocket}

    def create_queue(self, *args, **kwargs) -> queue.Queue:
        if self.async_mode == "threading":
            return DirectQueue(*args, **kwargs)
        return super().create_queue(*args, **kwargs)


class HallManager(socketio.Manager):
    """A background broadcast steps aside for the others.

    A `state` to 200 screens takes longer than the `called` it may coincide with; both
    want the same two cores and the same sockets. So background events (`state`,
    `track`: refreshes, where the newest wins) look, every few recipients, whether
    another emit is on its way, and wait until it is out. The clients a background
    emit has not reached yet get the call first and the refresh after it.

    Every emit runs on the thread that makes it: splitting a broadcast over two threads
    helped while each send cost ~90 µs of Python, and cost more than it gained once a
    broadcast was framed once (docs/performance.md).
    """

    background_events = frozenset({"state", "track"})
    yield_every = 8  # background recipients between two looks for an urgent emit

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urgent = 0  # emits on their way that a background emit gives way to
        self._quiet = threading.Condition()
        self._local = threading.local()

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs):
        with self._stepping_aside() if event in self.background_events else self._on_its_way():
            return super().emit(event, data, namespace, room=to or room, skip_sid=skip_sid,
                                callback=callback, **kwargs)

    @contextmanager
    def _stepping_aside(self):
        """This thread's emit is a background one: get_participants pauses it for others."""
        self._local.background = True
        try:
            yield
        finally:
            self._local.background = False

    @contextmanager
    def _on_its_way(self):
        """An emit background ones give way to, from start to end."""
        with self._quiet:
            self._urgent += 1
        try:
            yield
        finally:
            with self._quiet:
                self._urgent -= 1
                if not self._urgent:
                    self._quiet.notify_all()

    def get_participants(self, namespace, room):
        participants = super().get_participants(namespace, room)
        if not getattr(self._local, "background", False):
            yield from participants
            return
        for i, participant in enumerate(participants):
            if self._urgent and i % self.yield_every == 0:
                with self._quiet:
                    # bounded: a refresh is late at worst, never lost
                    self._quiet.wait_for(lambda: not self._urgent, timeout=1.0)
            yield participant


class DirectSocketIO(socketio.Server):
    """python-socketio's threading-mode server with direct fan-out (see module doc)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("client_manager", HallManager())
        super().__init__(*args, **kwargs)

    def _engineio_server_class(self):
        return DirectEngineIO
