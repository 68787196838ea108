"""The server's catalogs: :func:`server_gettext`, and the shared reader re-exported.

The reader itself is :mod:`client_common.i18n`, shared with the kiosk and the
displays; server modules keep importing it from here.
"""
from __future__ import annotations

from pathlib import Path

from client_common.i18n import (  # noqa: F401 - re-exported for the server's modules
    DEFAULT_LANGUAGE,
    LANGUAGES,
    normalize_language,
    po_messages,
    translations,
)

_HERE = Path(__file__).parent / "locale"


def server_gettext(lang: str | None):
    """``_`` for strings the server itself produces (errors, reasons, reports)."""
    return translations(str(_HERE), "queue_server", normalize_language(lang)).gettext
