"""The office's bookings for staff: a panel on the console and the dashboard (today's
bookings with their state, check-in and cancel for a caller, "book for a caller"), and the
same as a page of its own, ``/bookings``, for contact-centre clerks who work at no counter.

The panel is one include (templates/web/bookings_panel.html) with its own script
(static/bookings.js), so the console and the dashboard change by one line each; its words
are the pages' "web" catalog (BOOKING_PANEL_STRINGS for the script). Everything it does goes through the bookings API with the page's
session cookie and CSRF token, as the console's actions do.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template

from . import security as sec
from .lang import BOOKING_PANEL_STRINGS, current_lang, page_gettext

STAFF_ROLES = ("operator", "head", "admin")

def panel_config(principal) -> dict:
    """What the panel's script needs: words, services that take bookings, the token, dates."""
    app = sec.office_app()
    lang = current_lang()
    _ = page_gettext(lang)
    catalog, rules = app.config.catalog, app.config.booking
    today = app.clock.now().astimezone(app.service.office.tz).date()
    return {
        "lang": lang, "csrf": sec.csrf_token(), "today": today.isoformat(),
        "last_day": (today + timedelta(days=rules.horizon_days)).isoformat(),
        "services": {s.id: s.name(lang) for s in catalog.services.values() if rules.bookable(catalog, s.id)},
        "names": {s.id: s.name(lang) for s in catalog.services.values()},
        "strings": {s: _(s) for s in BOOKING_PANEL_STRINGS},
        "can_book": principal is not None and principal.role in STAFF_ROLES,
        "keep_days": app.config.get("privacy.keep_booking_days"), "timezone": catalog.timezone,
    }


def register(bp: Blueprint, flask) -> None:
    """The panel's helpers for the web templates, and the /bookings page on the web blueprint."""
    flask.jinja_env.globals.update(booking_panel_config=panel_config)

    @bp.get("/bookings")
    def bookings():
        from .lang import page_gettext
        from .pages import base_context  # late: pages imports this module

        _ = page_gettext()
        p = sec.session_principal()
        if p is None:  # the login form, back here after it (pages.PAGES), no counter asked
            return render_template("web/login.html", **base_context(_, None), target="bookings", error=None,
                                   notice=None, counters=[], taken_by=None, chosen=None, login_value="")
        if p.kind != "staff":
            return render_template("web/refused.html", **base_context(_, p), title=_("Not for this account"),
                                   message=_("Bookings are for staff."),
                                   config={"lang": current_lang(), "csrf": sec.csrf_token(), "strings": {}},
                                   link=None), 403
        return render_template("web/bookings.html", **base_context(_, p))
