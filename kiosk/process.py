"""Process-wide set-up shared by `qkiosk`, `qkiosk test-print` and the benchmark (no Qt here)."""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def prepare_process() -> None:
    """Process-wide settings, before python-escpos is first imported (by the first ticket).

    python-escpos 3.1 parses its 1 MB printer database (YAML) on every import and
    caches the result in a fresh temporary folder each time, so it never finds the
    cache again: about a second of every kiosk start. A fixed cache folder makes
    that a one-time cost (and stops a temporary folder being left per start).
    """
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qkiosk"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)
        except OSError:
            log.warning("no cache folder %s: python-escpos will load slowly", cache)
