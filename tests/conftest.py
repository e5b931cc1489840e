"""Shared fixtures: synthetic plates rendered once per test session.

Rendering a synthetic photo costs 0.05-0.7 s, and several test modules use the
same plates, so :func:`synth` caches every photo by its arguments for the
whole session. The cached photo is read-only: a stage that writes into its
input fails loudly instead of spoiling the next test.

Photos are 1200 x 900 pixels unless a test asks otherwise: large enough for
about 9 px/mm on a 100 mm plate (more than the 8 px/mm of the rectified
plate), small enough to keep the suite fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np
import pytest

#: Photo size used by default for synthetic plates, (rows, cols).
PHOTO_PX = (1200, 900)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@cache
def _render(key: str) -> tuple[np.ndarray, Any]:
    from tlc.synth import make_plate

    kwargs = json.loads(key)
    if kwargs.get("photo_px") is not None:
        kwargs["photo_px"] = tuple(kwargs["photo_px"])
    if kwargs.get("size_mm") is not None:
        kwargs["size_mm"] = tuple(kwargs["size_mm"])
    image, truth = make_plate(**kwargs)
    image.flags.writeable = False
    return image, truth


def render(**kwargs: Any) -> tuple[np.ndarray, Any]:
    """``tlc.synth.make_plate(**kwargs)``, cached; the image is read-only.

    ``photo_px`` defaults to :data:`PHOTO_PX` and ``rng`` to 0.
    """
    kwargs.setdefault("photo_px", PHOTO_PX)
    kwargs.setdefault("rng", 0)
    return _render(json.dumps(kwargs, sort_keys=True))


@dataclass(frozen=True)
class Rectified:
    """A synthetic plate straightened with its *true* corners.

    The detection stages after ``find_plate`` are tested on this, so that an
    error in finding the plate does not show as an error in finding lines or
    spots.

    Attributes
    ----------
    photo : (M, N, 3) ndarray of uint8
        The synthetic photo.
    truth : tlc.synth.Truth
    plate : tlc.plate.Plate
        Built from the truth's corners and size.
    image : (H, W, 3) ndarray of uint8
        The rectified plate.
    mode : str
    ppm : float
        Nominal pixels per millimetre of ``image``.
    """

    photo: np.ndarray
    truth: Any
    plate: Any
    image: np.ndarray
    mode: str
    ppm: float

    @property
    def row_scale(self) -> float:
        """Rectified rows per millimetre (corner to corner, exact)."""
        return (self.image.shape[0] - 1) / self.truth.size_mm[0]

    @property
    def col_scale(self) -> float:
        """Rectified columns per millimetre (corner to corner, exact)."""
        return (self.image.shape[1] - 1) / self.truth.size_mm[1]

    def row(self, row_mm: float) -> float:
        """Rectified row of a truth row in millimetres."""
        return row_mm * self.row_scale

    def col(self, x_mm: float) -> float:
        """Rectified column of a truth column in millimetres."""
        return x_mm * self.col_scale

    def truth_lines(self) -> Any:
        """``Lines`` through the true baseline and front at every lane."""
        from tlc.lines import Lines

        lanes = self.truth.lanes
        return Lines(
            cols=tuple(self.col(lane.x_mm) for lane in lanes),
            baseline=tuple(self.row(lane.baseline_mm) for lane in lanes),
            front=tuple(self.row(lane.front_mm) for lane in lanes),
        )

    @property
    def bright(self) -> bool:
        """Spots are brighter than the plate (UV 365)."""
        return self.mode == "uv365"

    def maps(self) -> tuple[np.ndarray, np.ndarray]:
        """The contrast map and the dark-feature map, as the pipeline makes them (read-only)."""
        return self._maps

    @cached_property
    def _maps(self) -> tuple[np.ndarray, np.ndarray]:
        from tlc import contrast

        cmap = contrast.contrast(self.image, mode=self.mode, px_per_mm=self.ppm, bright=self.bright)
        dark = (
            cmap
            if not self.bright
            else contrast.contrast(self.image, mode="stain", px_per_mm=self.ppm)
        )
        return _read_only(cmap), _read_only(dark)

    def spot_map(self, lines: Any = None) -> np.ndarray:
        """The spot map with the (true, unless given) lines removed (read-only)."""
        if lines is None:
            return self._truth_spot_map
        return self._spot_map(lines)

    @cached_property
    def _truth_spot_map(self) -> np.ndarray:
        return self._spot_map(self.truth_lines())

    def _spot_map(self, lines: Any) -> np.ndarray:
        from tlc.lanes import spot_map
        from tlc.lines import remove_lines

        cmap, _ = self.maps()
        smap = remove_lines(spot_map(cmap, px_per_mm=self.ppm), lines, px_per_mm=self.ppm)
        return _read_only(smap)

    def truth_peak_rf(self, lane: int) -> list[float]:
        """True Rf of the densest point of every spot of lane ``lane`` (1-based), ascending."""
        spots = self.truth.lanes[lane - 1].spots
        return sorted(s.peak_rf if s.peak_rf is not None else s.rf for s in spots)


@cache
def _rectify(key: str) -> Rectified:
    from tlc.plate import PX_PER_MM, Plate, rectify

    kwargs = json.loads(key)
    photo, truth = render(**kwargs)
    plate = Plate(corners=truth.corners, size_mm=truth.size_mm)
    image = rectify(photo, plate)
    image.flags.writeable = False
    return Rectified(photo, truth, plate, image, truth.mode, PX_PER_MM)


def rectified(**kwargs: Any) -> Rectified:
    """A cached :class:`Rectified` synthetic plate; arguments as :func:`render`."""
    return _rectify(json.dumps(kwargs, sort_keys=True))


@pytest.fixture(scope="session")
def synth() -> Callable[..., tuple[np.ndarray, Any]]:
    """The cached renderer :func:`render`: ``synth(mode="stain", rng=3) -> (photo, truth)``."""
    return render


@pytest.fixture(scope="session")
def synth_rectified() -> Callable[..., Rectified]:
    """The cached :func:`rectified`: a synthetic plate straightened with its true corners."""
    return rectified
