"""Tests of the synthetic plate renderer (tlc.synth) and ``tlc synth``.

Tolerances:
- Geometry: the truth's corners define the plate homography exactly, so a
  plate rectified with them puts a round spot's darkness-weighted centre
  within 0.15 mm of the truth row and column (measured on clean photos:
  no noise, no JPEG; residue comes from resampling and neighbouring pencil).
- Truth Rf of a round spot equals the requested Rf within 0.002 (the spot
  is placed so that its darkness centroid has that Rf; the residue is the
  placement iteration).
- Colour: inside the corners a UV 254 photo is green (G exceeds R and B by
  at least 40 of 255); 4 mm outside the plate it is not.
- Quarter turns: the same seed at 0/90/180/270 degrees, rectified with the
  truth, gives the same upright plate within a mean absolute difference of
  6 grey levels (resampling at different photo scales).
- ``random_plate`` proportions over 400 draws are within 8 points of the
  stated ones (binomial sd is at most 2.5 points).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlc.cli import main
from tlc.synth import SpotSpec, Truth, make_plate, random_plate, truth_path

S = 10.0  # px/mm of the rectified plate used by these tests

CLEAN = {"noise": 0.0, "light": 0.0, "blur": 0.0, "jpeg_quality": None}


def rectify(image: np.ndarray, truth: Truth, scale: float = S) -> np.ndarray:
    """The upright plate from the photo, using only the truth's corners."""
    import cv2

    h, w = truth.size_mm
    to_mm = np.array([[1 / scale, 0, 0.5 / scale], [0, 1 / scale, 0.5 / scale], [0, 0, 1]])
    m = truth.homography() @ to_mm
    size = (round(w * scale), round(h * scale))
    return cv2.warpPerspective(image, np.linalg.inv(m), size, flags=cv2.INTER_LINEAR)


def spot_centroid(rect: np.ndarray, row_mm: float, x_mm: float) -> tuple[float, float]:
    """Darkness-weighted centre (mm) of the spot near (row_mm, x_mm) on a rectified uv254 plate."""
    r, c = row_mm * S - 0.5, x_mm * S - 0.5
    r0, r1, c0, c1 = int(r - 35), int(r + 36), int(c - 25), int(c + 26)
    patch = rect[r0:r1, c0:c1].astype(float)
    ring = np.concatenate([patch[:3].reshape(-1, 3), patch[-3:].reshape(-1, 3)])
    background = np.median(ring, axis=0)
    dark = np.clip((background - patch)[..., 1] - 8.0, 0, None)  # green quenching
    rows = np.arange(r0, r1)[:, None]
    cols = np.arange(c0, c1)[None, :]
    return (
        float((dark * rows).sum() / dark.sum() + 0.5) / S,
        float((dark * cols).sum() / dark.sum() + 0.5) / S,
    )


# --------------------------------------------------------------------------- #
# make_plate
# --------------------------------------------------------------------------- #


def test_same_seed_same_photo_and_truth():
    a, ta = make_plate(lanes=3, rng=11, noise=0.5, light=0.5, blur=0.3, jpeg_quality=80)
    b, tb = make_plate(lanes=3, rng=11, noise=0.5, light=0.5, blur=0.3, jpeg_quality=80)
    c, _ = make_plate(lanes=3, rng=12, noise=0.5, light=0.5, blur=0.3, jpeg_quality=80)
    assert np.array_equal(a, b)
    assert ta == tb
    assert a.shape != c.shape or not np.array_equal(a, c)


def test_generator_is_accepted():
    a, _ = make_plate(rng=np.random.default_rng(5), photo_px=(600, 800))
    b, _ = make_plate(rng=np.random.default_rng(5), photo_px=(600, 800))
    assert a.shape == (600, 800, 3)
    assert a.dtype == np.uint8
    assert np.array_equal(a, b)


@pytest.mark.parametrize(("rotation", "perspective"), [(0, 0.0), (17, 0.8), (-6, 0.5)])
def test_corners_frame_the_green_plate(rotation, perspective):
    image, truth = make_plate(lanes=4, rng=2, rotation=rotation, perspective=perspective, **CLEAN)
    h, w = truth.size_mm
    # Points 3 mm inside the edges, away from pencil marks, are plate.
    inside_r, inside_c = truth.to_photo([3, 3, h / 2, h / 2], [w / 2, 3, 3, w - 3])
    for r, c in zip(inside_r, inside_c, strict=True):
        px = image[round(r), round(c)].astype(int)
        assert px[1] > px[0] + 40
        assert px[1] > px[2] + 40
    # Points 4 mm outside are background (where they fall in the photo).
    out_r, out_c = truth.to_photo([-4, h + 4, h / 2, h / 2], [w / 2, w / 2, -4, w + 4])
    seen = 0
    for r, c in zip(out_r, out_c, strict=True):
        if 0 <= r < image.shape[0] and 0 <= c < image.shape[1]:
            px = image[round(r), round(c)].astype(int)
            assert not (px[1] > px[0] + 40 and px[1] > px[2] + 40)
            seen += 1
    assert seen >= 2


@pytest.mark.parametrize("rotation", [0, 90, 180, 270, 33])
def test_spots_are_dark_where_the_truth_says(rotation):
    spots = [[0.3, 0.75], [0.5], [0.2, 0.62]]
    image, truth = make_plate(lanes=3, spots=spots, rng=4, rotation=rotation, **CLEAN)
    rect = rectify(image, truth)
    for lane, want in zip(truth.lanes, spots, strict=True):
        assert [s.rf for s in lane.spots] == pytest.approx(want, abs=0.002)
        for spot in lane.spots:
            row, col = spot_centroid(rect, spot.row_mm, spot.x_mm)
            assert row == pytest.approx(spot.row_mm, abs=0.15)
            assert col == pytest.approx(spot.x_mm, abs=0.15)
            # Darker than the plate beside it, 4 mm to the side at the same row.
            r, c = round(spot.row_mm * S), round(spot.x_mm * S)
            side = rect[r, c + 40 if c + 40 < rect.shape[1] else c - 40].astype(int)
            assert int(rect[r, c, 1]) < side[1] - 25


def test_truth_rf_is_measured_against_the_local_lines():
    _, truth = make_plate(lanes=5, spots=[[0.4]] * 5, rng=8, **CLEAN)
    bases = {round(lane.baseline_mm, 3) for lane in truth.lanes}
    assert len(bases) > 1  # the baseline is tilted, so each lane has its own
    for lane in truth.lanes:
        spot = lane.spots[0]
        rf = (lane.baseline_mm - spot.row_mm) / (lane.baseline_mm - lane.front_mm)
        # the spot wanders up to 0.35 mm sideways from the lane centre
        assert rf == pytest.approx(spot.rf, abs=0.004)
        assert spot.rf == pytest.approx(0.4, abs=0.002)


def test_tailing_spot_centroid_trails_its_head():
    _, truth = make_plate(lanes=1, spots=[[SpotSpec(0.6, tail=0.8)]], rng=1, **CLEAN)
    spot = truth.lanes[0].spots[0]
    assert spot.rf == pytest.approx(0.6, abs=0.002)
    assert spot.peak_rf is not None
    assert spot.peak_rf > spot.rf + 0.01


def test_origin_spot_and_faint_spot_flags():
    _, truth = make_plate(
        lanes=2, spots=[[0.0, SpotSpec(0.5, amount=0.15)], [{"rf": 0.3}]], rng=1, **CLEAN
    )
    origin, faint = truth.lanes[0].spots
    assert origin.on_origin
    assert origin.rf == pytest.approx(0.0, abs=0.002)
    assert faint.faint
    assert not truth.lanes[1].spots[0].faint


@pytest.mark.parametrize("quarter", [90, 180, 270])
def test_quarter_turns_keep_the_truth_upright(quarter):
    base_img, base = make_plate(lanes=4, rng=6, **CLEAN)
    img, turned = make_plate(lanes=4, rng=6, rotation=quarter, **CLEAN)
    assert turned.rotation == quarter
    assert turned.lanes == base.lanes
    assert turned.baseline_mm == base.baseline_mm
    a = rectify(base_img, base).astype(float)
    b = rectify(img, turned).astype(float)
    assert np.abs(a - b)[10:-10, 10:-10].mean() < 6.0
    # The plate's top edge (TL-TR) lies where the turn puts it.
    tl, tr, br, bl = np.array(turned.corners)
    top, bottom = (tl + tr) / 2, (bl + br) / 2
    if quarter == 90:
        assert top[1] < bottom[1]  # top edge on the left
    elif quarter == 180:
        assert top[0] > bottom[0]  # upside down
    else:
        assert top[1] > bottom[1]  # top edge on the right


def test_rotation_rounds_to_the_nearest_quarter_turn():
    _, truth = make_plate(rotation=-84, rng=0, photo_px=(800, 800))
    assert truth.rotation == 270
    assert truth.angle == -84


def test_cropped_photo_is_all_plate():
    image, truth = make_plate(lanes=3, cropped=True, rng=5, **CLEAN)
    assert image[..., 1].mean() > image[..., 0].mean() + 40
    corners = np.array(truth.corners)
    rows, cols = image.shape[:2]
    # The corners lie on or just outside the photo's own corners.
    assert (np.abs(corners[:, 0] - np.clip(corners[:, 0], 0, rows - 1)) < 0.02 * rows + 1).all()
    assert corners[:, 0].min() <= 0.5
    assert corners[:, 1].max() >= cols - 1.5


@pytest.mark.parametrize("mode", ["stain", "uv365"])
def test_other_modes(mode):
    image, truth = make_plate(lanes=3, spots=[[0.5], [], [0.3]], mode=mode, rng=3, **CLEAN)
    rect = rectify(image, truth).astype(float)
    plate = np.median(rect[rect.shape[0] // 2 - 20 : rect.shape[0] // 2 + 20, :], axis=(0, 1))
    if mode == "stain":
        assert plate.min() > 170  # white plate
    else:
        assert plate[2] > plate[1] + 20  # blue-violet plate
        assert plate.max() < 170
    spot = truth.lanes[0].spots[0]
    px = rect[round(spot.row_mm * S), round(spot.x_mm * S)]
    assert np.abs(px - plate).sum() > 60  # the spot shows
    assert truth.mode == mode


def test_size_and_photo_size_are_honoured():
    image, truth = make_plate(lanes=2, size_mm=(75, 50), photo_px=(900, 700), rng=0)
    assert image.shape == (900, 700, 3)
    assert truth.size_mm == (75.0, 50.0)
    assert truth.photo_shape == (900, 700)
    for lane in truth.lanes:
        assert 0 < lane.x_mm < 50
        assert 8 <= 75 - lane.baseline_mm <= 15.5


def test_labels_are_kept_in_order():
    _, truth = make_plate(lanes=("S1", "cocaine", "caffeine"), rng=0, photo_px=(800, 600))
    assert truth.lane_labels == ["S1", "cocaine", "caffeine"]
    xs = [lane.x_mm for lane in truth.lanes]
    assert xs == sorted(xs)
    assert 7.0 - 0.8 <= xs[1] - xs[0] <= 12.0 + 0.8


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    rotation=st.floats(-180, 360),
    perspective=st.floats(0, 1),
    lanes=st.integers(1, 8),
)
def test_truth_is_consistent(seed, rotation, perspective, lanes):
    image, truth = make_plate(
        lanes=lanes, rng=seed, rotation=rotation, perspective=perspective, photo_px=(500, 700)
    )
    w = truth.size_mm[1]
    assert image.shape == (500, 700, 3)
    assert len(truth.lanes) == lanes
    corners = np.array(truth.corners)
    assert (corners[:, 0] > -1).all()
    assert (corners[:, 0] < 500).all()
    assert (corners[:, 1] > -1).all()
    assert (corners[:, 1] < 700).all()
    assert truth.front_mm < truth.baseline_mm
    for lane, rfs in zip(truth.lanes, truth.lanes_rf, strict=True):
        assert rfs == sorted(rfs)
        assert 0 < lane.x_mm < w
        for spot in lane.spots:
            assert -0.01 <= spot.rf <= 1.0
            assert lane.front_mm - 1 < spot.row_mm < lane.baseline_mm + 1
            assert 0 < spot.x_mm < w
        gaps = np.diff([s.rf for s in lane.spots if not s.on_origin])
        assert (gaps >= 0.06 - 0.02).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "uv366"}, "mode must be one of"),
        ({"lanes": 0}, "lanes must be between 1 and 20"),
        ({"lanes": "S1,S2"}, "lanes must be a number of lanes or a list of labels"),
        ({"lanes": ["S1", " "]}, "every lane label must be a non-empty text"),
        ({"perspective": 1.5}, "perspective must be between 0 and 1"),
        ({"noise": -0.1}, "noise must be between 0 and 1"),
        ({"rotation": float("nan")}, "rotation must be a number of degrees"),
        ({"jpeg_quality": 5}, "jpeg_quality must be None or between 10 and 100"),
        ({"size_mm": (100, 10)}, "size_mm must be"),
        ({"size_mm": (30, 50)}, "at least 45 mm high"),
        ({"size_mm": (100, 20), "lanes": 6}, "do not fit on a plate"),
        ({"photo_px": (100, 100)}, "photo_px must be"),
        ({"spots": [[0.3]]}, "one entry per lane"),
        ({"lanes": 1, "spots": [[1.3]]}, "every Rf must be between 0 and 1"),
        ({"lanes": 1, "spots": [[SpotSpec(0.3, amount=0)]]}, "amount must be in"),
        ({"lanes": 1, "spots": [["high"]]}, "a spot is an Rf number"),
        ({"lanes": 1, "spots": [[{"rf": 0.3, "size": 2}]]}, "a spot is an Rf or a dict"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_plate(**kwargs)


# --------------------------------------------------------------------------- #
# Truth files
# --------------------------------------------------------------------------- #


def test_truth_yaml_round_trip(tmp_path):
    _, truth = make_plate(
        lanes=("S1", "cocaine"), spots=[[0.0, 0.31], [SpotSpec(0.6, tail=0.5)]], rng=9
    )
    written = truth.to_yaml(tmp_path / "plate.jpg")
    assert written == tmp_path / "plate.truth.yaml" == truth_path(tmp_path / "plate.jpg")
    again = Truth.from_yaml(written)
    assert again.to_dict() == truth.to_dict()
    assert Truth.from_yaml(tmp_path / "plate.jpg").to_dict() == truth.to_dict()
    raw = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert raw["file"] == "plate.jpg"
    assert raw["expect"] == "analyse"
    assert raw["lanes"] == 2
    assert raw["lane_labels"] == ["S1", "cocaine"]
    assert raw["lanes_rf"][0] == pytest.approx([0.0, 0.31], abs=0.002)
    assert raw["mode"] == "uv254"
    # An explicit YAML path is written as given.
    other = truth.to_yaml(tmp_path / "t.yaml")
    assert other == tmp_path / "t.yaml"
    assert Truth.from_yaml(other) == Truth.from_dict(truth.to_dict())


# --------------------------------------------------------------------------- #
# random_plate
# --------------------------------------------------------------------------- #


def test_random_plate_proportions():
    draws = [random_plate(i) for i in range(400)]
    modes = [d["mode"] for d in draws]
    assert abs(modes.count("uv254") / 400 - 0.6) < 0.08
    assert abs(modes.count("stain") / 400 - 0.3) < 0.08
    assert abs(modes.count("uv365") / 400 - 0.1) < 0.08
    n = [d["lanes"] if isinstance(d["lanes"], int) else len(d["lanes"]) for d in draws]
    assert min(n) == 2
    assert max(n) == 8
    quarter = [abs((d["rotation"] + 45) % 90 - 45) < 10 and abs(d["rotation"]) > 45 for d in draws]
    assert abs(sum(quarter) / 400 - 0.1) < 0.08
    assert abs(sum(d["cropped"] for d in draws) / 400 - 0.15) < 0.08
    assert abs(sum(not d["front_line"] for d in draws) / 400 - 0.4) < 0.08
    assert abs(sum(d["labels"] for d in draws) / 400 - 0.7) < 0.08
    assert all(0 <= d["perspective"] <= 0.8 for d in draws)
    assert random_plate(3) == random_plate(3)


def test_random_plates_render(tmp_path):
    for seed in range(3):
        kwargs = random_plate(seed)
        image, truth = make_plate(**{**kwargs, "photo_px": (600, 800)})
        assert image.shape == (600, 800, 3)
        assert truth.params["mode"] == kwargs["mode"]
        truth.to_yaml(tmp_path / f"r{seed}.png")  # YAML-safe params


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_cli_writes_photo_and_truth(tmp_path, capsys):
    out = tmp_path / "plate.jpg"
    code, stdout, err = run(
        [
            "synth", str(out), "--lanes", "S1,cocaine,S2", "--spots", "0.3,0.6;0.45;*",
            "--seed", "3", "--perspective", "0.3", "--rotation", "5", "--photo-size", "900x700",
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"
    truth = Truth.from_yaml(tmp_path / "plate.truth.yaml")
    assert truth.lane_labels == ["S1", "cocaine", "S2"]
    assert truth.lanes_rf[0] == pytest.approx([0.3, 0.6], abs=0.002)
    assert truth.lanes_rf[1] == pytest.approx([0.45], abs=0.002)
    assert truth.photo_shape == (900, 700)
    assert str(out) in stdout
    from tlc.io import read_image

    assert read_image(out).shape == (900, 700, 3)


def test_cli_random_png(tmp_path, capsys):
    out = tmp_path / "r.png"
    code, _, err = run(["synth", str(out), "--random", "--seed", "4", "--photo-size", "600x800"],
                       capsys)  # fmt: skip
    assert code == 0, err
    assert out.read_bytes()[:4] == b"\x89PNG"
    truth = Truth.from_yaml(out)
    assert truth.params["rng"] == random_plate(4)["rng"]
    assert truth.mode == random_plate(4)["mode"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "uv999"], "--mode must be uv254, stain or uv365"),
        (["--lanes", "S1,,S2"], "--lanes: give a number or labels separated by commas"),
        (["--lanes", "0"], "--lanes must be between 1 and 20 lanes"),
        (["--lanes", "2", "--spots", "0.3"], "--spots gives 1 lanes"),
        (["--lanes", "1", "--spots", "x"], "--spots: every Rf must be a number from 0 to 1"),
        (["--quality", "5"], "--quality must be between 30 and 100"),
        (["--size", "100by50"], "--size must look like 100x50"),
        (["--perspective", "3"], "perspective must be between 0 and 1"),
        (["--strips", "1"], "--strips must be between 2 and 10"),
        (["--strips", "3", "--lanes", "3"], "--lanes: not for --strips"),
        (["--strips", "3", "--spots", "0.3;0.4"], "--spots gives 2 lanes"),
    ],
)
def test_cli_bad_options_one_line_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "p.jpg"
    code, _, err = run(["synth", str(out), *args], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not out.exists()
    assert not (tmp_path / "p.truth.yaml").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("p.gif", "must end in .jpg, .jpeg or .png"), ("nowhere/p.jpg", "no such folder")],
)
def test_cli_bad_output_path(tmp_path, capsys, name, message):
    code, _, err = run(["synth", str(tmp_path / name)], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_cli_runs_as_a_program(tmp_path):
    out = tmp_path / "s.jpg"
    proc = subprocess.run(
        [sys.executable, "-c", "from tlc.cli import main; main()", "synth", str(out),
         "--mode", "nope"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == "tlc: error: --mode must be uv254, stain or uv365, got 'nope'"


def test_samples_have_truth_files():
    samples = Path(__file__).resolve().parent.parent / "samples"
    photos = sorted(samples.glob("*.jpg"))
    assert len(photos) >= 5
    for photo in photos:
        assert photo.stat().st_size < 400_000
        if photo.name.startswith("strips-"):
            # separate strips (tlc synth --strips): one plate truth a strip
            import yaml

            d = yaml.safe_load(photo.with_suffix("").with_suffix(".truth.yaml").read_text())
            strips = [Truth.from_dict(t) for t in d["strips"]]
            assert [len(t.lanes) for t in strips] == [1] * d["lanes"]
            continue
        truth = Truth.from_yaml(photo)
        assert truth.lanes


def test_cli_reference_lane_takes_the_library_rf(tmp_path, capsys):
    from tlc.library import load_library

    cocaine = load_library().resolve("cocaine")
    assert cocaine is not None
    want = cocaine.rf["TA"].rf
    out = tmp_path / "ref.jpg"
    code, _, err = run(
        ["synth", str(out), "--lanes", "S1,cocaine", "--system", "TA", "--photo-size", "600x800"],
        capsys,
    )
    assert code == 0, err
    truth = Truth.from_yaml(out)
    assert truth.lanes_rf[1] == pytest.approx([want], abs=0.002)
    assert truth.system == "TA"


def test_none_lane_gets_random_spots():
    _, truth = make_plate(lanes=3, spots=[[0.4], None, []], rng=2, photo_px=(600, 800))
    assert truth.lanes_rf[0] == pytest.approx([0.4], abs=0.002)
    assert truth.lanes_rf[2] == []
    # Random lanes are reproducible and hold 0 to 3 spots (plus maybe one on the origin).
    _, again = make_plate(lanes=3, spots=[[0.4], None, []], rng=2, photo_px=(600, 800))
    assert again.lanes_rf == truth.lanes_rf
    assert len(truth.lanes_rf[1]) <= 4


def test_pencil_rings_around_spots_change_no_truth():
    plain_img, plain = make_plate(lanes=2, spots=[[0.5], [0.3]], rng=7, circles=False, **CLEAN)
    ringed_img, ringed = make_plate(lanes=2, spots=[[0.5], [0.3]], rng=7, circles=True, **CLEAN)
    assert ringed.circled
    assert not plain.circled
    assert ringed.lanes == plain.lanes
    # Pencil shows on the ring, about 2 mm beside the spot centre, not without it.
    a = rectify(plain_img, plain).astype(int)
    b = rectify(ringed_img, ringed).astype(int)
    spot = ringed.lanes[0].spots[0]
    r = round(spot.row_mm * S)
    band = slice(round((spot.x_mm + 1.2) * S), round((spot.x_mm + 3.2) * S))
    assert (a[r, band, 1] - b[r, band, 1]).max() > 25


def test_random_reference_lanes_hold_one_spot():
    seen = 0
    for seed in range(60):
        kwargs = random_plate(seed)
        if not isinstance(kwargs["lanes"], list):
            assert "spots" not in kwargs
            continue
        for label, spots in zip(kwargs["lanes"], kwargs["spots"], strict=True):
            if label.startswith("S"):
                assert spots is None
            else:
                seen += 1
                assert len(spots) == 1
                assert 0.1 <= spots[0] <= 0.9
                if label == "cocaine":
                    assert spots == [0.59]
    assert seen > 5


def test_cli_draws_separate_strips_that_evaluate_reads(tmp_path, capsys):
    import yaml

    from tlc.evaluate import load_truths

    out = tmp_path / "strips.jpg"
    code, stdout, err = run(
        ["synth", str(out), "--strips", "3", "--spots", "0.3;0.5,0.7;", "--seed", "2"], capsys
    )
    assert code == 0, err
    assert str(out) in stdout
    truth = yaml.safe_load((tmp_path / "strips.truth.yaml").read_text(encoding="utf-8"))
    assert truth["lanes"] == 3
    assert truth["separate_strips"] is True
    assert truth["lanes_rf"][0] == pytest.approx([0.3], abs=0.01)
    assert truth["lanes_rf"][1] == pytest.approx([0.5, 0.7], abs=0.01)
    assert truth["lanes_rf"][2] == []
    assert len(truth["strip_corners"]) == 3
    assert [(p.name, t["lanes"]) for p, t in load_truths(tmp_path)] == [("strips.jpg", 3)]
