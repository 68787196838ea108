"""The centre's own rules: stateless processes, catalog changes, privacy, link states, migrations."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from central_support import (
    HEAD_PASSWORD,
    CentralProcess,
    add_office,
    caught_up,
    pushing_office,
    qcentral,
    wait_for,
)
from live_office import stop_live_office
from test_protocol import Office, _catalog, _line

from qcentral import db
from qcentral.live import LINK_LATE_S, LINK_UP_S, link_state
from qcentral.privacy import blank_expired
from queue_server.domain.events import format_at


def test_two_centre_processes_answer_alike(centre, central_db, tmp_path):
    """Nothing that matters lives in a process: a login made on one works on the other,
    and an office pushing to one is seen, up to date, through the other."""
    other = CentralProcess(central_db, tmp_path / "other.log").start()
    try:
        office_id, token = add_office(central_db, "Два процесса")
        live = pushing_office(tmp_path / "o", centre.url, token)
        qcentral(central_db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
        session = centre.login("boss")
        try:
            for n, more in ((2, 2), (5, 3)):
                for _ in range(more):
                    live.ticket("reception")
                wait_for(caught_up(live, central_db, office_id))
                views = [p.get("/api/v1/network", session).json()["offices"][0] for p in (centre, other)]
                assert views[0]["waiting"] == views[1]["waiting"] == n
                assert views[0]["last_seq"] == views[1]["last_seq"]
        finally:
            stop_live_office(live)
    finally:
        other.stop()


def test_a_changed_catalog_renames_things_from_then_on(centre, central_db):
    office = Office(centre, central_db, "Каталог")
    assert office.push([_line(1)]).status_code == 200
    renamed = _catalog()
    renamed["services"][0]["name_ru"] = "Приёмная"
    body = {"protocol": 1, "office_seq": 2, "lines": [_line(2)], "catalog": renamed}
    assert office.raw(json.dumps(body)).status_code == 200
    with psycopg.connect(central_db) as conn:
        rows = conn.execute("SELECT from_seq, catalog->'services'->0->>'name_ru' FROM office_catalogs "
                            "WHERE office_id = %s ORDER BY from_seq", (office.id,)).fetchall()
    assert rows == [(1, "Администратор"), (2, "Приёмная")]
    qcentral(central_db, "user", "add", "boss", "--role", "head", "--password", HEAD_PASSWORD)
    drill = centre.get(f"/api/v1/offices/{office.id}/state", centre.login("boss")).json()
    assert drill["names"]["services"]["reception"]["ru"] == "Приёмная"


def test_typed_text_is_kept_no_longer_than_the_office_keeps_it(centre, central_db):
    office = Office(centre, central_db, "Приватность")
    now = datetime.now(UTC)
    old = _line(1, type="step.transferred", at=format_at(now - timedelta(days=40)),
                data={"to_service": "payments", "note": "Петров, кв. 5"})
    recent = _line(2, type="visit.cancelled", at=format_at(now - timedelta(days=20)),
                   data={"reason": "ушёл, тел. 8-900"})
    day_over = _line(3, type="visit.cancelled", at=format_at(now - timedelta(days=40)), data={"reason": "day_over"})
    assert office.push([old, recent, day_over]).status_code == 200  # keep_personal_days = 30

    def data() -> list[dict]:
        with psycopg.connect(central_db) as conn:
            return [r[0] for r in conn.execute("SELECT data FROM journal WHERE office_id = %s ORDER BY seq",
                                               (office.id,))]

    assert data() == [{"to_service": "payments", "note": ""}, {"reason": "ушёл, тел. 8-900"}, {"reason": "day_over"}]
    with psycopg.connect(central_db, autocommit=True) as conn:
        assert blank_expired(conn, now + timedelta(days=11)) == 1
        assert blank_expired(conn, now + timedelta(days=11)) == 0
    assert data() == [{"to_service": "payments", "note": ""}, {"reason": ""}, {"reason": "day_over"}]


@pytest.mark.parametrize(("age_s", "state"), [(0, "up"), (LINK_UP_S, "up"), (LINK_UP_S + 1, "late"),
                                              (LINK_LATE_S, "late"), (LINK_LATE_S + 1, "down")])
def test_link_states(age_s, state):
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert link_state(now - timedelta(seconds=age_s), now) == state
    assert link_state(None, now) == "never"


def test_run_refuses_a_database_without_the_schema(pg):
    url = pg.new_database()
    result = qcentral(url, "run", check=False)
    assert result.returncode == 1 and "qcentral --db URL init" in result.stderr
    with pytest.raises(db.DatabaseError):
        db.check_current(url)
    assert qcentral(url, "init").stdout.startswith("applied: 0001_initial")
    assert "up to date" in qcentral(url, "init").stdout


def test_cli_refuses_bad_input_clearly(central_db):
    r = qcentral(central_db, "user", "add", "x", "--role", "head", "--password", "short", check=False)
    assert r.returncode == 1 and "at least 8 characters" in r.stderr
    r = qcentral(central_db, "user", "add", "x", "--role", "head", "--password", HEAD_PASSWORD, "--offices", "77",
                 check=False)
    assert r.returncode == 1 and "no office 77" in r.stderr
    add_office(central_db, "Дубль")
    r = qcentral(central_db, "office", "add", "Дубль", check=False)
    assert r.returncode == 1 and "exists already" in r.stderr
    r = qcentral("postgresql://nobody@/nowhere?host=/nonexistent", "init", check=False)
    assert r.returncode == 1 and "cannot connect" in r.stderr
