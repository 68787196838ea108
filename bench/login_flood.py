"""A bad-login flood: many clients, each from its own loopback address, sending wrong
passwords to `POST /api/v1/auth/login` as fast as they are answered (asyncio, one thread).

    python -m bench.login_flood URL CLIENTS SECONDS     # prints one JSON line of counts at the end
"""
from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections import Counter

from .sio_clients import address_pool


async def client(host: str, port: int, source: str, until: float, counts: Counter) -> None:
    rng = random.Random(source)
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError:
        counts["connect_failed"] += 1
        return
    while time.monotonic() < until:
        body = json.dumps({"login": rng.choice(["admin", "head", "op1", "nobody"]),
                           "password": f"guess-{rng.random()}"}).encode()
        writer.write(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            counts["closed"] += 1
            return
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        counts[str(status)] += 1
        if b"connection: close" in head.lower():
            writer.close()
            return
    writer.close()


async def flood(url: str, clients: int, seconds: float) -> Counter:
    host, port = url.removeprefix("http://").split(":")
    counts: Counter = Counter()
    until = time.monotonic() + seconds
    await asyncio.gather(*(client(host, int(port), src, until, counts)
                           for src in address_pool("127.40.0.1", clients)))
    return counts


def main(argv: list[str]) -> int:
    url, clients, seconds = argv[0], int(argv[1]), float(argv[2])
    counts = asyncio.run(flood(url, clients, seconds))
    print(json.dumps(dict(counts)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
