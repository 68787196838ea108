"""A device token read from a file, so it never shows on a command line (``ps``) or in a unit.

The packages keep each device's token in ``/etc/queue-office/<role>.token``, mode
0600, owned by the user the program runs as (docs/install.md). A token file that
others can read is used but warned about: anyone on the PC could take the device's
place at the server.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

MAX_BYTES = 4096  # a token is ~43 characters; anything bigger is the wrong file


class TokenFileError(ValueError):
    """The file is missing, unreadable, empty or not a token; the message says which."""


def read_token_file(path: str | os.PathLike) -> str:
    """The token in ``path`` (surrounding whitespace and one trailing newline dropped)."""
    p = Path(path)
    try:
        info = p.stat()
        if not stat.S_ISREG(info.st_mode):  # checked before opening: a FIFO would block the start
            raise TokenFileError(f"the token file {p} is not a regular file")
        with p.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise TokenFileError(f"cannot read the token file {p}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise TokenFileError(f"the token file {p} is larger than {MAX_BYTES} bytes: not a token")
    try:
        token = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise TokenFileError(f"the token file {p} holds more than plain ASCII: not a token") from None
    if not token:
        raise TokenFileError(f"the token file {p} is empty: put the token from "
                             "`qserver device add` in it")
    if any(ch.isspace() for ch in token):
        raise TokenFileError(f"the token file {p} holds more than one word: put only the token in it")
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("token file %s can be read by others (mode %o): chmod 600 it",
                    p, stat.S_IMODE(info.st_mode))
    return token
