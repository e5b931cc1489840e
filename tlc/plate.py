"""Finding the plate in a photo and straightening it.

This is the only module that handles OpenCV's ``(x, y)`` point order; every
other module works on the rectified plate image with ``[row, col]`` indexing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlc._types import get, r2

#: Scale of the rectified plate image, pixels per millimetre.
PX_PER_MM = 8.0

#: Long side of a plate whose size was not given, in millimetres.
DEFAULT_LONG_SIDE_MM = 100.0


@dataclass(frozen=True, slots=True)
class Plate:
    """Where the plate is in the photo, and how it was straightened.

    Attributes
    ----------
    corners : tuple of (float, float)
        The plate's four corners in the photo, as ``(row, col)``, in the
        order top-left, top-right, bottom-right, bottom-left of the upright
        plate (origin at the bottom).
    size_mm : (float, float)
        Height and width of the plate in millimetres.
    px_per_mm : float
        Scale of the rectified plate image.
    rotation : int
        Quarter turns, in degrees (0, 90, 180, 270), by which the plate as
        found was turned to stand upright.
    source : str
        ``"found"`` (edges found in the photo), ``"whole-image"`` (the photo
        is the plate, e.g. already cropped).
    confidence : float
        0 to 1.
    flags : tuple of str
        Quality flags (see :mod:`tlc.flags`).
    """

    corners: tuple[tuple[float, float], ...]
    size_mm: tuple[float, float]
    px_per_mm: float = PX_PER_MM
    rotation: int = 0
    source: str = "found"
    confidence: float = 1.0
    flags: tuple[str, ...] = field(default=())

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the rectified plate image."""
        return (
            round(self.size_mm[0] * self.px_per_mm),
            round(self.size_mm[1] * self.px_per_mm),
        )

    def homography(self) -> np.ndarray:
        """3x3 matrix mapping photo ``(x, y, 1)`` to rectified ``(x, y, 1)``."""
        import cv2

        rows, cols = self.shape
        src = np.array([[c, r] for r, c in self.corners], dtype=np.float32)
        dst = np.array(
            [[0, 0], [cols - 1, 0], [cols - 1, rows - 1], [0, rows - 1]], dtype=np.float32
        )
        return cv2.getPerspectiveTransform(src, dst)

    def to_photo(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map rectified ``(row, col)`` points back into the photo.

        Parameters
        ----------
        rows, cols : (N,) ndarray
            Points on the rectified plate.

        Returns
        -------
        rows, cols : (N,) ndarray
            The same points in the photo.
        """
        h_inv = np.linalg.inv(self.homography())
        pts = np.stack([np.asarray(cols, float), np.asarray(rows, float), np.ones(len(rows))])
        out = h_inv @ pts
        return out[1] / out[2], out[0] / out[2]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "corners_px": [[r2(r), r2(c)] for r, c in self.corners],
            "size_mm": [r2(self.size_mm[0]), r2(self.size_mm[1])],
            "px_per_mm": self.px_per_mm,
            "rotation": self.rotation,
            "source": self.source,
            "confidence": r2(self.confidence),
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Plate:
        """Inverse of :meth:`to_dict`."""
        return cls(
            corners=tuple((float(r), float(c)) for r, c in d["corners_px"]),
            size_mm=(float(d["size_mm"][0]), float(d["size_mm"][1])),
            px_per_mm=float(get(d, "px_per_mm", PX_PER_MM)),
            rotation=int(get(d, "rotation", 0)),
            source=str(get(d, "source", "found")),
            confidence=float(get(d, "confidence", 1.0)),
            flags=tuple(get(d, "flags", ())),
        )


def rectify(image: np.ndarray, plate: Plate) -> np.ndarray:
    """Straighten the plate into a top-down image at ``plate.px_per_mm``.

    Parameters
    ----------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB.
    plate : Plate
        Where the plate is in the photo.

    Returns
    -------
    (H, W, 3) ndarray of uint8
        The plate, upright (origin at the bottom), ``plate.shape`` in size.
    """
    import cv2

    rows, cols = plate.shape
    return cv2.warpPerspective(
        image, plate.homography(), (cols, rows), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
