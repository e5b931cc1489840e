"""The baseline (origin) and the solvent front, measured across the plate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlc._types import get, r2


@dataclass(frozen=True, slots=True)
class Lines:
    """Where the samples were spotted and how far the solvent ran.

    Both lines are stored as profiles: a row for each of ``cols``, so that a
    line that is not level (a tilted pencil line, a front that ran unevenly)
    is measured where each lane crosses it.

    Attributes
    ----------
    cols : tuple of float
        Columns of the rectified plate image where the lines were measured,
        increasing.
    baseline : tuple of float
        Row of the baseline at each of ``cols``.
    front : tuple of float
        Row of the solvent front at each of ``cols`` (smaller than baseline).
    baseline_source : str
        ``"pencil"`` (a drawn line was found), ``"spots"`` (placed at the
        material left on the origin), ``"given"`` (``--baseline``).
    front_source : str
        ``"pencil"``, ``"edge"`` (the visible solvent edge) or ``"given"``.
    confidence : float
        0 to 1: how clearly both lines were seen.
    flags : tuple of str
        Quality flags (see :mod:`tlc.flags`).
    """

    cols: tuple[float, ...]
    baseline: tuple[float, ...]
    front: tuple[float, ...]
    baseline_source: str = "pencil"
    front_source: str = "pencil"
    confidence: float = 1.0
    flags: tuple[str, ...] = field(default=())

    @classmethod
    def level(
        cls, baseline_row: float, front_row: float, width: float, **kwargs: Any
    ) -> Lines:
        """Two level lines across a plate ``width`` columns wide."""
        return cls(
            cols=(0.0, float(width)),
            baseline=(float(baseline_row),) * 2,
            front=(float(front_row),) * 2,
            **kwargs,
        )

    def baseline_at(self, col: float) -> float:
        """Row of the baseline at column ``col`` (linear between samples, flat outside)."""
        return float(np.interp(col, self.cols, self.baseline))

    def front_at(self, col: float) -> float:
        """Row of the solvent front at column ``col``."""
        return float(np.interp(col, self.cols, self.front))

    @property
    def baseline_row(self) -> float:
        """Median row of the baseline."""
        return float(np.median(self.baseline))

    @property
    def front_row(self) -> float:
        """Median row of the front."""
        return float(np.median(self.front))

    def to_dict(self, px_per_mm: float) -> dict[str, Any]:
        """JSON-safe dict; rows in millimetres from the top of the plate."""
        return {
            "baseline_mm": r2(self.baseline_row / px_per_mm),
            "front_mm": r2(self.front_row / px_per_mm),
            "run_mm": r2((self.baseline_row - self.front_row) / px_per_mm),
            "baseline_source": self.baseline_source,
            "front_source": self.front_source,
            "confidence": r2(self.confidence),
            "profile_mm": {
                "x": [r2(c / px_per_mm) for c in self.cols],
                "baseline": [r2(b / px_per_mm) for b in self.baseline],
                "front": [r2(f / px_per_mm) for f in self.front],
            },
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], px_per_mm: float) -> Lines:
        """Inverse of :meth:`to_dict`."""
        prof = get(d, "profile_mm", {})
        if prof.get("x"):
            cols = tuple(float(x) * px_per_mm for x in prof["x"])
            base = tuple(float(x) * px_per_mm for x in prof["baseline"])
            front = tuple(float(x) * px_per_mm for x in prof["front"])
        else:
            cols = (0.0, 1.0)
            base = (float(d["baseline_mm"]) * px_per_mm,) * 2
            front = (float(d["front_mm"]) * px_per_mm,) * 2
        return cls(
            cols=cols,
            baseline=base,
            front=front,
            baseline_source=str(get(d, "baseline_source", "pencil")),
            front_source=str(get(d, "front_source", "pencil")),
            confidence=float(get(d, "confidence", 1.0)),
            flags=tuple(get(d, "flags", ())),
        )
