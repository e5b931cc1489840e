"""Tests of `tlc references` (list, show, validate, new) through `tlc.cli.main`.

Exit codes and the `list --json` shape are the contract (CONTRACT.md); no
numeric tolerance is involved: values are read, not measured.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tlc.cli import main


@pytest.fixture(autouse=True)
def _no_user_library(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("TLC_LIBRARY", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_list_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "references", "list", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["systems"][0] == {**data["systems"][0], "id": "TA", "default": True}
    by_id = {s["id"]: s for s in data["substances"]}
    assert len(by_id) >= 40
    cocaine = by_id["cocaine"]
    assert cocaine["names"]["en"] == "cocaine"
    assert cocaine["names"]["fr"] == "cocaïne"
    assert isinstance(cocaine["category"], str)
    assert all(isinstance(v, float) for v in cocaine["rf"].values())
    assert set(cocaine["rf"]) <= {s["id"] for s in data["systems"]}
    for sub in data["substances"]:
        assert {"en", "fr"} <= set(sub["names"])


def test_list_json_one_system(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "references", "list", "--json", "--system", "TB")
    assert code == 0
    cocaine = next(s for s in json.loads(out)["substances"] if s["id"] == "cocaine")
    assert cocaine["rf"] == {"TB": pytest.approx(0.56)}


def test_list_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "references", "list")
    assert code == 0
    assert "Rf in TA" in out
    line = next(ln for ln in out.splitlines() if ln.split()[:1] == ["cocaine"])
    assert "cocaïne" in line
    assert "0.59" in line
    line = next(ln for ln in out.splitlines() if ln.split()[:1] == ["levamisole"])
    assert line.split()[-1] == "-"


def test_list_unknown_system(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "references", "list", "--system", "XX")
    assert code == 2
    assert err.startswith("tlc: error: unknown system 'XX'; known: TA, ")


def test_show_by_alias(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "references", "show", "coke")
    assert code == 0
    assert out.startswith("cocaine: cocaine / cocaïne")
    assert "TA: 0.59 ± 0.05 (secondary, n=1)" in out
    assert "source: Yuldashev" in out
    code, out, _ = run(capsys, "references", "show", "fentanyl", "--json")
    assert json.loads(out)["risk"] == "potent-opioid"


def test_show_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "references", "show", "unobtainium")
    assert code == 2
    assert "unknown substance 'unobtainium'" in err


def test_validate_builtin(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "references", "validate")
    assert code == 0
    assert out.startswith("valid: ")


def test_validate_reports_each_problem_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lib"
    (folder / "substances").mkdir(parents=True)
    bad = folder / "substances" / "bad.yaml"
    bad.write_text("id: bad\nnames: [\n", encoding="utf-8")
    other = folder / "substances" / "other.yaml"
    other.write_text(yaml.safe_dump({"id": "other", "colour": "blue"}), encoding="utf-8")
    code, out, err = run(capsys, "references", "validate", str(folder))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    n = len(lines) - 1
    assert lines[-1] == f"tlc: error: {n} problems found in the library; fix the files named above"
    problems = lines[:-1]
    assert any(ln.startswith(f"{bad}: line ") for ln in problems)
    assert f"{other}: colour: unknown key 'colour'; allowed: " in "\n".join(problems)
    assert all(ln.startswith((f"{bad}: ", f"{other}: ")) for ln in problems)
    assert all(ln.count(": ") >= 2 for ln in problems)


def test_validate_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "references", "validate", str(tmp_path / "nope"))
    assert code == 2
    assert "library folder not found" in err


def test_tlc_library_environment_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = run(capsys, "references", "new", "my-cut", "--into", str(tmp_path))
    assert code == 0
    monkeypatch.setenv("TLC_LIBRARY", os.pathsep.join([str(tmp_path), str(tmp_path)]))
    code, _, err = run(capsys, "references", "validate")
    assert code == 2
    assert "still a TODO placeholder" in err


def test_new_writes_a_template_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "references", "new", "novel-cut", "--into", str(tmp_path))
    assert code == 0
    path = tmp_path / "substances" / "novel-cut.yaml"
    assert out.strip() == str(path)
    assert "fill in every TODO" in err
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["id"] == "novel-cut"
    before = path.read_text(encoding="utf-8")
    code, _, err = run(capsys, "references", "new", "novel-cut", "--into", str(tmp_path))
    assert code == 2
    assert f"{path} already exists; edit it, or choose another id" in err
    assert path.read_text(encoding="utf-8") == before


def test_new_existing_id_and_bad_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "references", "new", "cocaine", "--into", str(tmp_path))
    assert code == 0
    assert "'cocaine' is already in the library" in err
    code, _, err = run(capsys, "references", "new", "Bad Id", "--into", str(tmp_path))
    assert code == 2
    assert "is not a substance id" in err


def test_new_default_folder_is_the_local_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    code, out, _ = run(capsys, "references", "new", "novel-cut")
    assert code == 0
    assert out.strip() == str(tmp_path / "tlc" / "library" / "substances" / "novel-cut.yaml")


def test_learn_is_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "references", "--help")
    assert code == 0
    for name in ("list", "show", "validate", "new", "learn"):
        assert f"  {name}" in out
