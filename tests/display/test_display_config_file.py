"""`qdisplay … --config FILE` and `--token-file`: how the installed hall PC is configured."""
from __future__ import annotations

import os

import pytest

from counter_display.cli import _need_token, main, parse_args


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "display.token"
    path.write_text("tok-from-file\n", encoding="ascii")
    path.chmod(0o600)
    return path


def write(tmp_path, text: str):
    path = tmp_path / "display.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_keys_at_the_top_and_per_command_tables(tmp_path, token_file, monkeypatch):
    monkeypatch.delenv("QOFFICE_TOKEN", raising=False)
    conf = write(tmp_path, f'server = "http://10.0.0.5:8080"\ntoken_file = "{token_file}"\nlang = "en"\n'
                           '[hall]\nvoice = "none"\nticker = "Касса до 17:00"\n'
                           '[counter]\ncounter = 3\n'
                           '[buttons]\nport = ["serial:/dev/ttyUSB2", "serial:/dev/ttyUSB3"]\n')
    hall = parse_args(["hall", "--config", conf])
    _need_token(hall)
    assert (hall.server, hall.token, hall.lang, hall.voice, hall.ticker) == (
        "http://10.0.0.5:8080", "tok-from-file", "en", "none", "Касса до 17:00")
    assert parse_args(["counter", "--config", conf]).counter == "3"
    buttons = parse_args(["buttons", "--config", conf])
    assert buttons.port == ["serial:/dev/ttyUSB2", "serial:/dev/ttyUSB3"]
    assert not hasattr(buttons, "lang")  # a top key applies only where the command has the option


def test_the_command_line_wins(tmp_path):
    conf = write(tmp_path, 'server = "http://a:1"\nlang = "en"\n[buttons]\nport = ["serial:/dev/ttyUSB2"]\n')
    assert parse_args(["hall", "--config", conf, "--lang", "ru", "--server", "http://b:2"]).lang == "ru"
    assert parse_args(["buttons", "--config", conf, "--port", "serial:/dev/ttyS0"]).port == ["serial:/dev/ttyS0"]


@pytest.mark.parametrize(("text", "words"), [
    ('colour = "red"\n', "unknown key 'colour'"),
    ('[hall]\nport = "serial:/dev/ttyUSB0"\n', "[hall] 'port' is not an option of qdisplay hall"),
    ('[tv]\nvoice = "none"\n', "unknown table [tv]"),
    ('[led]\naddress = "two"\n', "address: 'two' is not a whole number"),
    ('[hall]\nfullscreen = "yes"\n', "fullscreen: 'yes' is not true or false"),
    ('lang = "de"\n', "lang: 'de'; use one of ru, en"),
    ('server = \n', "not valid TOML"),
])
def test_a_wrong_file_is_one_sentence_naming_the_key(tmp_path, capsys, text, words):
    conf = write(tmp_path, text)
    assert main(["hall", "--config", conf]) == 2
    err = capsys.readouterr().err
    assert words in err and conf in err


def test_a_missing_config_file_is_named(tmp_path, capsys):
    assert main(["hall", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_token_file_problems_stop_the_start_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.delenv("QOFFICE_TOKEN", raising=False)
    empty = tmp_path / "empty.token"
    empty.write_text("\n")
    for path, words in ((tmp_path / "absent.token", "cannot read the token file"),
                        (empty, "is empty"), (tmp_path, "not a regular file")):
        if path == tmp_path:
            os.mkfifo(tmp_path / "fifo")
            path = tmp_path / "fifo"
        args = parse_args(["hall", "--server", "http://h:1", "--token-file", str(path)])
        with pytest.raises(SystemExit, match=words):
            _need_token(args)


def test_a_token_file_others_can_read_is_used_but_warned_about(tmp_path, caplog):
    path = tmp_path / "t"
    path.write_text("abc")
    os.chmod(path, 0o644)
    args = parse_args(["hall", "--server", "http://h:1", "--token-file", str(path)])
    _need_token(args)
    assert args.token == "abc"
    assert "can be read by others" in caplog.text
