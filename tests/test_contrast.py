"""Tests of telling how a plate was photographed and of its contrast maps (tlc.contrast).

Tolerances:
- ``detect_mode`` gives the rendered mode on every synthetic plate tried
  (3 modes x 4 seeds), and on plain patches of the colours that decide it.
- A 3 mm spot keeps at least 60 % of its true relative contrast in the map
  (measured: 80-95 %); the plain plate stays within 0.02 of zero.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from tlc.contrast import contrast, detect_mode

PPM = 8.0


@pytest.mark.parametrize("mode", ["uv254", "stain", "uv365"])
@pytest.mark.parametrize("rng", [0, 1, 2, 3])
def test_mode_of_synthetic_plates(synth_rectified, mode, rng):
    rect = synth_rectified(mode=mode, lanes=3, rng=rng)
    assert detect_mode(rect.image) == mode


def patch(h: int, s: int, v: int) -> np.ndarray:
    """A plain 200 x 120 RGB patch of one colour given in OpenCV HSV (hue 0-180)."""
    hsv = np.zeros((200, 120, 3), np.uint8)
    hsv[:] = (h, s, v)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


@pytest.mark.parametrize(
    ("hsv", "mode"),
    [
        ((60, 160, 200), "uv254"),  # fluorescent green
        ((20, 20, 240), "stain"),  # white silica in daylight
        ((165, 170, 200), "stain"),  # pink after a permanganate dip
        ((125, 180, 110), "uv365"),  # dim violet glow
        # Bug (benchmark plate synthetic-064): a bright violet plate under a
        # strong 365 nm lamp was taken for a stained plate, and the gaps
        # between its glowing spots for dark spots.
        ((126, 165, 181), "uv365"),
        ((0, 0, 40), "uv365"),  # no glow at all
        # Bug (benchmark plate seed 7, synthetic-068): a dim glow of pale
        # violet, L* 31, was taken for a stained plate (its blue channel,
        # 102, is bright), and the gaps between its glowing spots for spots.
        ((127, 82, 102), "uv365"),
        ((163, 150, 95), "stain"),  # as dark, but magenta: dyed by permanganate
    ],
)
def test_mode_from_the_plate_colour(hsv, mode):
    assert detect_mode(patch(*hsv)) == mode


def plate_with_spot(colour: tuple[int, int, int], spot: tuple[int, int, int]) -> np.ndarray:
    image = np.zeros((480, 320, 3), np.uint8)
    image[:] = colour
    cv2.circle(image, (160, 240), round(1.5 * PPM), spot, -1)
    return image


@pytest.mark.parametrize(
    ("mode", "colour", "spot"),
    [
        ("uv254", (90, 200, 90), (45, 100, 45)),  # quenching: half as bright
        ("stain", (235, 235, 230), (200, 80, 140)),  # pink spot on white
        ("uv365", (60, 50, 120), (150, 160, 230)),  # glowing spot on violet
    ],
)
def test_a_spot_stands_out_and_the_plate_does_not(mode, colour, spot):
    image = plate_with_spot(colour, spot)
    before = image.copy()
    cmap = contrast(image, mode=mode, px_per_mm=PPM)
    assert np.array_equal(image, before)  # the input is not modified
    assert cmap.shape == image.shape[:2]
    assert cmap.dtype == np.float32
    assert cmap[240, 160] > 0.6 * 0.4
    assert abs(float(np.median(cmap[40:120, 40:280]))) < 0.02


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of uv254, stain, uv365, got 'uv300'"):
        contrast(np.zeros((50, 50, 3), np.uint8), mode="uv300", px_per_mm=PPM)


def test_robust_sigma_measures_the_noise_not_the_outliers():
    from tlc.contrast import robust_sigma

    rng = np.random.default_rng(0)
    values = rng.normal(5.0, 2.0, 20000)
    values[:2000] = 100.0  # a tenth of the map is spots or strokes
    assert robust_sigma(values) == pytest.approx(2.0, rel=0.15)
    assert robust_sigma(np.full(10, 3.0)) == 0.0


def test_robust_sigma_of_a_whole_map_reads_a_sample_of_it():
    # A map of 600 000 values is sampled evenly (100 000 values at most): the
    # spread is the same within a per cent, a map's stripes included.
    from tlc.contrast import ROBUST_SAMPLE, robust_sigma

    rng = np.random.default_rng(1)
    grid = rng.normal(0.0, 0.01, (800, 750)).astype(np.float32)
    grid[:, ::25] += 0.2  # a column in 25 is a stroke
    exact = 1.4826 * float(np.median(np.abs(grid - np.median(grid))))
    assert grid.size > ROBUST_SAMPLE
    assert robust_sigma(grid) == pytest.approx(exact, rel=0.01)


def test_a_spot_glowing_blue_shows_only_as_a_shift_to_blue():
    # Seed 0, synthetic-093: a substance glowing blue under UV 254 covers the
    # green glow (green -5 %, red -12 %) while blue rises by a third: in the
    # brightness the two nearly cancel; the shift to blue shows it four times
    # as clearly. A pale patch, brighter in every channel, is no brighter for
    # the shift.
    from tlc.contrast import glow

    plate, blue, pale = (147, 241, 146), (129, 229, 202), (175, 250, 175)
    image = plate_with_spot(plate, blue)
    plain, shifted = glow(image, px_per_mm=PPM)
    assert np.array_equal(plain, contrast(image, mode="uv254", px_per_mm=PPM, bright=True))
    assert plain[240, 160] < 0.15
    assert shifted[240, 160] > 0.3
    assert abs(float(np.median(shifted[40:120, 40:280]))) < 0.02
    plain, shifted = glow(plate_with_spot(plate, pale), px_per_mm=PPM)
    assert shifted[240, 160] == pytest.approx(plain[240, 160], abs=1e-6)
