"""The annotated plate: what staff check at a glance.

The straightened plate with the baseline, the front, each lane with its
label, and every spot circled with its Rf. Drawn with OpenCV so that it costs
a few milliseconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tlc.pipeline import Analysis

# RGB colours, chosen to read on a green (UV) and on a white (stained) plate.
_BASELINE = (0, 90, 255)
_FRONT = (230, 0, 120)
_LANE = (90, 90, 90)
_SPOT = (255, 40, 0)
_ORIGIN = (140, 90, 0)
_MATCH = (0, 140, 40)
_TEXT_BG = (255, 255, 255)


def annotate(plate_image: np.ndarray, analysis: Analysis) -> np.ndarray:
    """Draw the analysis on the straightened plate.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
        The rectified plate (``tlc.plate.rectify(photo, analysis.plate)``).
    analysis : Analysis

    Returns
    -------
    (H', W', 3) ndarray of uint8
        A new image (the input is not modified), enlarged if the plate image
        is small so that labels stay legible, with a white margin on top for
        the lane labels.
    """
    import cv2

    scale = max(1.0, 900 / max(plate_image.shape[:2]))
    img = cv2.resize(plate_image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    margin = 34
    canvas = np.full((img.shape[0] + margin, img.shape[1], 3), 255, np.uint8)
    canvas[margin:] = img
    font = cv2.FONT_HERSHEY_SIMPLEX
    lines = analysis.lines

    def pt(row: float, col: float) -> tuple[int, int]:
        return round(col * scale), round(row * scale) + margin

    # separate strips: each strip's lines are drawn on that strip alone
    spans = analysis.plate.part_spans() or ((0, plate_image.shape[1]),)
    for rows, colour in ((lines.baseline, _BASELINE), (lines.front, _FRONT)):
        for x0, x1 in spans:
            pts = np.array(
                [pt(r, c) for r, c in zip(rows, lines.cols, strict=True) if x0 <= c <= x1],
                np.int32,
            )
            if len(pts):
                cv2.polylines(canvas, [pts], False, colour, 2, cv2.LINE_AA)
    for lane_result in analysis.lanes:
        lane = lane_result.lane
        x = round(lane.col * scale)
        if analysis.plate.parts:
            top = pt(lines.front_at(lane.col) - 2, 0)[1]
            bottom = pt(lines.baseline_at(lane.col) + 2, 0)[1]
        else:
            top = pt(min(lines.front) - 2, 0)[1]
            bottom = pt(max(lines.baseline) + 2, 0)[1]
        for y in range(top, bottom, 12):  # dotted lane axis
            cv2.line(canvas, (x, y), (x, min(y + 5, bottom)), _LANE, 1, cv2.LINE_AA)
        label = lane.label if len(lane.label) <= 12 else lane.label[:11] + "."
        size = 0.45 if len(analysis.lanes) < 9 else 0.35
        (tw, th), _ = cv2.getTextSize(label, font, size, 1)
        colour = _MATCH if lane.role == "reference" else (0, 0, 0)
        cv2.putText(canvas, label, (x - tw // 2, margin - 12), font, size, colour, 1, cv2.LINE_AA)
        for spot, ident in zip(lane_result.spots, lane_result.identifications, strict=True):
            cx, cy = pt(spot.row, spot.col)
            ry = max(5, round((spot.bottom - spot.top) / 2 * scale) + 3)
            rx = max(5, round(spot.half_width * scale) + 3)
            colour = _ORIGIN if spot.on_origin else _SPOT
            cv2.ellipse(canvas, (cx, cy), (rx, ry), 0, 0, 360, colour, 2, cv2.LINE_AA)
            text = f"{spot.rf:.2f}" if spot.rf is not None else "?"
            if ident.match:
                text += f" {ident.match[:10]}"
            (tw, th), _ = cv2.getTextSize(text, font, 0.4, 1)
            tx = min(cx + rx + 3, canvas.shape[1] - tw - 2)
            ty = cy + th // 2
            cv2.rectangle(canvas, (tx - 1, ty - th - 2), (tx + tw + 1, ty + 3), _TEXT_BG, -1)
            cv2.putText(canvas, text, (tx, ty), font, 0.4, colour, 1, cv2.LINE_AA)
    return canvas
