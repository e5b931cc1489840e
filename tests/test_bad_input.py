"""Bad input to `tlc analyse`: one clear line on stderr, the right exit status, no traceback.

Exit status 2: bad usage or a file that is not a readable image. Exit status 3:
an image that was read but in which no plate, line or spot can be analysed.
Nothing is written on stdout or beside the photo when the analysis fails.
Test images are made in ``tmp_path`` with NumPy and OpenCV, plates with
``tlc.synth.make_plate``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli_analyse import LANES, SAMPLE, clean_env, run  # noqa: F401 - fixture

from tlc.errors import ImageError
from tlc.io import check_jpeg_complete
from tlc.io import jpeg_ends as _jpeg_ends

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, image: np.ndarray) -> Path:
    import cv2

    assert cv2.imwrite(str(path), image[:, :, ::-1])
    return path


def check_failure(argv, capsys, status: int, message: str, *, usage: bool = False) -> str:
    """Run; check the status, the message, and that nothing went to stdout.

    Errors of tlc are one line. Usage errors found by click itself (an
    unknown choice) keep click's usage reminder above the error line.
    """
    code, out, err = run(argv, capsys)
    assert code == status, err
    assert out == ""
    if usage:
        assert err.rstrip().splitlines()[-1].startswith("Error:"), err
    else:
        assert err.count("\n") == 1, err  # one line
        assert err.startswith("tlc: error:"), err
    assert message in err
    assert "Traceback" not in err
    return err


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    return d


def no_results(folder: Path) -> bool:
    return not any(
        p.name.endswith((".tlc.json", ".annotated.png", ".pdf")) for p in folder.iterdir()
    )


def test_missing_file(folder, capsys):
    check_failure(["analyse", folder / "none.jpg"], capsys, 2, "none.jpg: no such file")


def test_empty_file(folder, capsys):
    p = folder / "empty.jpg"
    p.write_bytes(b"")
    check_failure(["analyse", p], capsys, 2, "the file is empty")


def test_truncated_jpeg(folder, capsys):
    p = folder / "cut.jpg"
    p.write_bytes(SAMPLE.read_bytes()[:5000])
    check_failure(["analyse", p], capsys, 2, "the JPEG file is truncated")
    assert no_results(folder)


def test_text_file_named_jpg(folder, capsys):
    p = folder / "notes.jpg"
    p.write_text("not a photo\n", encoding="utf-8")
    check_failure(["analyse", p], capsys, 2, "not an image file")


def test_a_folder(folder, capsys):
    d = folder / "photo.jpg"
    d.mkdir()
    check_failure(["analyse", d], capsys, 2, "is a folder, not an image file")


def test_tiny_image(folder, capsys):
    p = write(folder / "tiny.png", np.full((8, 8, 3), 128, np.uint8))
    check_failure(["analyse", p], capsys, 2, "only 8x8 pixels")


def test_black_photo(folder, capsys):
    p = write(folder / "black.jpg", np.zeros((600, 800, 3), np.uint8))
    check_failure(["analyse", p], capsys, 3, "no plate can be seen")
    assert no_results(folder)


def test_pure_noise(folder, capsys):
    # Noise has no plate edge, no line and no spot. The pipeline may refuse
    # it (exit 3, one line) or analyse it; then it must not crash, must warn,
    # and must not claim to recognise anything in it.
    import json

    rng = np.random.default_rng(0)
    p = write(folder / "noise.png", rng.integers(0, 256, (600, 800, 3), dtype=np.uint8))
    code, out, err = run(["analyse", p, "--json", "--card", "none"], capsys)
    assert "Traceback" not in err
    if code == 3:
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith("tlc: error:")
        assert no_results(folder)
        return
    assert code == 0, err
    result = json.loads(out)
    assert result["warnings"]
    assert "warning: " in err
    for lane in result["lanes"]:
        for spot in lane["spots"]:
            assert spot["confidence"] in (None, "low"), spot


def test_blank_plate(folder, capsys):
    # A flat green rectangle on black: a plate with no line and no spot.
    image = np.zeros((600, 800, 3), np.uint8)
    image[100:500, 250:550] = (70, 200, 60)
    p = write(folder / "blank.png", image)
    check_failure(["analyse", p], capsys, 3, "tlc: error:")
    assert no_results(folder)


def test_unknown_system(folder, capsys):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    err = check_failure(["analyse", p, "--system", "XX"], capsys, 2, "unknown system 'XX'; known:")
    assert "TA" in err
    assert no_results(folder)


@pytest.mark.parametrize("lanes", ["", " ", "S1,,S2", "S1,"])
def test_empty_lanes(folder, capsys, lanes):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    check_failure(["analyse", p, "--lanes", lanes], capsys, 2, "--lanes is empty")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lanes: [S1, cocaine\n", "not valid YAML at line 2"),
        ("lane: S1,cocaine\n", "lane: unknown key"),
        ("rotate: 45\n", "rotate: must be 0, 90, 180 or 270"),
        ("samples: {S1: {code: [1, 2]}}\n", "samples: S1: code: expected text"),
        ("- S1\n- cocaine\n", "expected `key: value` lines"),
    ],
)
def test_broken_layout_file(folder, capsys, content, message):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    layout = folder / "layout.yaml"
    layout.write_text(content, encoding="utf-8")
    err = check_failure(["analyse", p, "--layout", layout], capsys, 2, message)
    assert str(layout) in err


def test_broken_layout_file_beside_the_photo(folder, capsys):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    layout = folder / "plate.layout.yaml"
    layout.write_text("lanes: [S1\n", encoding="utf-8")
    code, out, err = run(["analyse", p], capsys)
    assert (code, out) == (2, "")
    # Which file was read, then the one-line error.
    assert err.splitlines() == [
        f"tlc: reading the layout {layout}",
        f"tlc: error: {layout}: not valid YAML at line 2; check the indentation and the quotes",
    ]


def test_missing_layout_file(folder, capsys):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    check_failure(["analyse", p, "--layout", folder / "no.yaml"], capsys, 2, "no such layout file")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--plate-size", "100", "is not HxW in millimetres"),
        ("--plate-size", "0x50", "plate sides must be between 0 and 200 mm"),
        ("--baseline", "2", "a bare number is a fraction of the plate height"),
        ("--front", "high", "is not a position"),
        ("--expected", "cocaine;mdma", "name the lane of each value"),
        ("--expected", "S9=cocaine", "'S9' is not one of the lanes"),
        ("--sample-code", "S1=", "write each part as LANE=value"),
        ("--system", " ", "--system is empty"),
    ],
)
def test_bad_option_values(folder, capsys, option, value, message):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    check_failure(["analyse", p, "--lanes", LANES, option, value], capsys, 2, message)
    assert no_results(folder)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--card", "doc", "unknown card format 'doc'"),
        ("--rotate", "45", "'45' is not one of"),
        ("--mode", "uv", "'uv' is not one of"),
        ("--paper", "a3", "'a3' is not one of"),
    ],
)
def test_bad_option_choices(folder, capsys, option, value, message):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    check_failure(["analyse", p, option, value], capsys, 2, message, usage=True)
    assert no_results(folder)


def test_missing_service_config(folder, capsys):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    check_failure(
        ["analyse", p, "--config", folder / "none.yaml"], capsys, 2, "no such configuration file"
    )


def test_output_folder_that_cannot_be_made(folder, capsys):
    p = folder / "plate.jpg"
    shutil.copyfile(SAMPLE, p)
    blocker = folder / "file"
    blocker.write_text("", encoding="utf-8")
    check_failure(
        ["analyse", p, "--lanes", LANES, "--card", "none", "--out", blocker / "sub"],
        capsys,
        2,
        "cannot create the output folder",
    )


def test_unknown_option_is_a_usage_error(capsys):
    check_failure(
        ["analyse", SAMPLE, "--colour"], capsys, 2, "No such option '--colour'", usage=True
    )


def test_no_traceback_in_a_real_process(tmp_path):
    # The C libraries print on the process's stderr, which capsys does not
    # see: run the command for real on a truncated JPEG.
    p = tmp_path / "cut.jpg"
    p.write_bytes(SAMPLE.read_bytes()[:5000])
    proc = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "analyse", str(p)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"tlc: error: {p}: the JPEG file is truncated (cut off before its end); "
        "copy the photo again"
    ]


# -- the truncation check itself ------------------------------------------------


def _jpeg(progressive: bool, restart: int) -> bytes:
    import cv2

    image = np.random.default_rng(1).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(
        ".jpg",
        image,
        [cv2.IMWRITE_JPEG_PROGRESSIVE, int(progressive), cv2.IMWRITE_JPEG_RST_INTERVAL, restart],
    )
    assert ok
    return buf.tobytes()


@pytest.mark.parametrize(("progressive", "restart"), [(False, 0), (True, 0), (False, 2)])
def test_complete_jpegs_pass(progressive, restart):
    data = _jpeg(progressive, restart)
    assert _jpeg_ends(data)
    # Phone makers append data after the end marker; it is not a truncation.
    assert _jpeg_ends(data + b"\xff\xda\x00\x08trailer")


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=3, max_value=2000), progressive=st.booleans())
def test_any_cut_jpeg_is_caught(cut, progressive):
    data = _jpeg(progressive, 0)
    assert not _jpeg_ends(data[: max(3, len(data) - cut)])


def test_samples_are_complete_and_non_jpegs_left_to_read_image(tmp_path):
    for p in sorted(SAMPLE.parent.glob("*.jpg")):
        check_jpeg_complete(p)
    png = write(tmp_path / "x.png", np.zeros((80, 80, 3), np.uint8))
    check_jpeg_complete(png)
    check_jpeg_complete(tmp_path / "missing.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(SAMPLE.read_bytes()[:300])
    with pytest.raises(ImageError, match="truncated"):
        check_jpeg_complete(cut)
