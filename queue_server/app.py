"""Wiring: builds the one office application for production and tests alike.

Everything an office needs is constructed here from its data folder, with
defaults made inside the function (never at import time), so a test builds
exactly what `qserver run` builds, only with a fake clock.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .adapters import oplog
from .adapters.central_push import start_central_push
from .adapters.notify import Delivery, Notifier, Outcome, notify_channels
from .adapters.storage_faults import classify
from .api import (
    http_log,
    routes_admin,
    routes_appeals,
    routes_bookings,
    routes_counter,
    routes_hall,
    routes_journal,
)
from .api.booking_guard import BookingGuard
from .api.public_limit import PublicLimit
from .api.spec import Api, ApiError, openapi_document
from .auth import Accounts, AuthError, password_hasher
from .backup import backup_now, clean_leftovers, prune
from .clock import SystemClock
from .config import OfficeConfig, load_config
from .domain import events as ev
from .domain.commands import EndOfDay, MarkBookingNoShows
from .domain.errors import DomainError
from .i18n import server_gettext
from .journal_store import JournalStore
from .realtime import Limits, Realtime
from .report_service import refresh_facts, write_day
from .scheduler import DailyJob, Scheduler, after_closing, at_local
from .service import OfficeService
from .service.admin import Administration
from .service.appeal_jobs import blank_expired_appeals, journal_outcomes, send_digest
from .service.appeal_notices import AppealNotices
from .service.booking_notices import BookingNotices
from .service.device_watch import DeviceWatch
from .service.sessions import end_taken_over_sessions

log = logging.getLogger(__name__)
DB_NAME = "office.sqlite"
CONFIG_NAME = "office.toml"


@dataclass
class OfficeApp:
    data_dir: Path
    config: OfficeConfig
    store: JournalStore
    clock: object
    accounts: Accounts
    service: OfficeService
    realtime: Realtime
    flask: Flask
    api: Api
    base_url: str = ""
    extras: dict = field(default_factory=dict)
    notifier: Notifier | None = None  # the office's one sender of e-mail and SMS
    appeal_notices: AppealNotices | None = None
    public_limits: dict[str, PublicLimit] = field(default_factory=dict)
    admin: Administration | None = None  # staff and devices (service/admin.py)
    devices: DeviceWatch | None = None  # heartbeats, devices down (service/device_watch.py)

    @property
    def asgi(self):
        """The whole server as an ASGI app (queue_server/serve.py)."""
        from .serve import build_asgi

        return build_asgi(self)

    def track_url(self, visit_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/t/{visit_id}"

    def manage_url(self, code: str) -> str:
        """A booking's page: the link in its confirmation."""
        return f"{self.base_url.rstrip('/')}/b/{code}"

    def close(self) -> None:
        self.realtime.stop()
        for stop in self.extras.get("stoppers", []):
            stop()
        self.store.close()
        oplog.event(log, "server.stop", data=str(self.data_dir))


def software_version() -> str:
    try:
        return version("queue-office")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _day_over(service: OfficeService, when: str) -> None:
    """Tickets are for one day: cancel earlier days' tickets still waiting, and say how many;
    mark the bookings nobody came for."""
    cancelled = service.handle(EndOfDay())
    missed = service.handle(MarkBookingNoShows())
    oplog.event(log, "day.over", when=when, cancelled=len(cancelled), booking_no_shows=len(missed))


def create_app(data_dir: Path, clock=None, base_url: str | None = None) -> OfficeApp:
    data_dir = Path(data_dir)
    config = load_config(data_dir / CONFIG_NAME)
    clock = clock or SystemClock()
    store = JournalStore(data_dir / DB_NAME)
    clean_leftovers(data_dir)
    accounts = Accounts(store, config.get("server.token_hours"), hasher_for(config))
    for account in config.staff:
        if account.password_hash:
            accounts.add_user(account.login, account.role, name=account.name,
                              password_hash=account.password_hash, now=clock.now())
    service = OfficeService(config, store, clock)
    service.on(ev.COUNTER_CLOSED, end_taken_over_sessions(accounts))
    _day_over(service, "start")  # the server may have been off at midnight
    realtime = Realtime(service, accounts, Limits(config.get("limits.public_sockets_per_address"),
                                                  config.get("limits.staff_sockets_per_address")))
    flask = Flask("queue_server")
    flask.config["JSON_AS_ASCII"] = False
    flask.json.ensure_ascii = False
    flask.config["MAX_CONTENT_LENGTH"] = 512 * 1024 * 1024
    http_log.install(flask, access_log=config.get("log.access"))  # first: see its docstring
    api = Api("api")
    routes_hall.register(api)
    routes_counter.register(api)
    routes_journal.register(api)
    routes_bookings.register(api)
    routes_appeals.register(api)
    routes_admin.register(api)
    for module in _web_modules():
        module.register(api, flask)
    flask.register_blueprint(api.bp)
    if base_url is None:
        base_url = config.get("server.public_url") or (
            f"http://{config.get('server.host')}:{config.get('server.port')}")
    app = OfficeApp(data_dir, config, store, clock, accounts, service, realtime, flask, api, base_url)
    app.notifier = Notifier(notify_channels(config.get), _outcomes(app))
    app.extras.setdefault("stoppers", []).append(app.notifier.stop)
    app.appeal_notices = AppealNotices(app.notifier, config.catalog.office_name, config.catalog.timezone,
                                       config.catalog.language, base_url)
    # anyone may ask an appeal's status or rate a visit: a few tries a minute per address
    # (and the public booking endpoints, booking.public_per_minute: docs/bookings.md)
    per_minute = config.get("booking.public_per_minute")
    app.public_limits = {"status": PublicLimit(burst=20, per_minute=10), "rating": PublicLimit(burst=10, per_minute=10),
                         "booking": PublicLimit(burst=max(1, per_minute), per_minute=per_minute)}
    _watch_devices(app)
    flask.extensions["office"] = app
    _wire_bookings(app)
    _install_error_handlers(flask)

    @flask.get("/api/openapi.json")
    def openapi():
        catalog = config.catalog
        enums = {"counter_id": list(catalog.counters), "service_id": list(catalog.services)}
        return jsonify(openapi_document(api, f"{catalog.office_name} — queue API", enums))

    scheduler = Scheduler(clock, config.catalog.timezone, _daily_jobs(app))
    app.extras["scheduler"] = scheduler
    app.extras.setdefault("stoppers", []).append(scheduler.stop)
    realtime.start()
    scheduler.start()
    app.extras["booking_notices"].catch_up(clock.now(), config.booking.remind_at)
    start_central_push(app)
    problem = store.write_problem()
    oplog.event(log, "server.start", logging.ERROR if problem else logging.INFO, version=software_version(),
                data=str(data_dir.resolve()), layout=store.layout, seq=service.office.last_seq,
                public_url=base_url, journal_problem=problem[1] if problem else None)
    return app


def _watch_devices(app: OfficeApp) -> None:
    """Administration, the device watch, and the sweep that also sees account changes made
    by another process (`qserver user disable` while the server runs)."""
    app.admin = Administration(app.service, app.accounts)
    app.devices = DeviceWatch(app.service, app.accounts, app.config.get("devices.silent_after_s"), app.config.hours)
    app.devices.every_second.append(lambda: app.accounts.sync(app.realtime.live_digests()))
    app.devices.start()
    app.extras.setdefault("stoppers", []).append(app.devices.stop)


def _wire_bookings(app: OfficeApp) -> None:
    """The booking messages the office's one sender carries, and the proof of work asked of
    public bookings past their free ones (docs/bookings.md)."""
    config = app.config
    app.extras["booking_notices"] = BookingNotices(app.service, app.notifier, app.manage_url)
    app.extras["booking_guard"] = BookingGuard(config.get("booking.unchallenged_per_hour"),
                                               config.get("booking.challenge_bits"), app.clock.now)


def _outcomes(app: OfficeApp) -> Outcome:
    """The one sender's outcomes, each to the feature that sent the message (by its `ref`): a
    booking's to its notices (`booking.notified`), every other (appeals) to `message.sent` /
    `message.failed`."""
    journal = journal_outcomes(app.service)

    def route(delivery: Delivery, error: str | None) -> None:
        if "booking" in delivery.ref:
            app.extras["booking_notices"].outcome(delivery, error)
        else:
            journal(delivery, error)
    return route


def _daily_jobs(app: OfficeApp) -> list[DailyJob]:
    config = app.config

    def nightly_backup(local):
        # expired free text goes first, so that no backup from tonight on holds it
        keep = timedelta(days=config.get("privacy.keep_personal_days"))
        blanked = app.store.blank_texts(local - keep)
        oplog.event(log, "privacy.blanked", events=blanked, before=(local - keep).isoformat())
        forget_bookings(local)
        blank_expired_appeals(app, local)
        backup_now(app.store, app.data_dir, local.date().isoformat())
        prune(app.data_dir, config.get("backup.keep_days"))

    def forget_bookings(local):
        """A booking's name and contacts: kept `privacy.keep_booking_days` after its slot."""
        before = local - timedelta(days=config.get("privacy.keep_booking_days"))
        blanked = app.store.blank_bookings(before)
        oplog.event(log, "privacy.bookings_blanked", bookings=blanked, slots_before=before.isoformat())
        app.service.read(lambda office, now: office.bookings.blank_personal(before))
        app.service.read(lambda office, now: office.bookings.forget_before(local - timedelta(days=2)))

    def closed_day_reports(local):
        paths = write_day(app.store, config.catalog, app.data_dir, local.date(), hours=config.hours)
        oplog.event(log, "reports.written", day=local.date().isoformat(), paths=[str(p) for p in paths])

    def reminders(local):
        app.extras["booking_notices"].remind(local.date() + timedelta(days=1))

    jobs = [DailyJob("day over", at_local("00:00"), lambda local: _day_over(app.service, "midnight")),
            DailyJob("facts", at_local("00:05"), lambda local: refresh_facts(app.store, config.catalog, local.date())),
            DailyJob("backup", at_local(config.get("backup.time")), nightly_backup),
            DailyJob("appeals digest", at_local(config.get("appeals.digest_time")), lambda local: send_digest(app, local)),
            DailyJob("booking reminders", at_local(config.booking.remind_at.strftime("%H:%M")), reminders),
            # before the closed day's reports, which count them
            DailyJob("booking no-shows", after_closing(config.hours, 0),
                     lambda local: app.service.handle(MarkBookingNoShows()))]
    if config.get("reports.write_at_close"):
        jobs.append(DailyJob("reports", after_closing(config.hours, config.get("reports.delay_min")),
                             closed_day_reports))
    return jobs


def hasher_for(config: OfficeConfig):
    return password_hasher(config.get("security.argon2_time_cost"), config.get("security.argon2_memory_kib"))


def _web_modules() -> list:
    """Parts that add routes of their own (web pages, reports)."""
    from . import booking_page, track_page, web
    from .api import routes_reports
    from .web import appeal_pages

    return [web, track_page, booking_page, routes_reports, appeal_pages]


def _error(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


def _lang() -> str:
    return request.accept_languages.best_match(["ru", "en"]) or "ru"


def _install_error_handlers(flask: Flask) -> None:
    @flask.errorhandler(DomainError)
    @flask.errorhandler(AuthError)
    def domain_error(exc: DomainError | AuthError):
        _ = server_gettext(_lang())
        message = _(exc.template).format(**exc.params) if exc.params else _(exc.template)
        details = {k: v for k, v in exc.params.items() if isinstance(v, str | int | float)}
        response, status = _error(exc.status, exc.code, message, details)
        if getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response, status

    @flask.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return _error(exc.status, exc.code, exc.message, exc.details)

    @flask.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response, status = _error(exc.code or 400, (exc.name or "error").lower().replace(" ", "_"),
                                  exc.description or "")
        for name, value in exc.get_headers():  # Allow on 405, Retry-After on 429
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @flask.errorhandler(sqlite3.Error)
    @flask.errorhandler(OSError)
    def storage_error(exc: Exception):
        """A full disk or an unwritable journal: say so (507/503), not "500"."""
        fault = classify(exc)
        if fault is None:
            return unexpected(exc)
        oplog.event(log, fault.event, logging.ERROR, method=request.method, path=request.path,
                    code=fault.code, error=str(exc))
        _ = server_gettext(_lang())
        return _error(fault.status, fault.code, _(fault.message))

    @flask.errorhandler(Exception)
    def unexpected(exc: Exception):
        oplog.event(log, "http.unexpected", logging.ERROR, exc_info=exc, method=request.method,
                    path=request.path)
        return _error(500, "internal", "Something went wrong on the server; the action was not done")
