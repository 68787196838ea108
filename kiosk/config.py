"""Kiosk settings: declared as data, read from a small TOML file and the command line.

Every key is described in docs/kiosk.md (a test keeps the two in step). A wrong
value is reported as one sentence naming the key, before any window opens.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from client_common.token_file import TokenFileError, read_token_file
from client_common.toml_file import read_toml
from hardware.printer_spec import PrinterConfigError, parse_printer_spec


class KioskConfigError(ValueError):
    """A setting is missing or wrong; the message names it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: type = str


SETTINGS = (
    Setting("server", "", "Base URL of the office server, e.g. http://192.168.1.10:8080"),
    Setting("token", "", "The kiosk's device token (qserver device add NAME --kind kiosk); "
                         "the QKIOSK_TOKEN environment variable is used when empty"),
    Setting("token_file", "", "A file holding the device token (mode 600), read when token is empty; "
                              "the packages keep it in /etc/queue-office/kiosk.token"),
    Setting("printer", "dummy", "Printer SPEC: usb:VID:PID, serial:/dev/ttyUSB0[:BAUD], "
                                "net:HOST[:PORT], cups:QUEUE, file:PATH or dummy"),
    Setting("paper_width", 80, "Paper width in millimetres: 58 or 80", int),
    Setting("language", "ru", "Language of the start screen and the ticket: ru or en"),
    Setting("timezone", "Europe/Moscow", "The office's time zone, for the time printed on tickets"),
    Setting("idle_timeout_s", 30, "Seconds without a touch before any screen returns to the start", int),
    Setting("ticket_screen_s", 10, "Seconds the issued number stays on screen", int),
    Setting("fault_screen_s", 30, "Seconds the number stays on screen when the ticket did not print", int),
    Setting("health_interval_s", 10, "Seconds between server checks while everything works", int),
    Setting("retry_interval_s", 3, "Seconds between server checks while out of service", int),
    Setting("printer_check_s", 15, "Seconds between printer checks while the printer is faulty", int),
    Setting("request_timeout_s", 5, "Seconds to wait for the server before giving up on a request", int),
    Setting("fullscreen", True, "Fill the screen without a window frame (false: a window, for testing)", bool),
    Setting("screen_dpi", 0, "Pixels per inch of the touchscreen; 0 asks the screen (96 if it does not say)", int),
    Setting("large_text", False, "Start in the large-text, high-contrast mode", bool),
)
DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class KioskConfig:
    server: str = ""
    token: str = ""
    token_file: str = ""
    printer: str = "dummy"
    paper_width: int = 80
    language: str = "ru"
    timezone: str = "Europe/Moscow"
    idle_timeout_s: int = 30
    ticket_screen_s: int = 10
    fault_screen_s: int = 30
    health_interval_s: int = 10
    retry_interval_s: int = 3
    printer_check_s: int = 15
    request_timeout_s: int = 5
    fullscreen: bool = True
    screen_dpi: int = 0
    large_text: bool = False

    def replace(self, **changes: Any) -> KioskConfig:
        return build_config({**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise KioskConfigError(f"{setting.name}: {value!r} is not true or false")
    if setting.kind is int:
        if isinstance(value, bool):
            raise KioskConfigError(f"{setting.name}: {value!r} is not a whole number")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise KioskConfigError(f"{setting.name}: {value!r} is not a whole number") from None
    if not isinstance(value, str):
        raise KioskConfigError(f"{setting.name}: {value!r} should be text")
    return value.strip()


def build_config(values: dict[str, Any]) -> KioskConfig:
    """Validate a dict of settings (unknown keys are an error) into a KioskConfig."""
    by_name = {s.name: s for s in SETTINGS}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise KioskConfigError(f"unknown setting {unknown[0]!r}; known: {', '.join(by_name)}")
    merged = {**DEFAULTS, **{k: _coerce(by_name[k], v) for k, v in values.items() if v is not None}}
    if not merged["token"] and merged["token_file"]:
        try:
            merged["token"] = read_token_file(merged["token_file"])
        except TokenFileError as exc:
            raise KioskConfigError(f"token_file: {exc}") from None
    if not merged["token"]:
        merged["token"] = os.environ.get("QKIOSK_TOKEN", "")
    _validate(merged)
    return KioskConfig(**merged)


def _validate(v: dict[str, Any]) -> None:
    server = v["server"]
    if server and not server.startswith(("http://", "https://")):
        raise KioskConfigError(f"server: {server!r} must start with http:// or https://")
    v["server"] = server.rstrip("/")
    try:
        parse_printer_spec(v["printer"])
    except PrinterConfigError as exc:
        raise KioskConfigError(f"printer: {exc.problem}") from None
    if v["paper_width"] not in (58, 80):
        raise KioskConfigError(f"paper_width: {v['paper_width']} mm; use 58 or 80")
    if v["language"] not in ("ru", "en"):
        raise KioskConfigError(f"language: {v['language']!r}; use ru or en")
    try:
        ZoneInfo(v["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise KioskConfigError(f"timezone: unknown time zone {v['timezone']!r}") from None
    for name in ("idle_timeout_s", "ticket_screen_s", "fault_screen_s", "health_interval_s",
                 "retry_interval_s", "printer_check_s", "request_timeout_s"):
        if v[name] < 1:
            raise KioskConfigError(f"{name}: must be at least 1 second")
    if v["screen_dpi"] and not 50 <= v["screen_dpi"] <= 1000:
        raise KioskConfigError("screen_dpi: use 0 (ask the screen) or a value from 50 to 1000")


def load_config(path: Path | None, overrides: dict[str, Any] | None = None) -> KioskConfig:
    """Settings from a TOML file (optional), then command-line overrides on top."""
    values: dict[str, Any] = {}
    if path is not None:
        values = read_toml(path, KioskConfigError)
        if isinstance(values.get("kiosk"), dict) and len(values) == 1:
            values = values["kiosk"]  # a [kiosk] table is accepted too
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return build_config(values)


def require_server(config: KioskConfig) -> None:
    if not config.server:
        raise KioskConfigError("server: not set; give --server URL or server = \"...\" in the config file")
    if not config.token:
        raise KioskConfigError("token: not set; give --token-file, token_file = \"...\", "
                               "--token or QKIOSK_TOKEN")
