"""`qserver`: the office server's command line.

Only gathers arguments and builds the same app object the tests build.
Command names and options are pinned: installers and our checks use them.
"""
from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from .app import CONFIG_NAME, DB_NAME, create_app, hasher_for
from .auth import Accounts
from .config import ConfigError, load_config
from .journal_io import ImportRefused, iter_jsonl, to_jsonl
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


def cmd_run(args) -> int:
    config = load_config(Path(args.data) / CONFIG_NAME)
    host = args.host or config.get("server.host")
    port = args.port or config.get("server.port")
    base_url = config.get("server.public_url") or f"http://{host}:{port}"
    _serve(Path(args.data), host, port, base_url)
    return 0


def cmd_demo(args) -> int:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    target = data / CONFIG_NAME
    if not target.exists():
        target.write_text(demo_config(), encoding="utf-8")
    store = JournalStore(data / DB_NAME)
    accounts = _accounts(args, store)
    now = _now()
    for login, role in DEMO_STAFF:
        if accounts.user(login) is None:
            accounts.add_user(login, role, DEMO_PASSWORD, name=login.capitalize(), now=now)
    kiosk = accounts.add_device("demo-kiosk", "kiosk", now)
    display = accounts.add_device("demo-hall-board", "display", now)
    store.close()
    base = f"http://{args.host}:{args.port}"
    print(f"""
Demo office is starting on {base}

  Operator console:   {base}/console     (operator1 … operator4 / {DEMO_PASSWORD})
  Head's dashboard:   {base}/dashboard   (head / {DEMO_PASSWORD}, admin / {DEMO_PASSWORD})
  API description:    {base}/api/openapi.json
  Kiosk:              qkiosk --server {base} --token {kiosk}
  Hall board:         qdisplay hall --server {base} --token {display}

Data folder: {data.resolve()}   (stop with Ctrl+C)
""", flush=True)
    _serve(data, args.host, args.port, base)
    return 0


def _store(args) -> JournalStore:
    load_config(Path(args.data) / CONFIG_NAME)
    return JournalStore(Path(args.data) / DB_NAME)


def _accounts(args, store: JournalStore) -> Accounts:
    return Accounts(store, hasher=hasher_for(load_config(Path(args.data) / CONFIG_NAME)))


def cmd_user_add(args) -> int:
    store = _store(args)
    try:
        _accounts(args, store).add_user(args.login, args.role, args.password, name=args.name or "", now=_now())
    except ValueError as exc:  # WeakPassword among them: the policy, in adapters/passwords.py
        print(f"qserver: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"User {args.login} ({args.role}) saved.")
    return 0


def cmd_device_add(args) -> int:
    store = _store(args)
    try:
        token = _accounts(args, store).add_device(args.name, args.kind, _now())
    except ValueError as exc:
        print(f"qserver: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"Device {args.name} ({args.kind}) added. Its token (shown once):")
    print(token)
    return 0


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
    """All or nothing, in constant memory: one pass checks every line, a second imports."""
    config = load_config(Path(args.data) / CONFIG_NAME)
    try:
        with open(args.file, encoding="utf-8") as fh:
            total = sum(1 for _ in iter_jsonl(fh, config.catalog))
    except (OSError, ImportRefused) as exc:
        print(f"qserver import: {args.file}: {exc} — nothing was imported", file=sys.stderr)
        return 2
    store = JournalStore(Path(args.data) / DB_NAME)
    try:
        with open(args.file, encoding="utf-8") as fh:
            added = store.import_events(iter_jsonl(fh, config.catalog))
    except (OSError, ImportRefused) as exc:  # the file changed since it was checked: rolled back
        print(f"qserver import: {args.file}: {exc} — nothing was imported", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"Imported {added} events, skipped {total - added} already present.")
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

    try:
        events, kept = restore(Path(args.file), Path(args.data) / DB_NAME, _now())
    except RestoreError as exc:
        print(f"qserver restore: {exc}", file=sys.stderr)
        return 2
    print(f"Restored {events} journal events from {args.file}.")
    if kept:
        print(f"The previous database is kept as {kept}.")
    return 0


def cmd_report(args) -> int:
    from datetime import date

    from .report_service import REPORTS_DIR, build_report, file_name, render

    config = load_config(Path(args.data) / CONFIG_NAME)
    try:
        if args.start or args.end:
            start, end = date.fromisoformat(args.start or args.end), date.fromisoformat(args.end or args.start)
        else:
            start, end = date.fromisoformat(args.date) if args.date else _now().date(), None
    except ValueError as exc:
        print(f"qserver report: {exc}", file=sys.stderr)
        return 2
    store = JournalStore(Path(args.data) / DB_NAME)
    try:
        report = build_report(store, config.catalog, start, end)
    finally:
        store.close()
    body, _ = render(report, args.format, args.lang or config.catalog.language)
    out = Path(args.out) if args.out else Path(args.data) / REPORTS_DIR / file_name(start, end, args.format)
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
    c = user.add_parser("add", help="add or replace a staff account")
    c.add_argument("--data", default=".")
    c.add_argument("login")
    c.add_argument("--role", required=True, choices=["operator", "head", "admin"])
    c.add_argument("--password", required=True)
    c.add_argument("--name")
    c.set_defaults(fn=cmd_user_add)

    device = sub.add_parser("device", help="kiosks, displays, button pads").add_subparsers(dest="action", required=True)
    c = device.add_parser("add", help="add a device; prints its token as the last line")
    c.add_argument("--data", default=".")
    c.add_argument("name")
    c.add_argument("--kind", required=True, choices=["kiosk", "display", "buttons"])
    c.set_defaults(fn=cmd_device_add)

    c = command("export", cmd_export, "write the journal as JSON Lines")
    c.add_argument("--out")
    c.add_argument("--after", type=int, default=0)
    c = command("import", cmd_import, "import a JSON Lines journal (idempotent)")
    c.add_argument("file")
    command("backup", cmd_backup, "take an online backup now")
    c = command("restore", cmd_restore, "replace the database with a backup (stop the server first)")
    c.add_argument("file")
    c = command("report", cmd_report, "a timing report for a day or a period")
    c.add_argument("--date", help="the day, YYYY-MM-DD (default: today)")
    c.add_argument("--from", dest="start", help="first day of a period")
    c.add_argument("--to", dest="end", help="last day of a period")
    c.add_argument("--format", default="pdf", choices=["pdf", "csv", "xlsx", "json"])
    c.add_argument("--lang", choices=["ru", "en"])
    c.add_argument("--out", help="file to write (default: DATA/reports/report-….FORMAT)")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except ConfigError as exc:
        print(f"qserver: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
