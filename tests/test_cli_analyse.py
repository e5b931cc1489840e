"""`tlc analyse` from the command line: the files it writes, its JSON, its options.

Most tests call ``tlc.cli.main`` in-process (about 0.3 s an analysis); two
run the installed command and ``python cli.py`` in a subprocess, as users do.

Tolerances: Rf values of the bundled sample ``uv254-4lanes.jpg`` are compared
with its truth file within 0.02 (the detection is tuned elsewhere; this file
checks the command, not the measurement; ``tlc evaluate`` scores that).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tlc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE = SAMPLES / "uv254-4lanes.jpg"
LANES = "S1,cocaine,S2,caffeine"

#: Rf values must agree with the sample's truth within this.
RF_TOL = 0.02


def run(argv, capsys):
    """Run ``tlc`` in-process: (exit status, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


@pytest.fixture(autouse=True)
def clean_env(tmp_path_factory, monkeypatch):
    """No user configuration, local library or French locale leaks into the tests."""
    home = tmp_path_factory.mktemp("home")
    for var in ("TLC_CONFIG", "TLC_LIBRARY", "TLC_DEBUG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


@pytest.fixture
def photo(tmp_path):
    """A copy of the 4-lane sample in its own folder (so results land in tmp_path)."""
    p = tmp_path / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    return p


def truth_rf():
    truth = yaml.safe_load((SAMPLES / "uv254-4lanes.truth.yaml").read_text(encoding="utf-8"))
    return truth["lanes_rf"]


def test_writes_files_beside_the_photo(photo, capsys):
    before = (photo.read_bytes(), photo.stat().st_mtime_ns)
    code, out, err = run(["analyse", photo, "--lanes", LANES], capsys)
    assert code == 0, err
    names = sorted(p.name for p in photo.parent.iterdir())
    assert names == ["plate.annotated.png", "plate.card.pdf", "plate.jpg", "plate.tlc.json"]
    # The input photo is never written.
    assert (photo.read_bytes(), photo.stat().st_mtime_ns) == before
    # The card on stdout, one line per file on stderr.
    assert "DRUG CHECKING RESULT" in out
    assert "cocaine" in out
    for name in ("plate.tlc.json", "plate.annotated.png", "plate.card.pdf"):
        assert f"wrote {photo.parent / name}" in err
    assert (photo.parent / "plate.card.pdf").read_bytes().startswith(b"%PDF")
    png = (photo.parent / "plate.annotated.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    # No temporary file is left behind by the atomic writers.
    assert not [p for p in photo.parent.iterdir() if p.name.startswith(".")]


def test_json_on_stdout_and_nothing_else(photo, capsys):
    code, out, err = run(["analyse", photo, "--lanes", LANES, "--json", "--card", "none"], capsys)
    assert code == 0, err
    assert out.count("\n") == 1  # one JSON object, one line
    result = json.loads(out)
    assert result["schema"] == "tlc-result/1"
    assert result["image"] == str(photo)
    assert result["system"] == "TA"
    assert isinstance(result["warnings"], list)
    lanes = result["lanes"]
    assert [lane["index"] for lane in lanes] == [1, 2, 3, 4]
    assert [lane["label"] for lane in lanes] == LANES.split(",")
    assert [lane["role"] for lane in lanes] == ["sample", "reference", "sample", "reference"]
    assert [lane["substance"] for lane in lanes] == [None, "cocaine", None, "caffeine"]
    for lane, rfs in zip(lanes, truth_rf(), strict=True):
        found = [spot["rf"] for spot in lane["spots"]]
        assert found == sorted(found)
        assert found == pytest.approx(rfs, abs=RF_TOL)
        for spot in lane["spots"]:
            assert {"rf", "match", "confidence", "candidates"} <= spot.keys()
            assert spot["confidence"] in ("high", "medium", "low", None)
            assert (spot["confidence"] is None) == (spot["match"] is None)
            assert isinstance(spot["candidates"], list)
    # A reference lane is identified as its own substance, sure.
    coc = lanes[1]["spots"][0]
    assert (coc["match"], coc["confidence"]) == ("cocaine", "high")
    # A sample spot matched against a co-spot may be high, never a library-only one.
    s1 = {spot["match"] for spot in lanes[0]["spots"]}
    assert s1 == {"cocaine", "caffeine"}
    # The file written holds the same object.
    saved = json.loads((photo.parent / "plate.tlc.json").read_text(encoding="utf-8"))
    assert saved == result


def test_card_none_and_out_folder(photo, tmp_path, capsys):
    out_dir = tmp_path / "new" / "results"
    code, _, err = run(
        ["analyse", photo, "--lanes", LANES, "--card", "none", "--out", out_dir], capsys
    )
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["plate.annotated.png", "plate.tlc.json"]
    assert sorted(p.name for p in photo.parent.iterdir()) == ["new", "plate.jpg"]
    assert ".card." not in err


def test_html_and_text_cards_in_french(photo, tmp_path, capsys):
    code, out, err = run(
        [
            "analyse",
            photo,
            "--lanes",
            LANES,
            "--lang",
            "fr",
            "--card",
            "html,txt",
            "--out",
            tmp_path / "o",
        ],
        capsys,
    )
    assert code == 0, err
    assert "RÉSULTAT" in out.upper()
    assert "cocaïne" in out
    assert "DRUG CHECKING RESULT" not in out
    txt = (tmp_path / "o" / "plate.card.txt").read_text(encoding="utf-8")
    assert "cocaïne" in txt
    html = (tmp_path / "o" / "plate.card.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in html


def test_language_from_the_service_config(photo, tmp_path, capsys):
    config = tmp_path / "service.yaml"
    config.write_text("name: La CASE\nlanguage: fr\n", encoding="utf-8")
    code, out, err = run(
        ["analyse", photo, "--lanes", LANES, "--card", "none", "--config", config], capsys
    )
    assert code == 0, err
    assert "La CASE" in out
    assert "cocaïne" in out


def test_layout_file_beside_the_photo_is_read(photo, capsys):
    (photo.parent / "plate.layout.yaml").write_text(
        "lanes: S1,cocaine,S2,caffeine\n"
        "samples:\n"
        "  S1: {code: A-042, expected: cocaine}\n"
        "  S2: {code: A-043, expected: [heroin], notes: brown powder}\n"
        "notes: run by AB\n",
        encoding="utf-8",
    )
    code, out, err = run(["analyse", photo, "--json", "--card", "none"], capsys)
    assert code == 0, err
    assert "reading the layout" in err
    result = json.loads(out)
    assert [lane["label"] for lane in result["lanes"]] == LANES.split(",")
    assert result["lanes"][0]["sample"] == {"code": "A-042", "expected": ["cocaine"], "notes": None}
    assert result["lanes"][2]["sample"]["notes"] == "brown powder"
    assert result["lanes"][1]["sample"] is None  # a reference lane holds no sample
    assert result["notes"] == "run by AB"


def test_options_win_over_the_layout_file(photo, tmp_path, capsys):
    layout = tmp_path / "other.yaml"
    layout.write_text("system: TB\nlanes: [A, B, C, D]\n", encoding="utf-8")
    code, out, err = run(
        [
            "analyse",
            photo,
            "--layout",
            layout,
            "--lanes",
            LANES,
            "--system",
            "TA",
            "--json",
            "--card",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["system"] == "TA"
    assert result["lanes"][1]["role"] == "reference"


def test_expected_and_code_for_the_sample_lanes(photo, capsys):
    code, out, err = run(
        [
            "analyse",
            photo,
            "--lanes",
            "S1,cocaine,S2,caffeine",
            "--json",
            "--card",
            "none",
            "--expected",
            "S1=cocaine;S2=mdma,caffeine",
            "--sample-code",
            "S1=A-1;S2=A-2",
        ],
        capsys,
    )
    assert code == 0, err
    lanes = json.loads(out)["lanes"]
    assert lanes[0]["sample"]["expected"] == ["cocaine"]
    assert lanes[2]["sample"] == {"code": "A-2", "expected": ["mdma", "caffeine"], "notes": None}


def test_expected_for_every_sample_lane_reaches_the_card(photo, capsys):
    code, out, err = run(
        ["analyse", photo, "--lanes", LANES, "--expected", "cocaine", "--card", "none"], capsys
    )
    assert code == 0, err
    assert out.count("You expected: cocaine") == 2  # both sample lanes
    assert "not said" not in out


def test_one_sample_code_needs_one_sample_lane(photo, capsys):
    code, out, err = run(
        ["analyse", photo, "--lanes", LANES, "--sample-code", "A-042", "--card", "none"], capsys
    )
    assert code == 2
    assert "names one sample, but the plate has 2 sample lanes" in err
    assert out == ""
    assert sorted(p.name for p in photo.parent.iterdir()) == ["plate.jpg"]


def test_one_sample_code_on_a_one_sample_plate(tmp_path, capsys):
    from tlc.io import write_png
    from tlc.synth import make_plate

    image, _ = make_plate(lanes=["S1", "cocaine"], spots=[[0.59], [0.59]], rng=3)
    p = tmp_path / "one.png"
    write_png(p, image)
    code, out, err = run(
        [
            "analyse",
            p,
            "--lanes",
            "S1,cocaine",
            "--sample-code",
            "A-042",
            "--json",
            "--card",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["lanes"][0]["sample"]["code"] == "A-042"


def test_given_lines_rotation_mode_and_size(photo, capsys):
    code, out, err = run(
        [
            "analyse",
            photo,
            "--lanes",
            LANES,
            "--json",
            "--card",
            "none",
            "--baseline",
            "0.18",
            "--front",
            "0.87",
            "--rotate",
            "0",
            "--mode",
            "uv254",
            "--plate-size",
            "80x60",
        ],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["mode"] == "uv254"
    assert {"baseline_given", "front_given"} <= set(result["lines"]["flags"])
    # The sample was drawn 80 x 60 mm with its front 10.1 mm and baseline 65.6 mm
    # below the top edge: a given line near the true one keeps every Rf close.
    assert result["lanes"][1]["spots"][0]["rf"] == pytest.approx(0.59, abs=0.04)


def test_unknown_lane_label_is_a_sample_with_a_warning(photo, capsys):
    code, out, err = run(
        ["analyse", photo, "--lanes", "S1,ketamin,S2,caffeine", "--json", "--card", "none"], capsys
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["lanes"][1]["role"] == "sample"
    assert "warning: lane 2 'ketamin' is not in the library" in err
    assert "ketamine" in err  # the likely meaning is offered
    assert any("ketamin" in w for w in result["warnings"])


def test_layout_sample_for_a_missing_lane_warns(tmp_path, capsys):
    p = tmp_path / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    (tmp_path / "plate.layout.yaml").write_text("samples: {S9: {code: X}}\n", encoding="utf-8")
    code, _, err = run(["analyse", p, "--card", "none"], capsys)
    assert code == 0, err
    assert "warning: The layout gives a sample for lane 'S9'" in err


def test_the_cards_fail_before_any_file_is_written(photo, capsys):
    code, out, err = run(["analyse", photo, "--lanes", LANES, "--lang", "xx"], capsys)
    assert code == 2
    assert err.startswith("tlc: error:")
    assert out == ""
    assert sorted(p.name for p in photo.parent.iterdir()) == ["plate.jpg"]


@pytest.mark.parametrize("sample", ["stain-3lanes.jpg", "uv365-5lanes.jpg", "uv254-cropped.jpg"])
def test_other_samples_are_analysed(sample, tmp_path, capsys):
    code, out, err = run(
        ["analyse", SAMPLES / sample, "--json", "--card", "none", "--out", tmp_path], capsys
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["lanes"]
    assert result["mode"] == sample.split("-")[0]


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TLC_", "LC_"))}
    env["LANG"] = "C.UTF-8"
    return env


def test_installed_command_in_a_subprocess(photo):
    exe = shutil.which("tlc")
    if exe is None:
        pytest.skip("the tlc command is not installed")
    proc = subprocess.run(
        [exe, "analyse", str(photo), "--lanes", LANES, "--json", "--card", "none"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["schema"] == "tlc-result/1"
    assert "Traceback" not in proc.stderr


def test_cli_py_from_the_checkout(photo):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "analyse", str(photo), "--card", "txt"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "DRUG CHECKING RESULT" in proc.stdout
    assert (photo.parent / "plate.card.txt").is_file()


def test_main_keeps_the_status_of_ctx_exit(monkeypatch, capsys):
    # Without standalone mode click returns the status of ctx.exit(n); main
    # must pass it on rather than exit 0.
    import click

    from tlc.cli import cli

    @click.command("exit4")
    @click.pass_context
    def exit4(ctx):
        ctx.exit(4)

    monkeypatch.setitem(cli.commands, "exit4", exit4)
    assert run(["exit4"], capsys)[0] == 4
    assert run(["--version"], capsys)[:2] == (0, "tlc, version 0.1.0\n")
    code, out, _ = run(["analyse", "--help"], capsys)
    assert code == 0
    assert "Usage: tlc analyse [OPTIONS] IMAGE" in out


def test_internal_errors_are_one_line_unless_debugging(monkeypatch, capsys, photo):
    import tlc.pipeline

    def broken(*args, **kwargs):
        msg = "boom"
        raise RuntimeError(msg)

    monkeypatch.setattr(tlc.pipeline, "analyse", broken)
    code, out, err = run(["analyse", photo, "--card", "none"], capsys)
    assert (code, out) == (1, "")
    assert err == (
        "tlc: internal error: RuntimeError: boom (please report it; set TLC_DEBUG=1 to see "
        "the details)\n"
    )
    monkeypatch.setenv("TLC_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["analyse", str(photo), "--card", "none"])


def test_the_strips_sample_is_read_strip_by_strip(tmp_path, capsys):
    code, out, err = run(
        ["analyse", SAMPLES / "strips-uv254.jpg", "--json", "--card", "none", "--out", tmp_path],
        capsys,
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["plate"]["source"] == "strips"
    assert len(result["plate"]["parts"]) == 4
    assert [lane["label"] for lane in result["lanes"]] == ["S1", "S2", "S3", "S4"]
    assert "plate_strips" in result["plate"]["flags"]
    assert (tmp_path / "strips-uv254.annotated.png").is_file()
