"""Spots: what each lane holds, measured on the rectified plate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlc._types import get, hex_colour, parse_hex, r2, r3
from tlc.contrast import profile_noise
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

#: A faint "spot" taller than this (mm, at half its peak) is the plate, not a spot.
BROAD_MM = 7.0

#: A faint "spot" wider than this (mm, at half its peak) is a blob of the
#: plate's coating, not a spot: samples are applied 1.5-3 mm wide, and on the
#: 300 benchmark plates no faint spot measured over 5.5 mm, 12 blobs did.
WIDE_MM = 5.5

#: A faint "spot" as wide as its lane and this many times wider than tall is a
#: band across the plate.
BAND_ASPECT = 1.4

#: A spot is measured within this distance (mm) of its centre across the lane.
MEASURE_HALF_MM = 3.0

#: A spot tails when, at a fifth of its peak, it reaches this many times
#: further towards the origin than towards the front, and over this many mm.
TAIL_RATIO = 2.0
TAIL_MM = 3.0

#: A dark spot ends where the profile, past its lowest point, climbs again by
#: more than this fraction of the spot's peak: the dip before a neighbouring
#: spot. Two spots 0.05-0.08 Rf apart leave a dip of 2-15 % (flat-topped,
#: heavily loaded spots the shallowest); on the 300 benchmark plates, the dip
#: measured from the weaker spot's own peak, 0.02 finds 3 more spots than 0.05
#: and no false one, 0.01 one more and 2 false ones.
DIP_FRACTION = 0.02

#: The same for a bright (glowing) spot, whose centre often glows a few
#: percent less than its rim: at 0.02 such spots were split in two.
BRIGHT_DIP_FRACTION = 0.05

#: Between a spot and a stronger one, a spot at least this dark (peak
#: contrast) needs only that shallow a dip to count as a spot of its own; a
#: fainter one needs the profile to drop by ``TAIL_DIP`` of its peak, or it
#: is a lump on the other's tail.
CLOSE_PAIR_CONTRAST = 0.15
TAIL_DIP = 0.2

#: Below this Rf distance from the front, a spot ran with the solvent front.
FRONT_RF = 0.05

#: On the origin, a mark narrower than this (mm) and weaker than
#: ``PENCIL_DOT_STRENGTH`` is the pencil dot that marks where to spot, not
#: material: samples go on as 1.5-3 mm spots. On 100 synthetic plates the
#: pencil dots measured 1.4-1.9 mm and 0.11-0.33; origin spots 1.8-2.4 mm
#: and at least 0.33 (5th percentile 0.53).
PENCIL_DOT_MM = 1.9
PENCIL_DOT_STRENGTH = 0.3


def find_spots(
    plate_image: np.ndarray,
    spots_map: np.ndarray,
    lanes: Sequence[Lane],
    lines: Lines,
    *,
    px_per_mm: float,
    min_contrast: float = 0.035,
    bright: bool = False,
    origin_rf: float = ORIGIN_RF,
) -> tuple[Spot, ...]:
    """Find and measure the spots of every lane.

    Spot candidates (compact local maxima of the spot map, see
    :func:`tlc.lanes.spot_candidates`) are given to the nearest lane, then
    each is measured: its half-maximum extent along the lane, the centroid of
    that core (sub-pixel), its strength and its colour.

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
        Weakest spot reported, as peak contrast against the plate (0-1).
    bright : bool, optional
        The map holds features brighter than the plate (flag them).
    origin_rf : float, optional
        Spots with an Rf below this are reported as left on the origin.

    Returns
    -------
    tuple of Spot
        Lane by lane, bottom to top; ``rf`` not yet set (see :func:`tlc.rf.measure`).

    Raises
    ------
    ValueError
        If ``min_contrast`` is not within (0, 1).
    """
    from tlc.lanes import spot_candidates

    if not 0 < min_contrast < 1:
        msg = f"min_contrast must be within (0, 1), got {min_contrast}"
        raise ValueError(msg)
    if not lanes:
        return ()
    cand = spot_candidates(spots_map, lines, px_per_mm=px_per_mm, min_contrast=min_contrast)
    centres = np.array([lane.col for lane in lanes])
    out: list[Spot] = []
    for lane_i, lane in enumerate(lanes):
        mine = []
        for row, col, _sig in cand:
            nearest = int(np.argmin(np.abs(centres - col)))
            if nearest == lane_i and abs(col - lane.col) <= lane.width / 2:
                mine.append((int(row), int(col)))
        mine.extend(
            _hidden_neighbours(
                spots_map, lane, lines, mine, px_per_mm=px_per_mm, min_contrast=min_contrast
            )
        )
        out.extend(
            _lane_spots(
                plate_image,
                spots_map,
                lane,
                lines,
                mine,
                px_per_mm=px_per_mm,
                min_contrast=min_contrast,
                bright=bright,
                origin_rf=origin_rf,
            )
        )
    return tuple(out)


#: A maximum of the lane's profile this close (mm, along the lane) to a spot
#: candidate is that spot; one further away but within ``NEIGHBOUR_MM`` may be
#: a second spot whose own maximum the first one's flank hides in the map.
SAME_SPOT_MM = 1.5
NEIGHBOUR_MM = 8.0


def _hidden_neighbours(
    spots_map: np.ndarray,
    lane: Lane,
    lines: Lines,
    mine: list[tuple[int, int]],
    *,
    px_per_mm: float,
    min_contrast: float,
) -> list[tuple[int, int]]:
    """Spots close in Rf to a candidate whose own maximum the map does not show.

    Two spots 0.05-0.07 Rf apart overlap: in the map, the weaker one's maximum
    sits on the stronger one's flank and is no local maximum, but the lane's
    profile, averaged across the lane, still dips between them. Each maximum
    of that profile near (``NEIGHBOUR_MM``) a candidate of the lane, but not
    at it (``SAME_SPOT_MM``), is returned as a candidate (row, col); whether
    it is a spot or a lump on a tail is decided as for any other
    (:func:`_drop_tails`).
    """
    if not mine:
        return []
    h, _ = spots_map.shape
    profile, c0, c1 = _lane_profile(spots_map, lane, px_per_mm=px_per_mm)
    top = max(1, int(lines.front_at(lane.col) - 1.0 * px_per_mm))
    bottom = min(h - 1, int(lines.baseline_at(lane.col) + 1.5 * px_per_mm))
    inner = profile[top:bottom]
    if inner.size < 3 or c1 <= c0:
        return []
    # Only dark ones: a faint maximum this close to a spot is a lump on its
    # tail as often as a spot (measured: 5 true, 28 false on 300 plates).
    level = max(min_contrast, CLOSE_PAIR_CONTRAST)
    mid = inner[1:-1]
    peaks = np.flatnonzero((mid > inner[:-2]) & (mid >= inner[2:]) & (mid >= level)) + top + 1
    rows = np.array([r for r, _ in mine])
    out: list[tuple[int, int]] = []
    for r in peaks:
        if SAME_SPOT_MM * px_per_mm < np.abs(rows - r).min() <= NEIGHBOUR_MM * px_per_mm:
            out.append((int(r), c0 + int(np.argmax(spots_map[r, c0:c1]))))
    return out


def _lane_profile(smap: np.ndarray, lane: Lane, *, px_per_mm: float) -> tuple[np.ndarray, int, int]:
    """The lane's profile along the run and the columns it averages.

    The spot map averaged over the middle of the lane (at most 2 mm each side
    of its centre) and smoothed over ~0.5 mm along it: sensor noise must not
    pass for a dip, but the dip between two close spots must survive.
    Returns ``(profile, c0, c1)``, the profile one value per row of ``smap``.
    """
    h, w = smap.shape
    half = int(min(lane.width / 2, 2.0 * px_per_mm))
    c0, c1 = int(max(0, lane.col - half)), int(min(w, lane.col + half + 1))
    if c1 <= c0:
        return np.zeros(h, np.float32), c0, c1
    profile = smap[:, c0:c1].mean(axis=1)
    sigma = max(1.0, 0.5 * px_per_mm)
    x = np.arange(-int(3 * sigma), int(3 * sigma) + 1)
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    return np.convolve(profile, kernel / kernel.sum(), mode="same"), c0, c1


def circled(
    plate_image: np.ndarray,
    spots_map: np.ndarray,
    lanes: Sequence[Lane],
    lines: Lines,
    rings: np.ndarray,
    found: Sequence[Spot],
    *,
    px_per_mm: float,
    origin_rf: float = ORIGIN_RF,
) -> tuple[Spot, ...]:
    """Spots known only by the pencil ring drawn round them.

    A ring (:func:`tlc.lanes.ring_candidates`) that holds none of the spots
    already found marks a spot that has faded, or that only the lamp showed:
    it is reported where the ring is, with the plate's contrast and colour
    inside it, and flagged ``spot_circled``.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
    spots_map : (H, W) ndarray of float32
    lanes : sequence of Lane
    lines : Lines
    rings : (N, 5) ndarray
        ``row, col, half_height, half_width, significance`` of each ring's hole.
    found : sequence of Spot
        The spots found by their own contrast.
    px_per_mm : float
    origin_rf : float, optional

    Returns
    -------
    tuple of Spot
        The ringed spots not among ``found``, without Rf (see :func:`tlc.rf.measure`).
    """
    if not lanes or len(rings) == 0:
        return ()
    centres = np.array([lane.col for lane in lanes])
    out: list[Spot] = []
    for row, col, hh, hw, _ in rings:
        if any(abs(sp.row - row) <= hh and abs(sp.col - col) <= hw for sp in found):
            continue  # the ring is round a spot already measured
        i = int(np.argmin(np.abs(centres - col)))
        lane = lanes[i]
        if abs(col - lane.col) > lane.width / 2:
            continue
        base, front = lines.baseline_at(col), lines.front_at(col)
        rf = float((base - row) / (base - front)) if base > front else 0.0
        if not -0.05 <= rf <= 1.0:
            continue
        r0, r1 = int(max(0, row - 0.7 * hh)), int(row + 0.7 * hh) + 1
        c0, c1 = int(max(0, col - 0.7 * hw)), int(col + 0.7 * hw) + 1
        inside = spots_map[r0:r1, c0:c1]
        contrast = float(max(0.0, inside.max())) if inside.size else 0.0
        colour = plate_image[r0:r1, c0:c1].reshape(-1, 3).mean(axis=0).round()
        on_origin = rf < origin_rf
        flags = ["spot_circled", *_position_flags(rf, origin_rf)]
        out.append(
            Spot(
                lane=lane.index,
                row=float(row),
                col=float(col),
                top=float(row - hh),
                bottom=float(row + hh),
                half_width=float(hw),
                strength=float(np.clip(inside, 0, None).sum()) / px_per_mm**2,
                contrast=contrast,
                colour=(int(colour[0]), int(colour[1]), int(colour[2])),
                on_origin=on_origin,
                flags=tuple(sorted(flags)),
            )
        )
    return tuple(out)


def _position_flags(rf: float, origin_rf: float) -> list[str]:
    """``spot_on_origin`` or ``spot_at_front`` for a spot at ``rf``, or nothing."""
    flags: list[str] = []
    if rf < origin_rf:
        flags.append("spot_on_origin")
    elif rf > 1 - FRONT_RF:
        flags.append("spot_at_front")
    return flags


def merge(spots: Sequence[Spot], more: Sequence[Spot], *, px_per_mm: float) -> tuple[Spot, ...]:
    """Spots of two searches (dark and bright), without counting one spot twice.

    A spot of ``more`` in the same lane as a spot of ``spots`` and closer
    than 1.5 mm to it, or to its edge (the bright rim or halo of a dark
    spot), is dropped. Real UV 254 photos show a blue halo beside dark spots
    (TLC_imageprocessing/uv/101678.jpg: 1.2 mm beyond the spot's edge).

    Returns
    -------
    tuple of Spot
        Lane by lane, bottom to top.
    """
    out = list(spots)
    reach = 1.5 * px_per_mm

    def apart(o: Spot, s: Spot) -> bool:
        # within ``reach`` of the other spot's box (its centre included):
        # the same spot, or its rim or halo
        return (
            o.lane != s.lane
            or abs(o.row - s.row) > (o.bottom - o.top) / 2 + reach
            or abs(o.col - s.col) > o.half_width + reach
        )

    for s in more:
        if all(apart(o, s) for o in spots):
            out.append(s)
    out.sort(key=lambda s: (s.lane, -s.row))
    return tuple(out)


def _lane_spots(
    plate_image: np.ndarray,
    smap: np.ndarray,
    lane: Lane,
    lines: Lines,
    candidates: list[tuple[int, int]],
    *,
    px_per_mm: float,
    min_contrast: float,
    bright: bool,
    origin_rf: float,
) -> list[Spot]:
    base = lines.baseline_at(lane.col)
    front = lines.front_at(lane.col)
    run = base - front
    dip = BRIGHT_DIP_FRACTION if bright else DIP_FRACTION
    spots: list[Spot] = []
    for row, col in candidates:
        spot = _measure(plate_image, smap, lane, row, col, px_per_mm=px_per_mm, dip=dip)
        if spot is None or spot.contrast < min_contrast:
            continue
        # Faint and tall is how an unevenly coated or lit plate swells, not
        # how a spot looks: a spot that faint is a compact trace.
        if (spot.bottom - spot.top) > BROAD_MM * px_per_mm and spot.contrast < 2.5 * min_contrast:
            continue
        # ...and so is faint and as wide as the whole measuring window: a blob
        # of the coating's mottle, not a spot (applied 1.5-3 mm wide).
        if 2 * spot.half_width > WIDE_MM * px_per_mm and spot.contrast < 2.5 * min_contrast:
            continue
        # Faint, as wide as the lane and wider than tall is a band across the
        # plate (the residue under an unmarked front, uneven coating), not a
        # spot: spots are round or drawn out along the run (measured on 115
        # spots: width/height at most 1.26).
        width, height = 2 * spot.half_width, spot.bottom - spot.top + 1
        if (
            spot.contrast < 2.5 * min_contrast
            and width >= 0.9 * min(lane.width, 2 * MEASURE_HALF_MM * px_per_mm)
            and width > BAND_ASPECT * height
        ):
            continue
        # one spot seen twice (two maxima on a flat top): keep the stronger
        twin = [s for s in spots if abs(s.row - spot.row) < 0.8 * px_per_mm]
        if twin:
            if twin[0].contrast >= spot.contrast:
                continue
            spots.remove(twin[0])
        spots.append(spot)
    spots, tailing = _drop_tails(spots, smap, lane, px_per_mm=px_per_mm, dip_fraction=dip)
    # A faint streak starting just below a much stronger spot is that spot's
    # tail, broken by a lump: it is dropped and the spot flagged as tailing.
    streaks = []
    for s in spots:
        if "spot_tailing" not in s.flags:
            continue
        for h in spots:
            if (
                h is not s
                and s.contrast < 0.5 * h.contrast
                and h.bottom < s.row
                and s.top - h.bottom < 2.0 * px_per_mm
            ):
                streaks.append(s)
                tailing.add(id(h))
                break
    spots = [s for s in spots if not any(s is t for t in streaks)]
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
        if id(s) in tailing:
            flags.append("spot_tailing")
        rf = (base - s.row) / run if run > 0 else 0.0
        if rf > 1.0:
            continue  # above the front: the solvent never carried anything there
        on_origin = rf < origin_rf
        if (
            on_origin
            and 2 * s.half_width < PENCIL_DOT_MM * px_per_mm
            and s.strength < PENCIL_DOT_STRENGTH
        ):
            continue
        flags.extend(_position_flags(rf, origin_rf))
        flagged.append(
            Spot(
                lane=s.lane,
                row=s.row,
                col=s.col,
                top=s.top,
                bottom=s.bottom,
                half_width=s.half_width,
                strength=s.strength,
                contrast=s.contrast,
                colour=s.colour,
                on_origin=on_origin,
                flags=tuple(sorted(set(flags))),
            )
        )
    return flagged


def _drop_tails(
    spots: list[Spot],
    smap: np.ndarray,
    lane: Lane,
    *,
    px_per_mm: float,
    dip_fraction: float = DIP_FRACTION,
) -> tuple[list[Spot], set[int]]:
    """Drop candidates that are only the tail (or shoulder) of a stronger spot.

    Going from a weaker spot towards a stronger one in the same lane, a real
    spot shows a dip between the two, of at least ``dip_fraction`` of the
    weaker one's peak (``TAIL_DIP`` for a faint one); a tail rises into the
    stronger spot without one. Returns the spots kept and the ids of those
    with a tail.
    """
    if len(spots) < 2:
        return spots, set()
    h, _ = smap.shape
    profile, _, _ = _lane_profile(smap, lane, px_per_mm=px_per_mm)
    noise = profile_noise(profile)
    kept: list[Spot] = []
    tailing: set[int] = set()
    for s in sorted(spots, key=lambda s: -s.contrast):
        absorbed = False
        for k in kept:
            lo, hi = sorted((round(s.row), round(k.row)))
            between = profile[lo : hi + 1]
            # the spot's own peak: its centroid may lie on the other's side of it
            i = min(h - 1, max(0, round(s.row)))
            near = max(1, round(0.8 * px_per_mm))
            here = float(profile[max(0, i - near) : i + near + 1].max())
            # Two dark spots may leave only a shallow dip between them; in a
            # faint streak (a tail, a plate edge) lumps that deep are common.
            if s.contrast >= CLOSE_PAIR_CONTRAST:
                dip = max(dip_fraction * here, 3 * noise)
            else:
                dip = TAIL_DIP * here
            if here > 0 and here - float(between.min()) <= dip:
                absorbed = True
                if s.row > k.row:  # below the stronger spot, towards the origin
                    tailing.add(id(k))
                break
        if not absorbed:
            kept.append(s)
    return kept, tailing


def _measure(
    plate_image: np.ndarray,
    smap: np.ndarray,
    lane: Lane,
    row: int,
    col: int,
    *,
    px_per_mm: float,
    dip: float = DIP_FRACTION,
) -> Spot | None:
    """Measure one spot found near ``(row, col)``: centroid, extent, strength, colour.

    ``dip``: the fraction of its peak by which the profile must climb again,
    past a dip, for the spot to end there (``DIP_FRACTION``). Returns None
    when nothing stands above the plate there.
    """
    h, w = smap.shape
    half = int(min(lane.width / 2, MEASURE_HALF_MM * px_per_mm))
    c0, c1 = max(0, col - half), min(w, col + half + 1)
    r0, r1 = max(0, row - round(12 * px_per_mm)), min(h, row + round(12 * px_per_mm))
    cols = np.arange(c0, c1)
    weight = np.exp(-0.5 * ((cols - col) / max(1.0, 0.9 * px_per_mm)) ** 2)
    profile = (smap[r0:r1, c0:c1] * weight).sum(axis=1) / weight.sum()
    i = row - r0
    # the candidate may sit a pixel or two off the profile's own maximum
    lo_i, hi_i = max(0, i - 3), min(len(profile), i + 4)
    i = lo_i + int(np.argmax(profile[lo_i:hi_i]))
    peak = float(profile[i])
    if peak <= 0:
        return None
    # A neighbouring spot closer than the spot's own size leaves only a
    # shallow dip (two spots 0.05-0.08 Rf apart: 2-15 %); the spot ends there.
    rise = dip * peak if peak >= CLOSE_PAIR_CONTRAST else np.inf
    a = _extent(profile, i, -1, 0.5 * peak, rise)
    b = _extent(profile, i, 1, 0.5 * peak, rise)
    top, bottom = r0 + a, r0 + b + 1
    block = smap[top:bottom, c0:c1]
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
    core_block = block[:, left : right + 1]
    # Centroid of the part of the spot above half its peak: the densest part,
    # which a chemist would mark, not pulled down by a tail.
    wts = np.clip(core_block - 0.5 * float(core_block.max()), 0, None)
    if wts.sum() <= 0:
        return None
    rr, cc = np.mgrid[top:bottom, c0 + left : c0 + right + 1]
    cy = float((wts * rr).sum() / wts.sum())
    cx = float((wts * cc).sum() / wts.sum())
    core = wts > 0
    colour = plate_image[top:bottom, c0 + left : c0 + right + 1][core].mean(axis=0).round()
    # strength: the whole spot, down to a tenth of its peak
    sb = smap[max(0, top - (b - a)) : min(h, bottom + (b - a)), c0:c1]
    strength = float(np.clip(sb, 0.1 * peak, None).sum() - 0.1 * peak * sb.size) / px_per_mm**2
    flags = []
    # A tail is fainter than half the head: follow the profile down to a
    # fifth of the peak on both sides; a tail reaches much further towards
    # the origin (down the image) than the head does towards the front.
    up = _extent(profile, i, -1, 0.2 * peak, rise)
    down = _extent(profile, i, 1, 0.2 * peak, rise)
    upper, lower = i - up, down - i
    if lower > TAIL_RATIO * max(upper, 0.5 * px_per_mm) and lower > TAIL_MM * px_per_mm:
        flags.append("spot_tailing")
    if peak < 0.08:
        flags.append("spot_faint")
    if c0 + left <= lane.col - lane.width / 2 + 1 or c0 + right >= lane.col + lane.width / 2 - 1:
        flags.append("spot_touches_lane_edge")
    return Spot(
        lane=lane.index,
        row=cy,
        col=cx,
        top=float(top),
        bottom=float(bottom - 1),
        half_width=float((right - left + 1) / 2),
        strength=max(0.0, strength),
        contrast=float(core_block.max()),
        colour=(int(colour[0]), int(colour[1]), int(colour[2])),
        flags=tuple(flags),
    )


def _extent(profile: np.ndarray, i: int, step: int, level: float, rise: float) -> int:
    """Where a spot whose peak is at ``profile[i]`` ends, going by ``step`` (+-1).

    The walk goes on while the profile stays above ``level`` and falls (or
    climbs by under 2 % from one row to the next, which is noise); it stops
    at the lowest point passed once the profile has climbed ``rise`` above
    it: the dip before a neighbouring spot, however gradual the climb into it.
    """
    low, j = i, i
    n = len(profile)
    while 0 <= j + step < n and level < profile[j + step] <= profile[j] * 1.02:
        j += step
        if profile[j] < profile[low]:
            low = j
        elif profile[j] > profile[low] + rise:
            return low
    return j
