"""Tests of finding and measuring spots (tlc.spots, with tlc.rf.measure).

The synthetic plates are straightened with their true corners and measured
against their true baseline and front, with the lanes found by
``find_lanes`` given the lane count, so that these tests see this stage alone.

Tolerances:
- A spot is found when a spot of its lane lies within 0.02 Rf of the truth's
  ``peak_rf`` (``tlc`` measures Rf to the densest part of a spot; see
  ``docs/conventions.md``). Measured: at most 0.003 on round spots.
- Counts are exact: no spot is missed and none is added, unless a test says
  it checks only recall.
- Faint spots (amount 0.3 of a normal spot) are found on clean plates.
- Two spots 0.08 Rf apart are both found.
- A spot with Rf below 0.06 is on the origin; within 0.05 of the front it is
  flagged as running with the front.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tlc import rf as rf_mod
from tlc.lanes import Lane, find_lanes, spot_map
from tlc.lines import Lines, remove_lines
from tlc.spots import FRONT_RF, ORIGIN_RF, Spot, find_spots

RF_TOL = 0.02
MODES = ["uv254", "stain", "uv365"]

SPOTS = [[0.2, 0.55], [0.35], [0.7], [0.45, 0.8]]
FAINT = [[{"rf": 0.3, "amount": 0.3}], [{"rf": 0.5, "amount": 0.3}], [{"rf": 0.7, "amount": 0.3}]]
CLOSE = [[0.4, 0.48], [0.3, 0.38], [0.6, 0.68]]
EMPTY = [[], [], []]


def analyse_spots(rect, *, smap=None, image=None) -> tuple[tuple[Lane, ...], tuple[Spot, ...]]:
    """Lanes (count given) and measured spots of a rectified synthetic plate."""
    lines = rect.truth_lines()
    smap = rect.spot_map() if smap is None else smap
    _, dark = rect.maps()
    lanes = find_lanes(
        smap, lines, px_per_mm=rect.ppm, n_lanes=len(rect.truth.lanes), dark_map=dark
    )
    spots = find_spots(
        rect.image if image is None else image, smap, lanes, lines,
        px_per_mm=rect.ppm, bright=rect.bright,
    )  # fmt: skip
    return lanes, rf_mod.measure(spots, lines)


def lane_rfs(spots, lane: int) -> list[float]:
    return sorted(s.rf for s in spots if s.lane == lane)


def assert_found(true: list[float], found: list[float], *, exact_count: bool = True) -> None:
    for t in true:
        assert min((abs(t - f) for f in found), default=1.0) < RF_TOL, (true, found)
    if exact_count:
        assert len(found) == len(true), (true, found)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rng", [0, 1])
def test_spots_found_at_their_rf(synth_rectified, mode, rng):
    rect = synth_rectified(mode=mode, lanes=4, spots=SPOTS, rng=rng)
    lanes, spots = analyse_spots(rect)
    for lane in lanes:
        assert_found(rect.truth_peak_rf(lane.index), lane_rfs(spots, lane.index))
    for s in spots:
        assert s.top <= s.row <= s.bottom
        assert 0 < s.contrast <= 1
        assert s.strength > 0
        assert s.half_width > 0
        assert not s.on_origin
        assert ("spot_bright" in s.flags) == (mode == "uv365")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rng", [0, 1])
def test_faint_spots_are_found(synth_rectified, mode, rng):
    rect = synth_rectified(mode=mode, lanes=3, spots=FAINT, rng=rng)
    lanes, spots = analyse_spots(rect)
    for lane in lanes:
        # recall only: see test_no_spot_on_a_plate_without_spots for extras
        assert_found(rect.truth_peak_rf(lane.index), lane_rfs(spots, lane.index), exact_count=False)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("rng", [0, 1, 2])
def test_two_close_spots_are_both_found(synth_rectified, mode, rng):
    rect = synth_rectified(mode=mode, lanes=3, spots=CLOSE, rng=rng)
    lanes, spots = analyse_spots(rect)
    for lane in lanes:
        assert_found(rect.truth_peak_rf(lane.index), lane_rfs(spots, lane.index))


@pytest.mark.parametrize(
    ("mode", "rng"),
    [
        ("uv254", 0), ("uv254", 1), ("uv254", 2), ("uv254", 3), ("stain", 0), ("stain", 1),
        ("uv365", 0), ("uv365", 3),
    ],
)  # fmt: skip
def test_no_spot_on_a_plate_without_spots(synth_rectified, mode, rng):
    rect = synth_rectified(mode=mode, lanes=3, spots=EMPTY, rng=rng)
    _, spots = analyse_spots(rect)
    assert spots == ()


@pytest.mark.parametrize("mode", MODES)
def test_labels_under_the_baseline_are_not_spots(synth_rectified, mode):
    rect = synth_rectified(mode=mode, lanes=4, spots=SPOTS, rng=0)
    assert rect.truth.labels  # pencil labels are written under the lanes
    _, spots = analyse_spots(rect)
    lines = rect.truth_lines()
    # nothing found under the baseline, and nothing added to any lane
    assert all(s.row <= lines.baseline_at(s.col) + 0.5 * rect.ppm for s in spots)
    assert all(s.rf > -ORIGIN_RF for s in spots)
    assert len(spots) == sum(len(x) for x in SPOTS)


@pytest.mark.parametrize("mode", ["uv254", "stain"])
def test_a_dust_speck_is_not_a_spot(synth_rectified, mode):
    # A dark speck 0.4 mm across, in lane 2 half way up: dust, not a spot.
    from tlc import contrast

    rect = synth_rectified(mode=mode, lanes=4, spots=SPOTS, rng=0)
    lane = rect.truth.lanes[1]
    row = rect.row(lane.baseline_mm - 0.6 * (lane.baseline_mm - lane.front_mm))
    col = rect.col(lane.x_mm)
    image = rect.image.copy()
    rr, cc = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    speck = np.hypot(rr - row, cc - col) <= 1.6
    image[speck] = (35, 35, 35)
    cmap = contrast.contrast(image, mode=mode, px_per_mm=rect.ppm)
    smap = remove_lines(spot_map(cmap, px_per_mm=rect.ppm), rect.truth_lines(), px_per_mm=rect.ppm)
    _, spots = analyse_spots(rect, smap=smap, image=image)
    assert not any(np.hypot(s.row - row, s.col - col) < 1.5 * rect.ppm for s in spots)
    assert_found(rect.truth_peak_rf(2), lane_rfs(spots, 2))


@pytest.mark.parametrize("mode", MODES)
def test_origin_and_front_spots_are_flagged(synth_rectified, mode):
    rect = synth_rectified(mode=mode, lanes=3, spots=[[0.0, 0.5], [0.45], [0.97]], rng=0)
    lanes, spots = analyse_spots(rect)
    for lane in lanes:
        assert_found(rect.truth_peak_rf(lane.index), lane_rfs(spots, lane.index))
    origin = [s for s in spots if s.rf < ORIGIN_RF]
    assert len(origin) == 1
    assert origin[0].on_origin
    assert "spot_on_origin" in origin[0].flags
    front = [s for s in spots if s.rf > 1 - FRONT_RF]
    assert len(front) == 1
    assert "spot_at_front" in front[0].flags
    assert not front[0].on_origin
    middle = [s for s in spots if ORIGIN_RF <= s.rf <= 1 - FRONT_RF]
    assert not any({"spot_on_origin", "spot_at_front"} & set(s.flags) for s in middle)


TAILING = [
    [{"rf": 0.6, "tail": 1.0, "amount": 1.5}],
    [{"rf": 0.5, "tail": 0.6}],
    [{"rf": 0.4, "tail": 0.3}],
]


@pytest.mark.parametrize(
    ("mode", "rng"),
    [
        ("uv254", 1), ("stain", 0), ("stain", 1), ("uv365", 1),
        ("uv254", 0),
        ("uv365", 0),  # the tail breaks into a faint lump of its own: still one spot
    ],
)  # fmt: skip
def test_a_tailing_spot_is_one_spot_measured_at_its_head(synth_rectified, mode, rng):
    # The head of a tailing spot runs ahead of its darkness-weighted centre
    # (peak_rf 0.65 for rf 0.60 here): tlc measures the head.
    rect = synth_rectified(mode=mode, lanes=3, spots=TAILING, rng=rng)
    lanes, spots = analyse_spots(rect)
    for lane in lanes:
        assert_found(rect.truth_peak_rf(lane.index), lane_rfs(spots, lane.index))


@pytest.mark.parametrize("mode", ["stain", "uv254"])
def test_a_long_tail_is_flagged(synth_rectified, mode):
    # The tail is fainter than half the head, so it is followed down to a
    # fifth of the peak (on 100 synthetic plates: 2 % of spots without a
    # tail flagged, and the tails of 0.4-0.7 flagged only 7 % of the time:
    # the flag says "clearly tailing", not "perhaps").
    rect = synth_rectified(mode=mode, lanes=3, spots=TAILING, rng=0)
    _, spots = analyse_spots(rect)
    (head,) = [s for s in spots if s.lane == 1]
    assert "spot_tailing" in head.flags
    plain = synth_rectified(mode=mode, lanes=4, spots=SPOTS, rng=0)
    _, spots = analyse_spots(plain)
    assert not [s for s in spots if "spot_tailing" in s.flags]


def test_spots_are_ordered_bottom_to_top_within_a_lane(synth_rectified):
    rect = synth_rectified(mode="uv254", lanes=4, spots=SPOTS, rng=0)
    _, spots = analyse_spots(rect)
    for lane in (1, 4):
        rows = [s.row for s in spots if s.lane == lane]
        assert rows == sorted(rows, reverse=True)
        assert len(rows) == 2


def test_find_spots_does_not_modify_its_inputs(synth_rectified):
    rect = synth_rectified(mode="uv254", lanes=4, spots=SPOTS, rng=0)
    assert not rect.image.flags.writeable
    assert not rect.spot_map().flags.writeable
    analyse_spots(rect)  # a write into a read-only input would raise


# --------------------------------------------------------------------------- #
# hand-made cases and errors
# --------------------------------------------------------------------------- #

LINES = Lines.level(700.0, 100.0, 480.0)
LANE = Lane(index=1, col=240.0, width=80.0)


def test_no_lanes_no_spots():
    smap = np.zeros((800, 480), np.float32)
    image = np.zeros((800, 480, 3), np.uint8)
    assert find_spots(image, smap, (), LINES, px_per_mm=8.0) == ()


def test_one_gaussian_spot_is_measured_exactly():
    rows, cols = np.mgrid[0:800, 0:480]
    smap = (0.4 * np.exp(-0.5 * (((rows - 400) / 9) ** 2 + ((cols - 240) / 9) ** 2))).astype(
        np.float32
    )
    image = np.full((800, 480, 3), 200, np.uint8)
    (spot,) = rf_mod.measure(find_spots(image, smap, (LANE,), LINES, px_per_mm=8.0), LINES)
    assert spot.lane == 1
    assert spot.row == pytest.approx(400, abs=0.5)
    assert spot.col == pytest.approx(240, abs=0.5)
    assert spot.rf == pytest.approx(0.5, abs=0.002)
    assert spot.contrast == pytest.approx(0.4, abs=0.02)
    # half maximum of a Gaussian: +-1.177 sigma
    assert spot.bottom - spot.top == pytest.approx(2 * 1.177 * 9, abs=2)
    assert spot.flags == ()


@pytest.mark.parametrize(
    ("sigma_px", "peak", "is_spot"),
    [
        (4.5, 0.09, False),  # ~1.3 mm across at half height, faint: the pencil dot
        (9.0, 0.30, True),  # ~2.5 mm: material left on the origin
        (4.5, 0.40, True),  # small but dark: material, not pencil
    ],
)
def test_a_pencil_dot_on_the_origin_is_not_a_spot(sigma_px, peak, is_spot):
    rows, cols = np.mgrid[0:800, 0:480]
    blob = np.exp(-0.5 * (((rows - 699) / sigma_px) ** 2 + ((cols - 240) / sigma_px) ** 2))
    smap = (peak * blob).astype(np.float32)
    image = np.full((800, 480, 3), 200, np.uint8)
    spots = find_spots(image, smap, (LANE,), LINES, px_per_mm=8.0)
    assert len(spots) == int(is_spot)
    assert all(s.on_origin for s in spots)


@pytest.mark.parametrize("value", [0.0, 1.0, -0.1, 1.5])
def test_min_contrast_must_be_within_0_and_1(value):
    smap = np.zeros((800, 480), np.float32)
    image = np.zeros((800, 480, 3), np.uint8)
    with pytest.raises(ValueError, match=rf"min_contrast must be within \(0, 1\), got {value}"):
        find_spots(image, smap, (LANE,), LINES, px_per_mm=8.0, min_contrast=value)


def test_spot_dict_round_trip():
    spot = Spot(lane=2, row=400.0, col=160.0, top=392.0, bottom=408.0, half_width=8.0,
                strength=1.25, contrast=0.31, colour=(40, 60, 50), on_origin=False, rf=0.5,
                flags=("spot_faint",))  # fmt: skip
    d = spot.to_dict(8.0)
    assert d["rf"] == 0.5
    assert d["position_mm"] == {"x": 20.0, "y": 50.0}
    assert d["extent_mm"] == {"top": 49.0, "bottom": 51.0, "half_width": 1.0}
    assert d["colour"].lower() == "#283c32"
    assert Spot.from_dict(d, lane=2, px_per_mm=8.0) == spot


def test_a_faint_band_across_the_lane_is_not_a_spot():
    # Bug (benchmark plate synthetic-070): under an unmarked front, the faint
    # band where the solvent's residue dried was read as a spot at Rf 0.90
    # in every lane. Faint, lane-wide and wider than tall: a band.
    rows, cols = np.mgrid[0:800, 0:480]
    band = 0.04 * np.exp(-0.5 * ((rows - 150) / 12) ** 2) * (1 + 0.2 * np.cos((cols - 240) / 15))
    spot = 0.04 * np.exp(-0.5 * (((rows - 400) / 9) ** 2 + ((cols - 240) / 9) ** 2))
    smap = (band + spot).astype(np.float32)
    image = np.full((800, 480, 3), 200, np.uint8)
    spots = rf_mod.measure(find_spots(image, smap, (LANE,), LINES, px_per_mm=8.0), LINES)
    assert [round(s.rf, 2) for s in spots] == [0.5]  # the faint round spot stays


def test_a_faint_blob_of_the_coating_is_not_a_spot():
    # Bug (benchmark plates, e.g. seed 7, synthetic-023): the mottle of an
    # unevenly coated plate leaves faint blobs 6-10 mm across in the map; one
    # read as a spot at Rf 0.89 in two lanes. On the 300 benchmark plates no
    # faint spot was wider than 5.5 mm at half its peak; 12 blobs were.
    rows, cols = np.mgrid[0:800, 0:480]
    blob = 0.05 * np.exp(-0.5 * (((rows - 250) / 20) ** 2 + ((cols - 240) / 30) ** 2))
    spot = 0.05 * np.exp(-0.5 * (((rows - 500) / 9) ** 2 + ((cols - 240) / 9) ** 2))
    smap = (blob + spot).astype(np.float32)
    image = np.full((800, 480, 3), 200, np.uint8)
    spots = rf_mod.measure(find_spots(image, smap, (LANE,), LINES, px_per_mm=8.0), LINES)
    assert [round(s.rf, 2) for s in spots] == [0.33]  # the faint round spot stays


@pytest.mark.parametrize(("offset_mm", "kept"), [(1.0, False), (2.8, False), (5.0, True)])
def test_a_bright_halo_beside_a_dark_spot_is_not_a_spot(offset_mm, kept):
    # Real UV 254 photos show a blue halo beside dark spots, 1.2 mm beyond
    # the spot's edge on TLC_imageprocessing/uv/101678.jpg: it is the dark
    # spot's, not a spot of its own. Further out, a bright spot is one.
    from tlc.spots import merge

    ppm = 8.0
    dark = Spot(
        lane=1, row=400.0, col=240.0, top=386.0, bottom=414.0, half_width=13.5,
        strength=5.0, contrast=0.5, colour=(40, 40, 60),
    )  # fmt: skip
    glow = Spot(
        lane=1, row=401.0, col=240.0 + offset_mm * ppm, top=393.0, bottom=409.0,
        half_width=8.0, strength=0.5, contrast=0.1, colour=(120, 200, 255),
        flags=("spot_bright",),
    )  # fmt: skip
    other_lane = dataclasses.replace(glow, lane=2)
    merged = merge((dark,), (glow, other_lane), px_per_mm=ppm)
    assert (glow in merged) is kept
    assert other_lane in merged
