"""Tests of finding the lanes (tlc.lanes).

The synthetic plates are straightened with their true corners and measured
against their true baseline and front, so that these tests see this stage
alone.

Tolerances:
- With the number of lanes given, the count is exact and every centre lies
  within 1.5 mm of the truth (measured: at most 0.9 mm, on a plate with an
  empty lane).
- Without it, plates whose every lane holds a clear spot give the right count.
- ``spot_map`` keeps at least 70 % of a 3 mm spot's contrast and less than
  20 % of a pencil line's or a 0.4 mm speck's.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tlc.lanes import (
    Lane,
    drop_unmarked_empty,
    find_lanes,
    ring_candidates,
    spot_candidates,
    spot_map,
)
from tlc.lines import Lines

CENTRE_TOL_MM = 1.5
PPM = 8.0

# Four lanes, every lane with clear spots.
SPOTS = [[0.2, 0.55], [0.35], [0.7], [0.45, 0.8]]


def lanes_of(rect, n_lanes: int | None) -> tuple[Lane, ...]:
    _, dark = rect.maps()
    return find_lanes(
        rect.spot_map(), rect.truth_lines(), px_per_mm=rect.ppm, n_lanes=n_lanes, dark_map=dark
    )


def centre_errors_mm(rect, lanes) -> list[float]:
    return [
        abs(a.col / rect.col_scale - t.x_mm) for a, t in zip(lanes, rect.truth.lanes, strict=True)
    ]


@pytest.mark.parametrize("mode", ["uv254", "stain", "uv365"])
@pytest.mark.parametrize("rng", [0, 1])
def test_lane_count_is_exact_when_given(synth_rectified, mode, rng):
    rect = synth_rectified(mode=mode, lanes=4, spots=SPOTS, rng=rng)
    lanes = lanes_of(rect, n_lanes=4)
    assert len(lanes) == 4
    assert max(centre_errors_mm(rect, lanes)) < CENTRE_TOL_MM
    assert [lane.index for lane in lanes] == [1, 2, 3, 4]
    assert [lane.label for lane in lanes] == ["S1", "S2", "S3", "S4"]
    assert all(lane.role == "sample" and lane.substance is None for lane in lanes)
    cols = [lane.col for lane in lanes]
    assert cols == sorted(cols)
    # a lane is about as wide as the lanes are apart
    pitch = np.median(np.diff(cols))
    assert all(0.6 * pitch <= lane.width <= 1.1 * pitch for lane in lanes)


@pytest.mark.parametrize("mode", ["uv254", "stain", "uv365"])
@pytest.mark.parametrize("rng", [0, 1])
def test_an_empty_lane_is_placed_when_the_count_is_given(synth_rectified, mode, rng):
    # The second lane holds nothing: its tick and label still place it.
    rect = synth_rectified(mode=mode, lanes=4, spots=[[0.3], [], [0.5], [0.6]], rng=rng)
    lanes = lanes_of(rect, n_lanes=4)
    assert len(lanes) == 4
    assert max(centre_errors_mm(rect, lanes)) < CENTRE_TOL_MM


@pytest.mark.parametrize("mode", ["uv254", "stain", "uv365"])
def test_lane_count_found_without_labels(synth_rectified, mode):
    rect = synth_rectified(mode=mode, lanes=4, spots=SPOTS, rng=0)
    lanes = lanes_of(rect, n_lanes=None)
    assert len(lanes) == 4
    assert max(centre_errors_mm(rect, lanes)) < CENTRE_TOL_MM
    assert all(lane.flags == () for lane in lanes)


def test_find_lanes_does_not_modify_its_inputs(synth_rectified):
    rect = synth_rectified(mode="uv254", lanes=4, spots=SPOTS, rng=0)
    smap = rect.spot_map()
    _, dark = rect.maps()
    assert not smap.flags.writeable  # the cached maps are read-only: a write would raise
    find_lanes(smap, rect.truth_lines(), px_per_mm=PPM, n_lanes=4, dark_map=dark)


# --------------------------------------------------------------------------- #
# hand-made maps
# --------------------------------------------------------------------------- #

LINES = Lines.level(700.0, 100.0, 480.0)


def blank_map() -> np.ndarray:
    return np.zeros((800, 480), np.float32)


def test_nothing_seen_is_no_lane():
    assert find_lanes(blank_map(), LINES, px_per_mm=PPM) == ()


def test_lanes_placed_evenly_when_nothing_is_seen():
    lanes = find_lanes(blank_map(), LINES, px_per_mm=PPM, n_lanes=3)
    assert len(lanes) == 3
    assert all("lanes_evenly_spaced" in lane.flags for lane in lanes)
    cols = [lane.col for lane in lanes]
    assert np.diff(cols) == pytest.approx([cols[1] - cols[0]] * 2, abs=1.0)


def test_one_lane_given():
    smap = blank_map()
    rows, cols = np.mgrid[0:800, 0:480]
    smap += (0.3 * np.exp(-0.5 * (((rows - 400) / 10) ** 2 + ((cols - 300) / 10) ** 2))).astype(
        np.float32
    )
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, n_lanes=1)
    assert len(lanes) == 1
    assert lanes[0].col == pytest.approx(300, abs=CENTRE_TOL_MM * PPM)


@pytest.mark.parametrize("n", [0, -2])
def test_n_lanes_must_be_positive(n):
    with pytest.raises(ValueError, match=f"n_lanes must be at least 1, got {n}"):
        find_lanes(blank_map(), LINES, px_per_mm=PPM, n_lanes=n)


def dot(m: np.ndarray, row: float, col: float, ry_mm: float, rx_mm: float | None = None) -> None:
    # a flat-topped spot: a solid elliptic dot of contrast 0.9 with a soft 0.3 mm rim
    rx_mm = ry_mm if rx_mm is None else rx_mm
    rr, cc = np.mgrid[: m.shape[0], : m.shape[1]]
    d = np.hypot((rr - row) / (ry_mm * PPM), (cc - col) / (rx_mm * PPM))
    m += 0.9 * np.clip((1 - d) * ry_mm / 0.3 + 0.5, 0, 1).astype(np.float32)


def test_a_flat_topped_spot_is_one_lane():
    # Bug (real photo rf_calculator/coloured_spots.png): a solid marker dot
    # 9 mm wide showed a maximum at each side of its flat top, and the two
    # made two lanes 4 mm apart.
    m = blank_map()
    for col in (80.0, 200.0):
        dot(m, 400.0, col, 1.5)
    dot(m, 380.0, 340.0, 2.5, 4.5)
    cand = spot_candidates(m, LINES, px_per_mm=PPM)
    assert sum(abs(c - 340.0) < 6 * PPM for _, c, _ in cand) == 1
    assert len(find_lanes(m, LINES, px_per_mm=PPM)) == 3


def test_spots_side_by_side_or_one_above_the_other_stay_apart():
    # two dots 4.5 mm apart in one row (neighbouring lanes) and two 3.5 mm
    # apart in one lane (close Rf values): the map dips between them
    m = blank_map()
    dot(m, 400.0, 200.0, 1.5)
    dot(m, 400.0, 236.0, 1.5)
    dot(m, 300.0, 100.0, 1.4)
    dot(m, 272.0, 100.0, 1.4)
    cand = spot_candidates(m, LINES, px_per_mm=PPM)
    assert len(cand) == 4


def test_spot_map_keeps_spots_and_drops_lines_and_specks():
    rows, cols = np.mgrid[0:400, 0:400]
    spot = 0.3 * np.exp(-0.5 * (((rows - 200) / 8) ** 2 + ((cols - 100) / 8) ** 2))
    line = 0.3 * (np.abs(rows - 300) <= 1)  # 3 px: a pencil line at 8 px/mm
    speck = 0.3 * (np.hypot(rows - 100, cols - 300) <= 1.6)  # 0.4 mm across
    cmap = (spot + line + speck).astype(np.float32)
    out = spot_map(cmap, px_per_mm=PPM)
    assert out[200, 100] > 0.7 * 0.3
    assert out[300, 250] < 0.2 * 0.3
    assert out[100, 300] < 0.2 * 0.3
    assert out.shape == cmap.shape


def test_lane_dict_round_trip():
    lane = Lane(index=2, col=160.0, width=72.0, label="cocaine", role="reference",
                substance="cocaine", flags=("lane_empty",))  # fmt: skip
    d = lane.to_dict(PPM)
    assert d["centre_mm"] == 20.0
    assert d["width_mm"] == 9.0
    assert Lane.from_dict(d, PPM) == lane


# --------------------------------------------------------------------------- #
# empty lanes in an evenly spaced row
# --------------------------------------------------------------------------- #


def map_with_spots(cols: list[int]) -> np.ndarray:
    """A blank map with one clear 2.5 mm spot at mid-height in each column given."""
    smap = blank_map()
    rows, cc = np.mgrid[0:800, 0:480]
    for c in cols:
        smap += 0.3 * np.exp(-0.5 * (((rows - 400) / 10) ** 2 + ((cc - c) / 10) ** 2))
    return smap.astype(np.float32)


def test_empty_lanes_in_a_gap_of_the_row_are_placed():
    # lanes every 60 px (7.5 mm); the 4th and 5th hold nothing and bear no mark
    lanes = find_lanes(map_with_spots([60, 120, 180, 360]), LINES, px_per_mm=PPM)
    assert [round(lane.col) for lane in lanes] == pytest.approx(
        [60, 120, 180, 240, 300, 360], abs=2
    )
    inferred = [lane.index for lane in lanes if "lane_from_spacing" in lane.flags]
    assert inferred == [4, 5]


def test_one_single_gap_measures_the_pitch():
    # Four lanes, the second empty and unmarked: three seen, gaps of two
    # pitches and one. Measured on the 300 benchmark plates, reading one
    # single gap as the pitch placed 6 such empty lanes and no false one.
    lanes = find_lanes(map_with_spots([60, 180, 240]), LINES, px_per_mm=PPM)
    assert [round(lane.col) for lane in lanes] == pytest.approx([60, 120, 180, 240], abs=2)
    assert [lane.index for lane in lanes if "lane_from_spacing" in lane.flags] == [2]


@pytest.mark.parametrize(
    "cols",
    [
        [60, 120, 275],  # the wide gap is 2.6 pitches: uneven spotting, not an empty lane
        [100, 220],  # two lanes do not tell the pitch
        [60, 180, 350],  # gaps of 15 and 21 mm: no pitch explains both
    ],
)
def test_no_lane_is_invented_without_an_evenly_spaced_row(cols):
    lanes = find_lanes(map_with_spots(cols), LINES, px_per_mm=PPM)
    assert len(lanes) == len(cols)
    assert all("lane_from_spacing" not in lane.flags for lane in lanes)


@pytest.mark.parametrize("mode", ["uv254", "stain"])
def test_empty_lanes_found_on_an_unlabelled_plate(synth_rectified, mode):
    # six lanes, the 4th and 5th empty, no labels: spacing (or ticks) place them
    spots = [[0.3], [0.55], [0.4], [], [], [0.6]]
    rect = synth_rectified(mode=mode, lanes=6, spots=spots, labels=False, rng=0)
    lanes = lanes_of(rect, n_lanes=None)
    assert len(lanes) == 6
    assert max(centre_errors_mm(rect, lanes)) < CENTRE_TOL_MM


def test_a_weak_spot_off_centre_is_not_a_lane_of_its_own():
    # Bug (benchmark plate synthetic-039): one faint candidate 4 mm beside a
    # lane with strong spots became a fifth lane. With the pitch known, a
    # weak "lane" squeezed against a strong one belongs to it.
    rows, cc = np.mgrid[0:800, 0:480]
    smap = blank_map()
    for c in (60, 150, 240, 330):
        for r in (250, 450):  # two clear spots per lane
            smap += 0.3 * np.exp(-0.5 * (((rows - r) / 10) ** 2 + ((cc - c) / 10) ** 2))
    smap += 0.035 * np.exp(-0.5 * (((rows - 350) / 8) ** 2 + ((cc - 118) / 8) ** 2))
    lanes = find_lanes(smap.astype(np.float32), LINES, px_per_mm=PPM)
    assert [round(lane.col) for lane in lanes] == pytest.approx([60, 150, 240, 330], abs=2)


def test_a_marked_empty_lane_at_the_end_of_the_row_is_a_lane():
    # Three spotted lanes 60 px apart and a pencil tick on the baseline one
    # pitch further: the fourth lane is empty but marked.
    smap = map_with_spots([60, 120, 180])
    dark = np.zeros_like(smap)
    dark[:] = 0.002 * np.random.default_rng(0).standard_normal(dark.shape)
    dark[690:711, 239:242] = 0.3  # a 2.5 mm tick across the baseline (row 700)
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, dark_map=dark.astype(np.float32))
    assert [round(lane.col) for lane in lanes] == pytest.approx([60, 120, 180, 240], abs=3)
    # without the tick, nothing says the row goes on
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, dark_map=np.zeros_like(smap))
    assert len(lanes) == 3


def labels_map(cols: list[int]) -> np.ndarray:
    """A dark-feature map with a pencil label ``S1``, ``S2``... under the baseline at each col."""
    import cv2

    dark = (0.004 * np.random.default_rng(0).standard_normal((800, 480))).astype(np.float32)
    ink = np.zeros(dark.shape, np.uint8)
    for i, c in enumerate(cols):
        cv2.putText(ink, f"S{i + 1}", (c - 14, 745), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 2)
    return dark + (0.1 / 255) * ink.astype(np.float32)


def test_a_labelled_empty_lane_at_the_end_of_a_labelled_row_is_a_lane():
    # Bug (benchmark plates synthetic-054 and -068): the label of an empty
    # first (or last) lane was as clear as its neighbours' but under the
    # absolute mark level; in a row where every lane is labelled, it is a lane.
    smap = map_with_spots([160, 240, 320, 400])
    dark = labels_map([80, 160, 240, 320, 400])
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, dark_map=dark)
    assert [round(lane.col) for lane in lanes] == pytest.approx([80, 160, 240, 320, 400], abs=3)
    kept = drop_unmarked_empty(lanes, {2, 3, 4, 5}, dark, LINES, px_per_mm=PPM)
    assert kept == lanes


def test_marks_at_the_lanes_are_evidence_of_an_origin_and_grain_is_not():
    from tlc.lanes import lane_mark_evidence

    smap = map_with_spots([80, 160, 240, 320, 400])
    marked = labels_map([80, 160, 240, 320, 400])
    for c in (80, 160, 240, 320, 400):
        marked[690:711, c - 1 : c + 2] = 0.3  # a tick across the baseline (row 700)
    labelled = lane_mark_evidence(smap, marked, LINES, px_per_mm=PPM)
    # strokes all along under the line, as many between the lanes as at them
    # (grain, a residue band): no lane is marked
    import cv2

    rng = np.random.default_rng(1)
    ink = np.zeros((800, 480), np.uint8)
    for x in range(4, 476, 9):
        y = int(rng.integers(715, 760))
        cv2.line(ink, (x, y), (x + int(rng.integers(-4, 5)), y + 12), 255, 2)
    grain = (0.004 * rng.standard_normal((800, 480))).astype(np.float32)
    grain += (0.1 / 255) * ink.astype(np.float32)
    unmarked = lane_mark_evidence(smap, grain, LINES, px_per_mm=PPM)
    assert labelled is not None
    assert unmarked is not None
    assert labelled > 1.0
    assert unmarked < 0.3
    # a lone tick (a speck on the line) at one lane of five counts for its share
    lone = np.zeros_like(marked)
    lone[690:711, 239:242] = 0.3
    one_mark = lane_mark_evidence(smap, lone, LINES, px_per_mm=PPM)
    assert one_mark is not None
    assert one_mark < 0.5 * labelled / 5
    # one lane: nothing to compare the gaps with
    assert lane_mark_evidence(map_with_spots([240]), grain, LINES, px_per_mm=PPM) is None


def test_a_faint_label_beyond_a_row_not_all_labelled_is_no_lane():
    # one lane of the row bears no label: the row does not tell how dark
    # this hand writes, and a faint word beyond it is not enough
    smap = map_with_spots([160, 240, 320, 400])
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, dark_map=labels_map([80, 160, 320, 400]))
    assert [round(lane.col) for lane in lanes] == pytest.approx([160, 240, 320, 400], abs=3)


@pytest.mark.parametrize(
    ("seen", "labelled", "expected"),
    [
        # two labelled empty lanes beyond the pair
        ([80, 160], [80, 160, 240, 320], [80, 160, 240, 320]),
        # a labelled empty lane between the two: the pitch is half their gap
        ([80, 240], [80, 160, 240], [80, 160, 240]),
        # labels under the pair only: two lanes
        ([80, 160], [80, 160], [80, 160]),
        # no writing at all: two lanes
        ([80, 160], [], [80, 160]),
    ],
    ids=["empty-beyond", "empty-between", "labelled-pair", "unlabelled-pair"],
)
def test_two_lanes_seen_are_completed_by_their_labels(seen, labelled, expected):
    # Bugs (held-out benchmark plates seed 11, synthetic-095, and seed 7,
    # synthetic-043): with only two lanes seen, the pitch was unknown and the
    # clearly labelled empty lanes of the row were never looked for.
    smap = map_with_spots(seen)
    dark = labels_map(labelled)
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, dark_map=dark)
    assert [round(lane.col) for lane in lanes] == pytest.approx(expected, abs=3)
    # the empty labelled lanes stay when the spots are measured
    with_spots = {lane.index for lane in lanes if round(lane.col) in seen}
    kept = drop_unmarked_empty(lanes, with_spots, dark, LINES, px_per_mm=PPM)
    assert kept == lanes


def test_an_empty_lane_without_marks_is_dropped_and_a_marked_one_kept():
    lanes = (
        Lane(index=1, col=60.0, width=50.0),
        Lane(index=2, col=120.0, width=50.0),
        Lane(index=3, col=180.0, width=50.0, flags=("lane_from_spacing",)),
        Lane(index=4, col=240.0, width=50.0),
        Lane(index=5, col=300.0, width=50.0),
    )
    dark = np.zeros((800, 480), np.float32)
    dark[690:711, 239:242] = 0.3  # a tick on lane 4's origin
    kept = drop_unmarked_empty(lanes, {1, 2}, dark, LINES, px_per_mm=PPM)
    assert [lane.index for lane in kept] == [1, 2, 3, 4]  # lane 5: empty, unmarked
    # nothing at all seen: every lane is kept rather than none
    assert drop_unmarked_empty(lanes[4:], set(), dark, LINES, px_per_mm=PPM) == lanes[4:]


def test_an_unmarked_lane_of_faint_spots_in_a_ticked_row_is_dropped():
    # Bug (real photo rf_calculator/image.tiff): lanes 1, 2 and 3 ticked on
    # the baseline; a faint smudge near the front between lanes 2 and 3 made
    # a fourth lane. Staff mark every lane they spot.
    lanes = tuple(
        Lane(index=i + 1, col=c, width=50.0) for i, c in enumerate((60.0, 160.0, 220.0, 300.0))
    )
    dark = np.zeros((800, 480), np.float32)
    for col in (60, 160, 300):
        dark[690:711, col - 1 : col + 2] = 0.3  # a tick on the origin

    def kept(faint, ticked=dark):
        got = drop_unmarked_empty(
            lanes, {1, 2, 3, 4}, ticked, LINES, px_per_mm=PPM, faint_only=faint
        )
        return [lane.index for lane in got]

    assert kept({3}) == [1, 2, 4]
    assert kept(set()) == [1, 2, 3, 4]  # its spot is clear: a lane, tick or not
    assert kept({1}) == [1, 2, 3, 4]  # marked: a lane, however faint
    untick = dark.copy()
    untick[690:711, 299:302] = 0.0
    assert kept({3}, untick) == [1, 2, 3, 4]  # not every other lane is marked


# --------------------------------------------------------------------------- #
# spots ringed in pencil
# --------------------------------------------------------------------------- #


def paper_with_rings(rings: list[tuple[int, int]], *, radius: int = 20) -> np.ndarray:
    """A dark-feature map of white paper with pencil rings (row, col), 5 mm across."""
    import cv2

    dark = (0.004 * np.random.default_rng(0).standard_normal((800, 480))).astype(np.float32)
    for row, col in rings:
        cv2.ellipse(dark, (col, row), (radius, radius + 4), 0, 0, 360, 0.25, 2)
    return dark


def test_pencil_rings_between_the_lines_are_spots():
    # Staff ring under the lamp what may fade in daylight (real photos of
    # rf_calculator: paper mock-ups with pencil rings only).
    dark = paper_with_rings([(400, 100), (250, 300), (760, 200)])  # the last under the baseline
    rings = ring_candidates(dark, LINES, px_per_mm=PPM)
    assert sorted((round(r), round(c)) for r, c, *_ in rings) == [(250, 300), (400, 100)]
    assert all(abs(2 * hh / PPM - 6.0) < 1.0 and abs(2 * hw / PPM - 5.0) < 1.0
               for _, _, hh, hw, _ in rings)  # fmt: skip


def test_a_ring_whose_hole_the_spot_texture_splits_is_a_ring():
    # Bug (benchmark seed 0, synthetic-002): the grain and JPEG blocks of a
    # faint ringed spot read as strokes across the ring's hole and split it
    # in three holes too small to be a ring's; the spot was lost.
    import cv2

    dark = paper_with_rings([(400, 100)], radius=15)  # a hole 4 x 4.5 mm
    cv2.line(dark, (80, 400), (120, 400), 0.25, 2)  # texture across it: four
    cv2.line(dark, (100, 378), (100, 422), 0.25, 2)  # holes under 3 mm each
    rings = ring_candidates(dark, LINES, px_per_mm=PPM)
    assert [(round(r / 4), round(c / 4)) for r, c, *_ in rings] == [(100, 25)]
    # The holes of two rings drawn touching, one above the other or side by
    # side, are not read as one ring between the two spots...
    for pair in ([(400, 300), (440, 300)], [(400, 280), (400, 320)]):
        rings = ring_candidates(paper_with_rings(pair), LINES, px_per_mm=PPM)
        assert all(max(hh, hw) < 4 * PPM for _, _, hh, hw, _ in rings)
    # ...nor are holes in a ragged tangle of strokes (noise, grain).
    for k in range(6):
        a = k * np.pi / 3
        x, y = 100 + 17 * np.cos(a), 400 + 21 * np.sin(a)
        end = (int(x + 10 * np.cos(a)), int(y + 10 * np.sin(a)))
        cv2.line(dark, (int(x), int(y)), end, 0.25, 2)
    assert len(ring_candidates(dark, LINES, px_per_mm=PPM)) == 0


def test_no_ring_in_noise_or_on_blank_paper():
    noisy = (0.05 * np.random.default_rng(1).standard_normal((800, 480))).astype(np.float32)
    assert len(ring_candidates(noisy, LINES, px_per_mm=PPM)) == 0
    assert len(ring_candidates(np.zeros((800, 480), np.float32), LINES, px_per_mm=PPM)) == 0


def test_a_tick_crosses_the_baseline_and_writing_touching_it_does_not():
    # Bug (real photos TLC-code NGG-P1..P3, read upside down): the date and
    # plate name written just above the front touched it and counted as
    # ticks, so the front looked like the origin. A tick shows on both sides.
    from tlc.lanes import tick_profile

    dark = np.zeros((800, 480), np.float32)
    dark[692:709, 119:122] = 0.3  # a tick across the baseline (row 700)
    dark[676:699, 300:303] = 0.3  # a letter's stroke standing on the baseline
    dark[676:699, 312:315] = 0.3
    prof = tick_profile(dark, LINES, px_per_mm=PPM)
    assert prof[120] > 0.5
    assert prof[290:325].max() < 0.1


def test_given_count_continues_the_row_of_lanes_seen():
    # Bug (benchmark plate synthetic-054): five lanes seen, six given, the
    # sixth empty at the left end; an even comb over the whole plate shifted
    # every lane. The row seen is continued instead: on the marked side, or
    # (here, no marks) on the side with more room.
    smap = map_with_spots([140, 200, 260, 320, 380])
    lanes = find_lanes(smap, LINES, px_per_mm=PPM, n_lanes=6, dark_map=np.zeros_like(smap))
    expected = [80, 140, 200, 260, 320, 380]
    assert [round(lane.col) for lane in lanes] == pytest.approx(expected, abs=CENTRE_TOL_MM * PPM)


def test_given_three_lanes_with_two_seen_puts_the_third_between():
    # synthetic-063: the middle lane of three holds nothing.
    lanes = find_lanes(map_with_spots([100, 380]), LINES, px_per_mm=PPM, n_lanes=3)
    assert [round(lane.col) for lane in lanes] == pytest.approx([100, 240, 380], abs=3)


@given(
    n=st.integers(5, 10),
    pitch=st.floats(50.0, 120.0),
    start=st.floats(40.0, 80.0),
    jitter=st.lists(st.floats(-0.04, 0.04), min_size=10, max_size=10),
    gap=st.integers(1, 3),
)
@example(  # found by hypothesis: one gap 7 % over, the next 8 % under a pitch
    n=6,
    pitch=50.0,
    start=40.0,
    jitter=[0, 0, 0, -0.03125, 0.0390625, -0.0390625, 0, 0, 0, 0],
    gap=1,
)
@settings(max_examples=60, deadline=None)
def test_a_row_with_a_gap_is_completed(n, pitch, start, jitter, gap):
    # Property: hand-spotted lanes (each within 4 % of a pitch of its place,
    # so gaps within 8 %; GAP_TOLERANCE is 20 % of a pitch over up to three
    # pitches) with up to two neighbours left empty inside the row come back
    # where they were spotted. Measured from one single gap alone, the pitch
    # can be 8 % off, and a gap of three pitches 24 %: the whole row's
    # gaps then measure it.
    from tlc.lanes import _complete_row

    row = [start + pitch * (i + jitter[i]) for i in range(n)]
    missing = set(range(gap, min(gap + 2, n - 3)))
    seen = [x for i, x in enumerate(row) if i not in missing]
    lanes, inferred = _complete_row(seen, min_pitch=4 * PPM)
    assert len(lanes) == n
    assert len(inferred) == len(missing)
    assert max(abs(a - b) for a, b in zip(lanes, row, strict=True)) < 0.25 * pitch


@pytest.mark.parametrize(
    ("significance", "kept"),
    [(1.2, [100, 300, 500, 700]), (12.0, [100, 200, 300, 500, 700])],
)
def test_a_faint_column_that_breaks_an_even_row_is_dropped(significance, kept):
    # Benchmark plates seed 7, synthetic-045 and -083: one column of faint
    # candidates between two lanes halved the pitch, and the row was filled
    # with empty lanes nothing showed. A clear spot there is a lane (seed 7,
    # synthetic-010: its empty neighbours are the row's), and stays.
    from tlc.lanes import _drop_off_grid

    lanes = [100.0, 200.0, 300.0, 500.0, 700.0]
    votes = np.zeros(800)
    for c, v in zip(lanes, [2.0, 0.6, 2.5, 2.0, 3.0], strict=True):
        votes[round(c)] = v
    candidates = np.array([[50, c, significance if c == 200 else 10.0] for c in lanes])
    assert _drop_off_grid(lanes, votes, candidates, min_pitch=4 * PPM) == kept


def test_given_three_lanes_with_two_close_seen_adds_the_third_where_there_is_room():
    # Benchmark plate seed 11, synthetic-083: two lanes seen of three, too
    # close for one between them and no mark at either end; the third was put
    # left of a row centred on the plate. Without a mark, the end with room.
    lanes = find_lanes(map_with_spots([200, 260]), LINES, px_per_mm=PPM, n_lanes=3)
    assert [round(lane.col) for lane in lanes] == pytest.approx([200, 260, 320], abs=3)


@pytest.mark.parametrize("mode", ["uv254", "stain"])
def test_two_empty_labelled_lanes_at_the_start_of_the_row_are_found(mode):
    # Real photos (TLC-code vanillin dilution series): the first two lanes,
    # the most dilute, show nothing, but are labelled like the others; only
    # one lane was added beyond the row's end, and only for a label at least
    # 0.8 of the row's. Now as many as are marked, for a label 0.6 of it.
    from tlc.pipeline import analyse
    from tlc.synth import make_plate

    photo, _ = make_plate(
        lanes=6,
        spots=[[], [], [0.4], [0.5], [0.45], [0.6]],
        labels=True,
        mode=mode,
        noise=0.2,
        rng=1,
    )
    assert len(analyse(photo).lanes) == 6
