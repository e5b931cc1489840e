"""Finding the plate in a photo and straightening it.

This is the only module that handles OpenCV's ``(x, y)`` point order; every
other module works on the rectified plate image with ``[row, col]`` indexing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tlc._types import get, r2

#: Scale of the rectified plate image, pixels per millimetre.
PX_PER_MM = 8.0

#: Long side of a plate whose size was not given, in millimetres.
DEFAULT_LONG_SIDE_MM = 100.0

#: Gap between separate strips set side by side in one straightened image (mm).
STRIP_GAP_MM = 4.0

#: Colour of that gap (RGB): neutral, so that the strips stand apart.
STRIP_GAP_RGB = (225, 225, 225)


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
        is the plate, e.g. already cropped), ``"strips"`` (separate strips
        side by side, see ``parts``).
    confidence : float
        0 to 1.
    flags : tuple of str
        Quality flags (see :mod:`tlc.flags`).
    parts : tuple of Plate
        For a photo of separate strips side by side (:func:`board`), each
        strip, left to right; the straightened "plate" is then the strips
        set side by side, bottoms aligned, ``STRIP_GAP_MM`` apart. Empty for
        a single plate.
    """

    corners: tuple[tuple[float, float], ...]
    size_mm: tuple[float, float]
    px_per_mm: float = PX_PER_MM
    rotation: int = 0
    source: str = "found"
    confidence: float = 1.0
    flags: tuple[str, ...] = field(default=())
    parts: tuple[Plate, ...] = field(default=())

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the rectified plate image."""
        if self.parts:
            spans = self.part_spans()
            return max(p.shape[0] for p in self.parts), spans[-1][1]
        return (
            round(self.size_mm[0] * self.px_per_mm),
            round(self.size_mm[1] * self.px_per_mm),
        )

    def part_spans(self) -> tuple[tuple[int, int], ...]:
        """Columns ``(first, end)`` of each part in the straightened image; () for one plate."""
        gap = round(STRIP_GAP_MM * self.px_per_mm)
        spans = []
        x = 0
        for p in self.parts:
            spans.append((x, x + p.shape[1]))
            x += p.shape[1] + gap
        return tuple(spans)

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
        """JSON-safe dict (``parts`` only for separate strips)."""
        return {
            "corners_px": [[r2(r), r2(c)] for r, c in self.corners],
            "size_mm": [r2(self.size_mm[0]), r2(self.size_mm[1])],
            "px_per_mm": self.px_per_mm,
            "rotation": self.rotation,
            "source": self.source,
            "confidence": r2(self.confidence),
            "flags": list(self.flags),
            **({"parts": [p.to_dict() for p in self.parts]} if self.parts else {}),
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
            parts=tuple(cls.from_dict(p) for p in get(d, "parts", ())),
        )


def find_plate(
    image: np.ndarray,
    *,
    size_mm: tuple[float, float] | None = None,
    rotate: int | None = None,
    px_per_mm: float = PX_PER_MM,
) -> Plate:
    """Find the plate in a photo: its four corners and its size.

    The plate is the largest region that stands out from the background by
    its brightness (a fluorescent plate under UV 254, a white plate in daylight)
    or, on a dark UV 365 plate, by its texture; its outline is fitted with four
    straight sides so that rounded or chipped corners do not pull the corners
    inwards. A photo in which the plate fills the frame (already cropped) is
    taken whole.

    Parameters
    ----------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB.
    size_mm : (float, float), optional
        Height and width of the upright plate in millimetres, when known.
        Otherwise the aspect ratio is measured and the long side assumed to
        be ``DEFAULT_LONG_SIDE_MM``.
    rotate : {0, 90, 180, 270}, optional
        Clockwise quarter turns that stand the plate upright (origin at the
        bottom), when known; otherwise the plate is taken as it stands in the
        photo (:func:`tlc.lines.find_orientation` checks it later).
    px_per_mm : float, optional
        Scale of the rectified image.

    Returns
    -------
    Plate

    Raises
    ------
    PlateNotFound
        If the photo is blank (nearly uniform) or no plate-like region is found.
    """
    import cv2

    from tlc.errors import PlateNotFound

    _check_rgb(image, "image")
    if rotate not in (None, 0, 90, 180, 270):
        msg = f"rotate must be 0, 90, 180 or 270, got {rotate}"
        raise ValueError(msg)
    if size_mm is not None and (len(size_mm) != 2 or min(size_mm) <= 0):
        msg = f"size_mm must be two positive numbers (height, width), got {size_mm}"
        raise ValueError(msg)

    scale = min(1.0, _DETECT_SIDE / max(image.shape[:2]))
    small = (
        cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        if scale < 1
        else image
    )
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    if float(gray.std()) < 4.0 or float(np.percentile(gray, 99)) < 20:
        msg = (
            "the photo is almost uniform (black, white or empty): no plate can be seen; "
            "retake it with the whole plate in the frame"
        )
        raise PlateNotFound(msg)

    flags: list[str] = []
    corners, source, confidence = _find_quad(small)
    if corners is None:
        msg = (
            "no plate could be found in the photo; retake it with the whole plate "
            "in the frame, against a darker or plainer background"
        )
        raise PlateNotFound(msg)
    corners = corners / scale
    # Order the corners top-left, top-right, bottom-right, bottom-left as the plate
    # stands in the photo, then turn them by the requested quarter turns.
    corners = _order_corners(corners)
    turns = (rotate or 0) // 90
    corners = np.roll(
        corners, turns, axis=0
    )  # photo BL becomes the upright TL after a clockwise turn
    if turns:
        flags.append("plate_rotated")

    top = np.linalg.norm(corners[1] - corners[0])
    bottom = np.linalg.norm(corners[2] - corners[3])
    left = np.linalg.norm(corners[3] - corners[0])
    right = np.linalg.norm(corners[2] - corners[1])
    width_px, height_px = (top + bottom) / 2, (left + right) / 2
    if min(width_px, height_px) < 40:
        msg = "the plate is too small in the photo to be measured; come closer and retake it"
        raise PlateNotFound(msg)
    if min(width_px, height_px) < 200:
        flags.append("plate_low_resolution")
    if (
        max(top, bottom) / max(min(top, bottom), 1) > 1.04
        or max(left, right) / max(min(left, right), 1) > 1.04
    ):
        flags.append("plate_perspective_corrected")
    if size_mm is None:
        flags.append("plate_size_assumed")
        size = _assumed_size(height_px / width_px)
    else:
        size = (float(size_mm[0]), float(size_mm[1]))
    if source == "whole-image":
        flags.append("plate_not_found_whole_image")
    return Plate(
        corners=tuple((float(y), float(x)) for x, y in corners),
        size_mm=size,
        px_per_mm=px_per_mm,
        rotation=(rotate or 0),
        source=source,
        confidence=confidence,
        flags=tuple(sorted(set(flags))),
    )


def _assumed_size(aspect: float) -> tuple[float, float]:
    # (height, width) in mm of a plate of this aspect, its long side DEFAULT_LONG_SIDE_MM
    if aspect >= 1:
        return (DEFAULT_LONG_SIDE_MM, DEFAULT_LONG_SIDE_MM / aspect)
    return (DEFAULT_LONG_SIDE_MM * aspect, DEFAULT_LONG_SIDE_MM)


#: How far beyond each side of an outline :func:`grow` looks (fraction of the
#: plate's size), how close a strip's colour must stay to the plate's (sum of
#: the channel differences over the sum of the plate's), and how far the
#: colour must continue (mm) for the side to move.
GROW_MARGIN = 0.3
GROW_TOLERANCE = 0.10
GROW_MIN_MM = 1.5


def grow(image: np.ndarray, plate: Plate) -> Plate | None:
    """The plate with each side moved out to where the plate's colour ends, or None.

    A pencil line drawn close to the plate's rim can outline a smaller quad
    than the plate (cut at its baseline or front); the lines are then not
    found. Beyond such a side the plate's own colour goes on, then stops at
    the real edge. A side moves when the colour goes on for at least
    ``GROW_MIN_MM`` and stops within the first 80 % of ``GROW_MARGIN``: a
    plate on a table of its own colour runs on to the end and is left as it
    is (measured on 300 synthetic plates: the 3 plates cut at a line move,
    none other; on the real photos, 2 of 72 outlines would move).

    Parameters
    ----------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB.
    plate : Plate
        The plate as found, with an assumed size (``plate_size_assumed``).

    Returns
    -------
    Plate or None
        The grown plate, flagged ``plate_outline_extended``; None when no side
        moves or the plate's size was given.
    """
    import cv2

    if "plate_size_assumed" not in plate.flags:
        return None  # a size given by staff fixes the outline's proportions
    rows, cols = plate.shape
    ppm = plate.px_per_mm
    mr, mc = round(GROW_MARGIN * rows), round(GROW_MARGIN * cols)
    pr, pc = plate.to_photo(
        np.array([-mr, -mr, rows - 1 + mr, rows - 1 + mr], float),
        np.array([-mc, cols - 1 + mc, cols - 1 + mc, -mc], float),
    )
    wide = replace(
        plate,
        corners=tuple(zip(pr.tolist(), pc.tolist(), strict=True)),
        size_mm=((rows + 2 * mr) / ppm, (cols + 2 * mc) / ppm),
    )
    view = cv2.GaussianBlur(rectify(image, wide).astype(np.float32), (0, 0), 0.5 * ppm)
    inside = view[mr + rows // 4 : mr + 3 * rows // 4, mc + cols // 4 : mc + 3 * cols // 4]
    ref = np.median(inside.reshape(-1, 3), axis=0)

    def plate_coloured(strip: np.ndarray) -> bool:
        m = np.median(strip.reshape(-1, 3), axis=0)
        return float(np.abs(m - ref).sum()) < GROW_TOLERANCE * max(float(ref.sum()), 1.0)

    def reach(strips: Iterable[np.ndarray], room: int) -> float:
        # how far (px) the plate's colour goes on past the side, or 0
        n = 0
        for strip in strips:
            if not plate_coloured(strip):
                break
            n += 1
        return float(n) if GROW_MIN_MM * ppm <= n < 0.8 * room else 0.0

    c0, c1 = mc + cols // 5, mc + 4 * cols // 5
    r0, r1 = mr + rows // 5, mr + 4 * rows // 5
    top = reach((view[r, c0:c1] for r in range(mr - 1, -1, -1)), mr)
    bottom = reach((view[r, c0:c1] for r in range(mr + rows, rows + 2 * mr)), mr)
    left = reach((view[r0:r1, c] for c in range(mc - 1, -1, -1)), mc)
    right = reach((view[r0:r1, c] for c in range(mc + cols, cols + 2 * mc)), mc)
    if not any((top, bottom, left, right)):
        return None
    gr, gc = plate.to_photo(
        np.array([-top, -top, rows - 1 + bottom, rows - 1 + bottom]),
        np.array([-left, cols - 1 + right, cols - 1 + right, -left]),
    )
    height, width = rows + top + bottom, cols + left + right
    return replace(
        plate,
        corners=tuple(zip(gr.tolist(), gc.tolist(), strict=True)),
        size_mm=_assumed_size(height / width),
        flags=tuple(sorted({*plate.flags, "plate_outline_extended"})),
    )


def board(parts: Iterable[Plate]) -> Plate:
    """Separate strips photographed side by side, as one straightened image.

    Parameters
    ----------
    parts : iterable of Plate
        The strips, left to right, each upright, all at one ``px_per_mm``.

    Returns
    -------
    Plate
        ``source="strips"`` with the strips as ``parts``; its corners are
        the box round all the strips in the photo.

    Raises
    ------
    ValueError
        If there are no parts or their scales differ.
    """
    parts = tuple(parts)
    if not parts or len({p.px_per_mm for p in parts}) != 1:
        msg = "a board needs at least one strip, all at one scale"
        raise ValueError(msg)
    ppm = parts[0].px_per_mm
    rows = [r for p in parts for r, _ in p.corners]
    cols = [c for p in parts for _, c in p.corners]
    top, bottom, left, right = min(rows), max(rows), min(cols), max(cols)
    plate = Plate(
        corners=((top, left), (top, right), (bottom, right), (bottom, left)),
        size_mm=(0.0, 0.0),
        px_per_mm=ppm,
        source="strips",
        confidence=min(p.confidence for p in parts),
        flags=tuple(sorted({f for p in parts for f in p.flags})),
        parts=parts,
    )
    h, w = plate.shape
    return replace(plate, size_mm=(h / ppm, w / ppm))


def turn(plate: Plate, quarter_turns: int) -> Plate:
    """The same plate turned clockwise by ``quarter_turns`` quarter turns.

    Used when the plate's content shows that the origin is not at the bottom.
    """
    import dataclasses

    k = quarter_turns % 4
    if k == 0:
        return plate
    corners = plate.corners[-k:] + plate.corners[:-k]
    size = plate.size_mm if k == 2 else (plate.size_mm[1], plate.size_mm[0])
    flags = tuple(sorted({*plate.flags, "plate_rotated"}))
    return dataclasses.replace(
        plate,
        corners=corners,
        size_mm=size,
        rotation=(plate.rotation + 90 * k) % 360,
        flags=flags,
    )


#: Long side of the downscaled copy used to find the plate, in pixels.
_DETECT_SIDE = 640


def _check_rgb(image: np.ndarray, name: str) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        msg = f"`{name}` must be an (M, N, 3) RGB array, got shape {getattr(image, 'shape', None)}"
        raise ValueError(msg)
    if image.dtype != np.uint8:
        msg = f"`{name}` must be of dtype uint8, got {image.dtype}"
        raise ValueError(msg)


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """Order 4 (x, y) points top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(pts, dtype=np.float64)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates, from the left
    # start at the corner nearest the photo's top-left (smallest x + y)
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0)


def _find_quad(small: np.ndarray) -> tuple[np.ndarray | None, str, float]:
    """Corners (4, 2) in (x, y) of the downscaled photo, the source and a confidence.

    Candidate outlines come from three cues: the bright blob (a glowing or
    white plate on a darker background), the plate-coloured blob, and closed
    edges (a white plate on a pale table, where only its rim and shadow show).
    The candidate whose four sides are best backed by edges in the photo wins;
    a plate's sides are straight, continuous edges, the border of a patch of
    light is not. When none outlines the plate clearly, outlines made of the
    photo's longest straight edges are tried (:func:`_line_quads`).
    """
    import cv2

    h, w = small.shape[:2]
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (0, 0), 1.2)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    grad = cv2.magnitude(gx, gy)
    # the scale of edges in this photo: a plate's rim is among its strongest
    grad_floor = float(np.percentile(grad, 90)) + 2.0

    bright = _quad_from_mask(_bright_mask(small))
    ref = None
    if bright is not None:
        ref = np.median(small[_fill_quad(bright[0], (h, w))], axis=0)
    like = _plate_like(small, ref)
    candidates = [c for c in (bright, _quad_from_mask(like.astype(np.uint8) * 255)) if c]
    candidates += _edge_quads(gray, grad)
    best = _best_outline(candidates, grad, grad_floor)
    if best is None or best[2] < 1.5:
        # No blob or closed contour outlines the plate: a plate of the
        # background's own colour, its rim broken by a shadow. Its four sides
        # are still among the longest straight edges; how much of such an
        # outline is plate-coloured says whether a side is a line beyond the
        # plate (a shadow, a table's edge). Only a second resort: built from
        # any four lines, such outlines also pair a pencil line with the
        # edge of a note beside the plate.
        like_closed = _closed(like)
        lines = [(q, _filled(like_closed, q)) for q, _ in _line_quads(gray)]
        drawn = _best_outline(lines, grad, grad_floor, around=False)
        if drawn is not None and drawn[2] >= 1.5:
            # its sides lie on edges already: snapping might move the weak
            # rim of a pale plate onto a pencil line beside it
            _, quad, support, fill = drawn
            return quad, "found", float(min(1.0, fill) * min(1.0, support / 3.0))
    ring = max(2, round(0.03 * min(h, w)))
    border = np.concatenate(
        [like[:ring].ravel(), like[-ring:].ravel(), like[:, :ring].ravel(), like[:, -ring:].ravel()]
    )
    weak = best is None or best[2] < 1.5
    # When the plate's own colour runs all round the photo's border and no
    # outline stands out, the photo was cropped to the plate (or taken so
    # close that no background shows).
    if weak and (border.mean() > 0.6 or best is None):
        return _image_corners(w, h), "whole-image", 0.6 if border.mean() > 0.6 else 0.3
    assert best is not None
    _, quad, support, fill = best
    quad = _snap_sides(grad, quad)
    return quad, "found", float(min(1.0, fill) * min(1.0, support / 3.0))


#: How much of its outline a plate-coloured blob must fill to be the plate.
MIN_FILL = 0.9


def _best_outline(
    candidates: list[tuple[np.ndarray, float]],
    grad: np.ndarray,
    grad_floor: float,
    *,
    around: bool = True,
) -> tuple[float, np.ndarray, float, float] | None:
    """The candidate outline most like a plate: (score, quad, support, fill), or None.

    Candidates smaller than 4 % or larger than 97 % of the photo, less than
    ``MIN_FILL`` filled, or running along the photo's border are left out. The
    score is the weakest side's edge strength (in units of ``grad_floor``)
    times the fill times the square root of the area: the plate is usually
    the largest well-outlined thing in the photo. With ``around``, an
    outline that contains the best one is preferred when its edges are at
    least half as strong.
    """
    h, w = grad.shape
    scored = []
    for quad, fill in candidates:
        area = _quad_area(quad) / (h * w)
        # a blob that fills its outline poorly is not plate-shaped: a plate's
        # blob fills 99 % of it (300 synthetic plates), and a background of
        # the plate's colour running off the photo (seed 7, synthetic-082:
        # 83 %) must not win by its size
        if not 0.04 <= area <= 0.97 or fill < MIN_FILL:
            continue
        support, inner_sides = _side_support(grad, quad)
        if inner_sides < 3:
            continue  # the outline runs along the photo's border: the plate is cut off
        support /= grad_floor
        scored.append((support * min(1.0, fill) * area**0.5, quad, support, fill, area))
    best = max(scored, key=lambda c: c[0], default=None)
    if best is not None and around:
        # Pencil lines and a pale plate's rim can outline a quad *inside* the
        # plate (from the front to the baseline): the plate is the outline
        # around it, if that one is drawn by edges at least half as strong
        # and is plate-shaped (filled to 95 %, not a background of the
        # plate's colour running off the photo: seed 7, synthetic-082).
        outer = [
            c
            for c in scored
            if c[4] > 1.1 * best[4]
            and c[3] >= 0.95
            and c[2] >= max(1.5, 0.5 * best[2])
            and _contains(c[1], best[1])
        ]
        if outer:
            best = max(outer, key=lambda c: c[4])
    return best[:4] if best is not None else None


def _contains(outer: np.ndarray, inner: np.ndarray) -> bool:
    """Whether every corner of ``inner`` lies in ``outer`` (or within 2 % of the photo of it)."""
    import cv2

    contour = _order_corners(outer).astype(np.float32).reshape(-1, 1, 2)
    margin = 0.02 * float(np.ptp(outer, axis=0).max())
    return all(
        cv2.pointPolygonTest(contour, (float(x), float(y)), True) >= -margin for x, y in inner
    )


def _sides(
    quad: np.ndarray, margin: float
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] | None:
    """Each side of an ordered ``quad``: start, vector, outward normal and 40 points along it.

    The points leave out ``margin`` (a fraction of the side) at each end,
    where sides meet. None when a side is shorter than 8 pixels.
    """
    centre = quad.mean(axis=0)
    t = np.linspace(margin, 1 - margin, 40)
    out = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = float(np.hypot(*d))
        if length < 8:
            return None
        normal = np.array([-d[1], d[0]]) / length
        if np.dot((a + b) / 2 - centre, normal) < 0:
            normal = -normal  # point outwards
        out.append((a, d, normal, a[None, :] + t[:, None] * d[None, :]))
    return out


def _snap_sides(grad: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Move each side of ``quad`` onto the strongest nearby edge parallel to it.

    An outline traced from a blob or a broken contour can stop short of the
    plate's rim (an object lying over a corner, a shadow); the rim is the
    outermost strong straight edge near the side. Offsets up to 6 % of the
    photo are tried along each side's normal.
    """
    h, w = grad.shape
    quad = _order_corners(quad)
    reach = max(3, round(0.06 * min(h, w)))
    sides = _sides(quad, 0.15)
    if sides is None:
        return quad
    lines = []
    for a, d, normal, pts in sides:
        scores = []
        for off in range(-reach, reach + 1):
            q = pts + off * normal[None, :]
            inside = (q[:, 0] >= 0) & (q[:, 0] <= w - 1) & (q[:, 1] >= 0) & (q[:, 1] <= h - 1)
            if inside.mean() < 0.8:
                scores.append(-1.0)
                continue
            xi, yi = q[inside, 0].round().astype(int), q[inside, 1].round().astype(int)
            scores.append(float(np.median(grad[yi, xi])))
        scores_a = np.array(scores)
        best = float(scores_a.max())
        # the rim is the outermost of the strong edges
        strong = np.flatnonzero(scores_a >= 0.8 * best)
        off = int(strong.max()) - reach if best > 0 else 0
        lines.append((a + off * normal, d / float(np.hypot(*d))))
    snapped = _corners_of(lines)
    if snapped is None:
        return quad
    snapped[:, 0] = np.clip(snapped[:, 0], 0, w - 1)
    snapped[:, 1] = np.clip(snapped[:, 1], 0, h - 1)
    return snapped


def _corners_of(lines: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    """Corners where four sides, each a (point, direction), meet in turn.

    None if two of them are parallel.
    """
    out = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[(i - 1) % 4], lines[i]
        m = np.array([d1, -d2]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return None
        s = np.linalg.solve(m, p2 - p1)
        out.append(p1 + s[0] * d1)
    return np.array(out)


def _quad_area(quad: np.ndarray) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


def _side_support(grad: np.ndarray, quad: np.ndarray) -> tuple[float, int]:
    """How strongly the photo has an edge along each side of ``quad``: the weakest side.

    Each side is sampled at 40 points (its ends left out), taking the largest
    gradient within 2 pixels across the side; a side's support is the median
    of those, and the quad's is that of its weakest side. Sides that run
    along the photo's own border are not counted.

    Returns
    -------
    support : float
    inner_sides : int
        How many sides were counted.
    """
    h, w = grad.shape
    frames = _sides(_order_corners(quad), 0.1)
    if frames is None:
        return 0.0, 0
    sides = []
    for _, _, normal, pts in frames:
        best = np.zeros(len(pts))
        for off in (-2, -1, 0, 1, 2):
            q = pts + off * normal[None, :]
            xi = np.clip(q[:, 0].round().astype(int), 0, w - 1)
            yi = np.clip(q[:, 1].round().astype(int), 0, h - 1)
            best = np.maximum(best, grad[yi, xi])
        # a side along the photo's own border has no edge to see: do not count it
        on_border = (
            (pts[:, 0] < 2).all()
            or (pts[:, 0] > w - 3).all()
            or (pts[:, 1] < 2).all()
            or (pts[:, 1] > h - 3).all()
        )
        if not on_border:
            sides.append(float(np.median(best)))
    return (min(sides) if sides else 0.0), len(sides)


def _edge_quads(gray: np.ndarray, grad: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Quadrilaterals traced by closed edges (Canny), largest first."""
    import cv2

    h, w = gray.shape
    # thresholds from this photo's own gradients: a pale plate on a pale table
    # has faint rims
    high = max(12.0, float(np.percentile(grad, 96)))
    edges = cv2.Canny(gray, 0.4 * high, high, L2gradient=True)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:8]:
        if cv2.contourArea(c) < 0.04 * h * w:
            break
        hull = cv2.convexHull(c)
        quad = _approx_quad(hull)
        if quad is None:
            continue
        fill = cv2.contourArea(hull) / max(_quad_area(quad), 1.0)
        out.append((quad, float(fill)))
    return out


#: The straight edges :func:`_line_quads` builds outlines from: segments at
#: least this fraction of the photo's short side, merged into one line when
#: within ``LINE_MERGE_DEG`` degrees and 1 % of the photo of each other; the
#: ``LINE_MAX`` longest lines are combined.
LINE_MIN_FRACTION = 0.05
LINE_MERGE_DEG = 3.0
LINE_MAX = 10


def _line_quads(gray: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Quadrilaterals made of the photo's longest straight edges, two across and two down.

    A plate of the background's own colour shows only by its rim, and a rim
    broken by a shadow or an object over a corner closes no contour; yet its
    four sides are still the longest straight edges in the photo. Segments
    (OpenCV's line segment detector) are merged into lines, and every pair
    of lines running across is combined with every pair running down.
    Which of these outlines is the plate is left to the caller's scoring.

    Returns
    -------
    list of ((4, 2) ndarray, float)
        Each outline's corners (x, y), ordered, and a fill of 1.0 (the sides
        are edges, not the border of a blob; the caller may measure how much
        of it is plate-coloured instead).
    """
    import itertools

    import cv2

    h, w = gray.shape
    found = cv2.createLineSegmentDetector().detect(gray)[0]
    if found is None:
        return []
    segs = found.reshape(-1, 4).astype(np.float64)
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    keep = length >= LINE_MIN_FRACTION * min(h, w)
    segs, length = segs[keep], length[keep]
    angle = np.arctan2(segs[:, 3] - segs[:, 1], segs[:, 2] - segs[:, 0]) % np.pi
    mid = (segs[:, :2] + segs[:, 2:]) / 2
    normal = np.stack([-np.sin(angle), np.cos(angle)], axis=1)
    # the longest segment seeds a line; the segments along it join it
    lines = []
    free = np.ones(len(segs), bool)
    for i in np.argsort(-length):
        if not free[i]:
            continue
        turn = np.abs((angle - angle[i] + np.pi / 2) % np.pi - np.pi / 2)
        off = np.abs((mid - mid[i]) @ normal[i])
        along = free & (turn < np.radians(LINE_MERGE_DEG)) & (off < 0.01 * max(h, w) + 2)
        free &= ~along
        direction = np.array([np.cos(angle[i]), np.sin(angle[i])])
        lines.append((float(length[along].sum()), mid[i], direction))
    lines = sorted(lines, key=lambda line: -line[0])[:LINE_MAX]
    across = [(p, d) for _, p, d in lines if abs(d[1]) < abs(d[0])]
    down = [(p, d) for _, p, d in lines if abs(d[1]) >= abs(d[0])]
    margin = 0.02 * max(h, w)
    out = []
    for (top, bottom), (right, left) in itertools.product(
        itertools.combinations(across, 2), itertools.combinations(down, 2)
    ):
        quad = _corners_of([top, right, bottom, left])
        if quad is None:
            continue
        inside = (quad >= -margin).all() and (quad[:, 0] <= w - 1 + margin).all()
        if not inside or (quad[:, 1] > h - 1 + margin).any():
            continue
        quad = _order_corners(quad)
        if cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
            out.append((quad, 1.0))
    return out


def _blob_element(shape: tuple[int, ...]) -> np.ndarray:
    # the square, 3 % of the photo, that closes a plate's spots, lines and
    # labels in a plate-coloured mask
    import cv2

    k = max(3, round(0.03 * max(shape[:2])) | 1)
    return cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))


def _closed(mask: np.ndarray) -> np.ndarray:
    # the plate-coloured mask closed as :func:`_quad_from_mask` closes it
    import cv2

    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, _blob_element(mask.shape))
    return closed.astype(bool)


def _filled(mask: np.ndarray, quad: np.ndarray) -> float:
    # the fraction of the outline ``quad`` that ``mask`` covers
    inside = _fill_quad(quad, mask.shape)
    return float(mask[inside].mean()) if inside.any() else 0.0


def _fill_quad(quad: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    mask = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(mask, quad.round().astype(np.int32), 1)
    return mask.astype(bool)


def _plate_like(small: np.ndarray, ref: np.ndarray | None = None) -> np.ndarray:
    """Pixels whose colour is that of the plate's centre, allowing for uneven light.

    Chromaticity (colour without brightness) barely changes under a light
    gradient, so it is compared directly; brightness may vary by a factor of two.
    """
    import cv2

    img = cv2.GaussianBlur(small, (0, 0), 1.5).astype(np.float32) + 1.0
    h, w = img.shape[:2]
    if ref is None:
        centre = img[int(h * 0.35) : int(h * 0.65), int(w * 0.35) : int(w * 0.65)]
        ref = np.median(centre.reshape(-1, 3), axis=0)
    else:
        ref = np.asarray(ref, np.float32) + 1.0
    total = img.sum(axis=2, keepdims=True)
    chroma = img / total
    ref_chroma = ref / ref.sum()
    d = np.linalg.norm(chroma - ref_chroma, axis=2)
    ratio = total[:, :, 0] / ref.sum()
    # a grey or white plate has little chroma to go by: rely more on brightness
    spread = float(np.abs(ref_chroma - 1 / 3).max())
    tol = 0.035 + 0.25 * spread
    return (d < tol) & (ratio > 0.5) & (ratio < 1.8)


def _bright_mask(small: np.ndarray) -> np.ndarray:
    import cv2

    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    value = cv2.GaussianBlur(hsv[:, :, 2], (0, 0), 2)
    # A plate is brighter than its background both under UV 254 (it fluoresces)
    # and in daylight (white silica): Otsu splits plate from background.
    _, mask = cv2.threshold(value, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask


def _quad_from_mask(mask: np.ndarray) -> tuple[np.ndarray, float] | None:
    """The quadrilateral outline of the largest blob of ``mask`` and how well it fills it."""
    import cv2

    h, w = mask.shape
    # Close the dark spots, pencil lines and labels inside the plate, then
    # open to cut thin bridges to plate-coloured things in the background.
    se = _blob_element(mask.shape)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, se)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, se)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    if n <= 1:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    frac = stats[best, cv2.CC_STAT_AREA] / (h * w)
    if frac < 0.04:
        return None
    blob = (labels == best).astype(np.uint8) * 255
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(contour)
    quad = _approx_quad(hull)
    if quad is None:
        return None
    quad = _refine_sides(contour[:, 0, :].astype(np.float64), quad)
    fill = cv2.contourArea(contour) / max(cv2.contourArea(quad.astype(np.float32)), 1.0)
    quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
    quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
    return quad, float(fill)


def _image_corners(w: int, h: int) -> np.ndarray:
    return np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float64)


def _approx_quad(hull: np.ndarray) -> np.ndarray | None:
    import cv2

    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08, 0.12):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx[:, 0, :].astype(np.float64)
        if len(approx) < 4:
            break
    rect = cv2.minAreaRect(hull)
    return cv2.boxPoints(rect).astype(np.float64)


def _refine_sides(contour: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Fit a straight line to each side of the outline and intersect them.

    Rounded corners and chips pull an approximated polygon's corners inwards;
    lines fitted to the middle of each side do not.
    """
    import cv2

    quad = _order_corners(quad)
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        ab = b - a
        length = np.linalg.norm(ab)
        if length < 5:
            return quad
        t = ((contour - a) @ ab) / length**2
        rel = contour - a
        dist = np.abs(ab[0] * rel[:, 1] - ab[1] * rel[:, 0]) / length
        near = (t > 0.15) & (t < 0.85) & (dist < 0.04 * length + 3)
        pts = contour[near]
        if len(pts) < 5:
            lines.append((a, ab / length))
            continue
        vx, vy, x, y = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x, y], float), np.array([vx, vy], float)))
    refined = _corners_of(lines)
    if refined is None:
        return quad
    # Keep the refinement only when it moved the corners a little.
    if np.max(np.linalg.norm(refined - quad, axis=1)) > 0.1 * np.linalg.norm(quad[2] - quad[0]):
        return quad
    return refined


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

    if plate.parts:
        # separate strips: each straightened on its own, set side by side,
        # bottoms (origins) aligned
        board = np.empty((*plate.shape, 3), np.uint8)
        board[:] = STRIP_GAP_RGB
        for part, (x0, x1) in zip(plate.parts, plate.part_spans(), strict=True):
            strip = rectify(image, part)
            board[board.shape[0] - strip.shape[0] :, x0:x1] = strip
        return board
    rows, cols = plate.shape
    src = image
    # Shrinking by more than 2x with a plain warp aliases pencil lines and
    # noise; reduce the photo first with an area filter.
    (r0, c0), (r1, c1), (r2, c2), _ = plate.corners
    span = max(np.hypot(r1 - r0, c1 - c0), np.hypot(r2 - r1, c2 - c1)) / max(rows, cols)
    factor = 1.0
    if span > 2.0:
        factor = 1.0 / (span / 1.5)
        src = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    h = plate.homography()
    if factor != 1.0:
        h = h @ np.diag([1 / factor, 1 / factor, 1.0])
    return cv2.warpPerspective(
        src, h, (cols, rows), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
