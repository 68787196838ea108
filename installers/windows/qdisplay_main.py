"""The entry of qdisplay.exe and qdisplayw.exe in the Windows bundle: counter_display.cli behind qoffice_bundle."""
import sys

from qoffice_bundle import run

from counter_display.cli import main

if __name__ == "__main__":
    sys.exit(run("qdisplay", main))
