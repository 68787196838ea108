"""``python -m installers packages [ROLE…]``, ``test-install`` and ``windows [ROLE…]``.

Nothing beyond the standard library is imported before a command is chosen:
``windows`` runs on a bare Python 3.11 on Windows too.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m installers")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("packages", help="build dist/*.deb (needs root: debootstrap, chroot)")
    c.add_argument("roles", nargs="*", choices=["server", "kiosk", "display", []], help="default: all")
    sub.add_parser("test-install", help="install dist/*.deb into a throwaway Debian 12 root and check them")
    w = sub.add_parser("windows", help="build the Windows bundles of qkiosk and qdisplay into dist/windows "
                                        "(PyInstaller, docs/install.md)")
    w.add_argument("roles", nargs="*", choices=["kiosk", "display", []], help="default: both")
    w.add_argument("--requirements", action="store_true",
                   help="only rewrite installers/windows/*-requirements.txt from requirements.lock")
    args = p.parse_args(argv)
    if args.command == "windows":
        from .bundles import build, write_requirements

        if args.requirements:
            write_requirements()
        else:
            build(args.roles or None)
        return 0
    if args.command == "packages":
        from .debs import build_packages

        build_packages(args.roles or None)
        return 0
    from .install_test import main as test_install

    return test_install()


if __name__ == "__main__":
    sys.exit(main())
