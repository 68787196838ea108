"""A Socket.IO client at the protocol level, bound to any loopback address.

The hall's attacker does not run a polite client: these speak Engine.IO 4 over a
WebSocket by hand, so a test can open a socket and never join, join with a
made-up ticket, or come from 127.0.0.N (a different "machine" in the hall).
"""
from __future__ import annotations

import json
import socket
import time

import websocket


def open_raw(url: str, source: str = "127.0.0.1", timeout: float = 5.0) -> websocket.WebSocket:
    """An engine.io WebSocket from `source`, past the open packet, joined to nothing."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout, source_address=(source, 0))
    ws = websocket.create_connection(f"ws://{host}:{port}/socket.io/?EIO=4&transport=websocket",
                                     socket=sock, timeout=timeout)
    opened = ws.recv()
    assert opened.startswith("0"), opened
    return ws


def join(ws: websocket.WebSocket, auth: dict, timeout: float = 5.0) -> str:
    """Send the namespace CONNECT; "joined", or "refused: <message>"."""
    ws.send("40" + json.dumps(auth))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = ws.recv()
        if msg == "2":
            ws.send("3")
        elif msg.startswith("40"):
            return "joined"
        elif msg.startswith("44"):
            return "refused: " + json.loads(msg[2:]).get("message", "")
    raise TimeoutError("no answer to CONNECT")


def closed_within(ws: websocket.WebSocket, seconds: float) -> bool:
    """True when the server closes the connection within `seconds` (pings answered meanwhile)."""
    deadline = time.monotonic() + seconds
    ws.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            msg = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return True
        if msg == "2":
            ws.send("3")
        elif msg == "" or msg is None:
            return True
    return False


def events(ws: websocket.WebSocket, seconds: float) -> list[tuple[str, object]]:
    """Socket.IO events received within `seconds`, as (name, body)."""
    got = []
    deadline = time.monotonic() + seconds
    ws.settimeout(0.1)
    while time.monotonic() < deadline:
        try:
            msg = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except (websocket.WebSocketConnectionClosedException, OSError):
            break
        if msg == "2":
            ws.send("3")
        elif msg.startswith("42"):
            name, *body = json.loads(msg[2:])
            got.append((name, body[0] if body else None))
    return got
