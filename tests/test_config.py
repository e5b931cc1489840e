"""The service configuration: where it is read from, its fields, its error messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tlc.config import Service, config_path, load_service, parse_service, write_template
from tlc.errors import ConfigError


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch, tmp_path):
    monkeypatch.delenv("TLC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def test_builtin_defaults():
    s = load_service()
    assert s == Service()
    assert s.name == "Drug checking service"
    assert not s.has_contact
    assert ("15", "SAMU") in s.emergency
    assert config_path() == (None, "built-in")


def test_order_of_sources(tmp_path, monkeypatch):
    user = tmp_path / "xdg" / "tlc" / "service.yaml"
    user.parent.mkdir(parents=True)
    user.write_text("name: User\n", encoding="utf-8")
    assert load_service().name == "User"
    env = tmp_path / "env.yaml"
    env.write_text("name: Env\n", encoding="utf-8")
    monkeypatch.setenv("TLC_CONFIG", str(env))
    assert load_service().name == "Env"
    given = tmp_path / "given.yaml"
    given.write_text("name: Given\n", encoding="utf-8")
    assert load_service(given).name == "Given"
    assert config_path(given) == (given, "--config")


def test_template_loads_and_is_never_overwritten(tmp_path):
    p = write_template(tmp_path / "a" / "service.yaml")
    assert load_service(p).name == "Drug checking service"
    with pytest.raises(ConfigError, match="already exists"):
        write_template(p)


def test_full_file(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "msg").mkdir()
    f = tmp_path / "s.yaml"
    f.write_text(
        "name: CAARUD\nphone: '0102030405'\nlogo: logo.png\nmessages: msg\nlanguage: FR\n"
        "lab_analysis: SINTES\nemergency:\n  - {number: '15', label: SAMU}\n  - 112\n",
        encoding="utf-8",
    )
    s = load_service(f)
    assert s.logo == logo
    assert s.messages == tmp_path / "msg"
    assert s.language == "fr"
    assert s.phone == "0102030405"
    assert s.emergency == (("15", "SAMU"), ("112", ""))
    assert s.to_dict()["logo"] == str(logo)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nmae": "x"}, "nmae: unknown field"),
        ({"name": ""}, "name: must not be empty"),
        ({"phone": ["a"]}, "phone: expected a text value"),
        ({"phone": 556000000}, "phone: expected a text value; put it in quotes"),
        ({"logo": "nope.png"}, "logo: "),
        ({"logo": 3}, "logo: expected a file or folder path"),
        ({"messages": "nofolder"}, "messages: "),
        ({"language": "f r"}, "language: expected a language code"),
        ({"emergency": "15"}, "emergency: expected a list"),
        ({"emergency": [{"label": "x"}]}, "emergency[0]: expected a number"),
        ({"emergency": [{"number": 15, "lbl": "x"}]}, "emergency[0]: unknown field lbl"),
    ],
)
def test_bad_fields_name_file_and_field(tmp_path, data, message):
    src = tmp_path / "s.yaml"
    with pytest.raises(ConfigError, match=re.escape(f"{src}: {message}")):
        parse_service(data, source=src)


def test_logo_must_be_an_image(tmp_path):
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    with pytest.raises(ConfigError, match="must be a PNG, JPEG or SVG file"):
        parse_service({"logo": "logo.gif"}, source=tmp_path / "s.yaml")


@pytest.mark.parametrize(
    ("content", "message"),
    [("name: [x\n", "not valid YAML at line"), ("- a\n", "expected `field: value` lines")],
)
def test_bad_files(tmp_path, content, message):
    f = tmp_path / "s.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_service(f)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_service(tmp_path / "none.yaml")


def test_empty_file_gives_defaults(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("", encoding="utf-8")
    assert load_service(f).name == Service().name
    assert load_service(f).source == Path(f)
