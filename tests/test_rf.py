"""Tests of the Rf arithmetic (tlc.rf).

Tolerances: the arithmetic is exact up to floating point (1e-12), except
``measure``, which rounds Rf to 4 decimals by design (so 5e-5).
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlc.lines import Lines
from tlc.rf import corrected_rf, measure, rf_value
from tlc.spots import Spot

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def spot(row: float, col: float, lane: int = 1) -> Spot:
    return Spot(
        lane=lane, row=row, col=col, top=row - 5, bottom=row + 5, half_width=6.0,
        strength=1.0, contrast=0.3,
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# rf_value
# --------------------------------------------------------------------------- #


def test_rf_value_is_distance_run_over_solvent_run():
    # baseline at row 700, front at row 100: a spot at row 400 ran half way
    assert rf_value(400, 700, 100) == pytest.approx(0.5, abs=1e-12)
    assert rf_value(700, 700, 100) == pytest.approx(0.0, abs=1e-12)
    assert rf_value(100, 700, 100) == pytest.approx(1.0, abs=1e-12)
    assert rf_value(640, 700, 100) == pytest.approx(0.1, abs=1e-12)


def test_rf_value_is_not_clipped():
    # A value just outside [0, 1] says the spot sits on a line; keep it.
    assert rf_value(706, 700, 100) == pytest.approx(-0.01, abs=1e-12)
    assert rf_value(94, 700, 100) == pytest.approx(1.01, abs=1e-12)


@pytest.mark.parametrize(("baseline", "front"), [(100, 100), (100, 700)])
def test_rf_value_needs_the_front_above_the_baseline(baseline, front):
    with pytest.raises(ValueError, match=r"front_row \(.*\) must be above \(smaller than\)"):
        rf_value(300, baseline, front)


@given(
    base=st.floats(min_value=10, max_value=2000),
    run=st.floats(min_value=1, max_value=1500),
    frac=unit,
)
def test_rf_value_inverts_the_position(base, run, frac):
    row = base - frac * run
    assert rf_value(row, base, base - run) == pytest.approx(frac, abs=1e-9)


# --------------------------------------------------------------------------- #
# measure
# --------------------------------------------------------------------------- #


def test_measure_uses_the_lines_at_the_spot_column():
    # The baseline slants from row 700 (col 0) to row 720 (col 400); the front
    # is level at 100. A spot at col 400 sits on the baseline there.
    lines = Lines(cols=(0.0, 400.0), baseline=(700.0, 720.0), front=(100.0, 100.0))
    spots = (spot(700.0, 0.0), spot(720.0, 400.0), spot(410.0, 200.0, lane=2))
    out = measure(spots, lines)
    assert out[0].rf == pytest.approx(0.0, abs=5e-5)
    assert out[1].rf == pytest.approx(0.0, abs=5e-5)
    assert out[2].rf == pytest.approx((710 - 410) / 610, abs=5e-5)


def test_measure_rounds_to_4_decimals_and_leaves_its_input_alone():
    lines = Lines.level(700.0, 100.0, 400.0)
    spots = (spot(400.123456, 50.0),)
    out = measure(spots, lines)
    assert out[0].rf == round((700 - 400.123456) / 600, 4)
    assert spots[0].rf is None  # input not mutated
    assert dataclasses.replace(out[0], rf=None) == spots[0]


def test_measure_of_nothing():
    assert measure((), Lines.level(700.0, 100.0, 400.0)) == ()


# --------------------------------------------------------------------------- #
# corrected_rf
# --------------------------------------------------------------------------- #


def test_corrected_rf_is_identity_when_references_run_true():
    obs = [0.18, 0.33, 0.56, 0.75]
    for rf in (0.0, 0.1, 0.18, 0.4, 0.75, 0.9, 1.0):
        assert corrected_rf(rf, obs, obs) == pytest.approx(rf, abs=1e-12)


def test_corrected_rf_anchors_at_origin_and_front():
    assert corrected_rf(0.0, [0.4], [0.5]) == 0.0
    assert corrected_rf(1.0, [0.4], [0.5]) == 1.0


def test_corrected_rf_interpolates_between_references():
    # References seen at 0.30 and 0.60 have library values 0.33 and 0.65.
    obs, tab = [0.60, 0.30], [0.65, 0.33]  # any order
    assert corrected_rf(0.30, obs, tab) == pytest.approx(0.33, abs=1e-12)
    assert corrected_rf(0.45, obs, tab) == pytest.approx(0.49, abs=1e-12)
    assert corrected_rf(0.15, obs, tab) == pytest.approx(0.165, abs=1e-12)
    assert corrected_rf(0.80, obs, tab) == pytest.approx(0.65 + 0.35 * 0.5, abs=1e-12)


def test_corrected_rf_accepts_equal_references_that_agree():
    assert corrected_rf(0.2, [0.4, 0.4], [0.5, 0.5]) == pytest.approx(0.25, abs=1e-12)


@pytest.mark.parametrize(
    ("observed", "tabulated"),
    [([], []), ([0.3], []), ([0.3, 0.5], [0.3])],
)
def test_corrected_rf_needs_matching_sequences(observed, tabulated):
    with pytest.raises(ValueError, match="non-empty and of the same length"):
        corrected_rf(0.5, observed, tabulated)


@pytest.mark.parametrize(
    ("observed", "tabulated"),
    [([1.2], [0.5]), ([0.5], [-0.1]), ([-0.01], [0.2])],
)
def test_corrected_rf_needs_values_in_unit_range(observed, tabulated):
    with pytest.raises(ValueError, match=r"must lie within \[0, 1\]"):
        corrected_rf(0.5, observed, tabulated)


def test_corrected_rf_refuses_contradicting_references():
    with pytest.raises(ValueError, match="same Rf have different tabulated values"):
        corrected_rf(0.5, [0.4, 0.4], [0.45, 0.55])


# A reference on the origin or at the front is pinned by the anchors (0 -> 0,
# 1 -> 1), so references are drawn strictly between them.
inner = st.floats(min_value=0.01, max_value=0.99, allow_nan=False)
ref_pairs = st.lists(st.tuples(inner, unit), min_size=1, max_size=5).map(
    # make the tabulated values increase with the observed ones (references
    # keep their order on a plate), and drop ties in the observed values
    lambda pairs: sorted({round(o, 6): t for o, t in pairs}.items())
)


@st.composite
def references(draw):
    pairs = draw(ref_pairs)
    obs = [o for o, _ in pairs]
    tab = sorted(t for _, t in pairs)
    return obs, tab


@given(rf=unit, refs=references())
def test_corrected_rf_stays_in_unit_range(rf, refs):
    obs, tab = refs
    assert 0.0 <= corrected_rf(rf, obs, tab) <= 1.0


@given(a=unit, b=unit, refs=references())
def test_corrected_rf_is_monotone(a, b, refs):
    obs, tab = refs
    lo, hi = sorted((a, b))
    assert corrected_rf(lo, obs, tab) <= corrected_rf(hi, obs, tab) + 1e-12


@given(refs=references())
def test_corrected_rf_maps_each_reference_to_its_tabulated_value(refs):
    obs, tab = refs
    for o, t in zip(obs, tab, strict=True):
        assert corrected_rf(o, obs, tab) == pytest.approx(t, abs=1e-9)
