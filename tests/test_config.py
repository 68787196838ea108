"""office.toml: a bad file stops the start naming the file, the key and the problem."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from queue_server.cli import EXAMPLE, demo_config
from queue_server.config import ConfigError, load_config, parse_config


def test_the_example_office_has_the_standards_roles_and_norms():
    config = load_config(EXAMPLE)
    norms = {r.id: (r.wait_norm_s // 60, r.service_norm_s // 60) for r in config.catalog.roles.values()}
    assert norms == {"administrator": (10, 5), "consultant": (20, 15), "cashier": (20, 10),
                     "admin_consultant": (20, 15)}
    assert {s.role for s in config.catalog.services.values()} == set(norms)
    assert config.catalog.visit_norm_s == 3600
    served = {sid for c in config.catalog.counters.values() for sid in c.services}
    assert served == set(config.catalog.services)


BROKEN = [
    ('[office]\ntimezone = "Mars/Olympus"', "office.timezone", "unknown time zone"),
    ('[office]\nmax_recalls = "two"', "office.max_recalls", "expected int"),
    ("[roles.astrologer]\nwait_min = 5", "roles.astrologer", "unknown role"),
    ("[roles.cashier]\nwait_min = -1", "roles.cashier.wait_min", "positive number"),
    ('[hours.mon]\nopen = "9am"\nlast_ticket = "17:00"\nclose = "18:00"', "hours.mon.open", "time like"),
    ('[hours.mon]\nopen = "18:00"\nlast_ticket = "17:00"\nclose = "19:00"', "hours.mon", "open < last_ticket"),
]


@pytest.mark.parametrize("patch,key,words", BROKEN)
def test_a_bad_setting_names_file_key_and_problem(tmp_path, patch, key, words):
    text = demo_config().replace('hours = "always"   # the demo office never closes\n', "")
    raw = tomllib.loads(text)
    raw.update(tomllib.loads(patch)) if not patch.startswith("[office]") else raw["office"].update(
        tomllib.loads(patch)["office"])
    if patch.startswith("[roles"):
        raw["roles"].update(tomllib.loads(patch)["roles"])
    with pytest.raises(ConfigError) as exc:
        parse_config(raw, tmp_path / "office.toml")
    message = str(exc.value)
    assert str(tmp_path / "office.toml") in message and key in message and words in message


def test_a_counter_serving_an_unknown_service_is_refused(tmp_path):
    raw = tomllib.loads(demo_config())
    raw["counters"][0]["services"] = ["reception", "fortune_telling"]
    with pytest.raises(ConfigError, match=r"counters\[0\]\.services: unknown service 'fortune_telling'"):
        parse_config(raw, tmp_path / "office.toml")


def test_not_toml_and_missing_file_are_clear(tmp_path):
    bad = tmp_path / "office.toml"
    bad.write_text("[office\nname = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="qserver init"):
        load_config(tmp_path / "nowhere" / "office.toml")


def test_every_setting_is_documented():
    from queue_server.config import SETTINGS

    doc = (Path(__file__).parents[1] / "docs/configuration.md").read_text(encoding="utf-8")
    missing = [s.key for s in SETTINGS if f"`{s.key}`" not in doc]
    assert not missing, f"undocumented settings: {missing}"


# ---- strict: every section and key must be one the server reads -------------------

def _demo_raw() -> dict:
    raw = tomllib.loads(demo_config())
    raw["hours"] = {"mon": {"open": "08:00", "last_ticket": "16:45", "close": "17:00"}, "sun": "closed"}
    return raw


UNKNOWN = [
    (lambda r: r.update(serverr={"port": 8081}), "serverr: unknown section; did you mean server?"),
    (lambda r: r["server"].update(thread=10), "server.thread: unknown setting; did you mean server.threads?"),
    (lambda r: r["services"][0].update(prefx="А"), "services[0].prefx: unknown setting; did you mean services[0].prefix?"),
    (lambda r: r["counters"][1].update(service=["x"]), "counters[1].service: unknown setting; did you mean counters[1].services?"),
    (lambda r: r["roles"]["cashier"].update(wait=5), "roles.cashier.wait: unknown setting; did you mean roles.cashier.wait_min?"),
    (lambda r: r["hours"]["mon"].update(lunch="12:00"), "hours.mon.lunch: unknown setting; known: open, last_ticket, close"),
    (lambda r: r.update(staff=[{"login": "x", "role": "operator", "pasword": "x"}]),
     "staff[0].pasword: unknown setting; did you mean staff[0].password_hash?"),
    (lambda r: r.update(office="Энергосбыт"), "office: expected a table [office], got 'Энергосбыт'"),
    (lambda r: r.update(services={"id": "x"}), "services: expected a list of tables [[services]]"),
    (lambda r: r.update(hours="sometimes"), "hours: expected tables [hours.…] or \"always\""),
]


@pytest.mark.parametrize("patch,message", UNKNOWN)
def test_an_unknown_section_or_key_is_refused_with_the_closest_known_one(tmp_path, patch, message):
    raw = _demo_raw()
    parse_config(raw, tmp_path / "office.toml")  # the office as written is fine
    patch(raw)
    with pytest.raises(ConfigError) as exc:
        parse_config(raw, tmp_path / "office.toml")
    assert str(exc.value) == f"{tmp_path / 'office.toml'}: {message}"


def test_a_misspelt_section_stops_qserver_run_naming_file_key_and_the_closest(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "office"
    data.mkdir()
    (data / "office.toml").write_text(demo_config() + "\n[serverr]\nthreads = 10\n", encoding="utf-8")
    proc = subprocess.run([str(Path(sys.executable).with_name("qserver")), "run", "--data", str(data)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{data / 'office.toml'}: serverr: unknown section; did you mean server?" in proc.stderr


def test_every_table_key_is_documented():
    from queue_server.config import TABLE_KEYS

    doc = (Path(__file__).parents[1] / "docs/configuration.md").read_text(encoding="utf-8")
    missing = [f"{t}.{k}" for t, keys in TABLE_KEYS.items() for k in keys if f"`{k}`" not in doc]
    assert not missing, f"undocumented keys: {missing}"


def test_the_example_and_the_demo_use_only_known_keys():
    load_config(EXAMPLE)
    parse_config(tomllib.loads(demo_config()), EXAMPLE)


# ---- server.public_url: the QR code on a ticket must open on a phone ------------------

def _config(tmp_path, public_url: str = ""):
    raw = _demo_raw()
    if public_url:
        raw["server"]["public_url"] = public_url
    return parse_config(raw, tmp_path / "office.toml")


@pytest.mark.parametrize("host,public_url,refused", [
    ("0.0.0.0", "", True),  # the README's own `qserver run --host 0.0.0.0`
    ("::", "", True),
    ("0.0.0.0", "http://127.0.0.1:8080", True),
    ("0.0.0.0", "http://localhost:8080", True),
    ("192.168.1.10", "http://0.0.0.0:8080", True),
    ("0.0.0.0", "http://192.168.1.10:8080", False),
    ("0.0.0.0", "https://queue.office.local", False),
    ("192.168.1.10", "", False),  # the link is the address it serves on
    ("127.0.0.1", "", False),  # loopback only: nobody else reaches it anyway
    ("localhost", "", False),
])
def test_a_qr_link_phones_cannot_open_is_refused_when_serving_the_lan(tmp_path, host, public_url, refused):
    from queue_server.config import qr_link_problem

    problem = qr_link_problem(_config(tmp_path, public_url), host, 8080)
    assert (problem is not None) == refused
    if refused:
        assert "server.public_url" in problem and str(tmp_path / "office.toml") in problem
        assert (public_url or f"http://{host}:8080") in problem and 'public_url = "http://' in problem


def test_public_url_must_be_an_http_address(tmp_path):
    with pytest.raises(ConfigError, match=r"server.public_url: expected an address like"):
        _config(tmp_path, "192.168.1.10:8080")


def test_qserver_run_on_all_addresses_without_public_url_does_not_start(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "office"
    data.mkdir()
    (data / "office.toml").write_text(demo_config(), encoding="utf-8")
    proc = subprocess.run([str(Path(sys.executable).with_name("qserver")), "run", "--data", str(data),
                           "--host", "0.0.0.0", "--port", "8080"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "server.public_url is not set, so it would be http://0.0.0.0:8080" in proc.stderr
