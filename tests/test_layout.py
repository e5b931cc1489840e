"""The layout file and the layout options (tlc/layout.py).

No image is analysed here except in the two tests of ``attach_samples``,
which use a hand-built analysis from test_report_data. Every LayoutError
message of the module is checked.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlc import layout as L
from tlc.errors import LayoutError
from tlc.pipeline import Layout, SampleInfo

GOOD = """\
system: TA
lanes: [S1, cocaine, S2, caffeine]
samples:
  S1: {code: A-042, expected: cocaine, notes: white powder}
  S2: {code: 43, expected: [mdma, caffeine]}
baseline: 8mm
front: 0.9
plate_size_mm: [100, 50]
rotate: 90
mode: UV254
notes: run by AB
"""


def test_good_file(tmp_path):
    p = tmp_path / "plate.layout.yaml"
    p.write_text(GOOD, encoding="utf-8")
    layout = L.load_layout(p)
    assert layout == Layout(
        system="TA",
        lanes=("S1", "cocaine", "S2", "caffeine"),
        samples={
            "S1": SampleInfo(code="A-042", expected=("cocaine",), notes="white powder"),
            "S2": SampleInfo(code="43", expected=("mdma", "caffeine")),
        },
        baseline="8mm",
        front="0.9",
        plate_size_mm=(100.0, 50.0),
        rotate=90,
        mode="uv254",
        notes="run by AB",
    )


def test_empty_file_and_light_forms(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text("", encoding="utf-8")
    assert L.load_layout(p) == Layout()
    layout = L.parse_layout(
        {
            "lanes": "S1, heroin",
            "plate_size_mm": "100x50",
            "samples": {"S1": None},
            "system": None,
            "baseline": 0.1,
        },
        source="x",
    )
    assert layout.lanes == ("S1", "heroin")
    assert layout.plate_size_mm == (100.0, 50.0)
    assert layout.samples == {"S1": SampleInfo()}
    assert layout.system is None
    assert layout.baseline == "0.1"


def test_layout_beside():
    assert L.layout_beside("dir/plate.jpg").as_posix() == "dir/plate.layout.yaml"


def test_modes_match_the_contrast_stage():
    from tlc import contrast

    assert contrast.MODES == L.MODES


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"lane": "S1"}, "f.yaml: lane: unknown key; use system, lanes"),
        ([1, 2], "f.yaml: expected `key: value` lines (system, lanes, ...), found a list"),
        ({"system": ["TA"]}, "f.yaml: system: expected text, found a list"),
        ({"system": True}, "f.yaml: system: expected text, found true/false"),
        ({"lanes": []}, "f.yaml: lanes: is empty; list one label per lane"),
        ({"lanes": ["S1", None]}, "f.yaml: lanes: expected text, found nothing (null)"),
        ({"lanes": ["S1", " "]}, "f.yaml: lanes: is empty"),
        ({"lanes": "S1,,S2"}, "f.yaml: lanes is empty or has an empty label"),
        ({"samples": ["S1"]}, "f.yaml: samples: expected one entry per lane label"),
        ({"samples": {"S1": "cocaine"}}, "f.yaml: samples: S1: expected code, expected and notes"),
        ({"samples": {"S1": {"cde": 1}}}, "f.yaml: samples: S1: cde: unknown key; use code"),
        ({"samples": {"S1": {"expected": {"a": 1}}}}, "samples: S1: expected: expected text"),
        ({"samples": {"S1": {"notes": ""}}}, "f.yaml: samples: S1: notes: is empty"),
        (
            {"lanes": ["S1"], "samples": {"S2": {}}},
            "f.yaml: samples: 'S2' is not one of the lanes (S1)",
        ),
        ({"plate_size_mm": [100]}, "f.yaml: plate_size_mm: expected [height, width] in mm"),
        ({"plate_size_mm": [100, True]}, "f.yaml: plate_size_mm: expected [height, width]"),
        ({"plate_size_mm": [100, 500]}, "f.yaml: plate_size_mm: plate sides must be between"),
        ({"plate_size_mm": "big"}, "f.yaml: plate_size_mm 'big' is not HxW in millimetres"),
        ({"rotate": 45}, "f.yaml: rotate: must be 0, 90, 180 or 270, got 45"),
        ({"rotate": True}, "f.yaml: rotate: must be 0, 90, 180 or 270, got True"),
        ({"mode": "uv"}, "f.yaml: mode: unknown mode 'uv'; use one of uv254, stain, uv365"),
    ],
)
def test_layout_problems(data, message):
    with pytest.raises(LayoutError) as exc:
        L.parse_layout(data, source="f.yaml")
    assert message in str(exc.value)


def test_file_problems(tmp_path):
    with pytest.raises(LayoutError, match="no such layout file; check the --layout path"):
        L.load_layout(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("lanes: [S1\n", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"bad.yaml: not valid YAML at line 2; check the indent"):
        L.load_layout(bad)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("notes: caf\xe9\n".encode("latin-1"))
    with pytest.raises(LayoutError, match="cannot be read as UTF-8 text"):
        L.load_layout(latin)


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters=",", blacklist_categories=("Cs",)))
        .map(str.strip)
        .filter(bool),
        min_size=1,
        max_size=12,
    )
)
def test_parse_lanes_round_trip(labels):
    assert L.parse_lanes(",".join(labels)) == tuple(labels)
    assert L.parse_lanes(" , ".join(labels)) == tuple(labels)


@pytest.mark.parametrize("text", ["", " ", ",", "S1,", ",S1", "S1,,S2"])
def test_parse_lanes_empty(text):
    with pytest.raises(LayoutError, match=r"^--lanes is empty or has an empty label; give one"):
        L.parse_lanes(text)


@given(
    st.floats(min_value=1, max_value=200).map(lambda x: round(x, 1)),
    st.floats(min_value=1, max_value=200).map(lambda x: round(x, 1)),
    st.sampled_from(["{}x{}", "{} x {}", "{}×{}", "{}mm x {}mm", "{}X{}"]),
)
def test_parse_plate_size(h, w, form):
    assert L.parse_plate_size(form.format(h, w)) == (h, w)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100", "--plate-size '100' is not HxW in millimetres; write e.g. 100x50"),
        ("100x", "is not HxW"),
        ("-1x50", "is not HxW"),
        ("0x50", "--plate-size: plate sides must be between 0 and 200 mm, got 0x50"),
        ("100x250", "plate sides must be between 0 and 200 mm"),
    ],
)
def test_parse_plate_size_problems(text, message):
    with pytest.raises(LayoutError) as exc:
        L.parse_plate_size(text)
    assert message in str(exc.value)


def test_parse_per_lane():
    assert L.parse_per_lane("cocaine", source="--expected") == {None: "cocaine"}
    assert L.parse_per_lane(" S1 = cocaine ; S2=mdma,caffeine;", source="--expected") == {
        "S1": "cocaine",
        "S2": "mdma,caffeine",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" ; ", "--expected is empty; give a value, or LANE=value;LANE=value"),
        ("a;b", "--expected 'a;b': name the lane of each value, e.g. S1=cocaine;S2=mdma"),
        ("S1=a;b", "--expected 'S1=a;b': write each part as LANE=value"),
        ("=a", "write each part as LANE=value"),
        ("S1=a;S1=b", "--expected names lane 'S1' twice"),
    ],
)
def test_parse_per_lane_problems(text, message):
    with pytest.raises(LayoutError) as exc:
        L.parse_per_lane(text, source="--expected")
    assert message in str(exc.value)


def test_options_win_and_inputs_are_not_mutated():
    base = L.parse_layout(
        {"system": "TB", "lanes": "S1,cocaine", "samples": {"S1": {"code": "A-1"}}}, source="f"
    )
    frozen = dataclasses.replace(base)
    new = L.with_options(
        base,
        system=" TA ",
        lanes="S1,heroin,S2",
        expected="S1=heroin;S2=cocaine,caffeine",
        sample_code="S2=A-2",
        baseline="8mm",
        front="90%",
        plate_size="100x50",
        rotate=180,
        mode="Stain",
    )
    assert base == frozen
    assert new.system == "TA"
    assert new.lanes == ("S1", "heroin", "S2")
    assert new.samples == {
        "S1": SampleInfo(code="A-1", expected=("heroin",)),
        "S2": SampleInfo(code="A-2", expected=("cocaine", "caffeine")),
    }
    assert (new.baseline, new.front, new.plate_size_mm, new.rotate, new.mode) == (
        "8mm",
        "90%",
        (100.0, 50.0),
        180,
        "stain",
    )
    # Options for every sample lane wait for the analysis.
    assert L.with_options(base, expected="cocaine").samples == base.samples
    assert L.with_options(base) == base


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"system": ""}, "--system is empty; give a system id such as TA"),
        ({"rotate": 45}, "--rotate must be 0, 90, 180 or 270, got 45"),
        ({"mode": "x"}, "--mode: unknown mode 'x'"),
        ({"lanes": "S1", "expected": "S2=cocaine"}, "'S2' is not one of the lanes (S1)"),
    ],
)
def test_option_problems(kwargs, message):
    with pytest.raises(LayoutError) as exc:
        L.with_options(Layout(), **kwargs)
    assert message in str(exc.value)


@pytest.fixture
def analysis():
    from test_report_data import scenario

    return scenario(2)


def test_attach_samples_fills_only_sample_lanes(analysis):
    new = L.attach_samples(analysis, expected="cocaine, caffeine")
    for before, after in zip(analysis.lanes, new.lanes, strict=True):
        if before.lane.role == "reference":
            assert after.sample == before.sample
        elif before.sample and before.sample.expected:
            assert after.sample.expected == before.sample.expected  # a given value is kept
        else:
            assert after.sample.expected == ("cocaine", "caffeine")
    assert L.attach_samples(analysis) is analysis
    assert L.attach_samples(analysis, expected="S1=x") is analysis


def test_attach_one_code(analysis):
    samples = [lr for lr in analysis.lanes if lr.lane.role != "reference"]
    assert len(samples) == 2
    with pytest.raises(LayoutError) as exc:
        L.attach_samples(analysis, sample_code="A-9")
    assert str(exc.value).startswith("--sample-code 'A-9' names one sample, but the plate has 2")
    one = dataclasses.replace(analysis, lanes=(dataclasses.replace(samples[0], sample=None),))
    new = L.attach_samples(one, sample_code="A-9")
    assert new.lanes[0].sample == SampleInfo(code="A-9")
    coded = dataclasses.replace(
        one, lanes=(dataclasses.replace(samples[0], sample=SampleInfo(code="B")),)
    )
    assert L.attach_samples(coded, sample_code="A-9").lanes[0].sample.code == "B"


def test_unused_samples(analysis):
    labels = [lr.lane.label for lr in analysis.lanes if lr.lane.role != "reference"]
    layout = Layout(samples={labels[0]: SampleInfo(), "S99": SampleInfo()})
    assert L.unused_samples(analysis, layout) == (
        "The layout gives a sample for lane 'S99', but the plate has no sample lane of that "
        "name; check the lane labels.",
    )
