"""Spots: what each lane holds, measured on the rectified plate."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

import numpy as np

from tlc._types import get, hex_colour, parse_hex, r2, r3
from tlc.lanes import Lane
from tlc.lines import Lines


@dataclass(frozen=True, slots=True)
class Spot:
    """One spot in one lane.

    Positions are in pixels of the rectified plate image (row 0 at the top of
    the plate, the origin near the bottom); divide by ``Plate.px_per_mm`` for
    millimetres.

    Attributes
    ----------
    lane : int
        Index of the lane (1 = leftmost).
    row, col : float
        Centre of the spot: intensity-weighted centroid of its darkening
        (or colour change), sub-pixel.
    top, bottom : float
        Rows where the spot's profile falls to half its peak.
    half_width : float
        Half the spot's width, in columns, at half its peak.
    strength : float
        Integrated darkening (or colour difference) over the spot, in
        "contrast x mm²": 1.0 is a 1 mm² area fully dark against the plate.
    contrast : float
        Peak contrast against the local plate background, 0 to 1.
    colour : tuple of int
        Mean RGB colour of the spot's core in the photo.
    on_origin : bool
        True for material that did not move from the origin (Rf about 0).
    rf : float or None
        Retardation factor, filled by :func:`tlc.rf.measure`.
    flags : tuple of str
        Quality flags (see :mod:`tlc.flags`).
    """

    lane: int
    row: float
    col: float
    top: float
    bottom: float
    half_width: float
    strength: float
    contrast: float
    colour: tuple[int, int, int] = (0, 0, 0)
    on_origin: bool = False
    rf: float | None = None
    flags: tuple[str, ...] = field(default=())

    def to_dict(self, px_per_mm: float) -> dict[str, Any]:
        """JSON-safe dict; positions in millimetres on the rectified plate."""
        return {
            "rf": r3(self.rf),
            "origin": self.on_origin,
            "position_mm": {"x": r2(self.col / px_per_mm), "y": r2(self.row / px_per_mm)},
            "extent_mm": {
                "top": r2(self.top / px_per_mm),
                "bottom": r2(self.bottom / px_per_mm),
                "half_width": r2(self.half_width / px_per_mm),
            },
            "strength": r3(self.strength),
            "contrast": r3(self.contrast),
            "colour": hex_colour(self.colour),
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, lane: int, px_per_mm: float) -> Spot:
        """Inverse of :meth:`to_dict`."""
        pos = get(d, "position_mm", {})
        ext = get(d, "extent_mm", {})
        y = float(get(pos, "y", 0.0))
        return cls(
            lane=lane,
            row=y * px_per_mm,
            col=float(get(pos, "x", 0.0)) * px_per_mm,
            top=float(get(ext, "top", y)) * px_per_mm,
            bottom=float(get(ext, "bottom", y)) * px_per_mm,
            half_width=float(get(ext, "half_width", 0.0)) * px_per_mm,
            strength=float(get(d, "strength", 0.0)),
            contrast=float(get(d, "contrast", 0.0)),
            colour=parse_hex(d.get("colour")) or (0, 0, 0),
            on_origin=bool(d.get("origin", False)),
            rf=d.get("rf"),
            flags=tuple(get(d, "flags", ())),
        )


#: Spots whose centre is within this Rf of the origin are reported as left on it.
ORIGIN_RF = 0.06

#: Below this Rf distance from the front, a spot ran with the solvent front.
FRONT_RF = 0.05


def find_spots(
    plate_image: np.ndarray,
    spots_map: np.ndarray,
    lanes: Sequence[Lane],
    lines: Lines,
    *,
    px_per_mm: float,
    min_contrast: float = 0.035,
    bright: bool = False,
) -> tuple[Spot, ...]:
    """Find and measure the spots of every lane.

    In each lane the contrast is averaged across the lane's centre (weighted
    by a Gaussian as wide as a spot) into a profile from just below the
    baseline to the front; each peak of that profile that stands above the
    noise is a spot, and is then measured in two dimensions on the map.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
        The rectified plate, RGB (for the spots' colour).
    spots_map : (H, W) ndarray of float32
        Contrast map with lines and writing removed (:func:`tlc.lanes.spot_map`).
    lanes : sequence of Lane
    lines : Lines
    px_per_mm : float
    min_contrast : float, optional
        Weakest spot reported, as peak contrast (0-1).
    bright : bool, optional
        The map holds features brighter than the plate (flag them).

    Returns
    -------
    tuple of Spot
        Lane by lane, bottom to top; ``rf`` not yet set (see :func:`tlc.rf.measure`).

    Raises
    ------
    ValueError
        If ``min_contrast`` is not within (0, 1).
    """
    if not 0 < min_contrast < 1:
        msg = f"min_contrast must be within (0, 1), got {min_contrast}"
        raise ValueError(msg)
    out: list[Spot] = []
    for lane in lanes:
        out.extend(
            _lane_spots(
                plate_image, spots_map, lane, lines,
                px_per_mm=px_per_mm, min_contrast=min_contrast, bright=bright,
            )
        )
    return tuple(out)


def _lane_spots(
    plate_image: np.ndarray,
    smap: np.ndarray,
    lane: Lane,
    lines: Lines,
    *,
    px_per_mm: float,
    min_contrast: float,
    bright: bool,
) -> list[Spot]:
    h, w = smap.shape
    base = lines.baseline_at(lane.col)
    front = lines.front_at(lane.col)
    run = base - front
    top = int(max(0, front - 0.04 * run - px_per_mm))
    bottom = int(min(h, base + 2.0 * px_per_mm))
    half = lane.width / 2
    c0, c1 = int(max(0, lane.col - half)), int(min(w, lane.col + half + 1))
    if bottom - top < 5 or c1 - c0 < 3:
        return []
    cols = np.arange(c0, c1)
    sigma = max(1.0, min(half * 0.5, 2.0 * px_per_mm))
    weight = np.exp(-0.5 * ((cols - lane.col) / sigma) ** 2)
    block = smap[top:bottom, c0:c1]
    profile = (block * weight).sum(axis=1) / weight.sum()
    noise = _noise_level(smap, lane, top, bottom, px_per_mm=px_per_mm)
    threshold = max(min_contrast * 0.7, 4.0 * noise)
    peaks = _profile_peaks(
        profile, threshold=threshold, min_sep=1.2 * px_per_mm, window=round(3.0 * px_per_mm)
    )
    spots: list[Spot] = []
    for p in peaks:
        spot = _measure(
            plate_image, smap, lane, p + top, profile, top,
            px_per_mm=px_per_mm, c0=c0, c1=c1,
        )
        if spot is None or spot.contrast < min_contrast:
            continue
        spots.append(spot)
    # flag neighbours that overlap at half height
    spots.sort(key=lambda s: -s.row)
    flagged = []
    for i, s in enumerate(spots):
        flags = list(s.flags)
        for j in (i - 1, i + 1):
            if 0 <= j < len(spots):
                o = spots[j]
                if s.top <= o.bottom and o.top <= s.bottom:
                    flags.append("spot_merged")
        if bright:
            flags.append("spot_bright")
        rf = (base - s.row) / run if run > 0 else 0.0
        if rf > 1.0 + FRONT_RF / 2:
            continue  # above the front: the solvent never carried anything there
        on_origin = rf < ORIGIN_RF
        if on_origin:
            flags.append("spot_on_origin")
        elif rf > 1 - FRONT_RF:
            flags.append("spot_at_front")
        flagged.append(
            Spot(
                lane=s.lane, row=s.row, col=s.col, top=s.top, bottom=s.bottom,
                half_width=s.half_width, strength=s.strength, contrast=s.contrast,
                colour=s.colour, on_origin=on_origin, flags=tuple(sorted(set(flags))),
            )
        )
    return flagged


def _noise_level(smap: np.ndarray, lane: Lane, top: int, bottom: int, *, px_per_mm: float) -> float:
    """Robust noise of the lane's profile, from the plate between spots."""
    h, w = smap.shape
    c0 = int(max(0, lane.col - lane.width / 2))
    c1 = int(min(w, lane.col + lane.width / 2 + 1))
    block = smap[top:bottom, c0:c1]
    if block.size < 10:
        return 0.01
    prof = block.mean(axis=1)
    d = np.diff(prof)
    mad = float(np.median(np.abs(d - np.median(d))))
    return 1.4826 * mad / np.sqrt(2) + 1e-4


def _profile_peaks(
    profile: np.ndarray, *, threshold: float, min_sep: float, window: int
) -> list[int]:
    """Local maxima of the profile with enough prominence, strongest kept first.

    A peak must stand ``threshold`` above the plate both in absolute terms and
    against the lowest point within ``window`` rows on its *higher* side:
    a spot is compact, while the broad, shallow swells of an unevenly coated
    or lit plate rise slowly and fail this test.
    """
    n = len(profile)
    if n < 3:
        return []
    is_max = np.r_[False, (profile[1:-1] >= profile[:-2]) & (profile[1:-1] > profile[2:]), False]
    cand = []
    for i in np.flatnonzero(is_max):
        if profile[i] <= threshold:
            continue
        lo = float(profile[max(0, i - window) : i + 1].min())
        hi = float(profile[i : i + window + 1].min())
        if profile[i] - max(lo, hi) >= threshold:
            cand.append(int(i))
    cand.sort(key=lambda i: -profile[i])
    kept: list[int] = []
    for i in cand:
        if any(abs(i - k) < min_sep for k in kept):
            continue
        # prominence: the dip towards every stronger peak must be deep enough
        ok = True
        for k in kept:
            lo, hi = sorted((i, k))
            dip = float(profile[lo : hi + 1].min())
            if profile[i] - dip < max(0.5 * threshold, 0.2 * profile[i]):
                ok = False
                break
        if ok:
            kept.append(i)
    return sorted(kept)


def _measure(
    plate_image: np.ndarray,
    smap: np.ndarray,
    lane: Lane,
    row: int,
    profile: np.ndarray,
    top: int,
    *,
    px_per_mm: float,
    c0: int,
    c1: int,
) -> Spot | None:
    """Measure one spot around ``row``: centroid, extent, strength, colour."""
    h, w = smap.shape
    i = row - top
    peak = float(profile[i])
    if peak <= 0:
        return None
    half_level = 0.5 * peak
    a = i
    while a > 0 and profile[a - 1] > half_level and profile[a - 1] <= profile[a] * 1.05:
        a -= 1
    b = i
    while b < len(profile) - 1 and profile[b + 1] > half_level and profile[b + 1] <= profile[b] * 1.05:
        b += 1
    r0, r1 = top + a, top + b + 1
    block = smap[r0:r1, c0:c1]
    # horizontal extent from the row profile of the spot core
    hprof = block.mean(axis=0)
    j = int(np.argmax(hprof))
    hp = float(hprof[j])
    if hp <= 0:
        return None
    left = j
    while left > 0 and hprof[left - 1] > 0.5 * hp:
        left -= 1
    right = j
    while right < len(hprof) - 1 and hprof[right + 1] > 0.5 * hp:
        right += 1
    # Centroid of the part of the spot above half its peak: the densest part,
    # which a chemist would mark, not pulled down by a tail.
    wts = np.clip(block - 0.5 * float(block.max()), 0, None)
    if wts.sum() <= 0:
        return None
    rr, cc = np.mgrid[r0:r1, c0:c1]
    cy = float((wts * rr).sum() / wts.sum())
    cx = float((wts * cc).sum() / wts.sum())
    core = block > 0.6 * float(block.max())
    colour = tuple(int(v) for v in plate_image[r0:r1, c0:c1][core].mean(axis=0).round())
    strength = float(np.clip(block, 0, None).sum() / px_per_mm**2)
    upper = cy - (top + a)
    lower = (top + b) - cy
    flags = []
    if lower > 2.0 * max(upper, 0.5 * px_per_mm) and (b - a) > 3 * px_per_mm:
        flags.append("spot_tailing")
    if peak < 0.08:
        flags.append("spot_faint")
    if left == 0 or right == len(hprof) - 1:
        flags.append("spot_touches_lane_edge")
    return Spot(
        lane=lane.index,
        row=cy,
        col=cx,
        top=float(top + a),
        bottom=float(top + b),
        half_width=float((right - left + 1) / 2),
        strength=strength,
        contrast=float(block.max()),
        colour=(colour[0], colour[1], colour[2]),
        flags=tuple(flags),
    )
