"""Lanes: where the samples and references were spotted, left to right."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlc._types import get, r2
from tlc.lines import Lines


@dataclass(frozen=True, slots=True)
class Lane:
    """One lane of the plate.

    Attributes
    ----------
    index : int
        1 for the leftmost lane (origin at the bottom), then 2, 3...
    col : float
        Centre of the lane, in columns of the rectified plate image.
    width : float
        Width of the lane, in columns of the rectified plate image.
    label : str
        What staff called the lane (``S1``, ``cocaine``, ``ech-042``).
    role : str
        ``"reference"`` when the label names a library substance, else ``"sample"``.
    substance : str or None
        The library id of a reference lane; None for a sample lane.
    flags : tuple of str
        Quality flags (see :mod:`tlc.flags`).
    """

    index: int
    col: float
    width: float
    label: str = ""
    role: str = "sample"
    substance: str | None = None
    flags: tuple[str, ...] = field(default=())

    def to_dict(self, px_per_mm: float) -> dict[str, Any]:
        """JSON-safe dict; positions in millimetres from the plate's left edge."""
        return {
            "index": self.index,
            "label": self.label,
            "role": self.role,
            "substance": self.substance,
            "centre_mm": r2(self.col / px_per_mm),
            "width_mm": r2(self.width / px_per_mm),
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], px_per_mm: float) -> Lane:
        """Inverse of :meth:`to_dict`."""
        return cls(
            index=int(d["index"]),
            col=float(get(d, "centre_mm", 0.0)) * px_per_mm,
            width=float(get(d, "width_mm", 0.0)) * px_per_mm,
            label=str(get(d, "label", "")),
            role=str(get(d, "role", "sample")),
            substance=d.get("substance"),
            flags=tuple(get(d, "flags", ())),
        )


#: Closest two lanes can be, in mm.
MIN_PITCH_MM = 4.0

#: Columns within this distance (mm) of the plate's sides hold no lane centre.
SIDE_MM = 4.0


def spot_map(contrast_map: np.ndarray, *, px_per_mm: float) -> np.ndarray:
    """The contrast map with pencil lines, writing and specks removed.

    A grey opening with a disc of about 1 mm keeps only features at least that
    thick in every direction: spots survive, a pencil line, a letter's stroke
    or a speck of dust do not.

    Parameters
    ----------
    contrast_map : (H, W) ndarray of float32
    px_per_mm : float

    Returns
    -------
    (H, W) ndarray of float32
    """
    import cv2

    k = max(3, round(1.0 * px_per_mm) | 1)
    se = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.morphologyEx(contrast_map, cv2.MORPH_OPEN, se)


def find_lanes(
    spots_map: np.ndarray,
    lines: Lines,
    *,
    px_per_mm: float,
    n_lanes: int | None = None,
) -> tuple[Lane, ...]:
    """Find the lanes: the columns along which material ran.

    Parameters
    ----------
    spots_map : (H, W) ndarray of float32
        The contrast map with lines removed (:func:`spot_map`).
    lines : Lines
        The baseline and the front.
    px_per_mm : float
    n_lanes : int, optional
        How many lanes there are (from ``--lanes``). Without it, every column
        with material is a lane.

    Returns
    -------
    tuple of Lane
        Left to right, labelled ``S1``, ``S2``... (the pipeline relabels
        them). Empty when no lane is seen and ``n_lanes`` is not given.

    Raises
    ------
    ValueError
        If ``n_lanes`` is less than 1.
    """
    if n_lanes is not None and n_lanes < 1:
        msg = f"n_lanes must be at least 1, got {n_lanes}"
        raise ValueError(msg)
    h, w = spots_map.shape
    profile = _column_profile(spots_map, lines, px_per_mm=px_per_mm)
    side = round(SIDE_MM * px_per_mm)
    min_pitch = MIN_PITCH_MM * px_per_mm
    peaks = _peaks(profile, min_distance=min_pitch, side=side)
    flags: tuple[str, ...] = ()
    if n_lanes is None:
        centres = peaks
    elif len(peaks) == n_lanes:
        centres = peaks
    else:
        centres = _comb(profile, n_lanes, side=side, min_pitch=min_pitch, peaks=peaks)
        flags = ("lanes_evenly_spaced",) if len(peaks) < n_lanes - 1 else ()
    if len(centres) == 0:
        return ()
    centres = np.sort(np.asarray(centres, float))
    if len(centres) > 1:
        pitch = float(np.median(np.diff(centres)))
    else:
        pitch = min(w - 2 * side, 12 * px_per_mm)
    width = max(min_pitch * 0.8, 0.9 * pitch)
    return tuple(
        Lane(index=i + 1, col=float(c), width=float(width), label=f"S{i + 1}", flags=flags)
        for i, c in enumerate(centres)
    )


def _column_profile(spots_map: np.ndarray, lines: Lines, *, px_per_mm: float) -> np.ndarray:
    """Material per column between the front and just below the baseline."""
    h, w = spots_map.shape
    top = max(0, int(min(lines.front) - 0.5 * px_per_mm))
    bottom = min(h, int(max(lines.baseline) + 1.5 * px_per_mm))
    band = np.clip(spots_map[top:bottom], 0, None)
    # Cap each pixel so that one huge dark blot does not outweigh a whole
    # lane of ordinary spots.
    cap = max(0.05, float(np.percentile(band, 99.5)))
    prof = np.minimum(band, cap).sum(axis=0)
    sigma = 0.8 * px_per_mm
    x = np.arange(-int(3 * sigma), int(3 * sigma) + 1)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    return np.convolve(prof, kernel / kernel.sum(), mode="same")


def _peaks(profile: np.ndarray, *, min_distance: float, side: int) -> list[float]:
    """Lane centres: local maxima standing well above the profile's floor."""
    n = len(profile)
    if n < 3:
        return []
    floor = float(np.percentile(profile, 20))
    top = float(profile[side : n - side].max()) if n > 2 * side else float(profile.max())
    if top - floor <= 1e-6:
        return []
    level = floor + 0.12 * (top - floor)
    is_max = np.r_[False, (profile[1:-1] >= profile[:-2]) & (profile[1:-1] > profile[2:]), False]
    cand = [i for i in np.flatnonzero(is_max) if side <= i < n - side and profile[i] > level]
    # Strongest first; drop any within min_distance of a stronger one, and any
    # whose dip to a stronger neighbour is shallow (two humps of one lane).
    cand.sort(key=lambda i: -profile[i])
    kept: list[int] = []
    for i in cand:
        if any(abs(i - k) < min_distance for k in kept):
            continue
        ok = True
        for k in kept:
            lo, hi = sorted((i, k))
            dip = profile[lo : hi + 1].min()
            if profile[i] - dip < 0.25 * (profile[i] - floor):
                ok = False
                break
        if ok:
            kept.append(i)
    return sorted(float(_subpixel(profile, i)) for i in kept)


def _subpixel(profile: np.ndarray, i: int) -> float:
    if 0 < i < len(profile) - 1:
        y0, y1, y2 = profile[i - 1], profile[i], profile[i + 1]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            return i + 0.5 * (y0 - y2) / denom
    return float(i)


def _comb(
    profile: np.ndarray, n: int, *, side: int, min_pitch: float, peaks: list[float]
) -> list[float]:
    """``n`` lane centres: an evenly spaced comb fitted to the profile, snapped to peaks.

    Staff spot lanes at roughly even spacing; when some lanes are empty or
    two lanes merge in the profile, the comb still puts every lane where it
    should be.
    """
    w = len(profile)
    usable = w - 2 * side
    if n == 1:
        if peaks:
            return [max(peaks, key=lambda p: profile[int(round(p))])]
        return [w / 2]
    best, best_score = None, -np.inf
    max_pitch = usable / (n - 1)
    for pitch in np.linspace(min(min_pitch, max_pitch), max_pitch, 60):
        span = pitch * (n - 1)
        for start in np.linspace(side, w - side - span, 40):
            pos = start + pitch * np.arange(n)
            score = profile[np.clip(pos.round().astype(int), 0, w - 1)].sum()
            # prefer combs centred on the plate when the profile cannot tell
            score -= 1e-3 * abs((start + span / 2) - w / 2) * profile.mean() / max(w, 1)
            if score > best_score:
                best, best_score = pos, score
    assert best is not None
    out = []
    pitch = best[1] - best[0]
    for p in best:
        near = [q for q in peaks if abs(q - p) < 0.35 * pitch]
        out.append(min(near, key=lambda q: abs(q - p)) if near else float(p))
    return out
