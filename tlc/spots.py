"""Spots: what each lane holds, measured on the rectified plate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tlc._types import get, hex_colour, parse_hex, r2, r3


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
