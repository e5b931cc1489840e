"""Lanes: where the samples and references were spotted, left to right."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tlc._types import get, r2


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
