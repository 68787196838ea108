"""``qdisplay … --config FILE``: the PC's settings from a TOML file instead of a long command line.

The installed hall PC keeps them in ``/etc/queue-office/display.toml`` (docs/install.md),
and its units only say which command to run. Keys are the command's long options
(``token_file`` or ``token-file``); keys at the top apply to every command that has
that option, a table (``[hall]``, ``[counter]``, ``[led]``, ``[buttons]``) to one
command. Options on the command line win. A key no command knows, or a value of the
wrong kind, stops the start with one sentence naming the file and the key.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from client_common.toml_file import read_toml


class DisplayConfigError(ValueError):
    """A key or a value in the config file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Option:
    """What a file key may hold: the ``action=``, ``type=`` and ``choices=`` it was declared with."""

    action: str
    type: Any
    choices: tuple


class OptionParser(argparse.ArgumentParser):
    """An ArgumentParser that remembers how each option was declared, so a file can be checked.

    (argparse keeps its actions in private attributes; recording the declarations
    as they are made needs only its public ``add_argument``. Sub-commands made by
    ``add_subparsers`` are of the same class.)
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options: dict[str, Option] = {}
        self.subparsers: Any = None  # set by the caller to what add_subparsers returned

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        if action.option_strings and action.dest not in ("help", "config"):
            self.options[action.dest] = Option(str(kwargs.get("action", "store")), kwargs.get("type"),
                                               tuple(kwargs.get("choices") or ()))
        return action


def _coerce(path: Path, key: str, option: Option, value: Any) -> Any:
    where = f"{path}: {key}"
    if option.action == "store_true":
        if not isinstance(value, bool):
            raise DisplayConfigError(f"{where}: {value!r} is not true or false")
        return value
    if option.action == "append":
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items):
            raise DisplayConfigError(f"{where}: give text or a list of texts")
        return [str(v) for v in items]
    if option.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DisplayConfigError(f"{where}: {value!r} is not a whole number")
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DisplayConfigError(f"{where}: {value!r} should be text")
    value = str(value)
    if option.choices and value not in option.choices:
        raise DisplayConfigError(f"{where}: {value!r}; use one of {', '.join(map(str, option.choices))}")
    return value


def file_defaults(path: Path, command: str, commands: dict[str, OptionParser]) -> dict[str, Any]:
    """The option values ``path`` gives ``command`` (dest → value), checked against every command."""
    data = read_toml(path, DisplayConfigError)
    known = {name: p.options for name, p in commands.items()}
    top = {k.replace("-", "_"): v for k, v in data.items() if not isinstance(v, dict)}
    for key in top:
        if not any(key in opts for opts in known.values()):
            raise DisplayConfigError(f"{path}: unknown key {key!r}")
    for name, table in data.items():
        if isinstance(table, dict):
            if name not in known:
                raise DisplayConfigError(f"{path}: unknown table [{name}]; tables: {', '.join(known)}")
            for key in table:
                if key.replace("-", "_") not in known[name]:
                    raise DisplayConfigError(f"{path}: [{name}] {key!r} is not an option of qdisplay {name}")
    per_command = {}
    for name, options in known.items():  # every command's values checked, not only the one started
        values = {k: v for k, v in top.items() if k in options}
        values.update({k.replace("-", "_"): v for k, v in data.get(name, {}).items()})
        per_command[name] = {k: _coerce(path, k, options[k], v) for k, v in values.items()}
    return per_command[command]
