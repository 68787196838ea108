"""`qserver`: the office server's command line.

Only gathers arguments and builds the same app object the tests build.
Command names and options are pinned: installers and our checks use them.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sqlite3
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from .adapters import oplog
from .adapters.db_files import Busy
from .adapters.migrations import SchemaError
from .app import CONFIG_NAME, DB_NAME, create_app, hasher_for
from .auth import Accounts
from .config import ConfigError, load_config, qr_link_problem
from .journal_io import Fingerprint, ImportRefused, counted, iter_jsonl, to_jsonl
from .journal_store import JournalStore

EXAMPLE = Path(__file__).with_name("office.example.toml")
DEMO_PASSWORD = "demo-office-2468"
DEMO_STAFF = [("operator1", "operator"), ("operator2", "operator"), ("operator3", "operator"),
              ("operator4", "operator"), ("head", "head"), ("admin", "admin")]


def _now() -> datetime:
    return datetime.now(UTC)


def demo_config() -> str:
    """The example office, open round the clock so `make run` works at any hour."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = re.sub(r"\[hours\.\w+\]\n(?:\w+ = .*\n)+", "", text)
    return 'hours = "always"   # the demo office never closes\n\n' + text


def cmd_init(args) -> int:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    target = data / CONFIG_NAME
    if target.exists() and not args.force:
        print(f"{target} already exists (use --force to overwrite)", file=sys.stderr)
        return 1
    shutil.copyfile(EXAMPLE, target)
    load_config(target)
    JournalStore(data / DB_NAME).close()
    print(f"Wrote {target}. Edit it, add staff with `qserver user add`, then `qserver run --data {data}`.")
    return 0


def _serve(data: Path, host: str, port: int, base_url: str) -> None:
    from .serve import serve

    serve(create_app(data, base_url=base_url), host, port)


def start_refused(data: Path) -> str | None:
    """Why the office would not start, or None: its start-up replay, run before
    serving, so that a journal the office cannot apply stops `qserver run` with
    a message naming the event and `qserver doctor`, never a worker's traceback."""
    from .clock import SystemClock
    from .service import OfficeService, ReplayRefused

    store = JournalStore(data / DB_NAME)
    try:
        OfficeService(load_config(data / CONFIG_NAME), store, SystemClock())
    except ReplayRefused as exc:
        return str(exc)
    finally:
        store.close()
    return None


def cmd_run(args) -> int:
    """Everything that can stop the start is checked here, in this process, so that
    the installer reads one clear line instead of a worker's traceback."""
    config = load_config(Path(args.data) / CONFIG_NAME)
    host = args.host or config.get("server.host")
    port = args.port or config.get("server.port")
    problem = qr_link_problem(config, host, port)
    if problem:
        print(f"qserver: {problem}", file=sys.stderr)
        return 2
    oplog.setup()
    JournalStore(Path(args.data) / DB_NAME).close()  # finishes a killed restore, upgrades, or refuses
    base_url = config.get("server.public_url") or f"http://{host}:{port}"
    refused = start_refused(Path(args.data))
    if refused:
        print(f"qserver run: the office does not start: {refused}", file=sys.stderr)
        return 3
    _serve(Path(args.data), host, port, base_url)
    return 0


def cmd_doctor(args) -> int:
    """Read-only unless --set-aside: see queue_server/doctor.py and docs/journal.md."""
    from .doctor import examine, report

    data = Path(args.data)
    found = examine(data, _now(), DB_NAME, CONFIG_NAME)
    if args.set_aside:
        problems = {p.seq: p.why for p in found.blocking + found.journal if p.seq is not None}
        unknown = [s for s in args.set_aside if s not in problems]
        if unknown:
            print(f"qserver doctor: doctor finds nothing wrong with seq {', '.join(map(str, unknown))}: "
                  "nothing was set aside", file=sys.stderr)
            return 2
        store = JournalStore(data / DB_NAME)
        try:
            for seq in args.set_aside:
                done = store.set_aside(seq, problems[seq])
                print(f"Set aside seq {', '.join(map(str, done))} (kept in the journal as journal.set_aside).")
        finally:
            store.close()
        found = examine(data, _now(), DB_NAME, CONFIG_NAME)
    sys.stdout.write(report(found, data))
    return 0 if found.starts else 1


DEMO_DEVICES = (("kiosk", "demo-kiosk", "kiosk"), ("display", "demo-hall-board", "display"))
DEMO_TOKENS = "demo-devices.json"  # the demo's own folder: a demo, not an office


def demo_devices(data: Path, admin, accounts: Accounts, now: datetime) -> dict[str, str]:
    """The demo's device tokens: the ones it printed last time while they still work (a kiosk
    started from the printed command keeps working across `make run`s), else new ones, which
    replace the old devices (their tokens stop working). Kept in DATA/demo-devices.json."""
    import json

    from .auth import AuthError
    from .service.authz import SYSTEM

    path = data / DEMO_TOKENS
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    tokens = {}
    for key, name, kind in DEMO_DEVICES:
        token = kept.get(key) if isinstance(kept, dict) else None
        try:
            p = accounts.authenticate(token, now) if isinstance(token, str) else None
        except AuthError:
            p = None
        if p is None or (p.kind, p.subject, p.role) != ("device", name, kind):
            token = admin.add_device(name, kind, SYSTEM)
        tokens[key] = token
    if tokens != kept:
        tmp = path.with_suffix(".partial")
        tmp.write_text(json.dumps(tokens), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return tokens


def cmd_demo(args) -> int:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    target = data / CONFIG_NAME
    if not target.exists():
        target.write_text(demo_config(), encoding="utf-8")
    store, accounts, admin = _administration(args)
    now = _now()
    try:
        for login, role in DEMO_STAFF:
            if accounts.user(login) is None:
                accounts.add_user(login, role, DEMO_PASSWORD, name=login.capitalize(), now=now)
        tokens = demo_devices(data, admin, accounts, now)
    finally:
        store.close()
    config = load_config(target)
    base = config.get("server.public_url") or f"http://{args.host}:{args.port}"
    problem = qr_link_problem(config, args.host, args.port)
    if problem:
        print(f"qserver demo: warning: {problem}", file=sys.stderr)
    refused = start_refused(data)
    if refused:
        print(f"qserver demo: the office does not start: {refused}", file=sys.stderr)
        return 3
    print(f"""
Demo office is starting on {base}

  Operator console:   {base}/console     (operator1 … operator4 / {DEMO_PASSWORD})
  Head's dashboard:   {base}/dashboard   (head / {DEMO_PASSWORD}, admin / {DEMO_PASSWORD})
  Staff and devices:  {base}/admin       (admin / {DEMO_PASSWORD})
  API description:    {base}/api/openapi.json
  Kiosk:              qkiosk --server {base} --token {tokens["kiosk"]}
  Hall board:         qdisplay hall --server {base} --token {tokens["display"]}

Data folder: {data.resolve()}   (stop with Ctrl+C)
""", flush=True)
    oplog.setup()
    _serve(data, args.host, args.port, base)
    return 0


def _store(args) -> JournalStore:
    load_config(Path(args.data) / CONFIG_NAME)
    return JournalStore(Path(args.data) / DB_NAME)


def _accounts(args, store: JournalStore) -> Accounts:
    return Accounts(store, hasher=hasher_for(load_config(Path(args.data) / CONFIG_NAME)))


def _administration(args):
    """The store, its accounts and the administration that journals each act, as the server
    builds them (no office state: administration needs none). The caller closes the store."""
    from .clock import SystemClock
    from .service import OfficeService
    from .service.admin import Administration

    config = load_config(Path(args.data) / CONFIG_NAME)
    store = JournalStore(Path(args.data) / DB_NAME)
    accounts = Accounts(store, hasher=hasher_for(config))
    return store, accounts, Administration(OfficeService(config, store, SystemClock(), replay=False), accounts)


def _admin_act(args, act, done: str) -> int:
    """Run one act for the command line (the server's own shell: `operator` null, via "cli")."""
    from .domain.errors import DomainError
    from .service.admin import Unchanged
    from .service.authz import SYSTEM

    store, _accounts, admin = _administration(args)
    try:
        act(admin, SYSTEM)
    except Unchanged as exc:
        print(f"{exc}; nothing to do.")
        return 0
    except DomainError as exc:
        print(f"qserver: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(done)
    return 0


def cmd_user_add(args) -> int:
    return _admin_act(args, lambda admin, who: admin.add_user(args.login, args.role, args.password,
                                                              args.name or "", who),
                      f"User {args.login} ({args.role}) saved.")


def _new_password(args) -> str:
    if args.password:
        return args.password
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"New password for {args.login}: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("qserver: the two passwords differ; nothing was changed")
    return first


def cmd_user_passwd(args) -> int:
    password = _new_password(args)
    return _admin_act(args, lambda admin, who: admin.set_password(args.login, password, who),
                      f"Password of {args.login} changed; its sessions are ended.")


def cmd_user_disable(args) -> int:
    return _admin_act(args, lambda admin, who: admin.disable_user(args.login, who),
                      f"User {args.login} disabled: it cannot log in, its sessions are ended.")


def cmd_user_enable(args) -> int:
    return _admin_act(args, lambda admin, who: admin.enable_user(args.login, who),
                      f"User {args.login} may log in again.")


def cmd_user_remove(args) -> int:
    return _admin_act(args, lambda admin, who: admin.remove_user(args.login, who),
                      f"User {args.login} removed; its sessions are ended.")


def cmd_user_list(args) -> int:
    store = _store(args)
    try:
        users = Accounts(store).users()
    finally:
        store.close()
    rows = [("LOGIN", "ROLE", "STATUS", "NAME", "ADDED")]
    rows += [(u.login, u.role, f"disabled since {u.disabled_at}" if u.disabled_at else "active", u.name or "",
              u.created_at or "") for u in users]
    _print_table(rows)
    return 0


def cmd_device_add(args) -> int:
    token: list[str] = []
    code = _admin_act(args, lambda admin, who: token.append(admin.add_device(args.name, args.kind, who)),
                      f"Device {args.name} ({args.kind}) added; a device of that name had its old token "
                      "revoked. Its token (shown once):")
    if token:
        print(token[0])
    return code


def cmd_device_revoke(args) -> int:
    return _admin_act(args, lambda admin, who: admin.revoke_device(args.name, who),
                      f"Device {args.name} revoked: its token no longer works, its connections are closed.")


def cmd_device_list(args) -> int:
    from .service.device_watch import DeviceWatch

    config = load_config(Path(args.data) / CONFIG_NAME)
    store, accounts, admin = _administration(args)
    try:
        status = DeviceWatch(admin.service, accounts, config.get("devices.silent_after_s"), config.hours).status()
        devices = accounts.devices()
    finally:
        store.close()
    rows = [("NAME", "KIND", "STATE", "LAST HEARD", "ADDED")]
    for d in devices:
        s = status.get(d.name, {})
        state = s.get("state", "never")
        if state == "down":
            state = f"down since {s.get('down_since')}"
        rows.append((d.name, d.kind, state, s.get("last_seen") or d.last_seen_at or "never", d.created_at or ""))
    _print_table(rows)
    return 0


def _print_table(rows: list[tuple]) -> None:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def cmd_export(args) -> int:
    store = _store(args)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for line in to_jsonl(store.events_after(args.after)):
            out.write(line)
    finally:
        if args.out:
            out.close()
        store.close()
    return 0


def cmd_import(args) -> int:
    """All or nothing, in constant memory: one pass checks every line (against the
    event schema and what the office could apply after its journal), a second
    imports the same bytes in one transaction."""
    config = load_config(Path(args.data) / CONFIG_NAME)
    store = JournalStore(Path(args.data) / DB_NAME)
    checked = Fingerprint()
    lines = [0]
    try:
        with open(args.file, "rb") as fh:
            store.import_events(counted(iter_jsonl(checked.lines(fh)), lines), config.catalog, dry_run=True)
        with open(args.file, "rb") as fh:
            added = store.import_events(iter_jsonl(Fingerprint(checked.digest).lines(fh)), config.catalog)
    except (OSError, ImportRefused) as exc:
        print(f"qserver import: {args.file}: {exc} — nothing was imported", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"Imported {added} events, skipped {lines[0] - added} already present.")
    if added:
        built = _refresh_facts(Path(args.data), config)
        if built:
            print(f"Facts of {len(built)} closed days built ({built[0]} … {built[-1]}).")
    return 0


def _office_today(config) -> date:
    from zoneinfo import ZoneInfo

    return _now().astimezone(ZoneInfo(config.catalog.timezone)).date()


def _refresh_facts(data: Path, config) -> list[date]:
    from .report_service import refresh_facts

    store = JournalStore(data / DB_NAME)
    try:
        return refresh_facts(store, config.catalog, _office_today(config))
    finally:
        store.close()


def cmd_facts(args) -> int:
    """Per-day facts are derived from the journal: make them again (after a catalog's norms or
    time zone changed, or `qserver doctor --set-aside`), or just bring them up to date."""
    from .adapters.facts import FactsStore

    config = load_config(Path(args.data) / CONFIG_NAME)
    try:
        start = date.fromisoformat(args.start) if args.start else None
        end = date.fromisoformat(args.end) if args.end else None
    except ValueError as exc:
        print(f"qserver facts: {exc}", file=sys.stderr)
        return 2
    store = JournalStore(Path(args.data) / DB_NAME)
    try:
        facts = FactsStore(store, config.catalog)
        if args.action == "rebuild":
            days = facts.rebuild(start, end, _office_today(config))
        else:
            days = facts.refresh(_office_today(config))
    finally:
        store.close()
    print(f"Facts of {len(days)} days built" + (f" ({days[0]} … {days[-1]})." if days else "."))
    return 0


def cmd_backup(args) -> int:
    from .backup import backup_now

    store = _store(args)
    path = backup_now(store, Path(args.data), _now().strftime("%Y-%m-%d-%H%M%S"))
    store.close()
    print(path)
    return 0


def cmd_restore(args) -> int:
    from .backup import RestoreError, restore

    config = load_config(Path(args.data) / CONFIG_NAME)
    try:
        events, kept = restore(Path(args.file), Path(args.data) / DB_NAME, _now(), config)
    except RestoreError as exc:
        print(f"qserver restore: {exc} — nothing was changed", file=sys.stderr)
        return 2
    print(f"Restored {events} journal events from {args.file}.")
    if kept:
        print(f"The previous database is kept as {kept}.")
    return 0


def cmd_report(args) -> int:
    from .report_service import (
        REPORTS_DIR,
        build_quarter,
        build_report,
        file_name,
        quarter_days,
        render,
    )

    config = load_config(Path(args.data) / CONFIG_NAME)
    quarter = None
    try:
        if args.quarter:
            start, end = quarter_days(args.quarter)
        elif args.start or args.end:
            start, end = date.fromisoformat(args.start or args.end), date.fromisoformat(args.end or args.start)
        else:
            start, end = date.fromisoformat(args.date) if args.date else _office_today(config), None
    except ValueError as exc:
        print(f"qserver report: {exc}", file=sys.stderr)
        return 2
    store = JournalStore(Path(args.data) / DB_NAME)
    try:
        if args.quarter:
            report = build_quarter(store, config.catalog, args.quarter, now=_now())
            quarter = report["quarter"]
        else:
            report = build_report(store, config.catalog, start, end, _office_today(config), now=_now(),
                                  hours=config.hours)
    finally:
        store.close()
    body, _ = render(report, args.format, args.lang or config.catalog.language)
    out = Path(args.out) if args.out else Path(args.data) / REPORTS_DIR / file_name(start, end, args.format, quarter)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    print(out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qserver", description="Electronic queue office server")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, fn, help_):
        c = sub.add_parser(name, help=help_)
        c.add_argument("--data", default=".", help="the office's folder (office.toml, database, reports)")
        c.set_defaults(fn=fn)
        return c

    c = command("init", cmd_init, "write an example office.toml")
    c.add_argument("--force", action="store_true")
    c = command("run", cmd_run, "serve the office")
    c.add_argument("--host")
    c.add_argument("--port", type=int)
    c = command("demo", cmd_demo, "a ready demo office on 127.0.0.1:8080")
    c.set_defaults(data="demo-data")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8080)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    c = user.add_parser("add", help="add or replace a staff account (a replaced one's sessions end)")
    c.add_argument("--data", default=".")
    c.add_argument("login")
    c.add_argument("--role", required=True, choices=["operator", "head", "admin"])
    c.add_argument("--password", required=True)
    c.add_argument("--name")
    c.set_defaults(fn=cmd_user_add)
    c = user.add_parser("list", help="staff accounts: role, active or disabled")
    c.add_argument("--data", default=".")
    c.set_defaults(fn=cmd_user_list)
    for action, fn, help_ in (("disable", cmd_user_disable, "the account cannot log in; its sessions end at once"),
                              ("enable", cmd_user_enable, "a disabled account may log in again"),
                              ("remove", cmd_user_remove, "remove the account; its sessions end at once"),
                              ("passwd", cmd_user_passwd, "set the password (asked twice, or --password); "
                                                          "its sessions end")):
        c = user.add_parser(action, help=help_)
        c.add_argument("--data", default=".")
        c.add_argument("login")
        if action == "passwd":
            c.add_argument("--password", help="the new password (visible in ps: better let it be asked)")
        c.set_defaults(fn=fn)

    device = sub.add_parser("device", help="kiosks, displays, button pads").add_subparsers(dest="action", required=True)
    c = device.add_parser("add", help="add a device (or replace one: its old token stops working); "
                                      "prints its token as the last line")
    c.add_argument("--data", default=".")
    c.add_argument("name")
    c.add_argument("--kind", required=True, choices=["kiosk", "display", "buttons"])
    c.set_defaults(fn=cmd_device_add)
    c = device.add_parser("list", help="devices: kind, up or down, last heartbeat")
    c.add_argument("--data", default=".")
    c.set_defaults(fn=cmd_device_list)
    c = device.add_parser("revoke", help="the device's token stops working; its connections close at once")
    c.add_argument("--data", default=".")
    c.add_argument("name")
    c.set_defaults(fn=cmd_device_revoke)

    c = command("export", cmd_export, "write the journal as JSON Lines")
    c.add_argument("--out")
    c.add_argument("--after", type=int, default=0)
    c = command("import", cmd_import, "import a JSON Lines journal (idempotent)")
    c.add_argument("file")
    command("backup", cmd_backup, "take an online backup now")
    c = command("restore", cmd_restore, "replace the database with a backup (stop the server first)")
    c.add_argument("file")
    c = command("doctor", cmd_doctor, "check the database and the journal (read-only); "
                "--set-aside takes events out of the replay")
    c.add_argument("--set-aside", type=int, nargs="+", metavar="SEQ",
                   help="with the server stopped: set these events (and the rest of their visits) aside")
    facts = sub.add_parser("facts", help="per-day facts of period reports (derived from the journal)")
    facts = facts.add_subparsers(dest="action", required=True)
    for action, help_ in (("rebuild", "make the facts of closed days again from the journal"),
                          ("refresh", "build the facts of closed days that lack them")):
        c = facts.add_parser(action, help=help_)
        c.add_argument("--data", default=".")
        if action == "rebuild":
            c.add_argument("--from", dest="start", help="first day (default: the journal's first)")
            c.add_argument("--to", dest="end", help="last day (default: yesterday)")
        else:
            c.set_defaults(start=None, end=None)
        c.set_defaults(fn=cmd_facts)
    c = command("report", cmd_report, "a timing report for a day or a period")
    c.add_argument("--date", help="the day, YYYY-MM-DD (default: today)")
    c.add_argument("--from", dest="start", help="first day of a period")
    c.add_argument("--to", dest="end", help="last day of a period")
    c.add_argument("--quarter", help="the quarterly monitoring of appeals, e.g. 2026Q4")
    c.add_argument("--format", default="pdf", choices=["pdf", "csv", "xlsx", "json"])
    c.add_argument("--lang", choices=["ru", "en"])
    c.add_argument("--out", help="file to write (default: DATA/reports/report-….FORMAT)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command not in ("run", "demo"):  # those log JSON lines to stdout, set up before serving
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.fn(args)
    except (ConfigError, SchemaError, Busy) as exc:
        print(f"qserver: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:  # the database cannot be opened at all: a full or read-only disk
        data = Path(args.data).resolve()
        why = "" if os.access(data, os.W_OK) else f" ({data} is read-only)"
        print(f"qserver: cannot use the office database in {data}: {exc}{why}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
