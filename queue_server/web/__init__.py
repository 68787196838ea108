"""Web pages: the operator console (/console) and the office head's dashboard (/dashboard).

`register(api, flask)` adds the pages, their static files, the login form,
two small JSON endpoints and the CSRF check (see docs/web.md).
"""
from .pages import register

__all__ = ["register"]
