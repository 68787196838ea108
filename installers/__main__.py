"""``python -m installers packages [ROLE…]`` and ``python -m installers test-install``."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m installers")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("packages", help="build dist/*.deb (needs root: debootstrap, chroot)")
    c.add_argument("roles", nargs="*", choices=["server", "kiosk", "display", []], help="default: all")
    sub.add_parser("test-install", help="install dist/*.deb into a throwaway Debian 12 root and check them")
    args = p.parse_args(argv)
    if args.command == "packages":
        from .debs import build_packages

        build_packages(args.roles or None)
        return 0
    from .install_test import main as test_install

    return test_install()


if __name__ == "__main__":
    sys.exit(main())
