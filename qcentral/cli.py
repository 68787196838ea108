"""`qcentral`: the company's central server on PostgreSQL.

    qcentral --db postgresql://… init
    qcentral --db URL office add NAME          (prints the office's push token, last line)
    qcentral --db URL office list | token ID | resync ID
    qcentral --db URL user add LOGIN --role head|admin --password PW [--offices ID,ID]
    qcentral --db URL user remove LOGIN
    qcentral --db URL facts rebuild [--office ID] [--from DAY] [--to DAY] | refresh [--office ID]
    qcentral --db URL run [--host H] [--port P] [--certfile F --keyfile F]

The database URL may also come from the QCENTRAL_DB environment variable (so a
password in it stays out of `ps`). Only gathers arguments: the work is done by
the same objects the tests build.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

from . import db
from .accounts import ROLES, Accounts


def _offices_arg(text: str | None) -> list[int] | None:
    if text is None or text == "all":
        return None
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SystemExit("--offices: office ids separated by commas, e.g. 1,4,7 (see `qcentral office list`)") from None
    if not ids:
        raise SystemExit("--offices: at least one office id")
    return ids


def cmd_init(args) -> int:
    applied = db.migrate(args.db)
    print("applied: " + ", ".join(applied) if applied else "the schema is up to date")
    return 0


def cmd_office(args) -> int:
    db.check_current(args.db)
    accounts = Accounts()
    with db.connect(args.db) as conn:
        if args.office_cmd == "add":
            office_id, token = accounts.add_office(conn, args.name)
            print(f"office {office_id} {args.name!r} added; put this in its office.toml:")
            print(f"[central]\nurl = \"https://…\"\ntoken = \"{token}\"")
            print(token)
        elif args.office_cmd == "token":
            print(accounts.new_office_token(conn, args.id))
        elif args.office_cmd == "list":
            for row in conn.execute("SELECT id, name, last_seq, last_contact, diverged_seq FROM offices ORDER BY id"):
                office_id, name, last_seq, contact, diverged = row
                extra = f"  DIVERGED at {diverged}" if diverged is not None else ""
                print(f"{office_id}\t{name}\tlast_seq={last_seq}\tlast_contact={contact or '—'}{extra}")
        elif args.office_cmd == "resync":
            from .ingest import resync

            kept = resync(conn, args.id)
            print(f"office {args.id}: lines up to {kept} kept; the office pushes the rest again on its next contact")
    return 0


def cmd_user(args) -> int:
    db.check_current(args.db)
    accounts = Accounts()
    with db.connect(args.db) as conn:
        if args.user_cmd == "add":
            password = args.password or os.environ.get("QCENTRAL_PASSWORD", "")
            accounts.add_user(conn, args.login, args.role, password, _offices_arg(args.offices), args.name)
            scope = "every office" if args.offices in (None, "all") or args.role == "admin" else f"offices {args.offices}"
            print(f"user {args.login} ({args.role}, {scope}) saved")
        elif args.user_cmd == "remove":
            if not accounts.remove_user(conn, args.login):
                print(f"no user {args.login}", file=sys.stderr)
                return 1
            print(f"user {args.login} removed")
    return 0


def cmd_facts(args) -> int:
    """Per-day facts are derived from the pushed journals: bring them up to date, or make
    them again (after a catalog's norms changed, or to check them)."""
    from datetime import UTC, date, datetime

    from . import facts

    db.check_current(args.db)
    now = datetime.now(UTC)
    try:
        start = date.fromisoformat(args.start) if getattr(args, "start", None) else None
        end = date.fromisoformat(args.end) if getattr(args, "end", None) else None
    except ValueError as exc:
        raise SystemExit(f"qcentral facts: {exc}") from None
    with db.connect(args.db) as conn:
        ids = [args.office] if args.office else [r[0] for r in conn.execute("SELECT id FROM offices ORDER BY id")]
        for office_id in ids:
            if args.facts_cmd == "rebuild":
                days = facts.rebuild(conn, office_id, now, start, end)
            else:
                days = facts.refresh(conn, office_id, now)
            span = f" ({days[0]} … {days[-1]})" if days else ""
            print(f"office {office_id}: facts of {len(days)} days built{span}")
    return 0


def cmd_run(args) -> int:
    db.check_current(args.db)
    from .serve import serve

    serve(args.db, args.host, args.port, certfile=args.certfile, keyfile=args.keyfile, workers=args.workers)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qcentral", description="The company's central server (PostgreSQL)")
    p.add_argument("--db", default=os.environ.get("QCENTRAL_DB"),
                   help="PostgreSQL URL, postgresql://user:pass@host/dbname (or QCENTRAL_DB)")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("init", help="create or upgrade the schema (migrations)").set_defaults(fn=cmd_init)

    office = sub.add_parser("office", help="offices and their push tokens")
    office.set_defaults(fn=cmd_office)
    osub = office.add_subparsers(dest="office_cmd", required=True)
    osub.add_parser("add", help="add an office; prints its push token").add_argument("name")
    osub.add_parser("list", help="offices, their journal position and last contact")
    osub.add_parser("token", help="a new push token for an office (the old one stops)").add_argument("id", type=int)
    osub.add_parser("resync", help="after an office was restored from an old backup: drop the "
                    "lines from where it diverged, so it pushes its journal again").add_argument("id", type=int)

    user = sub.add_parser("user", help="central accounts (heads, admins)")
    user.set_defaults(fn=cmd_user)
    usub = user.add_subparsers(dest="user_cmd", required=True)
    add = usub.add_parser("add", help="add or change an account")
    add.add_argument("login")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--password", help="at least 8 characters (or QCENTRAL_PASSWORD)")
    add.add_argument("--offices", help="a branch head's office ids, e.g. 1,4,7 (default: all)")
    add.add_argument("--name", default="")
    usub.add_parser("remove").add_argument("login")

    facts = sub.add_parser("facts", help="per-day facts of company reports (derived from the journals)")
    facts.set_defaults(fn=cmd_facts)
    fsub = facts.add_subparsers(dest="facts_cmd", required=True)
    rebuild = fsub.add_parser("rebuild", help="make the facts of closed days again from the journal")
    rebuild.add_argument("--office", type=int, help="one office's id (default: every office)")
    rebuild.add_argument("--from", dest="start", help="first day (default: the office's first)")
    rebuild.add_argument("--to", dest="end", help="last day (default: yesterday)")
    fsub.add_parser("refresh", help="build the closed days that lack facts").add_argument(
        "--office", type=int, help="one office's id (default: every office)")

    run = sub.add_parser("run", help="serve the API and the /network pages")
    run.set_defaults(fn=cmd_run)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8090)
    run.add_argument("--certfile", help="serve HTTPS with this certificate chain (PEM)")
    run.add_argument("--keyfile", help="the certificate's private key (PEM)")
    run.add_argument("--workers", type=int, default=1, help="processes (stateless: any answers any request)")
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    if not args.db:
        print("qcentral: give the database with --db postgresql://… or QCENTRAL_DB", file=sys.stderr)
        return 2
    try:
        return args.fn(args)
    except db.DatabaseError as exc:
        print(f"qcentral: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"qcentral: {exc}", file=sys.stderr)
        return 1
