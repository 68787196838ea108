"""`qdisplay`: hall board, counter display, LED and button bridges, commissioning checks.

Only gathers arguments and builds the objects the tests build
(:mod:`counter_display.apps`, :mod:`counter_display.led_bridge`,
:mod:`counter_display.button_bridge`). Command names and options are pinned:
installers and docs/displays.md use them. The token can come from a file
(``--token-file``) or the environment (``QOFFICE_TOKEN``) so it does not show in the
process list; every option can come from a TOML file (``--config``,
:mod:`counter_display.config_file`), which is how the installed PC runs.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from client_common.token_file import TokenFileError, read_token_file
from counter_display.config_file import DisplayConfigError, OptionParser, file_defaults

TOKEN_ENV = "QOFFICE_TOKEN"


def _server_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="a TOML file with these options (e.g. /etc/queue-office/display.toml)")
    p.add_argument("--server", help="office server URL, e.g. http://192.168.1.10:8080 (required)")
    p.add_argument("--token", help=f"device token from `qserver device add` (or set {TOKEN_ENV}; "
                                    "visible in ps: prefer --token-file)")
    p.add_argument("--token-file", metavar="FILE", help="a file holding the device token (mode 600)")


def _verbose_arg(p: argparse.ArgumentParser) -> None:
    """``-v`` after the command too (``qdisplay hall -v``), as docs/displays.md lists it."""
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log more")


def _screen_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fullscreen", action="store_true",
                   help="fill the screen (with or without a window manager), hide the mouse pointer")
    p.add_argument("--diagnostics", metavar="FILE", default="",
                   help="write the screen's health (stalls, memory, window) to FILE as JSON once a second")
    p.add_argument("--size", default="", help="window size WxH when not full-screen, e.g. 1920x1080")
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the screen (default ru)")


def build_parser() -> argparse.ArgumentParser:
    parser = OptionParser(prog="qdisplay", description="Hall board, counter displays and devices.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    parser.subparsers = sub

    p = sub.add_parser("hall", help="the hall board (a TV): calls, queues, clock, voice")
    _verbose_arg(p)
    _server_args(p)
    _screen_args(p)
    p.add_argument("--voice", default="espeak",
                   help="espeak (default), fragments:DIR (recorded voice), qt, or none")
    p.add_argument("--player", default="auto",
                   help="where the sound goes: auto (default), aplay, paplay, pw-play, file:DIR, null")
    p.add_argument("--ticker", default="", help="running text line at the bottom (office notices)")

    p = sub.add_parser("counter", help="the small screen at one counter")
    _verbose_arg(p)
    _server_args(p)
    _screen_args(p)
    p.add_argument("--counter", help="counter id as in office.toml, e.g. 3 (required)")
    p.add_argument("--rating", type=int, choices=(3, 5), default=None,
                   help="a touch screen facing the visitor: ask for a score (3 or 5 keys) after each service")

    p = sub.add_parser("led", help="drive serial LED boards from the calls")
    _verbose_arg(p)
    _server_args(p)
    p.add_argument("--port", help="one board's port SPEC, e.g. serial:/dev/ttyUSB0:9600")
    p.add_argument("--counter", help="with --port: the board hangs over this counter (default: a hall board)")
    p.add_argument("--address", type=int, default=1, help="with --port: board address 1..255 (default 1)")
    p.add_argument("--board", action="append", default=[], metavar="COUNTER=SPEC[@ADDR]",
                   help="a board in a map (repeat): 3=serial:/dev/ttyUSB0@3, hall=serial:/dev/ttyUSB1")
    p.add_argument("--protocol", default="ascii", help="LED protocol (default ascii)")
    p.add_argument("--ack", action="store_true",
                   help="boards answer each frame with ACK: a silent board is then reported as a fault")
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of texts on the boards")

    p = sub.add_parser("buttons", help="call-button pads: a press calls the next visitor")
    _verbose_arg(p)
    _server_args(p)
    p.add_argument("--port", action="append", help="pad line SPEC (repeat for several; required)")

    p = sub.add_parser("rating-pad", help="rating pads: the visitor's score of the service just given")
    _verbose_arg(p)
    _server_args(p)
    p.add_argument("--port", action="append", help="pad line SPEC (repeat for several; required)")
    p.add_argument("--keys", type=int, choices=(3, 5), default=5, help="keys on each pad (default 5)")

    p = sub.add_parser("test-led", help="commissioning: send one text line to an LED board")
    _verbose_arg(p)
    p.add_argument("--port", required=True, help="port SPEC, e.g. serial:/dev/ttyUSB0:9600")
    p.add_argument("--text", default="Проверка табло", help="text to show")

    p = sub.add_parser("test-announce", help="commissioning: speak (or save) one call")
    _verbose_arg(p)
    p.add_argument("--number", default="А112", help="ticket number (default А112)")
    p.add_argument("--counter", default="3", help="counter (default 3)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--out", help="save to this WAV file (or folder) instead of playing")
    return parser


def _need_token(args) -> None:
    """Server and token are required; the token is taken from --token, --token-file or the environment."""
    if not args.server:
        raise SystemExit(f"qdisplay {args.command}: no server: pass --server URL "
                         "or put server = \"…\" in the --config file")
    if not args.token and args.token_file:
        try:
            args.token = read_token_file(args.token_file)
        except TokenFileError as exc:
            raise SystemExit(f"qdisplay {args.command}: {exc}") from None
    args.token = args.token or os.environ.get(TOKEN_ENV)
    if not args.token:
        raise SystemExit(f"qdisplay: no token: pass --token-file FILE, --token or set {TOKEN_ENV} "
                         "(make one with `qserver device add`)")


def _size(text: str) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"qdisplay: --size must look like 1920x1080, got {text!r}") from None
    return w, h


def _run_qt(build, diagnostics: str = "") -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from client_common.diagnostics import Diagnostics
    from client_common.fullscreen import show_full_screen

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("qdisplay")
    thing, widget, fullscreen, size, extra = build()
    if fullscreen:
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
        show_full_screen(widget)
    else:
        widget.resize(*(size or (1280, 720)))
        widget.show()
    thing.start()
    health = Diagnostics(diagnostics, widget, extra) if diagnostics else None
    if health is not None:
        health.start()
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    tick = QTimer(interval=250, timeout=lambda: None)  # lets Python see Ctrl+C
    tick.start()
    try:
        return app.exec()
    finally:
        thing.stop()
        if health is not None:
            health.stop()


def cmd_hall(args) -> int:
    _need_token(args)

    def build():
        from counter_display.apps import HallApp

        hall = HallApp(args.server, args.token, lang=args.lang, ticker=args.ticker,
                       voice=args.voice, player=args.player)

        def extra() -> dict:
            top = hall.board.shown_top
            return {"paints": hall.board.paints, "top": [top.number, top.counter_id] if top else None,
                    "connection": hall.model.connection, "seq": hall.model.seq}
        return hall, hall.board, args.fullscreen, _size(args.size), extra
    return _run_qt(build, args.diagnostics)


def cmd_counter(args) -> int:
    _need_token(args)
    if not args.counter:
        raise SystemExit("qdisplay counter: which counter? pass --counter N or counter = \"N\" under [counter]")

    def build():
        from counter_display.apps import CounterApp

        app = CounterApp(args.server, args.token, args.counter, lang=args.lang, rating_keys=args.rating)

        def extra() -> dict:
            face = app.screen.shown
            return {"shown": [face.main, face.kind] if face else None,
                    "connection": app.model.connection, "seq": app.model.seq}
        return app, app.screen, args.fullscreen, _size(args.size) or (800, 480), extra
    return _run_qt(build, args.diagnostics)


def _wait_for_signal() -> None:
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    while not done.wait(0.5):
        pass


def cmd_led(args) -> int:
    from counter_display.led_bridge import BoardSpec, LedBridge, open_boards, parse_board
    from counter_display.link import RealtimeLink
    from counter_display.server_api import ServerApi, StatusReporter
    from hardware.serial_port import SpecError

    _need_token(args)
    try:
        specs = [parse_board(b, protocol=args.protocol) for b in args.board]
        if args.port:
            specs.append(BoardSpec(args.counter or "hall", args.port, args.address, args.protocol))
        if not specs:
            raise SpecError("name a board: --port SPEC [--counter N] or --board COUNTER=SPEC")
        boards = open_boards(specs, **({"expect_ack": True} if args.ack else {}))
    except SpecError as exc:
        print(f"qdisplay led: {exc}", file=sys.stderr)
        return 2
    reporter = StatusReporter(ServerApi(args.server, args.token))
    bridge = LedBridge(boards, reporter=reporter, lang=args.lang)
    link = RealtimeLink(args.server, args.token, on_snapshot=bridge.on_snapshot, on_state=bridge.on_state,
                        on_called=bridge.on_called,
                        on_status=lambda s, d: logging.getLogger("qdisplay").info("server: %s %s", s, d))
    bridge.start()
    link.start()
    for spec in specs:
        print(f"LED board {spec.address} on {spec.port}: {'every call' if spec.is_hall else 'counter ' + spec.counter}")
    try:
        _wait_for_signal()
    finally:
        link.stop()
        bridge.stop()
        reporter.stop()
    return 0


def _run_pads(args, command: str, build, what: str) -> int:
    """Serial pads (call buttons, rating pads): build the bridge, listen until a signal."""
    from counter_display.server_api import ServerApi, StatusReporter
    from hardware.serial_port import SpecError

    _need_token(args)
    if not args.port:
        raise SystemExit(f"qdisplay {command}: name the pads' lines: --port SPEC or port = [\"…\"] under [{command}]")
    api = ServerApi(args.server, args.token)
    reporter = StatusReporter(api)
    try:
        bridge = build(api, reporter)
    except SpecError as exc:
        print(f"qdisplay {command}: {exc}", file=sys.stderr)
        return 2
    bridge.start()
    print(f"Listening for {what} on {', '.join(args.port)}")
    try:
        _wait_for_signal()
    finally:
        bridge.stop()
        reporter.stop()
    return 0


def cmd_buttons(args) -> int:
    from counter_display.button_bridge import ButtonBridge

    return _run_pads(args, "buttons", lambda api, reporter: ButtonBridge(api, args.port, reporter=reporter),
                     "call buttons")


def cmd_rating_pad(args) -> int:
    from counter_display.rating_bridge import rating_bridge

    return _run_pads(args, "rating-pad", lambda api, reporter: rating_bridge(api, args.port, args.keys,
                                                                             reporter=reporter),
                     f"{args.keys}-key rating pads")


def cmd_test_led(args) -> int:
    from hardware.led_boards import test_led
    from hardware.serial_port import DeviceFault, SpecError

    try:
        frame = test_led(args.port, args.text)
    except (DeviceFault, SpecError) as exc:
        print(f"qdisplay test-led: {exc}", file=sys.stderr)
        return 1
    print(f"sent {len(frame)} bytes: {frame.hex(' ')}")
    return 0


def cmd_test_announce(args) -> int:
    from counter_display.announcer import test_announce

    try:
        path = test_announce(args.number, args.counter, args.lang, args.out)
    except (OSError, ValueError) as exc:
        print(f"qdisplay test-announce: {exc}", file=sys.stderr)
        return 1
    print(f"{'saved' if args.out else 'played'}: {path}")
    return 0


COMMANDS = {"hall": cmd_hall, "counter": cmd_counter, "led": cmd_led, "buttons": cmd_buttons,
            "rating-pad": cmd_rating_pad,
            "test-led": cmd_test_led, "test-announce": cmd_test_announce}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line over the ``--config`` file's values (repeatable options: the line's alone, if any)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "config", None) is None:
        return args
    commands = parser.subparsers.choices
    defaults = file_defaults(args.config, args.command, commands)
    command = commands[args.command]
    for dest, option in command.options.items():
        if option.action == "append" and getattr(args, dest, None):
            defaults.pop(dest, None)  # --port on the line replaces the file's ports, not adds to them
    command.set_defaults(**defaults)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except DisplayConfigError as exc:
        print(f"qdisplay: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
