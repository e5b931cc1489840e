"""Spot recall by how visible each spot is in the photo, measured without tlc's detector.

    python bench/visibility.py [--n 100] [--seed 0] [--json]
    python bench/visibility.py --seed 7 --seed 11      # several sets at once

The detection benchmark (bench/detection.py) counts every spot the
synthetic renderer drew, and some are drawn fainter than any detector could
be asked to see. To tell a detector's misses from spots that the photo does
not show, each true spot is measured on the photo alone, with no part of
tlc's detection:

- the plate is straightened with its true corners;
- the spot's *contrast* is that of its core (a disc of ``CORE_MM``) against
  the plate round it (the median of a ring ``RING_MM`` across), as
  docs/conventions.md defines a spot's contrast for the plate's mode;
  tlc reports no spot under ``Config.min_contrast`` (0.035): that is its
  documented detection limit;
- its *visibility* is that contrast above the same measure's median at
  ``NULL_SAMPLES`` random spot-free places of the plate between its lines,
  in units of their spread (1.4826 x MAD): the plate's own grain, noise,
  uneven light and JPEG blocks. A visibility of 5 is Rose's criterion for
  seeing a feature with certainty (A. Rose, J. Opt. Soc. Am. 38, 196, 1948).

Spots over the limit and of visibility 5 or more are *visible*; the
recall over them is what a detector can be held to. The lanes are given
(as staff can with ``--lanes``), so that lane finding does not blur the
count, and plates read the wrong way up are counted apart. Misses of
visible spots are split into close pairs (another true spot of the lane
within ``CLOSE_RF``) and spots alone. The plates are bench/detection.py's
for the same ``--seed`` and ``--n``. Timing is not measured.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # detection.py's plates

#: Template: the spot's core, a disc of this radius (mm), against the plate in a ring
#: between these radii (mm) round it.
CORE_MM = 0.6
RING_MM = (4.5, 6.5)
#: Random spot-free places per plate for the plate's own spread.
NULL_SAMPLES = 300
#: Rose's criterion: a feature 5 times the noise is seen with certainty.
ROSE = 5.0
#: Two spots of a lane closer than this (Rf) are a close pair.
CLOSE_RF = 0.1


def _template_stat(image: Any, rows: Any, cols: Any, ppm: float, mode: str) -> Any:
    """Contrast of the core at every (row, col) against the ring round it: (N,) array.

    As docs/conventions.md defines a spot's contrast: under UV 254 the
    relative darkening of the channels weighted by their brightness, after
    a stain that of the channel that darkened most, under UV 365 the
    relative brightening. The core is a disc of ``CORE_MM`` (the spot's
    peak), the plate round it the median of the ring from ``RING_MM[0]`` to
    ``RING_MM[1]`` (a median, so that a neighbouring spot in the ring does
    not count). The polarity that stands out more is taken (spots glow
    under UV 254 too).
    """
    import numpy as np

    h, w = image.shape[:2]
    r_core = max(1, round(CORE_MM * ppm))
    r0, r1 = round(RING_MM[0] * ppm), round(RING_MM[1] * ppm)
    yy, xx = np.mgrid[-r1 : r1 + 1, -r1 : r1 + 1]
    d = np.hypot(yy, xx)
    core_off = np.argwhere(d <= r_core) - r1
    ring_off = np.argwhere((d >= r0) & (d <= r1)) - r1
    out = np.zeros(len(rows))
    for n, (r, c) in enumerate(zip(rows, cols, strict=True)):
        r, c = round(r), round(c)
        core_px = image[
            np.clip(core_off[:, 0] + r, 0, h - 1), np.clip(core_off[:, 1] + c, 0, w - 1)
        ]
        ring_px = image[
            np.clip(ring_off[:, 0] + r, 0, h - 1), np.clip(ring_off[:, 1] + c, 0, w - 1)
        ]
        core = core_px.mean(axis=0)
        bg = np.median(ring_px, axis=0)
        dark_k = (bg - core) / np.maximum(bg, 30.0)
        room = np.maximum(255.0 - bg, 40.0)
        bright_k = (core - bg) / room
        if mode == "stain":
            dark, bright = dark_k.max(), bright_k.max()
        else:
            weights = np.maximum(bg, 1.0)
            dark = float((dark_k * weights).sum() / weights.sum())
            bright = float((bright_k * room).sum() / room.sum())
        out[n] = bright if mode == "uv365" else max(dark, bright)
    return out


def plate_visibility(photo: Any, truth: Any, *, seed: int = 0) -> list[list[tuple[float, float]]]:
    """Contrast and visibility of every true spot of a synthetic plate, lane by lane.

    Parameters
    ----------
    photo : (H, W, 3) ndarray of uint8
        The photo as tlc reads it (RGB), with ``truth.corners`` scaled to it.
    truth : tlc.synth.Truth
    seed : int
        For the random spot-free places.

    Returns
    -------
    list of list of (float, float)
        Per lane, per spot (in the truth's order): its contrast
        (:func:`_template_stat`) and its visibility, that contrast above the
        plate's typical spot-free place in units of their spread.
    """
    import numpy as np

    from tlc.plate import PX_PER_MM, Plate, rectify

    plate = Plate(corners=truth.corners, size_mm=truth.size_mm)
    image = rectify(photo, plate).astype(np.float32)
    ppm = PX_PER_MM
    sy = (image.shape[0] - 1) / truth.size_mm[0]
    sx = (image.shape[1] - 1) / truth.size_mm[1]
    spots = [(s.row_mm * sy, s.x_mm * sx) for lane in truth.lanes for s in lane.spots]
    # spot-free places between the lines, off the sides, clear of every spot
    gen = np.random.default_rng(seed)
    top = min(lane.front_mm for lane in truth.lanes) * sy
    bottom = max(lane.baseline_mm for lane in truth.lanes) * sy
    margin = 3.0 * ppm
    keep_off = (RING_MM[1] + 3.0) * ppm
    null_r: list[float] = []
    null_c: list[float] = []
    for _ in range(NULL_SAMPLES * 20):
        if len(null_r) >= NULL_SAMPLES:
            break
        r = gen.uniform(top + margin, bottom - margin)
        c = gen.uniform(margin, image.shape[1] - 1 - margin)
        if all(np.hypot(r - sr, c - sc) > keep_off for sr, sc in spots):
            null_r.append(r)
            null_c.append(c)
    null = _template_stat(image, null_r, null_c, ppm, truth.mode)
    centre = float(np.median(null)) if len(null) else 0.0
    spread = (1.4826 * float(np.median(np.abs(null - centre))) if len(null) else 0.0) + 1e-6
    out = []
    for lane in truth.lanes:
        rows = [s.row_mm * sy for s in lane.spots]
        cols = [s.x_mm * sx for s in lane.spots]
        stat = _template_stat(image, rows, cols, ppm, truth.mode)
        out.append([(float(c), float((c - centre) / spread)) for c in stat])
    return out


def run_set(n: int, seed: int) -> list[dict[str, Any]]:
    """One row per true spot of ``n`` plates (bench/detection.py's plates for ``seed``)."""
    import dataclasses
    import tempfile

    from detection import plates

    from tlc.errors import TlcError
    from tlc.evaluate import match_spots
    from tlc.pipeline import Layout, analyse

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for i, (name, _, photo, truth, image) in enumerate(plates(n, seed, Path(scratch))):
            # the photo may be read at reduced size: scale the true corners
            k = image.shape[0] / photo.shape[0]
            scaled = dataclasses.replace(
                truth, corners=tuple((r * k, c * k) for r, c in truth.corners)
            )
            vis = plate_visibility(image, scaled, seed=i)
            labels = tuple(lane.label for lane in truth.lanes)
            try:
                analysis = analyse(image, layout=Layout(lanes=labels), image_name=name)
                found = [[s.rf for s in lane.spots] for lane in analysis.lanes]
                upright = analysis.plate.rotation == round(truth.rotation / 90) % 4 * 90
            except TlcError:
                found, upright = None, False
            for j, lane in enumerate(truth.lanes):
                true_rf = [s.peak_rf if s.peak_rf is not None else s.rf for s in lane.spots]
                lane_found = found[j] if found and j < len(found) else []
                # the evaluator's matching, within 0.04 Rf
                hits = {t for t, _, _ in match_spots(true_rf, lane_found, 0.04)}
                for q, (s, (c, z)) in enumerate(zip(lane.spots, vis[j], strict=True)):
                    others = [abs(true_rf[q] - o) for m, o in enumerate(true_rf) if m != q]
                    rows.append(
                        {
                            "set": seed,
                            "plate": i,
                            "lane": j + 1,
                            "rf": round(s.rf, 3),
                            "amount": round(s.amount, 2),
                            "mode": truth.mode,
                            "visibility": round(z, 2),
                            "contrast": round(c, 4),
                            "apart": round(float(min(others, default=1.0)), 3),
                            "analysed": found is not None,
                            "upright": upright,
                            "found": q in hits,
                        }
                    )
    return rows


def table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall by visibility, on the plates read the right way up.

    Classes: spots fainter than tlc's documented limit (``Config.min_contrast``,
    docs/conventions.md), and the others by Rose's criterion (visibility
    under or over 5); the misses of visible spots are split into spots with
    another true spot of their lane within ``CLOSE_RF`` (a close pair read as
    one) and the others.
    """
    from tlc.pipeline import Config

    limit = Config().min_contrast
    upright = [r for r in rows if r["analysed"] and r["upright"]]

    def share(sel: list[dict[str, Any]]) -> dict[str, Any]:
        found = sum(r["found"] for r in sel)
        return {
            "spots": len(sel),
            "found": found,
            "recall": round(found / len(sel), 4) if sel else None,
        }

    visible = [r for r in upright if r["contrast"] >= limit and r["visibility"] >= ROSE]
    missed = [r for r in visible if not r["found"]]
    return {
        "spots": len(rows),
        "not_read_upright": len(rows) - len(upright),
        "read_upright": share(upright),
        "below_limit": share([r for r in upright if r["contrast"] < limit]),
        "over_limit_under_rose": share(
            [r for r in upright if r["contrast"] >= limit and r["visibility"] < ROSE]
        ),
        "visible": share(visible),
        "visible_missed_close_pair": sum(r["apart"] < CLOSE_RF for r in missed),
        "visible_missed_alone": sum(r["apart"] >= CLOSE_RF for r in missed),
        "visible_by_contrast": [
            {
                "contrast": f"{lo:g}-{hi:g}",
                **share([r for r in visible if lo <= r["contrast"] < hi]),
            }
            for lo, hi in ((limit, 0.07), (0.07, 0.1), (0.1, 0.2), (0.2, 1.0))
        ],
        "limit": limit,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=100, help="plates per set (default 100)")
    p.add_argument("--seed", type=int, action="append", help="set seed, repeatable (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON, with every spot")
    a = p.parse_args()
    rows: list[dict[str, Any]] = []
    for seed in a.seed or [0]:
        rows += run_set(a.n, seed)
    result = table(rows)
    if a.json:
        print(json.dumps({**result, "rows": rows}))
        return 0

    def pct(d: dict[str, Any]) -> str:
        rec = "-" if d["recall"] is None else f"{100 * d['recall']:.1f} %"
        return f"{d['found']:>5} of {d['spots']:>5}  {rec:>7}"

    print(f"{result['spots']} true spots; lanes given; found = within 0.04 Rf")
    print(f"  plates not read the right way up: {result['not_read_upright']} spots")
    print(f"  read upright, all spots:                  {pct(result['read_upright'])}")
    print(f"  fainter than the limit ({result['limit']}):         {pct(result['below_limit'])}")
    print(f"  over the limit, visibility under 5:       {pct(result['over_limit_under_rose'])}")
    print(f"  visible (over the limit, visibility >= 5): {pct(result['visible'])}")
    for c in result["visible_by_contrast"]:
        print(f"      contrast {c['contrast']:>10}:            {pct(c)}")
    print(
        f"  visible and missed: {result['visible_missed_close_pair']} in a close pair "
        f"(another spot within {CLOSE_RF} Rf), {result['visible_missed_alone']} alone"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
