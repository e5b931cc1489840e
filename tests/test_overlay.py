"""Tests of the annotated plate image (tlc.report.overlay).

Tolerances: sizes are exact; "drawn" means at least 1 % of the pixels
differ from the plate image scaled the same way.
"""

from __future__ import annotations

import numpy as np
import pytest

from tlc.lanes import Lane
from tlc.lines import Lines
from tlc.match import Identification
from tlc.pipeline import Analysis, LaneResult
from tlc.plate import Plate
from tlc.report.overlay import annotate
from tlc.spots import Spot

MARGIN = 34  # white band on top for the lane labels


def analysis_for(shape: tuple[int, int]) -> Analysis:
    rows, cols = shape
    spot = Spot(lane=1, row=rows * 0.5, col=cols * 0.3, top=rows * 0.48, bottom=rows * 0.52,
                half_width=6.0, strength=1.0, contrast=0.3, rf=0.5)  # fmt: skip
    origin = Spot(lane=2, row=rows * 0.85, col=cols * 0.7, top=rows * 0.84, bottom=rows * 0.86,
                  half_width=6.0, strength=1.0, contrast=0.3, rf=0.0, on_origin=True)  # fmt: skip
    lanes = (
        LaneResult(
            lane=Lane(index=1, col=cols * 0.3, width=cols * 0.3, label="S1"),
            spots=(spot,),
            identifications=(Identification(match="cocaine", confidence="medium"),),
        ),
        LaneResult(
            lane=Lane(
                index=2,
                col=cols * 0.7,
                width=cols * 0.3,
                label="a-very-long-label-indeed",
                role="reference",
                substance="caffeine",
            ),
            spots=(origin,),
            identifications=(Identification(),),
        ),
    )
    return Analysis(
        image="p.jpg",
        image_size=(1200, 900),
        system="TA",
        mode="uv254",
        plate=Plate(corners=((0.0, 0.0),) * 4, size_mm=(rows / 8, cols / 8)),
        lines=Lines.level(rows * 0.85, rows * 0.1, cols),
        lanes=lanes,
    )


@pytest.mark.parametrize(("shape", "scale"), [((800, 560), 900 / 800), ((1200, 600), 1.0)])
def test_annotate_returns_a_new_larger_image(shape, scale):
    plate_image = np.full((*shape, 3), (90, 200, 80), np.uint8)
    plate_image.flags.writeable = False  # a write into the input would raise
    out = annotate(plate_image, analysis_for(shape))
    assert out is not plate_image
    assert out.dtype == np.uint8
    assert out.shape == (round(shape[0] * scale) + MARGIN, round(shape[1] * scale), 3)
    assert out.shape[0] > plate_image.shape[0]
    np.testing.assert_array_equal(plate_image, np.full((*shape, 3), (90, 200, 80), np.uint8))


def test_annotate_draws_on_the_plate():
    shape = (800, 560)
    plate_image = np.full((*shape, 3), (90, 200, 80), np.uint8)
    out = annotate(plate_image, analysis_for(shape))
    body = out[MARGIN:]
    changed = np.any(body != (90, 200, 80), axis=2).mean()
    assert changed > 0.01
    # the label band is white, with dark label text in it
    band = out[:MARGIN]
    assert (band == 255).all(axis=2).mean() > 0.8
    assert (band < 128).any()


def test_annotate_without_lanes():
    shape = (800, 560)
    analysis = analysis_for(shape)
    empty = Analysis(
        image="", image_size=(0, 0), system="", mode="uv254", plate=analysis.plate,
        lines=analysis.lines, lanes=(),
    )  # fmt: skip
    out = annotate(np.zeros((*shape, 3), np.uint8), empty)
    assert out.shape == (900 + MARGIN, 630, 3)
