"""Synthetic photos of developed TLC plates, with their exact truth.

Every stage of the pipeline is tested, and the benchmark is scored, on photos
made here. A renderer that is too kind makes a pipeline that fails on real
phone photos, so the photos copy what real ones show: a silica plate with
texture, shaded edges and imperfect corners, a broken pencil baseline with
lane ticks and handwritten labels, spots that spread as they run, tail and
sometimes stay on the origin, dust and fibres, a solvent front that is not
quite straight, a camera held at an angle under uneven light, sensor noise,
blur and JPEG artefacts.

The truth is exact for the image as drawn: a spot's Rf is the Rf of its
darkness-weighted centre, measured against the baseline and the front at
that spot's own column (the lines may tilt or curve).

How it works: the plate is drawn top-down at ``S`` pixels per millimetre
(chosen from the final scale in the photo, 5 to 14 px/mm), then warped into
the photo by a homography that comes from a 3-D camera model (in-plane
rotation, tilt towards the camera, perspective division), composited on a
background, lit, blurred, made noisy and passed through a phone-like tone
curve. All randomness comes from one ``numpy.random.Generator``, so a seed
gives the same photo every time.

Coordinates: millimetres on the upright plate (origin at the bottom), ``row``
down from the plate's top edge and ``x`` right from its left edge; photo
points are ``(row, col)`` with integer values at pixel centres.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Visualisation modes that ``make_plate`` can draw.
MODES = ("uv254", "stain", "uv365")

#: Plate sizes (height, width) in millimetres that services cut or buy.
PLATE_SIZES_MM = ((100.0, 50.0), (75.0, 50.0), (100.0, 100.0), (80.0, 60.0), (100.0, 70.0))

#: Lane pitch limits, millimetres (centre to centre).
LANE_PITCH_MM = (7.0, 12.0)

#: Smallest distance from a lane centre to a side edge of the plate, millimetres.
EDGE_MARGIN_MM = 6.0

#: Image suffixes beside which ``Truth.to_yaml`` writes ``<stem>.truth.yaml``.
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp")

# Spot colours after a stain (RGB). Iodoplatinate gives brown/purple, Dragendorff
# orange, ninhydrin pink/violet, cobalt thiocyanate blue, Marquis brown to black.
_STAIN_COLOURS = (
    (120, 70, 40),  # brown
    (215, 120, 40),  # orange
    (110, 50, 120),  # purple
    (210, 90, 140),  # pink
    (50, 80, 170),  # blue
    (170, 130, 50),  # yellow-brown
    (150, 60, 60),  # red-brown
)

# Fluorescence colours under UV 365 (RGB): blue, white-blue, yellow, cyan, green-yellow.
_UV365_COLOURS = (
    (120, 170, 255),
    (225, 230, 255),
    (240, 225, 110),
    (120, 230, 235),
    (190, 240, 120),
)


# --------------------------------------------------------------------------- #
# Specifications and truth
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class SpotSpec:
    """What to draw for one spot.

    Attributes
    ----------
    rf : float
        Rf of the spot's darkness-weighted centre, in [0, 1]; 0 is a spot
        left on the origin.
    amount : float
        Relative quantity: 1 is a normal spot, 0.15 a faint trace, 2 heavy.
    size_mm : float
        Diameter of the spot as applied on the origin, millimetres.
    tail : float
        0 (round spot) to 1 (a long exponential tail towards the origin).
    colour : (int, int, int) or None
        RGB colour of the spot at full strength; None picks the mode's usual
        colour (dark grey-violet under UV 254, a stain colour, a fluorescence
        colour under UV 365).
    """

    rf: float
    amount: float = 1.0
    size_mm: float = 2.5
    tail: float = 0.0
    colour: tuple[int, int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "rf": self.rf,
            "amount": self.amount,
            "size_mm": self.size_mm,
            "tail": self.tail,
            "colour": list(self.colour) if self.colour is not None else None,
        }


@dataclass(frozen=True, slots=True)
class TruthSpot:
    """One spot as drawn.

    Attributes
    ----------
    rf : float
        Rf of the darkness-weighted centre against the local baseline and front.
    row_mm : float
        Row of that centre, millimetres down from the plate's top edge.
    x_mm : float
        Column of the spot centre, millimetres from the plate's left edge.
    amount : float
        Relative quantity (see :class:`SpotSpec`).
    on_origin : bool
        The spot did not move (Rf about 0).
    faint : bool
        A trace (amount below 0.4): easy to miss, and a result must say so.
    tail : float
        Tailing strength, 0 to 1.
    colour : str or None
        ``#rrggbb`` colour it was drawn with.
    peak_rf : float or None
        Rf of the densest point; it differs from ``rf`` for a tailing spot
        (the head runs ahead of the darkness-weighted centre).
    """

    rf: float
    row_mm: float
    x_mm: float
    amount: float
    on_origin: bool
    faint: bool
    tail: float
    colour: str | None = None
    peak_rf: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return _plain(
            {
                "rf": round(self.rf, 4),
                "row_mm": round(self.row_mm, 3),
                "x_mm": round(self.x_mm, 3),
                "amount": round(self.amount, 3),
                "on_origin": self.on_origin,
                "faint": self.faint,
                "tail": round(self.tail, 3),
                "colour": self.colour,
                "peak_rf": None if self.peak_rf is None else round(self.peak_rf, 4),
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TruthSpot:
        """Inverse of :meth:`to_dict`."""
        return cls(
            rf=float(d["rf"]),
            row_mm=float(d["row_mm"]),
            x_mm=float(d["x_mm"]),
            amount=float(d.get("amount", 1.0)),
            on_origin=bool(d.get("on_origin", False)),
            faint=bool(d.get("faint", False)),
            tail=float(d.get("tail", 0.0)),
            colour=d.get("colour"),
            peak_rf=None if d.get("peak_rf") is None else float(d["peak_rf"]),
        )


@dataclass(frozen=True, slots=True)
class TruthLane:
    """One lane as drawn.

    Attributes
    ----------
    label : str
    x_mm : float
        Lane centre, millimetres from the plate's left edge.
    spots : tuple of TruthSpot
        Ordered by Rf.
    baseline_mm, front_mm : float
        Baseline and front at this lane, millimetres from the plate's top edge.
    """

    label: str
    x_mm: float
    spots: tuple[TruthSpot, ...]
    baseline_mm: float = float("nan")
    front_mm: float = float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return _plain(
            {
                "label": self.label,
                "x_mm": round(self.x_mm, 3),
                "baseline_mm": round(self.baseline_mm, 3),
                "front_mm": round(self.front_mm, 3),
                "spots": [s.to_dict() for s in self.spots],
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TruthLane:
        """Inverse of :meth:`to_dict`."""
        return cls(
            label=str(d["label"]),
            x_mm=float(d["x_mm"]),
            spots=tuple(TruthSpot.from_dict(s) for s in d.get("spots", ())),
            baseline_mm=float(d.get("baseline_mm", float("nan"))),
            front_mm=float(d.get("front_mm", float("nan"))),
        )


@dataclass(frozen=True, slots=True)
class Truth:
    """Everything known about a synthetic photo.

    Attributes
    ----------
    mode : str
        ``uv254``, ``stain`` or ``uv365``.
    system : str
        Solvent system id the plate pretends to be run in.
    size_mm : (float, float)
        Height and width of the plate.
    corners : tuple of 4 (float, float)
        The plate's corners in the photo as ``(row, col)``, in the order
        top-left, top-right, bottom-right, bottom-left of the upright plate
        (origin at the bottom). A cropped photo may have corners just outside it.
    rotation : int
        The quarter turn (0, 90, 180, 270) nearest to the in-plane rotation:
        turning the photo back by it stands the plate upright.
    baseline_mm, front_mm : float
        Baseline and solvent front at the plate's centre column, millimetres
        from the plate's top edge.
    lanes : tuple of TruthLane
        Left to right on the upright plate.
    angle : float
        The exact in-plane rotation, degrees counter-clockwise.
    photo_shape : (int, int)
        ``(rows, cols)`` of the photo.
    front_line : bool
        A pencil line marks the front.
    labels : bool
        Pencil labels are written under the lanes.
    dust : tuple of (float, float)
        ``(row_mm, x_mm)`` of dust specks and fibres: they are not spots.
    params : dict
        The ``make_plate`` arguments, to redraw the photo.
    circled : bool
        Every spot is ringed with pencil (as staff mark spots under the lamp):
        the rings are not spots.
    """

    mode: str
    system: str
    size_mm: tuple[float, float]
    corners: tuple[tuple[float, float], ...]
    rotation: int
    baseline_mm: float
    front_mm: float
    lanes: tuple[TruthLane, ...]
    angle: float = 0.0
    photo_shape: tuple[int, int] = (0, 0)
    front_line: bool = True
    labels: bool = True
    dust: tuple[tuple[float, float], ...] = field(default=())
    params: dict[str, Any] = field(default_factory=dict)
    circled: bool = False

    @property
    def lane_labels(self) -> list[str]:
        """Lane labels, left to right."""
        return [lane.label for lane in self.lanes]

    @property
    def lanes_rf(self) -> list[list[float]]:
        """Rf values per lane, left to right, ascending (origin spots included)."""
        return [sorted(round(s.rf, 4) for s in lane.spots) for lane in self.lanes]

    def homography(self) -> np.ndarray:
        """3x3 matrix mapping plate ``(x_mm, row_mm, 1)`` to photo ``(col, row, 1)``."""
        h, w = self.size_mm
        src = np.array([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]])
        dst = np.array([[c, r] for r, c in self.corners])
        return _homography(src, dst)

    def to_photo(self, row_mm: Any, x_mm: Any) -> tuple[np.ndarray, np.ndarray]:
        """Map plate points (millimetres) into the photo.

        Parameters
        ----------
        row_mm, x_mm : float or (N,) array_like
            Millimetres down from the top edge and right from the left edge
            of the upright plate.

        Returns
        -------
        rows, cols : (N,) ndarray
            The same points in the photo (pixel centres at integers).
        """
        r = np.atleast_1d(np.asarray(row_mm, dtype=float))
        x = np.atleast_1d(np.asarray(x_mm, dtype=float))
        pts = self.homography() @ np.stack([x, r, np.ones_like(x)])
        return pts[1] / pts[2], pts[0] / pts[2]

    def to_dict(self) -> dict[str, Any]:
        """JSON/YAML-safe dict, with the keys the evaluator reads.

        ``expect``, ``lanes`` (a count), ``lane_labels``, ``lanes_rf`` and
        ``mode`` have the same shape as one image of the real-photo truth
        files; the rest describes the drawing.
        """
        return _plain(
            {
                "schema": "tlc-synth-truth/1",
                "expect": "analyse",
                "mode": self.mode,
                "system": self.system,
                "lanes": len(self.lanes),
                "lane_labels": self.lane_labels,
                "lanes_rf": self.lanes_rf,
                "size_mm": [self.size_mm[0], self.size_mm[1]],
                "corners": [[round(r, 3), round(c, 3)] for r, c in self.corners],
                "rotation": self.rotation,
                "angle": round(self.angle, 3),
                "photo_shape": [int(self.photo_shape[0]), int(self.photo_shape[1])],
                "baseline_mm": round(self.baseline_mm, 3),
                "front_mm": round(self.front_mm, 3),
                "front_line": self.front_line,
                "labels": self.labels,
                "circled": self.circled,
                "lane_detail": [lane.to_dict() for lane in self.lanes],
                "dust": [[round(r, 2), round(x, 2)] for r, x in self.dust],
                "params": _plain(self.params),
            }
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Truth:
        """Inverse of :meth:`to_dict`."""
        shape = d.get("photo_shape") or (0, 0)
        return cls(
            mode=str(d["mode"]),
            system=str(d.get("system", "TA")),
            size_mm=(float(d["size_mm"][0]), float(d["size_mm"][1])),
            corners=tuple((float(r), float(c)) for r, c in d["corners"]),
            rotation=int(d.get("rotation", 0)),
            baseline_mm=float(d["baseline_mm"]),
            front_mm=float(d["front_mm"]),
            lanes=tuple(TruthLane.from_dict(x) for x in d.get("lane_detail", ())),
            angle=float(d.get("angle", 0.0)),
            photo_shape=(int(shape[0]), int(shape[1])),
            front_line=bool(d.get("front_line", True)),
            labels=bool(d.get("labels", True)),
            dust=tuple((float(r), float(x)) for r, x in d.get("dust", ())),
            params=dict(d.get("params") or {}),
            circled=bool(d.get("circled", False)),
        )

    def to_yaml(self, path: str | os.PathLike[str], *, image: str | None = None) -> Path:
        """Write the truth as YAML, whole or not at all.

        Parameters
        ----------
        path : str or path-like
            The YAML file to write; an image path (``plate.jpg``) writes
            ``plate.truth.yaml`` beside it.
        image : str, optional
            File name of the photo, stored as ``file`` (taken from ``path``
            when ``path`` is an image).

        Returns
        -------
        Path
            The file written.
        """
        import yaml

        from tlc.io import write_text_atomic

        p = Path(path)
        if p.suffix.lower() in _IMAGE_SUFFIXES:
            image = image or p.name
            p = truth_path(p)
        d = self.to_dict()
        if image:
            d = {"file": image, **d}
        text = "# Synthetic plate truth written by tlc.synth (exact, not measured).\n"
        text += yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=100)
        write_text_atomic(p, text)
        return p

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Truth:
        """Read a file written by :meth:`to_yaml` (or an image path beside one)."""
        import yaml

        p = Path(path)
        if p.suffix.lower() in _IMAGE_SUFFIXES:
            p = truth_path(p)
        with p.open(encoding="utf-8") as fh:
            return cls.from_dict(yaml.safe_load(fh))


def truth_path(image_path: str | os.PathLike[str]) -> Path:
    """``plate.jpg`` -> ``plate.truth.yaml`` in the same folder."""
    p = Path(image_path)
    return p.with_name(f"{p.stem}.truth.yaml")


# --------------------------------------------------------------------------- #
# Public entry points
# --------------------------------------------------------------------------- #


def make_plate(
    *,
    lanes: int | Sequence[str] = 4,
    spots: Sequence[Sequence[float | SpotSpec | Mapping[str, Any]] | None] | None = None,
    system: str = "TA",
    mode: str = "uv254",
    perspective: float = 0.0,
    rotation: float = 0,
    light: float = 0.0,
    noise: float = 0.0,
    blur: float = 0.0,
    jpeg_quality: int | None = None,
    cropped: bool = False,
    front_line: bool = True,
    labels: bool = True,
    size_mm: tuple[float, float] | None = None,
    photo_px: tuple[int, int] | None = None,
    circles: bool | None = None,
    baseline_line: bool = True,
    rng: int | np.random.Generator = 0,
) -> tuple[np.ndarray, Truth]:
    """Draw a photo of a developed TLC plate, and say exactly what is in it.

    Parameters
    ----------
    lanes : int or sequence of str
        Number of lanes (labelled ``S1``...) or their labels, left to right.
    spots : sequence or None
        None draws random spots. Otherwise one entry per lane: a sequence of
        spot specs (an Rf float, a :class:`SpotSpec`, or a dict of its
        fields), or None for random spots in that lane.
    system : str
        Solvent system id written into the truth.
    mode : {"uv254", "stain", "uv365"}
        How the plate is seen: green fluorescent plate with dark spots, white
        plate with coloured spots, or dark plate with bright spots.
    perspective : float
        0 (camera straight above) to 1 (phone held at about 40 degrees).
    rotation : float
        In-plane rotation of the plate in the photo, degrees counter-clockwise
        (90, 180, 270: photographed sideways or upside down).
    light : float
        0 to 1: uneven illumination (gradient, vignetting, glare).
    noise : float
        0 to 1: sensor noise.
    blur : float
        0 to 1: defocus or motion blur (1 is still readable by a person).
    jpeg_quality : int or None
        JPEG-compress the photo at this quality (10 to 100); None: no compression.
    cropped : bool
        The photo shows only the plate (a few pixels of it may be cut off).
    front_line : bool
        A pencil line marks the front; otherwise only the wet/dry boundary shows.
    labels : bool
        Handwritten pencil labels under the lanes.
    size_mm : (float, float) or None
        Plate height and width; None picks a usual size that fits the lanes.
    photo_px : (int, int) or None
        Photo ``(rows, cols)``; None picks 1200 to 3000 px on the long side.
    circles : bool or None
        Ring every visible spot with pencil, as staff do under the lamp;
        None: on 20 % of plates.
    baseline_line : bool
        A pencil line marks the origin across the plate; otherwise only a
        short dash where each lane was spotted (as on many strips).
    rng : int or numpy.random.Generator
        Seed or generator; the same seed gives the same photo.

    Returns
    -------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB.
    truth : Truth
        Plate corners, lines, lanes and spots as drawn.

    Raises
    ------
    ValueError
        If an argument is out of range or the spots do not fit the plate.
    """
    import cv2

    params = {
        "lanes": lanes if isinstance(lanes, int) else list(lanes),
        "spots": _spots_param(spots),
        "system": system,
        "mode": mode,
        "perspective": perspective,
        "rotation": rotation,
        "light": light,
        "noise": noise,
        "blur": blur,
        "jpeg_quality": jpeg_quality,
        "cropped": cropped,
        "front_line": front_line,
        "baseline_line": baseline_line,
        "labels": labels,
        "size_mm": list(size_mm) if size_mm is not None else None,
        "photo_px": list(photo_px) if photo_px is not None else None,
        "circles": circles,
        "rng": rng if isinstance(rng, int) else None,
    }
    labels_t = _check_args(
        lanes, spots, mode, perspective, rotation, light, noise, blur, jpeg_quality, size_mm,
        photo_px,
    )  # fmt: skip
    # Separate streams for the plate, its placement and the camera: the same
    # seed draws the same plate whatever the rotation, perspective or photo size.
    gen, g_place, g_photo = np.random.default_rng(rng).spawn(3)
    n = len(labels_t)

    # ---- plate geometry (millimetres) ---------------------------------------
    h_mm, w_mm, pitch = _plate_size(n, size_mm, gen)
    x0 = w_mm / 2 - pitch * (n - 1) / 2
    lane_x = [x0 + i * pitch + gen.uniform(-0.4, 0.4) for i in range(n)]
    geo = _Geometry(
        h_mm=h_mm,
        w_mm=w_mm,
        base0=h_mm - gen.uniform(8.0, min(15.0, 0.16 * h_mm + 2)),
        base_tilt=math.tan(math.radians(gen.uniform(-1.0, 1.0))),
        front0=gen.uniform(5.0, min(14.0, 0.12 * h_mm + 2)),
        front_tilt=math.tan(math.radians(gen.uniform(-0.8, 0.8))),
        front_curve=gen.uniform(-0.3, 0.3) if front_line else gen.uniform(-0.4, 1.0),
    )
    lane_specs = _lane_spots(spots, n, mode, gen)

    # ---- where the plate goes in the photo ---------------------------------
    angle = float(rotation)
    quad, photo_shape = _place_plate(h_mm, w_mm, angle, perspective, cropped, photo_px, g_place)
    src_mm = np.array([[0.0, 0.0], [w_mm, 0.0], [w_mm, h_mm], [0.0, h_mm]])
    h_mm2photo = _homography(src_mm, quad)
    ppm = _max_scale(h_mm2photo, h_mm, w_mm)
    scale = float(np.clip(ppm * 1.15, 5.0, 14.0))
    scale = min(scale, math.sqrt(3.0e6 / (h_mm * w_mm)))

    # ---- draw the plate top-down -------------------------------------------
    look = _plate_look(mode, gen)
    canvas, alpha, truth_lanes, dust, circled = _draw_plate(
        geo,
        lane_x,
        labels_t,
        lane_specs,
        look,
        scale,
        front_line,
        labels,
        circles,
        gen,
        baseline_line=baseline_line,
    )

    # ---- into the photo ------------------------------------------------------
    # Canvas pixel (u, v) has its centre at mm ((u + 0.5) / S, (v + 0.5) / S).
    to_mm = np.array([[1 / scale, 0, 0.5 / scale], [0, 1 / scale, 0.5 / scale], [0, 0, 1]])
    m = h_mm2photo @ to_mm
    rows, cols = photo_shape
    size = (cols, rows)
    warped = cv2.warpPerspective(
        canvas * alpha[..., None], m, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0)
    )
    a = cv2.warpPerspective(alpha, m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    if cropped:
        photo = warped / np.maximum(a, 1e-3)[..., None]
        photo[a < 1e-3] = look["plate"]
    else:
        bg = _background(mode, photo_shape, a, ppm, g_photo)
        bg *= (1.0 - a)[..., None]
        photo = warped
        photo += bg
    image = _camera(photo, mode, quad, ppm, light, noise, blur, jpeg_quality, g_photo)

    corners = tuple((float(y), float(x)) for x, y in quad)
    truth = Truth(
        mode=mode,
        system=system,
        size_mm=(h_mm, w_mm),
        corners=corners,
        rotation=round(angle / 90.0) % 4 * 90,
        baseline_mm=geo.baseline(w_mm / 2),
        front_mm=geo.front(w_mm / 2),
        lanes=truth_lanes,
        angle=angle,
        photo_shape=(rows, cols),
        front_line=front_line,
        labels=labels,
        dust=dust,
        params=params,
        circled=circled,
    )
    return image, truth


def random_plate(rng: int | np.random.Generator = 0) -> dict[str, Any]:
    """Draw the arguments of a varied, realistic plate for benchmarks.

    Modes are about 60 % UV 254, 30 % stained and 10 % UV 365; 2 to 8 lanes;
    perspective up to 0.8; rotation mostly within 8 degrees but 10 % quarter
    turns; uneven light, noise, blur and JPEG quality varied; 15 % cropped
    photos; 40 % without a pencil line at the front; 70 % with labels. 40 %
    of plates carry reference lanes (``cocaine``, ``caffeine``...) as a service
    would label them, each with one spot; sample lanes often hold the same Rf.

    Parameters
    ----------
    rng : int or numpy.random.Generator
        Seed or generator.

    Returns
    -------
    dict
        Keyword arguments for :func:`make_plate`, ``rng`` included (an int
        seed drawn from ``rng``), so the plate can be redrawn and stored.
    """
    gen = np.random.default_rng(rng)
    mode = str(gen.choice(MODES, p=[0.6, 0.3, 0.1]))
    n = int(gen.integers(2, 9))
    if gen.random() < 0.4:
        refs = ["cocaine", "caffeine", "levamisole", "lidocaine", "heroin", "paracetamol", "mdma"]
        k = int(gen.integers(1, max(2, n // 2) + 1))
        names = [str(x) for x in gen.choice(refs, size=min(k, n - 1), replace=False)]
        order = [f"S{i + 1}" for i in range(n - len(names))] + names
        gen.shuffle(order)
        lanes: int | list[str] = order
    else:
        lanes = n
    r = gen.random()
    if r < 0.10:
        rotation = float(gen.choice([90, 180, 270]) + gen.uniform(-5, 5))
    elif r < 0.25:
        rotation = float(gen.uniform(-8, 8))
    else:
        rotation = float(gen.normal(0, 2.5))
    kwargs: dict[str, Any] = {
        "lanes": lanes,
        "mode": mode,
        "perspective": float(gen.uniform(0.0, 0.8) if gen.random() < 0.7 else gen.uniform(0, 0.2)),
        "rotation": round(rotation, 2),
        "light": round(float(gen.uniform(0.0, 1.0) ** 1.3), 3),
        "noise": round(float(gen.uniform(0.0, 0.8)), 3),
        "blur": round(float(gen.uniform(0.0, 0.7) if gen.random() < 0.6 else 0.0), 3),
        "jpeg_quality": int(gen.integers(50, 96)) if gen.random() < 0.9 else None,
        "cropped": bool(gen.random() < 0.15),
        "front_line": bool(gen.random() >= 0.4),
        "labels": bool(gen.random() < 0.7),
        "rng": int(gen.integers(0, 2**31 - 1)),
    }
    if isinstance(lanes, list):
        # A reference lane is one pure substance: one spot, at the library's
        # TA value where there is one (cocaine, heroin), else at an Rf drawn
        # for this plate. Sample lanes stay random (and often share these Rf).
        known = {"cocaine": 0.59, "heroin": 0.42}
        spots: list[list[float] | None] = []
        for label in lanes:
            if label.startswith("S"):
                spots.append(None)
            else:
                rf = known.get(label, round(float(gen.uniform(0.12, 0.88)), 3))
                spots.append([rf])
        kwargs["spots"] = spots
    return kwargs


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


def _check_args(
    lanes: Any,
    spots: Any,
    mode: str,
    perspective: float,
    rotation: float,
    light: float,
    noise: float,
    blur: float,
    jpeg_quality: int | None,
    size_mm: Any,
    photo_px: Any,
) -> tuple[str, ...]:
    if isinstance(lanes, bool) or not isinstance(lanes, int | Sequence) or isinstance(lanes, str):
        msg = f"lanes must be a number of lanes or a list of labels, got {lanes!r}"
        raise ValueError(msg)
    if isinstance(lanes, int):
        labels = tuple(f"S{i + 1}" for i in range(lanes))
    else:
        labels = tuple(str(x).strip() for x in lanes)
        if any(not x for x in labels):
            msg = "lanes: every lane label must be a non-empty text"
            raise ValueError(msg)
    if not 1 <= len(labels) <= 20:
        msg = f"lanes must be between 1 and 20, got {len(labels)}"
        raise ValueError(msg)
    if mode not in MODES:
        msg = f"mode must be one of {', '.join(MODES)}, got {mode!r}"
        raise ValueError(msg)
    for name, value in (
        ("perspective", perspective),
        ("light", light),
        ("noise", noise),
        ("blur", blur),
    ):
        if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
            msg = f"{name} must be between 0 and 1, got {value!r}"
            raise ValueError(msg)
    if not (isinstance(rotation, int | float) and math.isfinite(rotation)):
        msg = f"rotation must be a number of degrees, got {rotation!r}"
        raise ValueError(msg)
    if jpeg_quality is not None and not (
        isinstance(jpeg_quality, int) and 10 <= jpeg_quality <= 100
    ):
        msg = f"jpeg_quality must be None or between 10 and 100, got {jpeg_quality!r}"
        raise ValueError(msg)
    if size_mm is not None:
        if len(size_mm) != 2 or not all(20.0 <= float(v) <= 250.0 for v in size_mm):
            msg = f"size_mm must be (height, width) between 20 and 250 mm, got {size_mm!r}"
            raise ValueError(msg)
        if float(size_mm[0]) < 45.0:
            msg = f"size_mm: the plate must be at least 45 mm high to run, got {size_mm[0]}"
            raise ValueError(msg)
    if photo_px is not None and (
        len(photo_px) != 2 or not all(200 <= int(v) <= 8000 for v in photo_px)
    ):
        msg = f"photo_px must be (rows, cols) between 200 and 8000 pixels, got {photo_px!r}"
        raise ValueError(msg)
    if spots is not None:
        if len(spots) != len(labels):
            msg = f"spots must have one entry per lane ({len(labels)}), got {len(spots)}"
            raise ValueError(msg)
        for lane in spots:
            for spec in lane or ():
                s = _as_spec(spec)
                if not 0.0 <= s.rf <= 1.0:
                    msg = f"spots: every Rf must be between 0 and 1, got {s.rf}"
                    raise ValueError(msg)
                if not (0.0 < s.amount <= 5.0 and 0.5 <= s.size_mm <= 8.0 and 0 <= s.tail <= 1):
                    msg = (
                        "spots: amount must be in (0, 5], size_mm in [0.5, 8] "
                        f"and tail in [0, 1], got {s}"
                    )
                    raise ValueError(msg)
    return labels


def _as_spec(spec: float | SpotSpec | Mapping[str, Any]) -> SpotSpec:
    if isinstance(spec, SpotSpec):
        return spec
    if isinstance(spec, Mapping):
        d = dict(spec)
        if d.get("colour") is not None:
            d["colour"] = tuple(int(c) for c in d["colour"])
        try:
            return SpotSpec(**d)
        except TypeError as exc:
            msg = f"spots: a spot is an Rf or a dict of rf, amount, size_mm, tail, colour: {exc}"
            raise ValueError(msg) from exc
    if isinstance(spec, bool) or not isinstance(spec, int | float | np.floating):
        msg = f"spots: a spot is an Rf number, a SpotSpec or a dict, got {spec!r}"
        raise ValueError(msg)
    return SpotSpec(rf=float(spec))


def _spots_param(spots: Any) -> Any:
    if spots is None:
        return None
    out: list[Any] = []
    for lane in spots:
        if lane is None:
            out.append(None)
            continue
        items = []
        for s in lane:
            if isinstance(s, SpotSpec):
                items.append(s.to_dict())
            elif isinstance(s, Mapping):
                items.append(dict(s))
            else:
                items.append(s)
        out.append(items)
    return out


def _plain(x: Any) -> Any:
    """Make params YAML-safe (tuples to lists, numpy scalars to Python)."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


# --------------------------------------------------------------------------- #
# Geometry
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _Geometry:
    h_mm: float
    w_mm: float
    base0: float
    base_tilt: float
    front0: float
    front_tilt: float
    front_curve: float

    def baseline(self, x: Any) -> Any:
        return self.base0 + self.base_tilt * (np.asarray(x) - self.w_mm / 2)

    def front(self, x: Any) -> Any:
        # The front creeps ahead at the edges (edge effect): a parabola that is
        # 0 at the centre and -front_curve mm at the side edges.
        u = (np.asarray(x) - self.w_mm / 2) / (self.w_mm / 2)
        return (
            self.front0
            + self.front_tilt * (np.asarray(x) - self.w_mm / 2)
            - (self.front_curve * u * u)
        )


def _plate_size(
    n: int, size_mm: tuple[float, float] | None, gen: np.random.Generator
) -> tuple[float, float, float]:
    """Height, width and lane pitch (mm)."""
    lo, hi = LANE_PITCH_MM
    if size_mm is not None:
        h, w = float(size_mm[0]), float(size_mm[1])
        room = w - 2 * EDGE_MARGIN_MM
        if n == 1:
            return h, w, 0.0
        pitch = min(hi, room / (n - 1))
        if pitch < 4.0:
            msg = f"size_mm: {n} lanes do not fit on a plate {w:g} mm wide"
            raise ValueError(msg)
        return h, w, float(gen.uniform(min(lo, pitch), pitch))
    pitch = float(gen.uniform(lo, hi))
    need = (n - 1) * pitch + 2 * (EDGE_MARGIN_MM + 1.5)
    fits = [s for s in PLATE_SIZES_MM if s[1] >= need and s[1] <= need + 45]
    if fits and gen.random() < 0.85:
        h, w = fits[int(gen.integers(len(fits)))]
    else:
        # A strip cut from a 20 x 20 cm sheet to fit the lanes.
        h = float(gen.choice([75.0, 80.0, 100.0]))
        w = float(round(need + gen.uniform(0, 8)))
    if n > 1:
        pitch = min(pitch, (w - 2 * EDGE_MARGIN_MM) / (n - 1))
    return h, w, pitch


def _homography(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 projective map taking the 4 ``src`` (x, y) points to ``dst``."""
    a = []
    b = []
    for (x, y), (u, v) in zip(np.asarray(src, float), np.asarray(dst, float), strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    h = np.linalg.solve(np.array(a), np.array(b))
    return np.append(h, 1.0).reshape(3, 3)


def _apply(h: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.asarray(pts, float)
    q = h @ np.vstack([p.T, np.ones(len(p))])
    return (q[:2] / q[2]).T


def _max_scale(h: np.ndarray, h_mm: float, w_mm: float) -> float:
    """Largest photo pixels per millimetre over the plate (at its corners)."""
    best = 0.0
    for x, y in ((0, 0), (w_mm, 0), (w_mm, h_mm), (0, h_mm), (w_mm / 2, h_mm / 2)):
        p = _apply(h, np.array([[x, y], [x + 1, y], [x, y + 1]]))
        best = max(best, float(np.linalg.norm(p[1] - p[0])), float(np.linalg.norm(p[2] - p[0])))
    return best


def _place_plate(
    h_mm: float,
    w_mm: float,
    angle: float,
    perspective: float,
    cropped: bool,
    photo_px: tuple[int, int] | None,
    gen: np.random.Generator,
) -> tuple[np.ndarray, tuple[int, int]]:
    """The plate's corners in the photo as (x, y), TL TR BR BL, and the photo shape."""
    quarter = round(angle / 90.0) % 4
    if cropped:
        rows_over_cols = h_mm / w_mm if quarter % 2 == 0 else w_mm / h_mm
        if photo_px is not None:
            rows, cols = int(photo_px[0]), int(photo_px[1])
        else:
            long_side = int(gen.integers(1200, 3001))
            if rows_over_cols >= 1:
                rows, cols = long_side, round(long_side / rows_over_cols)
            else:
                rows, cols = round(long_side * rows_over_cols), long_side
        # The photo rectangle, corners pushed a little outwards: a few pixels
        # of the plate are cut off, no background shows.
        out = gen.uniform(0.0, 0.012, size=(4, 2)) * np.array([cols, rows])
        rect = np.array(
            [
                [-0.5 - out[0, 0], -0.5 - out[0, 1]],
                [cols - 0.5 + out[1, 0], -0.5 - out[1, 1]],
                [cols - 0.5 + out[2, 0], rows - 0.5 + out[2, 1]],
                [-0.5 - out[3, 0], rows - 0.5 + out[3, 1]],
            ]
        )
        # rect is in photo order; the plate's TL corner sits at photo corner `quarter`
        # when the plate is turned counter-clockwise by quarter * 90 degrees.
        quad = np.roll(rect, quarter, axis=0)
        return quad, (rows, cols)

    # 3-D camera: the plate in the z = 0 plane, turned in-plane by `angle`,
    # tilted by up to 40 degrees about a random in-plane axis, seen from a
    # distance of 1.8 plate lengths by a pin-hole camera.
    size = max(h_mm, w_mm)
    pts = np.array([[0, 0], [w_mm, 0], [w_mm, h_mm], [0, h_mm]], float)
    pts = (pts - [w_mm / 2, h_mm / 2]) / size
    a = math.radians(angle)
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    pts = pts @ rot.T
    tilt = math.radians(40.0 * perspective * gen.uniform(0.75, 1.0))
    phi = gen.uniform(0, 2 * math.pi)
    axis = np.array([math.cos(phi), math.sin(phi), 0.0])
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    r3 = np.eye(3) + math.sin(tilt) * k + (1 - math.cos(tilt)) * (k @ k)
    p3 = np.column_stack([pts, np.zeros(4)]) @ r3.T
    dist = 1.8
    proj = p3[:, :2] / (p3[:, 2:3] + dist)
    if photo_px is not None:
        rows, cols = int(photo_px[0]), int(photo_px[1])
    else:
        long_side = int(gen.integers(1200, 3001))
        ratio = float(gen.choice([4 / 3, 16 / 9, 3 / 2, 1.0], p=[0.6, 0.2, 0.1, 0.1]))
        # Hold the phone the way the plate lies, most of the time.
        ext = proj.max(axis=0) - proj.min(axis=0)
        portrait = (ext[1] > ext[0]) if gen.random() < 0.8 else bool(gen.random() < 0.5)
        short = round(long_side / ratio)
        rows, cols = (long_side, short) if portrait else (short, long_side)
    ext = proj.max(axis=0) - proj.min(axis=0)
    cover = gen.uniform(0.35, 0.9)
    s = cover * min(cols / ext[0], rows / ext[1])
    # Keep at least ~3.5 px/mm on the plate: nobody photographs a plate as a dot.
    s = max(s, 3.5 * size * dist)
    s = min(s, 0.96 * min(cols / ext[0], rows / ext[1]))
    q = proj * s
    lo = q.min(axis=0)
    hi = q.max(axis=0)
    free = np.array([cols, rows]) - (hi - lo)
    offset = -lo + free * gen.uniform(0.15, 0.85, size=2) - 0.5
    return q + offset, (rows, cols)


# --------------------------------------------------------------------------- #
# Spots
# --------------------------------------------------------------------------- #


def _lane_spots(spots: Any, n: int, mode: str, gen: np.random.Generator) -> list[list[SpotSpec]]:
    """Spot specs per lane; random lanes share some Rf values (co-spotted references)."""
    given: list[list[SpotSpec] | None]
    if spots is None:
        given = [None] * n
    else:
        given = [None if lane is None else [_as_spec(s) for s in lane] for lane in spots]
    palette = _STAIN_COLOURS if mode == "stain" else _UV365_COLOURS
    # "Substances" on this plate: an Rf and a colour each, shared between lanes.
    pool: list[tuple[float, tuple[int, int, int]]] = []
    for lane in given:
        for s in lane or ():
            pool.append((s.rf, s.colour or palette[int(gen.integers(len(palette)))]))
    out: list[list[SpotSpec]] = []
    for lane in given:
        if lane is not None:
            out.append(
                [
                    s
                    if s.colour is not None or mode == "uv254"
                    else SpotSpec(s.rf, s.amount, s.size_mm, s.tail, _pool_colour(pool, s.rf))
                    for s in lane
                ]
            )
        else:
            out.append(_random_lane(pool, palette, mode, gen))
    return out


def _pool_colour(pool: list[tuple[float, tuple[int, int, int]]], rf: float) -> tuple[int, int, int]:
    best = min(pool, key=lambda p: abs(p[0] - rf))
    return best[1]


def _random_lane(
    pool: list[tuple[float, tuple[int, int, int]]],
    palette: Sequence[tuple[int, int, int]],
    mode: str,
    gen: np.random.Generator,
) -> list[SpotSpec]:
    count = int(gen.choice([0, 1, 2, 3], p=[0.1, 0.4, 0.33, 0.17]))
    rfs: list[float] = []
    tries = 0
    while len(rfs) < count and tries < 60:
        tries += 1
        if pool and gen.random() < 0.45:
            rf = pool[int(gen.integers(len(pool)))][0] + gen.normal(0, 0.008)
        elif rfs and gen.random() < 0.2:
            # Two spots close together: the hard case for separation.
            rf = rfs[-1] + gen.choice([-1, 1]) * gen.uniform(0.06, 0.1)
        else:
            rf = gen.uniform(0.08, 0.92)
        if 0.08 <= rf <= 0.92 and all(abs(rf - r) >= 0.06 for r in rfs):
            rfs.append(float(rf))
    specs = []
    for rf in rfs:
        match = [p for p in pool if abs(p[0] - rf) < 0.02]
        if match:
            colour = match[0][1]
        else:
            colour = palette[int(gen.integers(len(palette)))]
            pool.append((rf, colour))
        r = gen.random()
        amount = float(gen.uniform(0.12, 0.35)) if r < 0.18 else float(gen.uniform(0.6, 1.6))
        tail = float(gen.uniform(0.2, 0.6)) if gen.random() < 0.2 else 0.0
        own: tuple[int, int, int] | None = None if mode == "uv254" else colour
        if mode == "uv254" and gen.random() < 0.08:
            # Some compounds fluoresce blue under the 254 nm lamp instead of quenching.
            own = (int(gen.integers(60, 121)), int(gen.integers(130, 201)), 255)
        specs.append(
            SpotSpec(
                rf=rf,
                amount=amount,
                size_mm=float(gen.uniform(2.0, 3.5)),
                tail=tail,
                colour=own,
            )
        )
    if gen.random() < 0.15:
        # Insoluble material or a salt left on the origin: compact and strong.
        specs.append(
            SpotSpec(
                rf=float(gen.uniform(0.0, 0.012)),
                amount=float(gen.uniform(0.8, 1.8)),
                size_mm=float(gen.uniform(1.8, 2.8)),
                colour=None if mode == "uv254" else palette[int(gen.integers(len(palette)))],
            )
        )
    return specs


def _spot_patch(
    spec: SpotSpec,
    xc: float,
    geo: _Geometry,
    scale: float,
    density_gain: float,
    canvas_shape: tuple[int, int],
    gen: np.random.Generator,
) -> tuple[np.ndarray, int, int, float, float, float]:
    """Density patch of one spot placed so that its darkness centroid has ``spec.rf``.

    Returns the patch, its top-left canvas (row, col), the centroid row, the
    row of the densest point (the head of a tailing spot) and the centroid
    column, in mm.
    """
    yb = float(geo.baseline(xc))
    yf = float(geo.front(xc))
    run = yb - yf
    target = yb - spec.rf * run
    on_origin = spec.rf < 0.03
    # Spots widen and stretch the further they run (diffusion along the path).
    sx = spec.size_mm / 3.4 * (1.0 + 0.3 * spec.rf)
    sy = sx * (0.8 if on_origin else 1.0 + 0.6 * spec.rf)
    tail_len = min(spec.tail * 0.2 * max(spec.rf * run, 0.0), 10.0)
    peak = density_gain * spec.amount * (1.4 if on_origin else 1.0)

    half_w = 3.2 * sx
    top_mm = target - 4.0 * sy - tail_len - 1.0
    bot_mm = min(target + 4.0 * sy + tail_len + 1.0, yb + 4.0 * sy)
    r0 = max(math.floor(top_mm * scale), 0)
    r1 = min(math.ceil(bot_mm * scale) + 1, canvas_shape[0])
    c0 = max(math.floor((xc - half_w) * scale), 0)
    c1 = min(math.ceil((xc + half_w) * scale) + 1, canvas_shape[1])
    ys = (np.arange(r0, r1) + 0.5) / scale
    xs = (np.arange(c0, c1) + 0.5) / scale
    gx = np.exp(-0.5 * ((xs - xc) / sx) ** 2)
    # Real spots are not perfect Gaussians: uneven application and drying.
    irregular = 1.0 + gen.uniform(0.0, 0.25) * _smooth_noise(
        (len(ys), len(xs)), max(1.2 * sx * scale, 2.0), gen
    )
    irregular = np.clip(irregular, 0.4, None)

    def profile(centre: float) -> np.ndarray:
        p = np.exp(-0.5 * ((ys - centre) / sy) ** 2)
        if tail_len > 0:
            d = ys - centre
            t = np.where((d > 0) & (ys < yb), np.exp(-np.maximum(d, 0) / tail_len), 0.0)
            k = np.exp(-0.5 * (np.arange(-3 * sy, 3 * sy + 1e-9, 1 / scale) / sy) ** 2)
            t = np.convolve(t, k / k.sum(), mode="same")
            p = p + 0.3 * spec.tail * t
        return p

    def centroid(centre: float) -> tuple[float, np.ndarray]:
        dens = peak * np.outer(profile(centre), gx) * irregular
        q = 1.0 - np.exp(-dens)
        w = q.sum(axis=1)
        return float((w * ys).sum() / w.sum()), dens

    centre = target
    for _ in range(3):
        got, _ = centroid(centre)
        centre += target - got
    got, dens = centroid(centre)
    prof = profile(centre)
    i = int(np.argmax(prof))
    peak_row = float(ys[i])
    if 0 < i < len(prof) - 1:  # parabola through the top three samples
        a, b, c = prof[i - 1], prof[i], prof[i + 1]
        den = a - 2 * b + c
        if den < 0:
            peak_row += 0.5 * (a - c) / den / scale
    q = 1.0 - np.exp(-dens)
    wx = q.sum(axis=0)
    x_mm = float((wx * xs).sum() / wx.sum())
    return dens.astype(np.float32), r0, c0, got, peak_row, x_mm


# --------------------------------------------------------------------------- #
# Drawing the plate
# --------------------------------------------------------------------------- #


def _plate_look(mode: str, gen: np.random.Generator) -> dict[str, Any]:
    """Colours of plate, spots, pencil and background for this photo (RGB 0..1)."""
    u = gen.uniform
    if mode == "uv254":
        plate = (u(70, 120), u(190, 240), u(90, 140))
        v = u(30, 95)  # quenched: dark grey-violet (the lamp's visible violet)
        spot = (v * u(0.95, 1.1), v * u(0.85, 1.0), min(v * u(1.15, 1.45), 255.0))
        pencil = (u(45, 70), u(55, 80), u(70, 95))
        # The dry layer above the front: 2.5-6 % brighter or darker, hue shifted
        # (a person can see the front; a threshold cannot take it for granted).
        step = float(gen.choice([-1.0, 1.0], p=[0.3, 0.7])) * u(0.025, 0.06)
        above = tuple(1.0 + step + u(-0.015, 0.015) for _ in range(3))
        if gen.random() < 0.35:
            # Often the dry layer looks pale blue under the lamp.
            t = u(0.1, 0.35)
            tint = np.array((u(120, 170), u(180, 230), u(230, 255)))
            above = tuple(((1 - t) * np.array(plate) + t * tint) / np.array(plate))
        band = (u(120, 170), u(200, 250), u(180, 240)) if gen.random() < 0.6 else spot
        gain = u(1.1, 1.6)
    elif mode == "stain":
        plate = (u(228, 250), u(222, 248), u(205, 240))
        spot = (120, 70, 40)
        pencil = (u(95, 125),) * 3
        above = (u(1.0, 1.02), u(1.0, 1.02), u(1.0, 1.03))
        band = (u(190, 225), u(170, 205), u(140, 190))
        gain = u(1.0, 1.5)
    else:
        plate = (u(40, 70), u(30, 60), u(90, 140))
        spot = (225, 230, 255)
        pencil = (u(20, 35), u(18, 30), u(40, 60))
        step = -u(0.04, 0.1)
        above = tuple(1.0 + step + u(-0.02, 0.02) for _ in range(3))
        band = (u(80, 120), u(80, 120), u(160, 210))
        gain = u(1.0, 1.6)
    return {
        "plate": np.array(plate, np.float32) / 255,
        "spot": np.array(spot, np.float32) / 255,
        "pencil": np.array(pencil, np.float32) / 255,
        "above": np.array(above, np.float32),
        "band": np.array(band, np.float32) / 255,
        "gain": gain,
        "mode": mode,
    }


def _blend(canvas: np.ndarray, alpha: np.ndarray, colour: np.ndarray, r0: int, c0: int) -> None:
    """canvas[r0:, c0:] = canvas * (1 - alpha) + colour * alpha, in place on the patch."""
    # Work only where alpha is non-zero: most layers (pencil, dust) are sparse.
    rr, cc = np.nonzero(alpha)
    if len(rr) == 0:
        return
    a = alpha[rr, cc][:, None]
    rr += r0
    cc += c0
    canvas[rr, cc] = canvas[rr, cc] * (1.0 - a) + a * colour


def _draw_plate(
    geo: _Geometry,
    lane_x: list[float],
    labels: tuple[str, ...],
    lane_specs: list[list[SpotSpec]],
    look: dict[str, Any],
    scale: float,
    front_line: bool,
    write_labels: bool,
    circles: bool | None,
    gen: np.random.Generator,
    *,
    baseline_line: bool = True,
) -> tuple[np.ndarray, np.ndarray, tuple[TruthLane, ...], tuple[tuple[float, float], ...], bool]:
    """The upright plate at ``scale`` px/mm: colour (H, W, 3) float32 and coverage (H, W)."""
    import cv2

    h_mm, w_mm = geo.h_mm, geo.w_mm
    rows, cols = round(h_mm * scale), round(w_mm * scale)
    ys = ((np.arange(rows, dtype=np.float32) + 0.5) / scale)[:, None]
    xs = ((np.arange(cols, dtype=np.float32) + 0.5) / scale)[None, :]

    # Silica: the indicator's coating is never even (low-frequency mottling)
    # and the layer has a fine grain. At the cut edges the layer is thinner
    # and the glass or aluminium edge shows darker.
    # (Texture sizes depend on the scale, so they get their own stream and the
    # spots and pencil marks stay the same at any scale.)
    tex = np.random.default_rng(int(gen.integers(2**62)))
    cell = gen.uniform(6.0, 20.0) * scale
    mottle = _smooth_noise((rows, cols), cell, tex) * gen.uniform(0.008, 0.03)
    grain = tex.standard_normal((rows, cols), dtype=np.float32)
    grain *= np.float32(gen.uniform(0.008, 0.02))
    edge_d = np.minimum(np.minimum(xs, w_mm - xs), np.minimum(ys, h_mm - ys))
    rim = np.float32(gen.uniform(0.08, 0.3)) * np.exp(-edge_d / np.float32(gen.uniform(0.25, 0.6)))
    shade = (1.0 + mottle + grain) * (1.0 - rim)
    canvas = shade[..., None] * look["plate"]

    # Above the front the layer stayed dry: slightly different brightness/hue.
    # Only a band of rows around the front needs the smooth step.
    yf_cols = geo.front(xs)
    lo = max(int((float(yf_cols.min()) - 3.0) * scale), 0)
    hi = min(int((float(yf_cols.max()) + 3.0) * scale) + 1, rows)
    above = look["above"]
    if front_line:
        above = 1.0 + (above - 1.0) * 0.5
    canvas[:lo] *= above
    ysb = ys[lo:hi]
    wet = 1.0 / (1.0 + np.exp(np.clip((yf_cols - ysb) / 0.12, -50, 50)))  # 1 below the front
    canvas[lo:hi] *= (wet[..., None] + (1.0 - wet[..., None]) * above).astype(np.float32)
    if not front_line or gen.random() < 0.5:
        # The faint band that solvent impurities leave at the front.
        off = gen.uniform(-0.35, 0.35)
        width = gen.uniform(0.25, 0.7)
        strength = gen.uniform(0.08, 0.22)
        band = strength * np.exp(-0.5 * ((ysb - yf_cols - off) / width) ** 2)
        _blend(canvas, band.astype(np.float32), look["band"], lo, 0)

    # Spots.
    circled = bool(gen.random() < 0.2) if circles is None else circles
    rings: list[tuple[float, float, float, float]] = []
    truth_lanes = []
    palette_default = look["spot"]
    for label, xl, specs in zip(labels, lane_x, lane_specs, strict=True):
        tspots = []
        for spec in specs:
            xc = xl + gen.uniform(-0.35, 0.35)
            dens, r0, c0, row_mm, peak_mm, xc = _spot_patch(
                spec, xc, geo, scale, look["gain"], (rows, cols), gen
            )
            q = 1.0 - np.exp(-dens)
            colour = (
                np.array(spec.colour, np.float32) / 255
                if spec.colour is not None
                else palette_default * np.float32(gen.uniform(0.9, 1.1))
            )
            if look["mode"] == "stain":
                # A dye absorbs: the plate shows through, tinted (multiplicative).
                h, w = q.shape
                view = canvas[r0 : r0 + h, c0 : c0 + w]
                trans = np.clip(colour / np.maximum(look["plate"], 1e-3), 0.02, 1.0)
                view *= 1.0 - q[..., None] * (1.0 - trans)
            else:
                _blend(canvas, q.astype(np.float32), colour, r0, c0)
            yb, yfl = float(geo.baseline(xc)), float(geo.front(xc))
            rf = (yb - row_mm) / (yb - yfl)
            sx = spec.size_mm / 3.4 * (1.0 + 0.3 * spec.rf)
            sy = sx * (0.8 if spec.rf < 0.03 else 1.0 + 0.6 * spec.rf)
            if spec.amount >= 0.3:  # a trace is easily missed by eye too
                rings.append((xc, peak_mm, 2.0 * sx + 0.7, 2.0 * sy + 0.7))
            tspots.append(
                TruthSpot(
                    rf=rf,
                    row_mm=row_mm,
                    x_mm=xc,
                    amount=spec.amount,
                    on_origin=spec.rf < 0.03,
                    faint=spec.amount < 0.4,
                    tail=spec.tail,
                    colour=_hex(colour),
                    peak_rf=(yb - peak_mm) / (yb - yfl),
                )
            )
        tspots.sort(key=lambda s: s.rf)
        truth_lanes.append(
            TruthLane(
                label=label,
                x_mm=xl,
                spots=tuple(tspots),
                baseline_mm=float(geo.baseline(xl)),
                front_mm=float(geo.front(xl)),
            )
        )

    # Pencil: baseline (broken, pressure varies), lane ticks, front line, labels.
    pencil = np.zeros((rows, cols), np.float32)
    if circled:
        # Staff often ring the spots seen under the lamp, so that they stay
        # visible in daylight: a hand-drawn ellipse, not closed exactly.
        for x, y, rx, ry in rings:
            start = gen.uniform(0, 2 * math.pi)
            t = np.linspace(start, start + 2 * math.pi * gen.uniform(0.92, 1.08), 28)
            wobble = 1.0 + 0.08 * np.sin(2 * t + gen.uniform(0, 6)) + gen.normal(0, 0.02, 28)
            pts = list(zip(x + rx * wobble * np.cos(t), y + ry * wobble * np.sin(t), strict=True))
            _stroke(pencil, pts, gen.uniform(0.2, 0.35), scale, gen.uniform(0.6, 0.95))
    if baseline_line:
        _pencil_line(pencil, geo.baseline, 1.5, w_mm - 1.5, scale, gen)
    else:
        for xl in lane_x:
            half, yb = gen.uniform(1.0, 2.0), float(geo.baseline(xl))
            _stroke(pencil, [(xl - half, yb), (xl + half, yb)], 0.3, scale, gen.uniform(0.6, 0.9))
    if front_line:
        _pencil_line(pencil, geo.front, 1.5, w_mm - 1.5, scale, gen)
    tick = int(gen.integers(3))  # 0 none, 1 ticks, 2 dots
    for xl in lane_x:
        yb = float(geo.baseline(xl))
        if tick == 1:
            _stroke(pencil, [(xl, yb - 0.9), (xl + gen.uniform(-0.1, 0.1), yb + 0.9)], 0.3, scale,
                    gen.uniform(0.5, 0.9))  # fmt: skip
        elif tick == 2:
            _dot(pencil, xl, yb, gen.uniform(0.3, 0.5), scale, gen.uniform(0.5, 0.9))
    if write_labels:
        import cv2

        pitch = (lane_x[1] - lane_x[0]) if len(lane_x) > 1 else 10.0
        # One hand writes all labels: one font per plate.
        fonts = (cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN)
        style = (fonts[int(gen.integers(len(fonts)))], gen.uniform(2.2, 3.5), gen.uniform(0, 1))
        for label, xl in zip(labels, lane_x, strict=True):
            _write_label(pencil, label, style, xl, geo, pitch, scale, gen)
    p_alpha = np.clip(pencil, 0, 1) * np.float32(gen.uniform(0.45, 0.75))
    _blend(canvas, p_alpha, look["pencil"], 0, 0)

    # Dust specks and fibres: small, sharp, dark.
    dust = []
    specks = np.zeros((rows, cols), np.float32)
    for _ in range(int(gen.integers(0, 5))):
        y, x = gen.uniform(2, h_mm - 2), gen.uniform(2, w_mm - 2)
        _dot(specks, x, y, gen.uniform(0.08, 0.22), scale, gen.uniform(0.6, 1.0))
        dust.append((float(y), float(x)))
    for _ in range(int(gen.integers(0, 3)) if gen.random() < 0.5 else 0):
        y, x = gen.uniform(3, h_mm - 3), gen.uniform(3, w_mm - 3)
        ang = gen.uniform(0, math.pi)
        length = gen.uniform(1.0, 4.0)
        pts = [(x + t * math.cos(ang) + 0.2 * math.sin(5 * t), y + t * math.sin(ang))
               for t in np.linspace(0, length, 8)]  # fmt: skip
        _stroke(specks, pts, 0.08, scale, gen.uniform(0.5, 0.9))
        dust.append((float(y), float(x)))
    dust_colour = np.array([0.12, 0.12, 0.14], np.float32)
    _blend(canvas, np.clip(specks, 0, 1), dust_colour, 0, 0)

    # Coverage: the exact rectangle, with rounded or slightly cut corners.
    cover = np.clip(xs * scale, 0, 1) * np.clip((w_mm - xs) * scale, 0, 1)
    cover = cover * np.clip(ys * scale, 0, 1) * np.clip((h_mm - ys) * scale, 0, 1)
    cover = np.broadcast_to(cover, (rows, cols)).astype(np.float32).copy()
    for cx, cy in ((0, 0), (1, 0), (1, 1), (0, 1)):
        rad = gen.uniform(0.0, 1.8)
        if rad < 0.2:
            continue
        px = rad if cx == 0 else w_mm - rad
        py = rad if cy == 0 else h_mm - rad
        n = math.ceil((rad + 0.5) * scale)
        rs = slice(0, n) if cy == 0 else slice(rows - n, rows)
        cs = slice(0, n) if cx == 0 else slice(cols - n, cols)
        yy, xx = ys[rs, :], xs[:, cs]
        d = np.sqrt((yy - py) ** 2 + (xx - px) ** 2)
        outside = ((xx - px) * (1 if cx else -1) > 0) & ((yy - py) * (1 if cy else -1) > 0)
        c = np.clip((rad - d) * scale + 0.5, 0, 1)
        cover[rs, cs] = np.where(outside, np.minimum(cover[rs, cs], c), cover[rs, cs])
    return canvas, cover, tuple(truth_lanes), tuple(dust), circled


def _hex(colour: np.ndarray) -> str:
    c = np.clip(np.asarray(colour) * 255, 0, 255).round().astype(int)
    return "#{:02x}{:02x}{:02x}".format(*c)


def _smooth_noise(shape: tuple[int, int], cell_px: float, gen: np.random.Generator) -> np.ndarray:
    """Zero-mean, unit-ish smooth noise with features about ``cell_px`` wide."""
    import cv2

    rows, cols = shape
    sr = max(2, int(rows / max(cell_px, 1)) + 2)
    sc = max(2, int(cols / max(cell_px, 1)) + 2)
    small = gen.standard_normal((sr, sc)).astype(np.float32)
    return cv2.resize(small, (cols, rows), interpolation=cv2.INTER_CUBIC)


def _stroke(
    mask: np.ndarray,
    pts_mm: Sequence[tuple[float, float]],
    width_mm: float,
    scale: float,
    value: float,
) -> None:
    """Draw an anti-aliased polyline (x, y in mm) into ``mask`` with max()."""
    import cv2

    pts = np.array([[x * scale - 0.5, y * scale - 0.5] for x, y in pts_mm])
    thick = max(1, round(width_mm * scale))
    org, layer = _local_layer(mask, pts, thick + 3)
    if layer is None:
        return
    fixed = np.round((pts - org) * 16).astype(np.int32)
    cv2.polylines(layer, [fixed], False, 255, thick, cv2.LINE_AA, 4)
    _merge(mask, layer, org, value)


def _dot(mask: np.ndarray, x: float, y: float, r_mm: float, scale: float, value: float) -> None:
    import cv2

    centre = np.array([[x * scale - 0.5, y * scale - 0.5]])
    rad = max(1.0, r_mm * scale)
    org, layer = _local_layer(mask, centre, int(rad) + 3)
    if layer is None:
        return
    c = np.round((centre[0] - org) * 16).astype(int)
    cv2.circle(layer, (int(c[0]), int(c[1])), round(rad * 16), 255, -1, cv2.LINE_AA, 4)
    _merge(mask, layer, org, value)


def _local_layer(
    mask: np.ndarray, pts: np.ndarray, pad: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """A small uint8 layer covering ``pts`` (x, y px) plus ``pad``, and its origin."""
    lo = np.floor(pts.min(axis=0)).astype(int) - pad
    hi = np.ceil(pts.max(axis=0)).astype(int) + pad
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, [mask.shape[1], mask.shape[0]])
    if np.any(hi <= lo):
        return lo, None
    return lo, np.zeros((hi[1] - lo[1], hi[0] - lo[0]), np.uint8)


def _merge(mask: np.ndarray, layer: np.ndarray, org: np.ndarray, value: float) -> None:
    """mask = max(mask, layer / 255 * value) over the layer's place."""
    # OpenCV draws anti-aliased shapes and text on 8-bit images only.
    x0, y0 = int(org[0]), int(org[1])
    h, w = layer.shape
    view = mask[y0 : y0 + h, x0 : x0 + w]
    np.maximum(view, layer.astype(np.float32) * np.float32(value / 255.0), out=view)


def _pencil_line(
    mask: np.ndarray, line: Any, x0: float, x1: float, scale: float, gen: np.random.Generator
) -> None:
    """A ruled pencil line along ``line(x)``: pressure varies, with a few gaps."""
    width = gen.uniform(0.25, 0.45)
    x = x0 + gen.uniform(-1, 1.0)
    end = x1 + gen.uniform(-1.0, 1.0)
    while x < end:
        seg = gen.uniform(4.0, 20.0)
        xe = min(x + seg, end)
        xs = np.linspace(x, xe, max(2, int((xe - x) / 2) + 2))
        pts = [(float(a), float(line(a)) + gen.normal(0, 0.03)) for a in xs]
        _stroke(mask, pts, width, scale, gen.uniform(0.55, 1.0))
        x = xe + (gen.uniform(0.3, 1.5) if gen.random() < 0.25 else 0.0)


def _write_label(
    mask: np.ndarray,
    label: str,
    style: tuple[int, float, float],
    xl: float,
    geo: _Geometry,
    pitch: float,
    scale: float,
    gen: np.random.Generator,
) -> None:
    """Handwritten-looking pencil label under the origin at one lane.

    ``style`` is (font, letter height in mm, drop below the baseline as a
    fraction of the room): one hand writes all labels of a plate alike.
    """
    import cv2

    font, height, drop = style

    text = label if len(label) <= 3 else label[:3]
    text = text.encode("ascii", "replace").decode("ascii")
    yb = float(geo.baseline(xl))
    room = geo.h_mm - yb - 3.0  # from 2.2 mm under the baseline to 0.8 mm above the edge
    height_mm = min(height * gen.uniform(0.9, 1.1), room)
    if height_mm < 1.2:
        return
    (tw, th), _ = cv2.getTextSize(text, font, 1.0, 1)
    fs = height_mm * scale / max(th, 1)
    width_mm = tw * fs / scale
    if width_mm > 0.9 * pitch:
        fs *= 0.9 * pitch / width_mm
        width_mm = 0.9 * pitch
    thick = max(1, round(0.25 * scale))
    org = (
        round((xl - width_mm / 2 + gen.uniform(-0.5, 0.5)) * scale),
        round(
            (
                yb
                + 2.2
                + height_mm
                + np.clip(drop + gen.uniform(-0.08, 0.08), 0, 1) * max(room - height_mm, 0)
            )
            * scale
        ),
    )
    box = np.array([[org[0], org[1] - th * fs], [org[0] + tw * fs, org[1] + 0.5 * th * fs]])
    lo, layer = _local_layer(mask, box, thick + 4)
    if layer is None:
        return
    cv2.putText(layer, text, (org[0] - int(lo[0]), org[1] - int(lo[1])), font, fs, 255, thick,
                cv2.LINE_AA)  # fmt: skip
    _merge(mask, layer, lo, float(gen.uniform(0.6, 1.0)))


# --------------------------------------------------------------------------- #
# Background, light and camera
# --------------------------------------------------------------------------- #


def _background(
    mode: str,
    shape: tuple[int, int],
    alpha: np.ndarray,
    ppm: float,
    gen: np.random.Generator,
) -> np.ndarray:
    """What lies around the plate (bench, cabinet floor, table, paper), with its shadow.

    Drawn at a quarter of the photo size and enlarged: it is smooth, and
    out of focus when the camera focuses on the plate.
    """
    import cv2

    rows, cols = shape
    f = 4
    sr, sc = max(8, rows // f), max(8, cols // f)
    u = gen.uniform
    if mode == "uv254":
        base = (u(5, 50), u(5, 40), u(10, 75))  # dark bench, violet cast from the lamp
    elif mode == "uv365":
        base = (u(10, 40), u(5, 30), u(30, 80))
    else:
        tables = [
            (u(120, 170), u(80, 120), u(50, 80)),  # wood
            (u(200, 235), u(200, 235), u(195, 230)),  # white bench / paper
            (u(110, 150), u(110, 150), u(110, 155)),  # grey
            (u(40, 80), u(70, 110), u(120, 170)),  # blue mat
            (u(25, 50), u(25, 50), u(25, 50)),  # black
            (u(60, 100), u(110, 150), u(70, 100)),  # green cutting mat
        ]
        base = tables[int(gen.choice(len(tables), p=[0.25, 0.15, 0.2, 0.15, 0.1, 0.15]))]
    base_c = np.array(base, np.float32) / 255
    bg = np.empty((sr, sc, 3), np.float32)
    bg[:] = base_c
    bg *= (1.0 + 0.12 * _smooth_noise((sr, sc), max(sr, sc) / u(3, 8), gen))[..., None]
    # Clutter: a sheet of paper, a ruler, a pen... partly under the plate.
    for _ in range(int(gen.integers(0, 3))):
        cx, cy = u(0, sc), u(0, sr)
        w, h = u(0.05, 0.6) * sc, u(0.02, 0.5) * sr
        box = cv2.boxPoints(((cx, cy), (w, h), u(0, 180))).astype(np.int32)
        if mode == "stain":
            colour = np.array([u(30, 250), u(30, 250), u(30, 250)], np.float32) / 255
        else:
            # In a dark UV cabinet everything is dark and takes the lamp's tint.
            colour = np.clip(base_c * u(0.5, 2.2) + u(-0.03, 0.05, size=3), 0, 1)
        layer = np.zeros((sr, sc), np.uint8)
        cv2.fillPoly(layer, [box], 255, cv2.LINE_AA)
        a = layer[..., None].astype(np.float32) * np.float32(u(0.6, 1.0) / 255)
        bg *= 1.0 - a
        bg += a * colour.astype(np.float32)
    # The plate's shadow.
    small = cv2.resize(alpha, (sc, sr), interpolation=cv2.INTER_AREA)
    strength = u(0.15, 0.5) if mode == "stain" else u(0.05, 0.25)
    sigma = max(0.7, u(0.5, 2.5) * ppm / f)
    dx, dy = u(-1.5, 1.5, size=2) * ppm / f
    shift = np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32)
    shadow = cv2.warpAffine(small, shift, (sc, sr))
    shadow = cv2.GaussianBlur(shadow, (0, 0), sigma)
    bg *= (1.0 - strength * shadow)[..., None]
    return cv2.resize(bg, (cols, rows), interpolation=cv2.INTER_LINEAR)


def _camera(
    photo: Any,
    mode: str,
    quad: np.ndarray,
    ppm: float,
    light: float,
    noise: float,
    blur: float,
    jpeg_quality: int | None,
    gen: np.random.Generator,
) -> np.ndarray:
    """Light, optics, sensor and the phone's processing, in that order."""
    import cv2

    rows, cols = photo.shape[:2]
    u = gen.uniform
    # Auto-exposure in a dark UV cabinet often overexposes the bright plate:
    # the green channel clips, and spot contrast with it.
    photo *= u(0.9, 1.35) if mode != "stain" else u(0.92, 1.08)
    # Uneven light: a gradient, vignetting and a soft glare on the plate,
    # computed small and enlarged (it is smooth anyway).
    sr, sc = max(8, rows // 16), max(8, cols // 16)
    yy, xx = np.mgrid[0:sr, 0:sc].astype(np.float32)
    yy = yy / (sr - 1) - 0.5
    xx = xx / (sc - 1) - 0.5
    d = u(0, 2 * math.pi)
    gain = 1.0 + light * u(0.15, 0.45) * (math.cos(d) * xx + math.sin(d) * yy) * 2
    gain *= 1.0 - light * u(0.1, 0.4) * (xx**2 + yy**2) * 2
    gain = cv2.resize(gain.astype(np.float32), (cols, rows), interpolation=cv2.INTER_LINEAR)
    photo *= gain[..., None]
    if light > 0 and gen.random() < 0.8:
        # Glare: the lamp or window reflected by the plate.
        t = gen.uniform(0, 1, size=4)
        t /= t.sum()
        gx, gy = t @ quad
        rad = u(0.05, 0.2) * max(rows, cols)
        g = np.exp(-(((xx + 0.5) * cols - gx) ** 2 + ((yy + 0.5) * rows - gy) ** 2) / (2 * rad**2))
        g = (light * u(0.08, 0.25) * g).astype(np.float32)
        tint = (0.85, 0.8, 1.0) if mode != "stain" else (1.0, 1.0, 1.0)
        glare = cv2.merge([g * np.float32(c) for c in tint])
        photo += cv2.resize(glare, (cols, rows), interpolation=cv2.INTER_LINEAR)

    # Optics: defocus or hand shake, scaled to the plate so that a person can
    # still read it at blur = 1 (sigma 0.6 mm, or a 1.2 mm shake).
    if blur > 0:
        if gen.random() < 0.7:
            photo = cv2.GaussianBlur(photo, (0, 0), max(0.3, blur * 0.6 * ppm))
        else:
            length = max(2, round(blur * 1.2 * ppm))
            k = np.zeros((length * 2 + 1, length * 2 + 1), np.uint8)
            ang = u(0, math.pi)
            dx, dy = length * math.cos(ang) / 2, length * math.sin(ang) / 2
            p0 = (round((length - dx) * 16), round((length - dy) * 16))
            p1 = (round((length + dx) * 16), round((length + dy) * 16))
            cv2.line(k, p0, p1, 255, 1, cv2.LINE_AA, 4)
            kf = k.astype(np.float32)
            photo = cv2.filter2D(photo, -1, kf / kf.sum())
    else:
        photo = cv2.GaussianBlur(photo, (0, 0), 0.5)  # no lens is perfect

    # Sensor noise: signal-dependent, stronger in the dark UV photos (high ISO),
    # and spatially correlated by demosaicing (drawn at half size, enlarged).
    if noise > 0:
        hr, hc = (rows + 1) // 2, (cols + 1) // 2
        half = cv2.resize(photo, (hc, hr), interpolation=cv2.INTER_AREA)
        iso = 1.6 if mode != "stain" else 1.0
        sigma = (noise * iso / 255) * (2.0 + 9.0 * np.sqrt(np.clip(half, 0, 1)))
        n = gen.standard_normal((hr, hc, 3), dtype=np.float32) * sigma.astype(np.float32)
        photo += cv2.resize(n, (cols, rows), interpolation=cv2.INTER_LINEAR)

    # Phone processing: saturation, white balance, tone curve, sharpening
    # (on 8 bits, as the phone does).
    photo *= 255.0
    np.clip(photo, 0, 255, out=photo)
    out: Any = photo.astype(np.uint8)
    sat = u(0.85, 1.2)
    grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    out = cv2.addWeighted(out, sat, cv2.merge([grey, grey, grey]), 1.0 - sat, 0.0)
    wb = u(0.9, 1.1, size=3)
    if mode == "stain" and gen.random() < 0.3:
        wb *= (1.08, 1.0, 0.82)  # a warm desk lamp instead of daylight
    gamma = u(0.85, 1.15)
    lut = np.arange(256, dtype=np.float32) / 255
    tables = [
        np.clip(255 * (np.clip(lut * wb[ch], 0, 1) ** gamma), 0, 255).astype(np.uint8)
        for ch in range(3)
    ]
    out = cv2.LUT(out, np.stack(tables, axis=1)[:, None, :])
    if gen.random() < 0.5:
        amount = u(0.2, 0.6)
        soft = cv2.GaussianBlur(out, (0, 0), u(1.0, 2.0))
        out = cv2.addWeighted(out, 1 + amount, soft, -amount, 0)
    if jpeg_quality is not None:
        _, buf = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        decoded: Any = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        out = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(out)


# --------------------------------------------------------------------------- #
# Several strips side by side
# --------------------------------------------------------------------------- #

#: Backgrounds that ``make_strips`` lays the strips on.
STRIP_BACKGROUNDS = ("paper", "dark")


def make_strips(
    n: int = 4,
    *,
    mode: str = "uv254",
    spots: Sequence[Sequence[float | SpotSpec | Mapping[str, Any]] | None] | None = None,
    rotation: float = 0.0,
    background: str = "paper",
    baseline_lines: Sequence[bool] | None = None,
    rng: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, list[Truth], list[tuple[tuple[float, float], ...]]]:
    """Draw a photo of separate single-lane strips laid side by side.

    Some services cut one strip per sample (or per solvent), each with its
    own origin and front, and photograph them side by side. Each strip is
    drawn by :func:`make_plate` (one lane, cropped, no perspective), then
    turned by a small random angle (up to 3 degrees) plus ``rotation`` and
    pasted on the background with a soft shadow; the photo is then blurred a
    little, made noisy and JPEG-compressed as a camera would.

    Parameters
    ----------
    n : int
        Number of strips, 1 to 10.
    mode : {"uv254", "stain", "uv365"}
        How the strips are seen (see :func:`make_plate`). Stained strips are
        tinted as whole-strip stains leave them (KMnO4 pink, beige, or white
        on a dark background).
    spots : sequence or None
        None draws random spots; otherwise one entry per strip, each a
        sequence of spot specs as in :func:`make_plate` (or None for random).
    rotation : float
        In-plane rotation of the whole row, degrees counter-clockwise.
    background : {"paper", "dark"}
        A white sheet (bluish under a UV lamp) or a dark tray or table.
    baseline_lines : sequence of bool or None
        Per strip, whether a pencil line crosses it at the origin (False: a
        short dash where the sample was spotted); None: a line on every strip.
    rng : int, numpy.random.Generator or None
        Seed or generator; None is seed 0. The same seed gives the same photo.

    Returns
    -------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB.
    truths : list of Truth
        One per strip, left to right before ``rotation``, as
        :func:`make_plate` returns it for its strip, with ``corners``,
        ``photo_shape``, ``angle`` and ``rotation`` moved into this photo. The
        cropped render cuts up to 1.2 % off a strip's edges, so these plate
        corners lie just outside the strip as seen.
    corners : list of tuple of 4 (float, float)
        Each strip's visible corners in the photo, ``(row, col)``, top-left,
        top-right, bottom-right, bottom-left of the upright strip.

    Raises
    ------
    ValueError
        If an argument is out of range.
    """
    import cv2

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10:
        msg = f"n must be a number of strips between 1 and 10, got {n!r}"
        raise ValueError(msg)
    if mode not in MODES:
        msg = f"mode must be one of {', '.join(MODES)}, got {mode!r}"
        raise ValueError(msg)
    if background not in STRIP_BACKGROUNDS:
        msg = f"background must be one of {', '.join(STRIP_BACKGROUNDS)}, got {background!r}"
        raise ValueError(msg)
    if not (isinstance(rotation, int | float) and math.isfinite(rotation)):
        msg = f"rotation must be a number of degrees, got {rotation!r}"
        raise ValueError(msg)
    if spots is not None and len(spots) != n:
        msg = f"spots must have one entry per strip ({n}), got {len(spots)}"
        raise ValueError(msg)
    if baseline_lines is not None and len(baseline_lines) != n:
        msg = f"baseline_lines must have one entry per strip ({n}), got {len(baseline_lines)}"
        raise ValueError(msg)
    gen = np.random.default_rng(0 if rng is None else rng)
    g_geo, g_strip, g_photo = gen.spawn(3)
    u = g_geo.uniform

    # ---- sizes and layout (millimetres) -----------------------------------
    h_mm, w_mm = u(60.0, 80.0), u(21.0, 27.0)  # make_plate draws plates from 20 mm wide
    gap_mm = u(1.5, 10.0)
    margin = u(10.0, 20.0)
    ppm = u(4.0, 7.0)
    span = n * w_mm + (n - 1) * gap_mm + 2 * margin
    ppm = min(ppm, 1800.0 / span, 1800.0 / (h_mm + 2 * margin))
    sizes = [(h_mm * u(0.97, 1.03), w_mm * u(0.96, 1.04)) for _ in range(n)]
    tilts = [u(-3.0, 3.0) for _ in range(n)]
    lift = [u(-2.0, 2.0) for _ in range(n)]
    x_mm = [margin + w_mm / 2 + i * (w_mm + gap_mm) + u(-1.0, 1.0) for i in range(n)]
    y_mm = h_mm / 2 + margin

    # Each strip's visible rectangle in the photo, (x, y), before the row turns.
    quads = []
    for (hi, wi), tilt, dy, cx in zip(sizes, tilts, lift, x_mm, strict=True):
        rect = np.array([[-wi, -hi], [wi, -hi], [wi, hi], [-wi, hi]]) / 2
        quads.append(_turn(rect, tilt) + np.array([cx, y_mm + dy]))
    quads = [_turn(q - np.array([span / 2, y_mm]), rotation) * ppm for q in quads]
    pts = np.vstack(quads)
    pad = margin * ppm * 0.8
    lo = pts.min(axis=0) - pad
    cols = math.ceil(pts[:, 0].max() + pad - lo[0])
    rows = math.ceil(pts[:, 1].max() + pad - lo[1])
    quads = [q - lo - 0.5 for q in quads]

    # ---- background ----------------------------------------------------------
    canvas = _strip_background(mode, background, (rows, cols), ppm, g_photo)
    tint = _strip_tint(mode, background, g_photo)

    # ---- strips ----------------------------------------------------------------
    truths: list[Truth] = []
    corners: list[tuple[tuple[float, float], ...]] = []
    alpha_all = np.zeros((rows, cols), np.float32)
    layers = []
    for i, ((hi, wi), quad) in enumerate(zip(sizes, quads, strict=True)):
        render_ppm = max(9.0, 205.0 / wi)
        ph, pw = round(hi * render_ppm), round(wi * render_ppm)
        img, truth = make_plate(
            lanes=1,
            spots=None if spots is None else [spots[i]],
            mode=mode,
            light=float(g_strip.uniform(0.0, 0.3)),
            noise=float(g_strip.uniform(0.0, 0.3)),
            cropped=True,
            front_line=bool(g_strip.random() < 0.7),
            labels=bool(g_strip.random() < 0.5),
            size_mm=(hi, wi),
            photo_px=(ph, pw),
            circles=False,
            baseline_line=True if baseline_lines is None else bool(baseline_lines[i]),
            rng=int(g_strip.integers(0, 2**31 - 1)),
        )
        src = np.array([[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5]], np.float32)
        m = cv2.getAffineTransform(src, quad[:3].astype(np.float32))
        warped = cv2.warpAffine(
            img.astype(np.float32) / 255 * tint, m, (cols, rows), flags=cv2.INTER_AREA
        )
        a = cv2.warpAffine(np.ones((ph, pw), np.float32), m, (cols, rows), flags=cv2.INTER_AREA)
        layers.append((warped, a))
        alpha_all = np.maximum(alpha_all, a)
        plate_xy = np.array([[c, r] for r, c in truth.corners])
        moved = plate_xy @ m[:, :2].T + m[:, 2]
        angle = truth.angle + tilts[i] + rotation
        truths.append(
            _replace_truth(
                truth,
                corners=tuple((float(y), float(x)) for x, y in moved),
                photo_shape=(rows, cols),
                angle=angle,
                rotation=round(angle / 90.0) % 4 * 90,
            )
        )
        corners.append(tuple((float(y), float(x)) for x, y in quad))

    # A soft shadow beside each strip, then the strips.
    shift = np.array([[1, 0, u(-0.6, 0.6) * ppm], [0, 1, u(0.0, 0.8) * ppm]], np.float32)
    shadow = cv2.warpAffine(alpha_all, shift, (cols, rows))
    shadow = cv2.GaussianBlur(shadow, (0, 0), max(0.8, u(0.4, 1.2) * ppm))
    canvas *= (1.0 - u(0.1, 0.35) * shadow)[..., None]
    for warped, a in layers:
        canvas *= (1.0 - a)[..., None]
        canvas += warped

    # ---- camera --------------------------------------------------------------
    photo = cv2.GaussianBlur(canvas, (0, 0), float(g_photo.uniform(0.4, 0.9)))
    sigma = float(g_photo.uniform(0.5, 2.5)) / 255
    photo += g_photo.standard_normal(photo.shape, dtype=np.float32) * np.float32(sigma)
    out = np.clip(photo * 255.0, 0, 255).astype(np.uint8)
    quality = int(g_photo.integers(75, 96))
    _, buf = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    decoded: Any = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    image = np.ascontiguousarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB))
    return image, truths, corners


def _turn(pts: np.ndarray, degrees: float) -> np.ndarray:
    """Turn (x, y-down) points counter-clockwise as seen, about the origin."""
    a = math.radians(degrees)
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return np.asarray(pts, float) @ rot.T


def _replace_truth(truth: Truth, **changes: Any) -> Truth:
    from dataclasses import replace

    return replace(truth, **changes)


def _strip_background(
    mode: str, background: str, shape: tuple[int, int], ppm: float, gen: np.random.Generator
) -> np.ndarray:
    """The sheet or tray under the strips, float RGB 0..1, gently shaded."""
    u = gen.uniform
    if background == "paper":
        if mode == "stain":
            base = (u(215, 245), u(215, 245), u(210, 240))
        else:
            base = (u(140, 200), u(190, 235), u(230, 255))  # brightener glows blue
    elif mode == "stain":
        base = (u(25, 70), u(30, 80), u(30, 90))
    else:
        base = (u(8, 40), u(8, 35), u(15, 60))
    rows, cols = shape
    bg = np.empty((rows, cols, 3), np.float32)
    bg[:] = np.array(base, np.float32) / 255
    shade = 1.0 + 0.06 * _smooth_noise((rows, cols), max(rows, cols) / u(2, 5), gen)
    bg *= shade[..., None]
    return bg


def _strip_tint(mode: str, background: str, gen: np.random.Generator) -> np.ndarray:
    """Colour factor for the stained strips' layer (a dip stains the whole strip)."""
    if mode != "stain":
        return np.ones(3, np.float32)
    u = gen.uniform
    choices = [
        (u(0.85, 0.95), u(0.35, 0.5), u(0.6, 0.75)),  # KMnO4 pink-magenta
        (u(0.9, 1.0), u(0.75, 0.85), u(0.55, 0.7)),  # beige (vanillin, anisaldehyde)
    ]
    if background == "dark":
        choices.append((1.0, 1.0, 1.0))  # white
    return np.array(choices[int(gen.integers(len(choices)))], np.float32)
