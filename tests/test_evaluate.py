"""Tests of scoring analyses against truth files (tlc.evaluate).

Tolerances: the scores are counts and their ratios, compared exactly; Rf
errors are compared within 1e-9 (floating-point subtraction).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tlc.errors import ImageError, LayoutError, PlateNotFound
from tlc.evaluate import (
    RF_TOLERANCE,
    ImageScore,
    Summary,
    evaluate,
    format_table,
    load_truths,
    match_spots,
    score,
)


def write_png(path: Path) -> Path:
    from tlc.io import write_png as write

    write(path, np.zeros((70, 70, 3), np.uint8))
    return path


# --------------------------------------------------------------------------- #
# load_truths
# --------------------------------------------------------------------------- #


def test_load_a_synthetic_truth(tmp_path, synth):
    _, truth = synth(mode="uv254", lanes=3, spots=[[0.3], [{"rf": 0.5, "tail": 0.6}], []], rng=0)
    photo = write_png(tmp_path / "plate.png")
    truth.to_yaml(photo)
    ((path, entry),) = load_truths(tmp_path)
    assert path == photo
    assert entry["expect"] == "analyse"
    assert entry["lanes"] == 3
    # lanes_rf holds the Rf of each spot's densest point (peak_rf)
    peak = truth.lanes[1].spots[0].peak_rf
    assert entry["lanes_rf"][1] == [pytest.approx(round(peak, 4), abs=1e-9)]
    assert entry["lanes_rf"][2] == []


def test_load_a_folder_truth_file(tmp_path):
    sub = tmp_path / "realplates"
    sub.mkdir()
    write_png(sub / "a.png")
    write_png(sub / "b.png")
    (sub / "truth.yaml").write_text(
        """
images:
  - file: a.png
    expect: analyse
    lanes: 2
    lanes_rf: [[0.3, 0.6], [0.45]]
  - file: b.png
    expect: fail
  - file: missing.png
    expect: analyse
  - file: notes.txt
  - {expect: analyse}
  - just a string
""",
        encoding="utf-8",
    )
    (sub / "notes.txt").write_text("not a photo", encoding="utf-8")
    found = load_truths(tmp_path)
    assert [p.name for p, _ in found] == ["a.png", "b.png"]
    assert found[0][1]["lanes_rf"] == [[0.3, 0.6], [0.45]]
    assert found[1][1]["expect"] == "fail"


def test_other_yaml_files_are_ignored(tmp_path):
    write_png(tmp_path / "x.png")
    (tmp_path / "x.layout.yaml").write_text("lanes: [S1, S2]\n", encoding="utf-8")
    (tmp_path / "truth.yaml").write_text("- a list\n", encoding="utf-8")  # not a mapping
    (tmp_path / "y.truth.yaml").write_text("expect: analyse\n", encoding="utf-8")  # no photo
    assert load_truths(tmp_path) == []


def test_broken_truth_file(tmp_path):
    bad = tmp_path / "p.truth.yaml"
    bad.write_text("lanes: [1, 2\n", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"p\.truth\.yaml: not valid YAML \(.*Error\)"):
        load_truths(tmp_path)


def test_truth_file_not_utf8(tmp_path):
    (tmp_path / "truth.yaml").write_bytes(b"images: \xff\xfe\n")
    with pytest.raises(LayoutError, match=r"not valid YAML \(UnicodeDecodeError\)"):
        load_truths(tmp_path)


# --------------------------------------------------------------------------- #
# score: matching and alignment arithmetic
# --------------------------------------------------------------------------- #


def test_score_matches_spots_lane_by_lane():
    truth = {"expect": "analyse", "lanes": 2, "lanes_rf": [[0.2, 0.5], [0.3]]}
    s = score([[0.21, 0.55], [0.7, 0.31]], truth, image="p.jpg", seconds=0.5)
    assert s.outcome == "analysed"
    assert s.correct
    assert (s.lanes_true, s.lanes_found) == (2, 2)
    assert s.lanes_right is True
    assert (s.spots_true, s.spots_found, s.spots_matched) == (3, 4, 2)
    # 0.5 and 0.55 differ by more than RF_TOLERANCE
    assert RF_TOLERANCE == 0.04
    assert s.rf_errors == pytest.approx((0.01, 0.01), abs=1e-9)
    d = s.to_dict()
    assert d["rf_mae"] == 0.01
    assert d["seconds"] == 0.5


def test_each_spot_matches_at_most_once_closest_first():
    truth = {"lanes_rf": [[0.30, 0.34]]}
    s = score([[0.33]], truth)
    assert s.spots_matched == 1
    assert s.rf_errors == pytest.approx((0.01,), abs=1e-9)
    s = score([[0.31, 0.32, 0.33]], truth)
    assert s.spots_matched == 2
    assert sorted(s.rf_errors) == pytest.approx([0.01, 0.01], abs=1e-9)


def test_the_tolerance_is_strict():
    s = score([[0.54]], {"lanes_rf": [[0.5]]}, tolerance=0.04)
    assert s.spots_matched == 0
    s = score([[0.539]], {"lanes_rf": [[0.5]]}, tolerance=0.04)
    assert s.spots_matched == 1


def test_an_extra_lane_is_skipped_by_the_alignment():
    truth = {"lanes": 3, "lanes_rf": [[0.2], [0.5], [0.8]]}
    s = score([[0.2], [0.35], [0.5], [0.8]], truth)
    assert (s.lanes_true, s.lanes_found) == (3, 4)
    assert s.lanes_right is False
    assert s.spots_matched == 3
    assert s.spots_found == 4


def test_a_missed_lane_is_skipped_by_the_alignment():
    truth = {"lanes_rf": [[0.2], [0.5], [0.8]]}
    s = score([[0.2], [0.8]], truth)
    assert s.lanes_true == 3  # from lanes_rf when "lanes" is absent
    assert s.spots_matched == 2
    assert s.spots_true == 3


def test_empty_lanes_pair_by_position():
    truth = {"lanes_rf": [[0.2], [], [0.8]]}
    s = score([[0.2], [], [0.6], [0.8]], truth)
    assert s.spots_matched == 2
    assert s.spots_found == 3


def test_same_lane_count_pairs_in_order():
    # Even when a shifted pairing would match more: the lanes are the lanes.
    s = score([[0.5], [0.2]], {"lanes_rf": [[0.2], [0.5]]})
    assert s.spots_matched == 0


def test_refused_photo():
    truth = {"expect": "fail", "lanes": 3}
    s = score(None, truth, outcome="refused", message="no plate")
    assert s.correct
    assert s.message == "no plate"
    assert s.spots_true == 0
    assert s.lanes_right is None
    s = score(None, {"expect": "analyse", "lanes_rf": [[0.1, 0.2], [0.3]]}, outcome="refused")
    assert not s.correct
    assert s.spots_true == 3
    assert s.spots_matched == 0


def test_analysed_photo_without_rf_truth():
    s = score([[0.4], []], {"expect": "analyse", "lanes": 2})
    assert s.correct
    assert (s.lanes_found, s.spots_true, s.spots_found) == (2, 0, 0)
    assert s.lanes_right is True
    s = score([[0.4]], {"expect": "fail"})
    assert not s.correct
    assert s.lanes_true is None
    assert s.lanes_right is None


# --------------------------------------------------------------------------- #
# summary, evaluate, table
# --------------------------------------------------------------------------- #


def summary() -> Summary:
    return Summary(
        (
            score([[0.21, 0.55], [0.31]], {"lanes": 2, "lanes_rf": [[0.2, 0.5], [0.3]]}, image="a"),
            score(None, {"expect": "fail"}, image="b", outcome="refused", message="no plate"),
            score(None, {"lanes_rf": [[0.4]]}, image="c", outcome="crashed", message="boom"),
            score([[0.4], [0.6]], {"lanes": 3}, image="d"),
        )
    )


def test_summary_totals():
    s = summary()
    assert s.n == 4
    assert s.correct_outcome == 0.75  # a, b, d right; c crashed
    assert s.lanes_right == 0.5  # a 2/2 right, d 2/3 wrong
    assert s.recall == 0.5  # 2 of a's 3 and c's 1 spots matched
    assert s.precision == 2 / 3  # a found 3, matched 2; c and d found none with Rf truth
    assert s.rf_mae == pytest.approx(0.01, abs=1e-9)
    d = s.to_dict()
    assert d["images"] == 4
    assert d["spot_precision"] == 0.6667
    assert len(d["per_image"]) == 4


def test_empty_summary():
    s = Summary()
    assert (s.n, s.correct_outcome, s.lanes_right, s.recall, s.precision, s.rf_mae) == (
        0, 0.0, None, None, None, None,
    )  # fmt: skip


def test_evaluate_scores_every_outcome():
    def run(photo: Path, truth: dict):
        name = photo.name
        if name == "bad.jpg":
            msg = "bad.jpg: the file is empty"
            raise ImageError(msg)
        if name == "blank.jpg":
            msg = "no plate"
            raise PlateNotFound(msg)
        if name == "bug.jpg":
            msg = "oops"
            raise ZeroDivisionError(msg)
        lane = SimpleNamespace(spots=[SimpleNamespace(rf=0.41)])
        return SimpleNamespace(lanes=[lane])

    photos = [
        (Path("ok.jpg"), {"lanes_rf": [[0.4]]}),
        (Path("bad.jpg"), {"expect": "fail"}),
        (Path("blank.jpg"), {"expect": "fail"}),
        (Path("bug.jpg"), {}),
    ]
    seen: list[ImageScore] = []
    result = evaluate(photos, run, progress=seen.append)
    assert [s.outcome for s in result.scores] == ["analysed", "bad-input", "refused", "crashed"]
    assert [s.correct for s in result.scores] == [True, True, True, False]
    assert result.scores[3].message == "ZeroDivisionError: oops"
    assert result.scores[0].spots_matched == 1
    assert seen == list(result.scores)


def test_format_table():
    text = format_table(summary())
    lines = text.splitlines()
    assert lines[0].split() == ["photo", "outcome", "lanes", "spots", "Rf", "MAE"]
    assert lines[1].split() == ["a", "analysed", "2/2", "2/3+1", "0.010"]
    assert lines[2].split() == ["b", "refused"]
    assert lines[3].split() == ["c", "crashed", "!", "0/1+0"]
    assert lines[4].split() == ["d", "analysed", "2/3"]
    assert "photos: 4   analysed or refused as expected:  75.0%" in text
    assert "lanes right:  50.0%   spot recall:  50.0%   precision:  66.7%   Rf MAE: 0.0100" in text
    assert text.endswith("(spots: matched/true+extra; a spot matches within 0.04 Rf)")


def test_format_table_shortens_long_names_and_shows_missing_totals():
    long_name = "/very/long/folder/" + "x" * 60 + ".jpg"
    text = format_table(Summary((score(None, {}, image=long_name, outcome="refused"),)))
    row = text.splitlines()[1]
    assert row.startswith("...")
    assert row.split()[0] == "..." + long_name[-45:]
    assert "spot recall:    -  " in text
    assert "Rf MAE: -" in text


def test_match_spots_pairs_the_closest_first_each_value_once():
    # 0.30 is closest to 0.31, so 0.33 is left for nothing within 0.04 but 0.36
    pairs = match_spots([0.30, 0.33, 0.70], [0.31, 0.36, 0.90], 0.04)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0), (1, 1)]
    assert [round(d, 3) for _, _, d in pairs] == [0.01, 0.03]
