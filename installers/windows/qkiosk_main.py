"""The entry of qkiosk.exe and qkioskw.exe in the Windows bundle: kiosk.cli behind qoffice_bundle."""
import sys

from qoffice_bundle import run

from kiosk.cli import main

if __name__ == "__main__":
    sys.exit(run("qkiosk", main))
