"""Tests of identification (tlc.match).

The library is built here from the dataclasses (system ``TA``, window 0.05), so
the tests do not depend on the built-in YAML values. Tolerances: co-spot window
0.04 for small spots (``COSPOT_TOLERANCE``); Rf values compared to 1e-6 where
they are arithmetic; the small benchmark run asserts thresholds a few points
below the full benchmark's targets (40 plates give a coarse estimate).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlc.errors import LibraryError
from tlc.lanes import Lane
from tlc.library import Library, RfValue, Substance, System
from tlc.match import (
    COSPOT_TOLERANCE,
    REASON_KEYS,
    Identification,
    LaneIdentification,
    colours_agree,
    cospot_tolerance,
    identify,
    label_warnings,
    lane_role,
    library_candidates,
    reason_text,
)
from tlc.spots import Spot

ROOT = Path(__file__).resolve().parent.parent
BLUE = (40, 60, 200)
RED = (200, 40, 40)


def _sub(sid, rf=None, *, uv="quenches", aliases=(), fr=None, tier="secondary", sd=None, n=1):
    values = {}
    if rf is not None:
        values["TA"] = RfValue(rf=rf, tolerance=0.05, tier=tier, source="test", n=n, sd=sd)
    return Substance(
        id=sid,
        names={"en": sid, "fr": fr or sid},
        aliases=tuple(aliases),
        category="test",
        description={},
        uv254=uv,
        stains={},
        rf=values,
        harm_reduction={},
    )


def make_library(*extra: Substance) -> Library:
    subs = [
        _sub("cocaine", 0.60, aliases=("coke",), fr="cocaïne"),
        _sub("procaine", 0.66),
        _sub("caffeine", 0.45, fr="caféine"),
        _sub("levamisole", 0.30),
        _sub("lidocaine", 0.80),
        _sub("paracetamol", 0.18),
        _sub("mannitol", 0.52, uv="none"),
        _sub("ketamine", None, fr="kétamine"),
        *extra,
    ]
    system = System(
        id="TA",
        name="test",
        plate="silica",
        mobile_phase="MeOH-NH3",
        visualisation=("uv254",),
        default=True,
        tolerance=0.05,
    )
    return Library(systems={"TA": system}, substances={s.id: s for s in subs})


LIB = make_library()


def lanes_of(*labels: str) -> tuple[Lane, ...]:
    out = []
    for i, label in enumerate(labels, start=1):
        role, sub = lane_role(label, LIB)
        out.append(Lane(index=i, col=20.0 * i, width=15.0, label=label, role=role, substance=sub))
    return tuple(out)


def spot(lane, rf, *, strength=1.0, colour=(60, 60, 60), origin=False, flags=(), half=0.02):
    # Rows on a plate whose baseline is row 900 and front row 100 (run 800 px).
    row = 900 - rf * 800
    return Spot(
        lane=lane,
        row=row,
        col=20.0 * lane,
        top=row - half * 800,
        bottom=row + half * 800,
        half_width=5.0,
        strength=strength,
        contrast=0.3,
        colour=colour,
        on_origin=origin,
        rf=rf,
        flags=tuple(flags),
    )


def run(labels, spots, **kw) -> tuple[LaneIdentification, ...]:
    return identify(lanes_of(*labels), spots, kw.pop("library", LIB), system="TA", **kw)


# ------------------------------------------------------------------ co-spotted references


def test_co_spotted_match_is_high():
    shift = 0.04
    res = run(
        ["S1", "cocaine", "caffeine", "levamisole"],
        [
            spot(1, 0.45 + shift + 0.01),
            spot(2, 0.60 + shift),
            spot(3, 0.45 + shift),
            spot(4, 0.30 + shift),
        ],
    )
    ident = res[0].spots[0]
    assert ident.match == "caffeine"
    assert ident.confidence == "high"
    assert ident.basis == "reference"
    assert ident.candidates == ("caffeine",)
    assert ident.reason_key == "reason.co_spotted"
    assert ident.reason == "runs with the caffeine reference on this plate, ΔRf 0.01"
    assert ident.delta_rf == pytest.approx(0.01)


def test_co_spotted_with_a_close_library_substance_off_the_plate_is_not_high():
    # Cocaine runs with its reference, but procaine (library 0.66, not run on
    # this plate) is also within the library window of the corrected Rf.
    res = run(
        ["S1", "cocaine", "caffeine"],
        [spot(1, 0.64), spot(2, 0.63), spot(3, 0.45)],
    )
    ident = res[0].spots[0]
    assert ident.match == "cocaine"
    assert ident.confidence == "medium"
    assert ident.candidates == ("cocaine", "procaine")
    assert ident.reason_key == "reason.co_spotted_also"


def test_two_references_too_close_give_both_candidates_and_no_match():
    res = run(
        ["S1", "cocaine", "procaine"],
        [spot(1, 0.625), spot(2, 0.61), spot(3, 0.635)],
    )
    ident = res[0].spots[0]
    assert ident.match is None
    assert ident.confidence is None
    assert set(ident.candidates) == {"cocaine", "procaine"}
    assert ident.candidates[0] == "procaine"  # the nearer first
    assert ident.reason_key == "reason.co_spotted_ambiguous"
    assert res[0].not_seen == ()


def test_clearly_nearer_reference_is_named_but_not_high():
    res = run(
        ["S1", "cocaine", "procaine"],
        [spot(1, 0.602), spot(2, 0.60), spot(3, 0.64)],
    )
    ident = res[0].spots[0]
    assert ident.match == "cocaine"
    assert ident.confidence == "medium"
    assert ident.candidates[:2] == ("cocaine", "procaine")
    assert ident.reason_key == "reason.co_spotted_nearer"


def test_another_reference_just_outside_the_window_prevents_high():
    res = run(["S1", "caffeine", "cocaine"], [spot(1, 0.52), spot(2, 0.50), spot(3, 0.59)])
    ident = res[0].spots[0]
    assert ident.match == "caffeine"
    assert ident.confidence == "medium"
    assert ident.candidates == ("caffeine", "cocaine")
    assert ident.reason == (
        "runs closest to the caffeine reference on this plate, ΔRf 0.02; also close to cocaine"
    )
    assert res[0].not_seen == ()
    # Twice the window away, the other reference no longer matters.
    clear = run(["S1", "caffeine", "cocaine"], [spot(1, 0.50), spot(2, 0.50), spot(3, 0.59)])
    assert clear[0].spots[0].confidence == "high"


def test_stain_colour_mismatch_prevents_a_co_spot_match():
    labels = ["S1", "cocaine", "caffeine"]
    spots_ = [spot(1, 0.60, colour=RED), spot(2, 0.60, colour=BLUE), spot(3, 0.45, colour=BLUE)]
    stained = run(labels, spots_, stained=True)[0].spots[0]
    assert stained.basis != "reference"
    assert stained.confidence != "high"
    assert "cocaine" not in stained.candidates
    # The same spots on a UV plate: colour is not compared.
    uv = run(labels, spots_)[0].spots[0]
    assert uv.basis == "reference"
    assert uv.match == "cocaine"


def test_stain_same_colour_matches():
    res = run(
        ["S1", "cocaine", "caffeine"],
        [spot(1, 0.61, colour=(50, 70, 210)), spot(2, 0.60, colour=BLUE), spot(3, 0.45)],
        mode="stain",
    )
    assert res[0].spots[0].match == "cocaine"
    assert res[0].spots[0].basis == "reference"


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        (BLUE, (50, 70, 210), True),
        (BLUE, RED, False),
        ((120, 120, 120), (90, 90, 95), True),
        ((120, 120, 120), BLUE, False),
        ((200, 60, 40), (210, 90, 40), True),
    ],
)
def test_colours_agree(a, b, agree):
    assert colours_agree(a, b) is agree


def test_cospot_window_widens_for_large_or_tailing_spots():
    small = spot(1, 0.5, half=0.02)
    assert cospot_tolerance(small, small, run_px=800) == pytest.approx(COSPOT_TOLERANCE)
    big = spot(1, 0.5, half=0.05)
    assert cospot_tolerance(big, big, run_px=800) == pytest.approx(COSPOT_TOLERANCE + 0.01)
    tail = spot(1, 0.5, flags=("spot_tailing",))
    assert cospot_tolerance(tail, small, run_px=800) == pytest.approx(COSPOT_TOLERANCE + 0.01)
    huge = spot(1, 0.5, half=0.2)
    assert cospot_tolerance(huge, huge, run_px=800) == pytest.approx(0.06)
    # Without the run, size cannot be judged.
    assert cospot_tolerance(big, big) == pytest.approx(COSPOT_TOLERANCE)


def test_large_spots_match_a_bit_farther():
    labels = ["S1", "caffeine", "lidocaine"]
    far = 0.048
    narrow = run(labels, [spot(1, 0.50 + far), spot(2, 0.50), spot(3, 0.85)])
    wide = run(
        labels,
        [spot(1, 0.50 + far, half=0.06), spot(2, 0.50, half=0.06), spot(3, 0.85)],
    )
    assert narrow[0].spots[0].reason_key == "reason.near_reference"
    assert narrow[0].spots[0].confidence == "low"
    assert wide[0].spots[0].match == "caffeine"
    assert wide[0].spots[0].reason_key == "reason.co_spotted"


def test_a_spot_just_outside_the_window_is_a_weak_match_only():
    labels = ["S1", "caffeine", "lidocaine"]
    res = run(labels, [spot(1, 0.555), spot(2, 0.50), spot(3, 0.85)])
    ident = res[0].spots[0]
    assert ident.match == "caffeine"
    assert ident.confidence == "low"
    assert ident.candidates == ("caffeine",)
    assert ident.reason == (
        "runs close to the caffeine reference on this plate, ΔRf 0.06, "
        "a little farther than usual: a weak match"
    )
    # Farther than 1.5 windows: not the reference any more.
    far = run(labels, [spot(1, 0.565), spot(2, 0.50), spot(3, 0.85)])[0].spots[0]
    assert far.basis == "corrected"
    assert "caffeine" not in far.candidates


def test_near_a_reference_and_a_library_value_lists_both():
    # 0.058 above the caffeine reference, and corrected (slope 1.75 between the
    # references) to 0.5515, within the window of cocaine's library value (0.60).
    labels = ["S1", "caffeine", "lidocaine"]
    ident = run(labels, [spot(1, 0.558), spot(2, 0.50), spot(3, 0.70)])[0].spots[0]
    assert ident.rf_corrected == pytest.approx(0.5515)
    assert set(ident.candidates) == {"caffeine", "cocaine"}
    assert ident.confidence in ("low", None)
    assert ident.reason_key == "reason.near_reference_ambiguous"


# ------------------------------------------------------------------ corrected Rf and library


def test_corrected_rf_brings_the_library_match_back():
    # Plate shift +0.05: cocaine (library 0.60) runs at 0.65, right on procaine (0.66).
    labels = ["S1", "caffeine", "lidocaine"]
    spots_ = [spot(1, 0.65), spot(2, 0.50), spot(3, 0.85)]
    ident = run(labels, spots_)[0].spots[0]
    assert ident.basis == "corrected"
    assert ident.rf_corrected == pytest.approx(0.60)
    assert ident.match == "cocaine"
    assert ident.confidence == "medium"
    assert ident.candidates == ("cocaine",)
    assert ident.reason_key == "reason.corrected_library"
    # Without the references the same Rf reads as procaine, never high.
    alone = run(["S1"], [spot(1, 0.65)])[0].spots[0]
    assert alone.basis == "library"
    assert alone.candidates[0] == "procaine"
    assert alone.confidence in ("low", "medium")


def test_reference_out_of_order_is_left_out_of_the_correction():
    # "levamisole" (library 0.30) ran above caffeine (0.45): a mislabelled lane.
    res = run(
        ["S1", "caffeine", "lidocaine", "levamisole"],
        [spot(1, 0.65), spot(2, 0.50), spot(3, 0.85), spot(4, 0.55)],
    )
    assert res[0].spots[0].rf_corrected == pytest.approx(0.60)
    assert any("out of order" in w for w in res[3].warnings)


def test_library_alone_is_never_high():
    res = run(["S1", "S2"], [spot(1, 0.60), spot(1, 0.30), spot(2, 0.18)])
    for lane in res:
        for ident in lane.spots:
            assert ident.basis == "library"
            assert ident.confidence in ("medium", "low")
    assert res[0].spots[0].match == "cocaine"
    assert res[0].spots[0].reason_key == "reason.library"
    assert res[0].spots[1].match == "levamisole"


def test_library_match_at_the_edge_is_low():
    ident = run(["S1"], [spot(1, 0.34)])[0].spots[0]
    assert ident.match == "levamisole"
    assert ident.confidence == "low"
    assert ident.reason_key == "reason.library_edge"


def test_library_ambiguous_lists_both():
    ident = run(["S1"], [spot(1, 0.63)])[0].spots[0]
    assert set(ident.candidates) == {"cocaine", "procaine"}
    assert ident.match is None
    assert ident.reason_key == "reason.library_ambiguous"
    assert "cocaine" in ident.reason
    assert "procaine" in ident.reason


def test_library_ambiguous_but_one_clearly_more_likely_is_low():
    ident = run(["S1"], [spot(1, 0.615)])[0].spots[0]
    assert ident.match == "cocaine"
    assert ident.confidence == "low"
    assert ident.candidates == ("cocaine", "procaine")


def test_local_values_rank_by_their_measured_spread():
    lib = make_library(
        _sub("tight", 0.40, tier="local", sd=0.005, n=5),
        _sub("loose", 0.41),
    )
    cands = library_candidates(0.405, lib, system="TA")
    assert [c.substance for c in cands[:2]] == ["tight", "loose"]


def test_unknown_spot_is_reported_not_dropped():
    res = run(["S1", "cocaine", "caffeine"], [spot(1, 0.92), spot(2, 0.60), spot(3, 0.45)])
    assert len(res[0].spots) == 1
    ident = res[0].spots[0]
    assert ident.match is None
    assert ident.candidates == ()
    assert ident.reason_key == "reason.unknown"
    assert ident.to_dict()["confidence"] is None


def test_uv_invisible_substances_are_not_proposed_under_uv254():
    uv = run(["S1"], [spot(1, 0.52)])[0].spots[0]
    assert "mannitol" not in uv.candidates
    stained = run(["S1"], [spot(1, 0.52)], mode="stain")[0].spots[0]
    assert "mannitol" in stained.candidates


# ------------------------------------------------------------------ lanes, origin, not seen


def test_not_seen_lists_reference_substances_absent_from_the_lane():
    res = run(
        ["S1", "cocaine", "caffeine", "S2"],
        [spot(1, 0.45), spot(2, 0.60), spot(3, 0.45), spot(4, 0.45), spot(4, 0.60)],
    )
    assert res[0].not_seen == ("cocaine",)
    assert res[3].not_seen == ()
    assert res[1].not_seen == ()
    assert REASON_KEYS["reason.not_seen"].endswith("cannot be excluded")


def test_a_reference_without_a_spot_is_not_reported_as_not_seen():
    res = run(["S1", "cocaine", "caffeine"], [spot(1, 0.45), spot(3, 0.45)])
    assert res[0].not_seen == ()
    assert res[1].warnings == (
        "the cocaine reference (lane 2) shows no spot that moved; "
        "cocaine cannot be judged in the samples of this plate",
    )


def test_a_reference_without_a_spot_leaves_its_substance_to_the_library():
    res = run(["S1", "cocaine", "caffeine"], [spot(1, 0.60), spot(3, 0.45)])
    ident = res[0].spots[0]
    assert ident.candidates[0] == "cocaine"
    assert ident.basis == "library"


def test_origin_spots_are_not_identified():
    res = run(
        ["S1", "cocaine"],
        [spot(1, 0.01, origin=True), spot(1, 0.6), spot(2, 0.02, origin=True), spot(2, 0.6)],
    )
    origin = res[0].spots[0]
    assert origin.match is None
    assert origin.candidates == ()
    assert origin.reason_key == "reason.origin"
    assert res[1].spots[0].reason_key == "reason.reference_origin"


def test_front_spots_are_not_identified():
    ident = run(["S1"], [spot(1, 0.99, flags=("spot_at_front",))])[0].spots[0]
    assert ident.match is None
    assert ident.reason_key == "reason.front"


def test_reference_lane_main_and_minor_spots():
    res = run(["cocaine"], [spot(1, 0.30, strength=0.2), spot(1, 0.62, strength=2.0)])
    minor, main = res[0].spots
    assert main.match == "cocaine"
    assert main.confidence == "high"
    assert main.basis == "reference-lane"
    assert main.delta_rf == pytest.approx(0.02)
    assert minor.match is None
    assert minor.reason_key == "reason.reference_minor"
    assert minor.reason == (
        "a minor spot in the cocaine reference lane (an impurity or a breakdown product)"
    )


def test_reference_far_from_its_library_value_warns():
    res = run(["S1", "cocaine"], [spot(1, 0.3), spot(2, 0.75)])
    assert any("from its library value" in w for w in res[1].warnings)


def test_output_order_follows_input():
    spots_ = [spot(2, 0.6), spot(1, 0.45), spot(1, 0.92), spot(2, 0.02, origin=True)]
    res = run(["S1", "cocaine"], spots_)
    assert [r.lane for r in res] == [1, 2]
    assert [i.reason_key for i in res[0].spots] == ["reason.library", "reason.unknown"]
    assert [i.reason_key for i in res[1].spots] == [
        "reason.reference_lane",
        "reason.reference_origin",
    ]


def test_identification_round_trips_through_json():
    ident = run(["S1", "cocaine", "caffeine"], [spot(1, 0.61), spot(2, 0.60), spot(3, 0.45)])
    d = ident[0].spots[0].to_dict()
    back = Identification.from_dict(d)
    assert back.match == "cocaine"
    assert back.reason_args == d["reason_args"]
    assert ident[0].to_dict()["spots"][0]["match"] == "cocaine"


# ------------------------------------------------------------------ errors


def test_unknown_system_is_a_library_error():
    with pytest.raises(LibraryError, match=r"unknown system 'XX'; known: TA"):
        identify(lanes_of("S1"), [spot(1, 0.5)], LIB, system="XX")


@pytest.mark.parametrize(
    ("kwargs", "spots_", "message"),
    [
        ({"mode": "infrared"}, [], "mode must be one of uv254, stain, uv365, not 'infrared'"),
        ({"tolerance": 0.0}, [], r"tolerance must be in \(0, 0.5\], not 0.0"),
        ({}, [spot(5, 0.5)], "a spot is in lane 5, which is not among the lanes given"),
        ({}, ["no-rf"], r"every spot needs its rf \(call tlc.rf.measure before identify\)"),
    ],
)
def test_bad_arguments(kwargs, spots_, message):
    spots_ = [Spot(1, 1, 1, 1, 1, 1, 1, 1) if s == "no-rf" else s for s in spots_]
    with pytest.raises(ValueError, match=message):
        identify(lanes_of("S1"), spots_, LIB, system="TA", **kwargs)


def test_duplicate_lane_index_is_an_error():
    lanes = (Lane(index=1, col=1, width=1), Lane(index=1, col=2, width=1))
    with pytest.raises(ValueError, match="two lanes have the index 1"):
        identify(lanes, [], LIB, system="TA")


# ------------------------------------------------------------------ labels


def test_lane_role():
    assert lane_role("cocaine", LIB) == ("reference", "cocaine")
    assert lane_role("Coke", LIB) == ("reference", "cocaine")
    assert lane_role("Cocaïne", LIB) == ("reference", "cocaine")
    assert lane_role("Kétamine", LIB) == ("reference", "ketamine")
    assert lane_role("cafeine", LIB) == ("reference", "caffeine")  # accents ignored
    assert lane_role("S1", LIB) == ("sample", None)
    assert lane_role("", LIB) == ("sample", None)


def test_label_warnings():
    warnings = label_warnings(
        ["S1", "ketamin", "cocaine", "ech-042", "sample", "X", "Inconnu", "fentanyl"], LIB
    )
    assert warnings == (
        "lane 2 'ketamin' is not in the library; it is treated as a sample "
        "(did you mean 'ketamine'?)",
        "lane 8 'fentanyl' is not in the library; it is treated as a sample",
    )
    assert label_warnings(["S1", "S2"], LIB) == ()


# ------------------------------------------------------------------ reasons and docs


def test_every_reason_key_formats_and_is_documented():
    doc = (ROOT / "docs" / "identification.md").read_text(encoding="utf-8")
    args = {
        "substance": "cocaine",
        "delta": 0.012,
        "rf": 0.5,
        "system": "TA",
        "others": ["procaine"],
        "candidates": ["a", "b"],
    }
    for key in REASON_KEYS:
        text = reason_text(key, args)
        assert "{" not in text
        assert f"| `{key}` | {REASON_KEYS[key]} | " in doc, key
    assert reason_text("reason.co_spotted", args).endswith("ΔRf 0.01")


# ------------------------------------------------------------------ properties


_SUBS = ["cocaine", "procaine", "caffeine", "levamisole", "lidocaine", "mannitol", "ketamine"]


@st.composite
def plates(draw):
    n = draw(st.integers(1, 6))
    labels = [draw(st.sampled_from([*_SUBS, "S1", "S2", "S3"])) for _ in range(n)]
    spots_ = []
    for lane in range(1, n + 1):
        for _ in range(draw(st.integers(0, 4))):
            rf = draw(st.floats(0.0, 1.0))
            spots_.append(
                spot(
                    lane,
                    rf,
                    origin=rf < 0.05,
                    strength=draw(st.floats(0.01, 5.0)),
                    colour=draw(st.sampled_from([BLUE, RED, (90, 90, 90)])),
                )
            )
    mode = draw(st.sampled_from(["uv254", "stain", "uv365"]))
    return labels, spots_, mode


@given(plates())
@settings(max_examples=150, deadline=None)
def test_high_only_with_a_reference_lane_of_that_substance(plate):
    labels, spots_, mode = plate
    lanes = lanes_of(*labels)
    res = identify(lanes, spots_, LIB, system="TA", mode=mode)
    refs = {lane.substance for lane in lanes if lane.role == "reference"}
    assert len(res) == len(lanes)
    for lane, lane_res in zip(lanes, res, strict=True):
        assert len(lane_res.spots) == sum(1 for s in spots_ if s.lane == lane.index)
        for ident in lane_res.spots:
            if ident.confidence == "high":
                assert ident.match in refs
                assert ident.basis in ("reference", "reference-lane")
                assert ident.candidates == (ident.match,)
            assert (ident.match is None) == (ident.confidence is None)
            if ident.basis in ("library", "corrected"):
                assert ident.confidence != "high"
            if ident.match is not None:
                assert ident.candidates[0] == ident.match or ident.confidence != "high"
            if mode == "uv254":
                assert "mannitol" not in ident.candidates or "mannitol" in refs
            assert ident.reason


# ------------------------------------------------------------------ the benchmark, small


def _load_bench():
    path = ROOT / "bench" / "identification.py"
    spec = importlib.util.spec_from_file_location("bench_identification", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_small_run_meets_its_targets_loosely():
    bench = _load_bench()
    result = bench.run(n=40, seed=1)
    assert result["cospotted"]["lanes"] >= 40
    assert result["cospotted"]["exact_set"] >= 0.93
    assert result["cospotted"]["high_precision"] == 1.0
    assert result["library_only"]["spots"] >= 40
    assert result["library_only"]["top1"] >= 0.85
    assert result["library_only"]["contained"] >= 0.97
