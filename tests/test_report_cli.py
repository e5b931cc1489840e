"""`tlc card` and `tlc config` from the command line (in-process, through tlc.cli.main)."""

from __future__ import annotations

import json

import pytest
from test_report_data import make_library, scenario

from tlc.cli import main
from tlc.errors import LibraryError


def run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.fixture
def result(tmp_path, monkeypatch):
    monkeypatch.delenv("TLC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    p = tmp_path / "plate.tlc.json"
    p.write_text(json.dumps(scenario(2).to_dict()), encoding="utf-8")
    return p


def test_card_from_saved_json(result, capsys, monkeypatch):
    import tlc.cli.card as card

    monkeypatch.setattr(card, "_library", lambda dirs: make_library())
    out_dir = result.parent / "out"
    code, out, err = run(
        ["card", str(result), "--lang", "fr", "--card", "pdf,html,txt", "--out", str(out_dir)],
        capsys,
    )
    assert code == 0, err
    assert "lévamisole" in out
    assert "\x1b[" not in out
    assert "photo plate.jpg was not found" in err
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["plate.card.html", "plate.card.pdf", "plate.card.txt"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not a JSON file"),
        ('{"schema": "other"}', "not a tlc-result/1 analysis"),
    ],
)
def test_card_bad_json(tmp_path, capsys, content, message):
    p = tmp_path / "r.json"
    p.write_text(content, encoding="utf-8")
    code, out, err = run(["card", str(p)], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_card_missing_file(tmp_path, capsys):
    code, _, err = run(["card", str(tmp_path / "none.json")], capsys)
    assert code == 2
    assert "no such result file" in err


def test_card_bad_format(result, capsys):
    code, _, err = run(["card", str(result), "--card", "doc"], capsys)
    assert code == 2
    assert "unknown card format 'doc'" in err


def test_card_with_real_library(result, capsys):
    from tlc.library import load_library

    try:
        load_library()
    except (NotImplementedError, LibraryError) as exc:
        pytest.skip(f"the built-in library is not available yet: {exc}")
    code, out, err = run(["card", str(result), "--lang", "en", "--card", "none"], capsys)
    assert code == 0, err
    assert "What this test cannot tell" in out


def test_config_commands(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TLC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    code, out, _ = run(["config", "path"], capsys)
    assert (code, out.strip()) == (0, "built-in")
    code, out, _ = run(["config", "init"], capsys)
    user = tmp_path / "tlc" / "service.yaml"
    assert code == 0
    assert out.strip() == str(user)
    assert user.is_file()
    code, _, err = run(["config", "init"], capsys)
    assert code == 2
    assert "already exists" in err
    code, out, _ = run(["config", "show"], capsys)
    assert code == 0
    assert f"# read from: {user} (user)" in out
    assert "emergency: 15 SAMU, 112" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("nmae: x\n", encoding="utf-8")
    code, _, err = run(["config", "show", "--config", str(bad)], capsys)
    assert code == 2
    assert "nmae: unknown field" in err


def test_card_of_separate_strips_redraws_their_picture(tmp_path, capsys, monkeypatch):
    # the saved result of a photo of strips straightens them again from the photo
    import shutil
    from pathlib import Path

    import tlc.cli.card as card

    monkeypatch.delenv("TLC_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    sample = Path(__file__).resolve().parent.parent / "samples" / "strips-uv254.jpg"
    photo = tmp_path / "strips.jpg"
    shutil.copyfile(sample, photo)
    code, _, err = run(["analyse", str(photo), "--card", "none"], capsys)
    assert code == 0, err
    pictures = []
    monkeypatch.setattr(card, "_library", lambda dirs: make_library())
    real_picture = card._picture
    monkeypatch.setattr(
        card, "_picture", lambda a, r: pictures.append(real_picture(a, r)) or pictures[-1]
    )
    code, _, err = run(["card", str(tmp_path / "strips.tlc.json"), "--card", "pdf"], capsys)
    assert code == 0, err
    assert "was not found" not in err
    assert len(pictures) == 1
    assert pictures[0].shape[0] > 100  # the annotated board, drawn from the photo
    assert (tmp_path / "strips.card.pdf").is_file()
