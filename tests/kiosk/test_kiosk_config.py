"""Kiosk settings: TOML file, command-line overrides, one-sentence errors, all documented."""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from kiosk.config import (
    DEFAULTS,
    SETTINGS,
    KioskConfig,
    KioskConfigError,
    build_config,
    load_config,
)

DOCS = Path(__file__).parents[2] / "docs" / "kiosk.md"


def test_toml_file_and_overrides(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('server = "http://10.0.0.5:8080/"\ntoken = "abc"\nprinter = "serial:/dev/ttyUSB0:19200"\n'
                    'paper_width = 58\nlanguage = "en"\nidle_timeout_s = 45\n', encoding="utf-8")
    config = load_config(path)
    assert config.server == "http://10.0.0.5:8080"
    assert (config.token, config.printer, config.paper_width, config.language, config.idle_timeout_s) == (
        "abc", "serial:/dev/ttyUSB0:19200", 58, "en", 45)
    config = load_config(path, {"printer": "net:192.168.1.50", "paper_width": 80, "language": None})
    assert (config.printer, config.paper_width, config.language) == ("net:192.168.1.50", 80, "en")


def test_a_kiosk_table_is_accepted(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\nserver = "http://h:1"\ntoken = "t"\n', encoding="utf-8")
    assert load_config(path).server == "http://h:1"


def test_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("QKIOSK_TOKEN", "from-env")
    assert build_config({"server": "http://h:1"}).token == "from-env"
    assert build_config({"server": "http://h:1", "token": "given"}).token == "given"


@pytest.mark.parametrize(("values", "words"), [
    ({"printer": "usb:zz:01"}, "printer:"),
    ({"printer": "lpt1"}, "unknown transport"),
    ({"paper_width": 72}, "paper_width"),
    ({"language": "de"}, "language"),
    ({"server": "10.0.0.5:8080"}, "http://"),
    ({"idle_timeout_s": 0}, "idle_timeout_s"),
    ({"idle_timeout_s": "soon"}, "whole number"),
    ({"fullscreen": "maybe"}, "true or false"),
    ({"timezone": "Mars/Olympus"}, "time zone"),
    ({"colour": "red"}, "unknown setting 'colour'"),
    ({"screen_dpi": 5}, "screen_dpi"),
])
def test_bad_values_are_one_sentence_naming_the_key(values, words):
    with pytest.raises(KioskConfigError, match=re.escape(words)):
        build_config({"server": "http://h:1", "token": "t", **values})


def test_unreadable_or_broken_files(tmp_path):
    with pytest.raises(KioskConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("server = \n", encoding="utf-8")
    with pytest.raises(KioskConfigError, match="not valid TOML"):
        load_config(bad)


def test_declared_defaults_match_the_dataclass():
    assert {f.name: f.default for f in fields(KioskConfig)} == DEFAULTS


def test_every_setting_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in text]
    assert not missing, f"docs/kiosk.md does not describe: {missing}"


def test_token_from_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("QKIOSK_TOKEN", "from-env")
    path = tmp_path / "kiosk.token"
    path.write_text("from-file\n")
    path.chmod(0o600)
    conf = tmp_path / "kiosk.toml"
    conf.write_text(f'server = "http://h:1"\ntoken_file = "{path}"\n')
    assert load_config(conf).token == "from-file"  # the file before the environment
    assert load_config(conf, {"token": "given"}).token == "given"  # a token given outright wins
    path.write_text("")
    with pytest.raises(KioskConfigError, match=re.escape("token_file: the token file")):
        load_config(conf)
