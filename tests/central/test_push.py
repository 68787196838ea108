"""Offices push their journals to a real qcentral on real PostgreSQL: every line once, in order."""
from __future__ import annotations

import psycopg
from central_support import (
    add_office,
    caught_up,
    centre_lines,
    office_lines,
    pusher,
    pushing_office,
    qcentral,
    wait_for,
)
from live_office import stop_live_office


def _morning(live, n: int = 5) -> None:
    for _ in range(n):
        live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    live.post("/api/v1/counters/1/start", "op1")
    live.post("/api/v1/counters/1/finish", "op1", {"kind": "consultation"})


def test_three_offices_push_every_line_once_in_order(centre, central_db, tmp_path):
    offices = []
    for i, name in enumerate(("Северный", "Южный", "Западный")):
        office_id, token = add_office(central_db, name)
        live = pushing_office(tmp_path / f"o{i}", centre.url, token, name=f"ЦОК {name}")
        offices.append((office_id, live))
    try:
        for _office_id, live in offices:
            _morning(live, 3 + len(offices))
        for office_id, live in offices:
            wait_for(caught_up(live, central_db, office_id), what=f"office {office_id} to be pushed")
            lines = centre_lines(central_db, office_id)
            assert [line[0] for line in lines] == list(range(1, len(lines) + 1))
            assert len(lines) > 8
        with psycopg.connect(central_db) as conn:
            names = dict(conn.execute("SELECT o.id, c.catalog->>'office_name' FROM offices o "
                                      "JOIN office_catalogs c ON c.office_id = o.id").fetchall())
        assert names[offices[0][0]] == "ЦОК Северный"
    finally:
        for _office_id, live in offices:
            stop_live_office(live)


def test_the_position_survives_a_restart_of_the_office(centre, central_db, tmp_path):
    office_id, token = add_office(central_db, "Восточный")
    data = tmp_path / "east"
    live = pushing_office(data, centre.url, token)
    _morning(live)
    wait_for(caught_up(live, central_db, office_id))
    before = len(office_lines(live))
    stop_live_office(live)

    from live_office import start_live_office

    live = start_live_office(data)  # the same folder: office.toml already has [central]
    try:
        assert pusher(live).next_seq == before + 1  # read back from the office database
        _morning(live, 2)
        wait_for(caught_up(live, central_db, office_id))
        assert len(centre_lines(central_db, office_id)) == len(office_lines(live))
    finally:
        stop_live_office(live)


def test_office_list_shows_the_position(centre, central_db, tmp_path):
    office_id, token = add_office(central_db, "Список")
    live = pushing_office(tmp_path / "o", centre.url, token)
    try:
        _morning(live, 1)
        wait_for(caught_up(live, central_db, office_id))
        out = qcentral(central_db, "office", "list").stdout
        assert f"last_seq={len(office_lines(live))}" in out
    finally:
        stop_live_office(live)


def test_a_bad_central_section_stops_the_start_with_a_clear_message(tmp_path):
    import pytest
    from live_office import make_office_dir

    from queue_server.app import create_app
    from queue_server.config import ConfigError

    for section, message in (('url = "ftp://centre"\ntoken = "t"', "central.url: expected http"),
                             ('url = "https://centre.example"', "central.token: the office's push token")):
        data = make_office_dir(tmp_path / message[:11].replace(".", "_"))
        with (data / "office.toml").open("a", encoding="utf-8") as f:
            f.write(f"\n[central]\n{section}\n")
        with pytest.raises(ConfigError, match=message):
            create_app(data)
