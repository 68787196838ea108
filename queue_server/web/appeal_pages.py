"""Pages of the appeals registry.

* `/a/<code>` — the customer's status page (§7.5), the link in the slip's QR:
  status and dates, nothing personal; a code that is not one, or unknown, gets
  the same "not found"; rate-limited per address like its JSON twin.
* `/appeals` — staff: register an appeal for any channel; the head and the
  administrator also work the registry (extend, decide, the customer's word).
* `/appeals/<code>/slip` — the printable acknowledgement, for a counter without a
  slip printer; `/appeals/<code>/letter?about=…` — the written acknowledgement,
  extension notice or answer for the post (§7.3, §7.6–7.8).

Strings come from the "appeals" catalog (appeal_words.gettext, `T` in templates).
"""
from __future__ import annotations

from flask import Flask, abort, make_response, redirect, render_template, request

from .. import appeal_words as aw
from ..api.spec import ApiError
from ..domain.appeals import spaced_code
from ..domain.codes import read_code
from ..domain.errors import NotFound
from ..domain.events import parse_at
from ..i18n import normalize_language
from . import security as sec
from .lang import current_lang, js_strings, page_gettext, remember_lang
from .pages import base_context

PAGE_STRINGS = (  # what the registry's scripts show (shipped translated: `w("…")` in appeals*.js, registry.js)
    "Registered: {code}. Answer due by {due}.", "The slip is printed at the counter.",
    "The slip did not print: {message}", "Overdue by {days} d.", "{days} d. left", "due today", "No appeals here.",
    "Choose the kind and the topic.", "Write what the customer asks or complains about.", "Register an appeal",
    "Appeal…", "Registered", "Extended", "Decided", "Customer's answer", "Slip", "E-mail", "sent", "not sent",
    "accepted", "not accepted", "by {who}", "the visitor, from a rating",
    "Appeals: {overdue} overdue, {soon} due within {days} days", "Nothing is due within {days} days; nothing overdue.",
    "And {n} more: the registry")


FACT_LABELS = {  # the appeal's record on the registry page
    "kind": "Kind", "topic": "Topic", "channel": "Channel", "service": "Service", "registered": "Registered",
    "due": "Answer due by", "contract": "Contract number", "contact": "Contact",
    "text": "What the customer says (the appeal)", "requested": "What the customer asks to be done",
    "measures": "Done at once", "decision": "Decision", "answer": "The answer", "repeat_of": "Repeats the complaint",
    "missing": "The record lacks", "missing_service": "the service", "missing_contract": "the contract number",
    "missing_contact": "a contact"}


def T_for(lang: str):
    return aw.gettext(lang)


def qr_svg(url: str) -> str:
    """The status link's QR code as inline SVG (printable pages; the slip printer draws its own)."""
    import qrcode
    import qrcode.image.svg

    return qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10).to_string(encoding="unicode")


def appeal_ui(lang: str | None = None) -> dict:
    """What a page's appeal parts need (a template global): `T` of the appeals catalog, the
    words, and the settings their scripts read from #appeal-config."""
    app = sec.office_app()
    catalog = app.config.catalog
    lang = lang or current_lang()
    T = T_for(lang)
    principal = sec.session_principal()
    config = {"lang": lang, "timezone": catalog.timezone,
              "counter_id": principal.counter_id if principal else None,
              "role": principal.role if principal else None,
              "services": {s.id: s.name(lang) for s in catalog.services.values()},
              "words": aw.words(lang), "w": {k: T(k) for k in PAGE_STRINGS},
              "due_soon_days": app.config.get("appeals.due_soon_days"),
              "printers": sorted(app.config.counter_printers),
              "labels": {k: T(v) for k, v in FACT_LABELS.items()}}
    return {"T": T, "words": config["words"], "config": config}


def register(api, flask: Flask) -> None:
    def status_page(code: str):
        app = sec.office_app()
        lang = request.args.get("lang") if request.args.get("lang") in ("ru", "en") else normalize_language(
            request.accept_languages.best_match(["ru", "en"]) or app.config.catalog.language)
        T = T_for(lang)
        status = 200
        try:
            app.public_limits["status"].check()
            clean = read_code(code)
            view = app.service.read(lambda o, now: {**o.appeals.get(clean or "").public(),
                                                    "overdue": o.appeals.get(clean or "").overdue(now)})
        except NotFound:
            view, status = None, 404
        except ApiError:
            view, status = None, 429
        tz = app.config.catalog.timezone
        dates = {}
        if view:
            for key in ("registered_at", "decided_at"):
                if view.get(key):
                    dates[key] = aw.local_time(parse_at(view[key]), tz, lang)
            dates["due"] = aw.local_date(parse_at(view["due_at"]), tz, lang)
        html = render_template("appeal_status.html", T=T, lang=lang, view=view, status=status, dates=dates,
                               office=app.config.catalog.office_name, code=(code or "")[:20],
                               status_words=aw.words(lang)["status"])
        resp = make_response(html, status)
        resp.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                             "X-Robots-Tag": "noindex", "Content-Language": lang})
        return resp

    def lookup():
        code = read_code(request.args.get("code", ""))
        return status_page(code or request.args.get("code", "")[:20] or "-")

    def registry_page():
        _ = page_gettext()
        p = sec.session_principal()
        if p is None or not p.is_staff:
            return redirect("/dashboard")  # its login form; the head and the console link back here
        lang = current_lang()
        common = {"lang": lang, "csrf": sec.csrf_token(), "strings": js_strings(_)}  # common.js's settings
        html = render_template("web/appeals.html", **base_context(_, p), T=T_for(lang), page_config=common,
                               heads=p.role in ("head", "admin"))
        # not a route of the web blueprint: store its CSRF token and language as its pages do
        return remember_lang(sec.save_cookies(make_response(html)))

    def printable(code: str, template: str):
        p = sec.session_principal()
        if p is None or not p.is_staff:
            abort(403)
        app = sec.office_app()
        lang = current_lang()
        T = T_for(lang)
        try:
            appeal = app.service.read(lambda o, now: o.appeals.get(code))
        except NotFound:
            abort(404)
        catalog = app.config.catalog
        service = catalog.services.get(appeal.service_id or "")
        notices = app.appeal_notices
        context = {"T": T, "lang": lang, "a": appeal, "office": catalog.office_name,
                   "service": service.name(lang) if service else "", "words": aw.words(lang),
                   "url": notices.url(appeal.code), "qr": qr_svg(notices.url(appeal.code)),
                   "code": spaced_code(appeal.code),
                   "registered": aw.local_time(appeal.registered_at, catalog.timezone, lang),
                   "due": aw.due_date_words(appeal.due_date, lang),
                   "today": aw.local_date(app.clock.now(), catalog.timezone, lang)}
        if template.endswith("letter.html"):
            about = request.args.get("about", "ack")
            context["letter"] = notices.letter(appeal, about if about in ("ack", "extension", "answer") else "ack")
        resp = make_response(render_template(template, **context))
        resp.headers["Cache-Control"] = "no-store"
        return resp

    flask.jinja_env.globals["appeal_ui"] = appeal_ui
    flask.add_url_rule("/a/<code>", "appeal_status", status_page, methods=["GET"])
    flask.add_url_rule("/a", "appeal_lookup", lookup, methods=["GET"])
    flask.add_url_rule("/appeals", "appeals_page", registry_page, methods=["GET"])
    flask.add_url_rule("/appeals/<code>/slip", "appeal_slip_page",
                       lambda code: printable(code, "web/appeal_slip.html"), methods=["GET"])
    flask.add_url_rule("/appeals/<code>/letter", "appeal_letter_page",
                       lambda code: printable(code, "web/appeal_letter.html"), methods=["GET"])
