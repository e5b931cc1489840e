"""The YAML loader shared by the configuration, the layouts and the message catalogues.

Its error messages are checked word for word, once for the loader itself and
once for each of its three callers, whose wording must not change (staff see
these lines). No numeric tolerances here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tlc._yaml import load_yaml_mapping
from tlc.errors import ConfigError, LayoutError, TlcError


class _Error(TlcError):
    """A class of its own, to check that the caller's class is the one raised."""


def _load(path: Path, **options):
    return load_yaml_mapping(path, error=_Error, expected="expected `key: value` lines", **options)


def _message(path: Path, **options) -> str:
    with pytest.raises(_Error) as exc:
        _load(path, **options)
    assert type(exc.value) is _Error
    return str(exc.value)


def test_a_mapping_is_returned(tmp_path):
    p = tmp_path / "f.yaml"
    p.write_text("name: Café\nlist: [1, 2]\nnested: {a: b}\n", encoding="utf-8")
    assert _load(p) == {"name": "Café", "list": [1, 2], "nested": {"a": "b"}}


@pytest.mark.parametrize("content", ["", "\n", "# only a comment\n", "---\n"])
def test_an_empty_file_is_an_empty_mapping(tmp_path, content):
    p = tmp_path / "f.yaml"
    p.write_text(content, encoding="utf-8")
    assert _load(p) == {}


def test_missing_file_with_its_own_message(tmp_path):
    p = tmp_path / "none.yaml"
    assert _message(p, missing="no such file; check the path") == (
        f"{p}: no such file; check the path"
    )


def test_missing_file_without_its_own_message_is_unreadable(tmp_path):
    p = tmp_path / "none.yaml"
    message = _message(p)
    assert message.startswith(f"{p}: cannot be read (")
    assert "No such file or directory" in message


def test_a_folder_is_unreadable(tmp_path):
    assert _message(tmp_path).startswith(f"{tmp_path}: cannot be read (")


def test_not_utf8_default_and_own_message(tmp_path):
    p = tmp_path / "latin.yaml"
    p.write_bytes("notes: caf\xe9\n".encode("latin-1"))
    assert _message(p).startswith(f"{p}: cannot be read ('utf-8' codec can't decode")
    assert _message(p, unreadable="not UTF-8 text") == f"{p}: not UTF-8 text"


def test_not_valid_yaml_gives_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("a: 1\nb: [x\n", encoding="utf-8")
    assert _message(p) == (f"{p}: not valid YAML at line 3; check the indentation and the quotes")


@pytest.mark.parametrize(
    ("content", "found"),
    [("- a\n", "a list"), ("just text\n", "a str"), ("3\n", "a int"), ("true\n", "a bool")],
)
def test_not_a_mapping(tmp_path, content, found):
    p = tmp_path / "f.yaml"
    p.write_text(content, encoding="utf-8")
    assert _message(p) == f"{p}: expected `key: value` lines, found {found}"
    assert _message(p, kind=lambda v: "something else") == (
        f"{p}: expected `key: value` lines, found something else"
    )


def test_pyyaml_is_not_imported_at_start_up():
    # `tlc --help` must stay fast: PyYAML loads only when a file is read.
    code = (
        "import sys, tlc.cli, tlc._yaml, tlc.config, tlc.layout, tlc.report.messages; "
        "print('yaml' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# The callers' own wording, unchanged by the shared loader.


def test_service_configuration_messages(tmp_path, monkeypatch):
    from tlc.config import load_service

    monkeypatch.delenv("TLC_CONFIG", raising=False)
    none = tmp_path / "none.yaml"
    with pytest.raises(ConfigError) as exc:
        load_service(none)
    assert str(exc.value) == (
        f"{none}: no such configuration file (given by --config); run `tlc config init {none}`"
    )
    monkeypatch.setenv("TLC_CONFIG", str(none))
    with pytest.raises(ConfigError) as exc:
        load_service()
    assert str(exc.value) == (
        f"{none}: no such configuration file (given by TLC_CONFIG); run `tlc config init {none}`"
    )
    p = tmp_path / "service.yaml"
    p.write_text("- a\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_service(p)
    assert str(exc.value) == f"{p}: expected `field: value` lines, found a list"
    p.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"service\.yaml: cannot be read \('utf-8' codec"):
        load_service(p)


@pytest.mark.parametrize(
    ("content", "found"),
    [("- a\n", "a list"), ("just text\n", "str"), ("true\n", "true/false")],
)
def test_layout_messages(tmp_path, content, found):
    from tlc.layout import load_layout

    p = tmp_path / "p.layout.yaml"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(LayoutError) as exc:
        load_layout(p)
    assert str(exc.value) == (
        f"{p}: expected `key: value` lines (system, lanes, ...), found {found}"
    )


def test_empty_layout_file(tmp_path):
    from tlc.layout import load_layout
    from tlc.pipeline import Layout

    p = tmp_path / "p.layout.yaml"
    p.write_text("# nothing yet\n", encoding="utf-8")
    assert load_layout(p) == Layout()


def test_catalogue_messages(tmp_path):
    from tlc.report.messages import read_catalogue

    p = tmp_path / "en.yaml"
    p.write_text("- a\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        read_catalogue(p)
    assert str(exc.value) == f"{p}: a message catalogue holds `key: text` lines, found a list"
    q = tmp_path / "fr.yaml"
    q.write_text("card:\n  title: [x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        read_catalogue(q)
    assert str(exc.value) == (
        f"{q}: not valid YAML at line 3; check the indentation and the quotes"
    )
    q.write_text("", encoding="utf-8")
    assert read_catalogue(q) == {}
