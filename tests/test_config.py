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
