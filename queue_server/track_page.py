"""The visitor's tracking page: ``/t/<visit_id>``, the link in the ticket's QR code.

No login and nothing about anyone else: the page renders ``track_view`` (one
ticket) and follows it live over Socket.IO with ``auth: {"visit": id}``, which
joins only that ticket's room. Words come from the kiosk's gettext catalog
(domain "kiosk"): the page is the printed ticket's companion.
"""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask, make_response, render_template, request

from .api.context import office_app
from .i18n import normalize_language, translations
from .realtime import track_view

LOCALE_DIR = Path(__file__).resolve().parent.parent / "kiosk" / "locale"
_VISIT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Every sentence the page (server side and track.js) can show; msgids are English.
PAGE_STRINGS = {
    "title": "Your place in the queue",
    "your_number": "Your number",
    "ahead": "People ahead of you: {n}",
    "nobody_ahead": "You are next",
    "wait": "Estimated wait: about {minutes} min",
    "wait_soon": "You will be called shortly",
    # {counter} is the counter's own name from office.toml ("Касса 4", "Окно 2"), never "counter 4"
    "called": "Please go to {counter} now!",
    "serving": "You are being served at {counter}",
    "finished": "Your visit is complete. Thank you!",
    "no_show": "You were called but did not come. Please go to the administrator.",
    "cancelled": "This ticket was cancelled.",
    "transferred": "You have been sent to another service; please wait to be called.",
    "unknown": "Ticket not found. Check the link on your ticket.",
    "live": "Updates by itself",
    "offline": "No connection; trying again…",
    "updated": "Updated {time}",
    "note": "Keep this page open: the number of people ahead updates by itself.",
}


def page_strings(lang: str) -> dict[str, str]:
    _ = translations(str(LOCALE_DIR), "kiosk", lang).gettext
    return {key: _(msgid) for key, msgid in PAGE_STRINGS.items()}


def _language(visit_lang: str | None) -> str:
    asked = request.args.get("lang")
    if asked in ("ru", "en"):
        return asked
    if visit_lang in ("ru", "en"):
        return visit_lang
    return normalize_language(request.accept_languages.best_match(["ru", "en"]))


def rating_part(app, visit_id: str, lang: str) -> dict:
    """The rating's state for the page ("open": rate now; "later": when the visit is finished;
    "done": rated, too late or nothing to rate) and its words (the appeals catalog)."""
    from .appeal_words import gettext
    from .domain.model import FINISHED

    window = timedelta(hours=app.config.get("ratings.window_hours"))

    def state(office, now) -> str:
        visit = office.visits.get(visit_id)
        if visit is None or visit.rating is not None:
            return "done"
        if visit.closed_at is None:
            return "later"
        ok = visit.current_step.state == FINISHED and now - visit.closed_at <= window
        return "open" if ok else "done"

    T = gettext(lang)
    return {"state": app.service.read(state) if _VISIT_ID.match(visit_id) else "done", "T": T,
            "strings": {"offline": T("No connection; try again.")}}


def register(api, flask: Flask) -> None:
    def track_page(visit_id: str):
        app = office_app()
        known = bool(_VISIT_ID.match(visit_id))
        view = app.service.read(lambda o, now: track_view(o, visit_id, now)) if known else {
            "visit_id": "", "known": False}
        lang = _language(view.get("lang"))
        catalog = app.config.catalog
        service = catalog.services.get(view.get("service_id") or "")
        html = render_template(
            "track.html", lang=lang, view=view, strings=page_strings(lang), rating=rating_part(app, visit_id, lang),
            office=catalog.office_name, service=service.name(lang) if service else "",
            services={s.id: s.name(lang) for s in catalog.services.values()} if view["known"] else {},
            counters={c.id: c.name for c in catalog.counters.values()} if view["known"] else {})
        resp = make_response(html, 200 if view["known"] else 404)
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Robots-Tag"] = "noindex"
        resp.headers["Content-Language"] = lang
        return resp

    flask.add_url_rule("/t/<visit_id>", "track_page", track_page, methods=["GET"])
