"""`tlc evaluate DIR`: scores on photos with truth files, from the command line.

The scoring itself is tested in tlc.evaluate's own tests; here the command:
which photos it finds, what it prints where, its exit status. The bundled
samples must be analysed with every lane found and an Rf error (MAE) under
0.02 (they are synthetic and clean; the detection stages are tuned elsewhere).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from test_cli_analyse import SAMPLES, clean_env, run  # noqa: F401 - fixture

#: Largest mean Rf error accepted on the bundled samples.
MAE_TOL = 0.02


def copy_sample(name: str, folder: Path) -> None:
    for suffix in (".jpg", ".truth.yaml"):
        shutil.copyfile(SAMPLES / f"{name}{suffix}", folder / f"{name}{suffix}")


def test_table_and_progress(tmp_path, capsys):
    copy_sample("uv254-4lanes", tmp_path)
    copy_sample("stain-3lanes", tmp_path)
    code, out, err = run(["evaluate", tmp_path], capsys)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["photo", "outcome", "lanes", "spots", "Rf", "MAE"]
    assert "uv254-4lanes.jpg" in out
    assert "stain-3lanes.jpg" in out
    assert "photos: 2" in out
    assert err.splitlines() == [
        f"tlc: [1/2] {tmp_path / 'stain-3lanes.jpg'}: analysed",
        f"tlc: [2/2] {tmp_path / 'uv254-4lanes.jpg'}: analysed",
    ]
    # Evaluating writes nothing beside the photos.
    assert len(list(tmp_path.iterdir())) == 4


def test_json_and_lanes_from_truth(tmp_path, capsys):
    copy_sample("uv254-4lanes", tmp_path)
    code, out, err = run(["evaluate", tmp_path, "--json", "--lanes-from-truth"], capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["images"] == 1
    assert summary["correct_outcome"] == 1.0
    assert summary["lanes_right"] == 1.0
    row = summary["per_image"][0]
    assert (row["lanes_found"], row["lanes_true"]) == (4, 4)
    assert row["rf_mae"] < MAE_TOL


def test_bundled_samples(capsys):
    code, out, err = run(["evaluate", SAMPLES, "--json"], capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["images"] == len(list(SAMPLES.glob("*.truth.yaml")))
    assert summary["correct_outcome"] == 1.0
    assert summary["rf_mae"] < MAE_TOL


def test_a_photo_that_must_be_refused(tmp_path, capsys):
    import cv2

    cv2.imwrite(str(tmp_path / "black.png"), np.zeros((300, 400, 3), np.uint8))
    (tmp_path / "truth.yaml").write_text(
        "images:\n  - file: black.png\n    expect: fail\n", encoding="utf-8"
    )
    code, out, err = run(["evaluate", tmp_path], capsys)
    assert code == 0, err
    assert "refused" in out
    assert "analysed or refused as expected: 100.0%" in out


def test_no_truth_files(tmp_path, capsys):
    (tmp_path / "plate.jpg").write_bytes((SAMPLES / "uv254-4lanes.jpg").read_bytes())
    code, out, err = run(["evaluate", tmp_path], capsys)
    assert code == 2
    assert out == ""
    assert err == (
        f"tlc: error: {tmp_path}: no photo with a truth file (PHOTO.truth.yaml beside it, "
        "or truth.yaml with images:); nothing to evaluate\n"
    )


def test_missing_folder(tmp_path, capsys):
    code, out, err = run(["evaluate", tmp_path / "none"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"tlc: error: {tmp_path / 'none'}: no such folder; give the folder that holds "
        "the photos and truth files\n"
    )


def test_broken_truth_file(tmp_path, capsys):
    (tmp_path / "a.truth.yaml").write_text("lanes: [1\n", encoding="utf-8")
    code, out, err = run(["evaluate", tmp_path], capsys)
    assert (code, out) == (2, "")
    assert "a.truth.yaml: not valid YAML" in err
    assert err.count("\n") == 1
