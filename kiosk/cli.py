"""`qkiosk`: the ticket kiosk's command line (only gathers arguments, then builds the app).

    qkiosk [--config kiosk.toml] [--server URL] [--token T] [--printer SPEC] ...
    qkiosk test-print --printer SPEC [--width 58|80] [--lang ru|en]
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import KioskConfigError, load_config


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qkiosk", description="Touchscreen ticket kiosk of the electronic queue")
    p.add_argument("--config", type=Path, help="a TOML file with the settings (docs/kiosk.md)")
    p.add_argument("--server", help="office server URL, e.g. http://192.168.1.10:8080")
    p.add_argument("--token", help="the kiosk's device token (visible in ps: prefer --token-file)")
    p.add_argument("--token-file", dest="token_file", metavar="FILE",
                   help="a file holding the device token (mode 600)")
    p.add_argument("--printer", metavar="SPEC", help="usb:VID:PID, serial:DEV[:BAUD], net:HOST[:PORT], "
                                                    "cups:QUEUE, file:PATH or dummy")
    p.add_argument("--width", dest="paper_width", type=int, choices=(58, 80), help="paper width, mm")
    p.add_argument("--lang", dest="language", choices=("ru", "en"), help="default language")
    p.add_argument("--idle-timeout", dest="idle_timeout_s", type=int, metavar="S",
                   help="seconds before an untouched screen returns to the start")
    p.add_argument("--windowed", dest="fullscreen", action="store_false", default=None,
                   help="run in a window instead of full screen")
    p.add_argument("--diagnostics", metavar="FILE", default="",
                   help="write the screen's health (stalls, memory, window) to FILE as JSON once a second")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command")
    t = sub.add_parser("test-print", help="print a sample ticket without a server (commissioning)")
    t.add_argument("--printer", dest="tp_printer", metavar="SPEC", required=True)
    t.add_argument("--width", dest="tp_width", type=int, choices=(58, 80), default=80)
    t.add_argument("--lang", dest="tp_lang", choices=("ru", "en"), default="ru")
    return p


def cmd_test_print(args) -> int:
    from .process import prepare_process

    prepare_process()
    from hardware.printer_spec import PrinterConfigError
    from hardware.printer_status import PrinterFault
    from hardware.ticket_sample import test_print

    try:
        status = test_print(args.tp_printer, args.tp_width, args.tp_lang)
    except PrinterConfigError as exc:
        print(f"qkiosk test-print: {exc}", file=sys.stderr)
        return 2
    except PrinterFault as exc:
        print(f"qkiosk test-print: {exc.message(args.tp_lang)} ({exc})", file=sys.stderr)
        return 1
    print(f"Sample ticket sent to {args.tp_printer} ({args.tp_width} mm); printer status: {status.value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "test-print":
        return cmd_test_print(args)
    overrides = {k: getattr(args, k) for k in ("server", "token", "token_file", "printer", "paper_width", "language",
                                               "idle_timeout_s", "fullscreen")}
    try:
        config = load_config(args.config, overrides)
        from hardware.printer_spec import PrinterConfigError

        from .app import run
        try:
            return run(config, args.diagnostics)
        except PrinterConfigError as exc:
            raise KioskConfigError(str(exc)) from None
    except KioskConfigError as exc:
        print(f"qkiosk: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
