"""Finding several separate TLC strips laid side by side in one photo.

Some services cut one single-lane strip per sample (or per solvent) and
photograph the strips side by side, each with its own pencil origin and front.
Each strip is then a small plate of its own: this module finds them and
returns one :class:`tlc.plate.Plate` per strip, left to right.

How it works, on a copy of the photo at most ``WORK_SIDE`` pixels long:

1. The colours of the photo are grouped by k-means in Lab (lightness weighted
   down, so that uneven light does not split a strip); the clusters are then
   merged pairwise, closest first, so that a strip split into a lit and a
   shaded cluster is whole again in a merged mask. No colour is assumed: a
   green strip on white paper, a white strip on a dark table and a dark strip
   on a light table all stand out as a cluster of their own.
2. In every cluster mask, pencil lines across a strip are closed (vertically
   only), and regions that are clean, nearly rectangular (fill of their
   minimum-area rectangle at least ``MIN_FILL``), standing (long side within
   ``MAX_TILT_DEG`` of vertical) and not touching the photo's border are
   strip candidates.
3. Candidates of similar height and width, ends aligned along the row's own
   axis (the row may be turned), side by side without overlap, form a row;
   the longest row wins.
4. Second look: once the gaps between the row's strips give the background's
   colours, everything that is not background is a strip's, and candidates
   are looked for again in that mask (a strip of two colours, e.g. its dry
   layer above the front, was found only in part). Next to the row, a region
   two to four strips wide is cut apart where the colour changes sharply
   across it: strips laid touching or overlapping their neighbour.
5. The row is checked against what a single plate could look like: between
   neighbours, on every row of pixels, something of another colour (the
   background, even a pixel wide); above every strip the background again,
   and below it no more strip (a plate cut into pieces by lane streaks
   between its pencil lines has more plate there; pieces of an HPTLC track
   between its bands have bands there).
6. Each side of each strip is moved onto its edge in the full photo (the
   colour half-way between strip and outside, a straight line fitted
   through 24 places), and the corners are where the sides cross.

Anything that fails returns ``()``: a single plate must never be split.
When no row of standing strips is found, steps 2 to 5 are run again on the
same colour clusters turned a quarter: strips lying sideways (long side
horizontal), as when the sheet holding them was photographed turned.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tlc.plate import PX_PER_MM, Plate

#: Assumed height of the tallest strip, millimetres (a photo does not give the size).
STRIP_LONG_SIDE_MM = 75.0

#: Long side of the working copy of the photo, pixels.
WORK_SIDE = 800

#: Smallest fill of its minimum-area rectangle for a region to be a strip.
MIN_FILL = 0.85

#: Smallest long side of a strip, as a share of the photo's long side.
MIN_STRIP_SHARE = 0.10

#: Largest tilt of a strip's long side from the vertical, degrees.
MAX_TILT_DEG = 20.0

#: Largest ratio between the heights of strips in a row.
MAX_SIZE_RATIO = 1.35

#: Largest ratio between the widths of strips in a row (cut by hand, they vary more).
MAX_WIDTH_RATIO = 1.5

#: Number of colour clusters.
_K = 6

# Smallest colour difference (weighted Lab) between strips and the gaps between them.
_MIN_CONTRAST = 12.0

# Share of the rows beside two neighbouring strips on which the background
# must show between them: strips laid touching at one end still count, while
# two regions of one plate have no background between them at all.
_MIN_GAP_ROWS = 0.6

# Lightness counts less than colour: a shadow or a lamp's gradient changes L
# across one strip far more than it changes a and b.
_L_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A region that may be a strip, in the working copy of the photo."""

    centre: tuple[float, float]  # (row, col), working pixels
    height: float  # along the long side
    width: float
    fill: float
    node: int  # cluster-tree node the region came from
    corners: np.ndarray  # (4, 2) (row, col) TL TR BR BL, working pixels
    blob: int = -1  # strips cut apart from one region that held several

    @property
    def top(self) -> float:
        return float(self.corners[:2, 0].mean())

    @property
    def bottom(self) -> float:
        return float(self.corners[2:, 0].mean())

    @property
    def left(self) -> float:
        return float(self.corners[[0, 3], 1].max())

    @property
    def right(self) -> float:
        return float(self.corners[[1, 2], 1].min())

    @property
    def left_min(self) -> float:
        return float(self.corners[:, 1].min())

    @property
    def right_max(self) -> float:
        return float(self.corners[:, 1].max())


def find_strips(image: np.ndarray) -> tuple[Plate, ...]:
    """Separate strips side by side in a photo, left to right.

    Parameters
    ----------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB, as :func:`tlc.io.read_image` returns it.

    Returns
    -------
    tuple of Plate
        One plate per strip, left to right: ``corners`` top-left, top-right,
        bottom-right, bottom-left as the strip stands in the photo (long side
        vertical; which end is the origin is not decided here), or as it
        stands in the photo turned a quarter counter-clockwise for strips
        lying sideways (``rotation`` 270: top to bottom in the photo, their
        tops towards its right); ``size_mm`` on one scale for the whole
        photo such that the tallest strip is ``STRIP_LONG_SIDE_MM`` high;
        ``source="found"``. Empty when the photo
        does not show at least two separate strips side by side, and for
        anything that is not an RGB photo (nothing is raised). Strips cut
        apart where they touch have at most 0.7 confidence.
    """
    import cv2

    img = np.asarray(image)
    if img.ndim != 3 or img.shape[2] != 3 or min(img.shape[:2]) < 32:
        return ()
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    small = _shrink(img)
    lab8 = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    labels, centres = _clusters(lab8)
    groups = _tree(centres)
    row = _row_of_strips(labels, centres, groups, lab8)
    rotation = 0
    if row is None:
        # Strips lying sideways: the same search in the photo turned a quarter
        # counter-clockwise, on the same colour clusters (the strips then
        # stand; to read them, the photo is turned clockwise three quarters).
        turned = _row_of_strips(
            np.ascontiguousarray(np.rot90(labels)),
            centres,
            groups,
            np.ascontiguousarray(np.rot90(lab8)),
        )
        if turned is None:
            return ()
        # Back into the photo: turned pixel (i, j) is photo pixel (j, W - 1 - i).
        w = small.shape[1] - 1
        row = [
            dataclasses.replace(
                c,
                centre=(c.centre[1], w - c.centre[0]),
                corners=np.column_stack([c.corners[:, 1], w - c.corners[:, 0]]),
            )
            for c in turned
        ]
        rotation = 270
    return _plates(row, small.shape[:2], img, rotation=rotation)


def _row_of_strips(
    labels: np.ndarray, centres: np.ndarray, groups: list[tuple[int, ...]], lab8: np.ndarray
) -> list[_Candidate] | None:
    """The row of standing strips in the working copy (steps 2 to 5 of the
    module's description), left to right, or None."""
    cands = _candidates(labels, groups)
    row = _best_row(cands)
    if not row:
        return None
    lab = lab8.astype(np.float32)
    lab[..., 0] *= _L_WEIGHT
    if len(row) == 1:
        # One strip seen apart: the others may lie touching each other, seen
        # as one region two to four times as wide.
        wider = {c.node for c in cands if c.width > 1.6 * row[0].width}
        for node in wider:
            pieces = _split_joined(row, _mask(labels, groups[node]), lab, tag=node + 1)
            if pieces:
                row = max(row, _best_row([row[0], *pieces]), key=len)
    if len(row) < 2:
        return None
    found = _row_colours(row, lab)
    if found is None:
        return None
    # Second look: a strip of several colours (a dry layer above the front, a
    # stain that took unevenly) was only found in part, or not at all. Now
    # that the background's colours are known, a strip is all that is not
    # background.
    colours, back = found
    ref = np.vstack([*colours, back])
    fore = tuple(
        k
        for k, c in enumerate(centres)
        if int(np.argmin(np.linalg.norm(ref - c, axis=1))) < len(colours)
    )
    if 0 < len(fore) < len(centres) and fore not in groups:
        row2 = _best_row(_dedupe([*cands, *_candidates(labels, [fore])]))
        if len(row2) >= len(row):
            row = row2
    pieces = []
    if 0 < len(fore) < len(centres):
        pieces = _split_joined(row, _mask(labels, fore), lab)
    # Touching strips are also cut apart in the colours the row was found in:
    # all that is not background may cut one of them short (real sheet
    # 101862STAIN: a strip's pale, dry top was taken for background).
    for node in sorted({c.node for c in row if c.node >= 0 and groups[c.node] != fore}):
        pieces += _split_joined(row, _mask(labels, groups[node]), lab, tag=node + 1)
    if pieces:
        row3 = _best_row(_dedupe([*row, *pieces]))
        if len(row3) > len(row):
            row = row3
    if not _row_is_strips(row, lab):
        return None
    return row


def _shrink(img: np.ndarray) -> np.ndarray:
    """The photo at most ``WORK_SIDE`` pixels long, averaged (not sampled)."""
    import cv2

    rows, cols = img.shape[:2]
    f = max(rows, cols) / WORK_SIDE
    if f <= 1.0:
        return img
    size = (max(1, round(cols / f)), max(1, round(rows / f)))
    # Area averaging is fast for a factor of exactly 2 (and five times slower
    # otherwise): go to twice the target by linear sampling (no aliasing at
    # that factor), then halve.
    img = cv2.resize(img, (2 * size[0], 2 * size[1]), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


# --------------------------------------------------------------------------- #
# Colour clusters
# --------------------------------------------------------------------------- #


def _clusters(lab8: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """K-means cluster of every pixel (uint8 image) and the centres, deterministic."""
    import cv2

    h, w = lab8.shape[:2]
    step = max(1, int(math.sqrt(h * w / 4000)))
    sample = lab8[step // 2 :: step, step // 2 :: step].reshape(-1, 3).astype(np.float32)
    sample[:, 0] *= _L_WEIGHT
    # Farthest-point start: the colours far apart are the ones that matter
    # (a small but distinct strip colour must get a centre of its own).
    centres = [np.median(sample, axis=0)]
    d2 = ((sample - centres[0]) ** 2).sum(1)
    for _ in range(_K - 1):
        # The 99.5th percentile, not the max: one JPEG outlier is not a colour.
        far = int(np.argpartition(d2, int(0.995 * (len(d2) - 1)))[int(0.995 * (len(d2) - 1))])
        centres.append(sample[far])
        d2 = np.minimum(d2, ((sample - sample[far]) ** 2).sum(1))
    c = np.array(centres, np.float32)
    for _ in range(12):
        lab_s = _nearest(sample, c)
        n = np.bincount(lab_s, minlength=_K).astype(np.float32)
        new = c.copy()
        for ch in range(3):
            tot = np.bincount(lab_s, weights=sample[:, ch], minlength=_K)
            new[:, ch] = np.where(n > 0, tot / np.maximum(n, 1), c[:, ch])
        moved = float(np.abs(new - c).max())
        c = new
        if moved < 0.5:
            break
    # Every pixel through a table of 32 x 32 x 32 colour bins: a hundred times
    # faster than measuring each pixel's distance to each centre.
    q = np.arange(32, dtype=np.float32) * 8 + 3.5
    grid = np.stack(np.meshgrid(q * _L_WEIGHT, q, q, indexing="ij"), axis=-1).reshape(-1, 3)
    table = _nearest(grid, c)
    q8 = (lab8 >> 3).astype(np.uint16)
    idx = (q8[..., 0] << 10) | (q8[..., 1] << 5) | q8[..., 2]
    del cv2
    return table[idx], c


def _nearest(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    # Channel by channel (no BLAS call: its threads cost more than the work).
    cols = [np.ascontiguousarray(x[:, ch]) for ch in range(3)]
    best = np.full(len(x), np.inf, np.float32)
    out = np.zeros(len(x), np.uint8)
    for k in range(len(c)):
        d = (cols[0] - c[k, 0]) ** 2 + (cols[1] - c[k, 1]) ** 2 + (cols[2] - c[k, 2]) ** 2
        better = d < best
        best[better] = d[better]
        out[better] = k
    return out


def _tree(centres: np.ndarray) -> list[tuple[int, ...]]:
    """Cluster sets to try: every cluster, then merges of the closest, up to 3."""
    groups = [(k,) for k in range(len(centres))]
    nodes = list(groups)
    live = [list(g) for g in groups]
    while len(live) > 3:
        best = None
        for i in range(len(live)):
            for j in range(i + 1, len(live)):
                a = centres[live[i]].mean(0)
                b = centres[live[j]].mean(0)
                d = float(np.linalg.norm(a - b))
                if best is None or d < best[0]:
                    best = (d, i, j)
        assert best is not None
        _, i, j = best
        merged = live[i] + live[j]
        live = [g for t, g in enumerate(live) if t not in (i, j)] + [merged]
        nodes.append(tuple(sorted(merged)))
    return nodes


# --------------------------------------------------------------------------- #
# Candidates
# --------------------------------------------------------------------------- #


def _candidates(labels: np.ndarray, groups: list[tuple[int, ...]]) -> list[_Candidate]:
    """Clean, nearly rectangular, standing regions of one colour cluster or of a
    group of them (``groups``: cluster indices per mask)."""
    import cv2

    h, w = labels.shape
    # Photographed to be read, strips fill a good part of the photo (real
    # sheets: their long side 13 % of the photo's or more). The bands of an
    # HPTLC track, seen turned a quarter, look like a row of strips 4-5 % of it.
    min_h = max(0.08 * min(h, w), MIN_STRIP_SHARE * max(h, w))
    counts = np.bincount(labels.ravel(), minlength=max(max(g) for g in groups) + 1)
    out: list[_Candidate] = []
    for node, members in enumerate(groups):
        share = counts[list(members)].sum() / (h * w)
        if not 0.004 <= share <= 0.9:
            continue
        mask = _mask(labels, members)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for cnt in contours:
            if len(cnt) < 2 * min_h:
                continue  # too small to go round a strip
            x, y, bw, bh = cv2.boundingRect(cnt)
            if bh < min_h or bw < 3 or bh < 1.2 * bw or bh > 15 * bw:
                continue
            if x <= 0 or y <= 0 or x + bw >= w - 1 or y + bh >= h:
                continue
            cand = _rect_candidate(cnt, node)
            if cand is not None:
                out.append(cand)
    return _dedupe(out)


def _mask(labels: np.ndarray, members: tuple[int, ...]) -> np.ndarray:
    """The pixels of some clusters, cleaned for finding strips in (uint8 0/1)."""
    import cv2

    h, w = labels.shape
    lut = np.zeros(256, np.uint8)
    lut[list(members)] = 1
    mask = cv2.LUT(labels, lut)
    # Pencil lines drawn across a strip (origin, front) cut it in pieces:
    # close them with a vertical kernel, which never bridges the gap
    # between two strips side by side.
    k = max(3, round(0.012 * min(h, w))) | 1
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8))
    # Strips touching at a corner are joined by a bridge a pixel or two
    # wide: an opening cuts it (and leaves a rectangle whole).
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    # A pixel stays only if its right neighbour is in the mask too: a gap one
    # pixel wide that wanders by a column from row to row becomes two pixels
    # wide, so that contours (8-connected) do not jump across it.
    return cv2.erode(
        mask,
        np.ones((1, 2), np.uint8),
        anchor=(0, 0),
        borderType=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


def _rect_frame(cnt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, float]:
    """A region's minimum-area rectangle: centre, unit vectors down (long side)
    and right as (x, y), height, width (pixels) and the fill of the rectangle."""
    import cv2

    # The contour runs through the centres of the border pixels: the region
    # reaches half a pixel further, and one more pixel on the right (the
    # erosion in _mask took it). Holes (spots, labels) count as filled.
    filled = float(cv2.contourArea(cnt)) + 0.5 * len(cnt) + 1.0
    (cx, cy), (rw, rh), ang = cv2.minAreaRect(cnt)
    rw += 1.0
    rh += 1.0
    fill = filled / max(rw * rh, 1.0)
    t = math.radians(ang)
    e1 = np.array([math.cos(t), math.sin(t)])  # (x, y) along the rect's "width"
    e2 = np.array([-math.sin(t), math.cos(t)])
    if rw >= rh:
        down, height, width = e1, rw, rh
    else:
        down, height, width = e2, rh, rw
    if down[1] < 0:
        down = -down
    right = np.array([down[1], -down[0]])  # down turned counter-clockwise: points right
    centre = np.array([cx, cy]) + 0.5 * right
    return centre, down, right, height, width + 1.0, fill


def _quad(
    centre: np.ndarray, down: np.ndarray, right: np.ndarray, height: float, width: float
) -> np.ndarray:
    """Corners (row, col), TL TR BR BL, of a rectangle given in (x, y)."""
    hh, hw = height / 2, width / 2
    pts = [
        centre - down * hh - right * hw,
        centre - down * hh + right * hw,
        centre + down * hh + right * hw,
        centre + down * hh - right * hw,
    ]
    return np.array([[p[1], p[0]] for p in pts])


def _rect_candidate(cnt: np.ndarray, node: int) -> _Candidate | None:
    centre, down, right, height, width, fill = _rect_frame(cnt)
    if fill < MIN_FILL:
        return None
    tilt = math.atan2(down[0], down[1])  # 0 = vertical
    if abs(math.degrees(tilt)) > MAX_TILT_DEG or height < 1.5 * width:
        return None
    return _Candidate(
        centre=(float(centre[1]), float(centre[0])),
        height=float(height),
        width=float(width),
        fill=float(fill),
        node=node,
        corners=_quad(centre, down, right, height, width),
    )


def _split_joined(
    row: list[_Candidate], mask: np.ndarray, lab: np.ndarray, tag: int = 0
) -> list[_Candidate]:
    """Strips touching (or overlapping) their neighbour, cut apart.

    Only next to strips already found (``row``): a region of ``mask`` (from
    :func:`_mask`) as high as they are and two to four of them wide is cut where
    the colour changes most sharply across it (the edge, and often the
    shadow, of the upper strip), near where the strip widths put the cuts.
    Without a clear edge there, the region is left whole. Pieces of one
    region share ``blob`` (``tag`` keeps regions of different masks apart).
    """
    import cv2

    wide = float(np.median([c.width for c in row]))
    high = float(np.median([c.height for c in row]))
    row_down = np.mean([c.corners[3] - c.corners[0] for c in row], axis=0)
    row_down = row_down[::-1] / np.linalg.norm(row_down)  # as (x, y)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    out: list[_Candidate] = []
    for blob, cnt in enumerate(contours):
        _, _, bw, bh = cv2.boundingRect(cnt)
        if bh < high / MAX_SIZE_RATIO or bw < 1.5 * wide:
            continue
        centre, down, right, height, width, fill = _rect_frame(cnt)
        k = round(width / wide)
        # Strips overlapping at an angle fill their common rectangle less.
        if not (high / MAX_SIZE_RATIO <= height <= high * MAX_SIZE_RATIO) or fill < 0.7:
            continue
        if not 2 <= k <= 4 or abs(width / wide - k) > 0.35:
            continue
        if abs(down[0] * row_down[1] - down[1] * row_down[0]) > math.sin(math.radians(8)):
            continue
        # The region straightened: u across (columns), v along (rows).
        cw, ch = math.ceil(width), math.ceil(height)
        tl = centre - down * height / 2 - right * width / 2 + 0.5 * (down + right)
        m = np.array([[right[0], down[0], tl[0]], [right[1], down[1], tl[1]]], np.float32)
        flags = cv2.WARP_INVERSE_MAP
        crop_m = cv2.warpAffine(mask, m, (cw, ch), flags=cv2.INTER_NEAREST | flags)
        crop_l = cv2.warpAffine(lab, m, (cw, ch), flags=cv2.INTER_LINEAR | flags)
        seams = _seams(crop_l, k, width, wide)
        if seams is None:
            continue
        uu = np.broadcast_to(np.arange(cw, dtype=np.float32), (ch, cw))
        sliver = np.ones((1, max(3, round(0.3 * wide))), np.uint8)
        bounds = [np.full(ch, -1.0), *(np.polyval(f, np.arange(ch)) for f in seams)]
        bounds.append(np.full(ch, cw + 1.0))
        pieces = []
        for lo_u, hi_u in itertools.pairwise(bounds):
            piece = crop_m * ((uu > lo_u[:, None]) & (uu < hi_u[:, None])).astype(np.uint8)
            # A sliver of the neighbour on this side of the cut (the corner of
            # a strip lying over this one) is thinner than a strip: open it
            # away, once spots are filled (they would thin the strip too).
            cnts, _ = cv2.findContours(piece, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            cv2.drawContours(piece, cnts, -1, 1, thickness=cv2.FILLED)
            piece = cv2.morphologyEx(piece, cv2.MORPH_OPEN, sliver)
            cnts, _ = cv2.findContours(piece, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            if not cnts:
                break
            # Each strip's own rectangle: its tilt may differ from its neighbour's.
            p_ctr, p_down, _, p_h, p_w, p_fill = _rect_frame(max(cnts, key=cv2.contourArea))
            if p_fill < 0.7 or p_w < 3:
                break
            # Back from the straightened region into the photo.
            ctr = m[:, :2] @ p_ctr + m[:, 2]
            d_img = m[:, :2] @ p_down
            if d_img[1] < 0:
                d_img = -d_img
            r_img = np.array([d_img[1], -d_img[0]])
            pieces.append(
                _Candidate(
                    centre=(float(ctr[1]), float(ctr[0])),
                    height=float(p_h),
                    width=float(p_w),
                    fill=float(p_fill),
                    node=-1,
                    corners=_quad(ctr, d_img, r_img, p_h, p_w),
                    blob=tag * 100_000 + blob,
                )
            )
        if len(pieces) == k:
            out.extend(pieces)
    return out


def _seams(crop: np.ndarray, k: int, width: float, wide: float) -> list[np.ndarray] | None:
    """Where a straightened region of ``k`` touching strips is cut: one line
    ``u = a + b v`` per seam (``numpy.polyfit`` order), or None if one of the
    seams does not show as a sharp change of colour along most of its length."""
    ch = crop.shape[0]
    grad = np.linalg.norm(np.diff(crop, axis=1), axis=2)  # between u and u + 1
    rows = np.arange(int(0.1 * ch), int(0.9 * ch))
    base = float(np.median(grad[rows]))
    out = []
    for i in range(1, k):
        lo = max(1, round(i * width / k - 0.3 * wide))
        hi = min(grad.shape[1] - 1, round(i * width / k + 0.3 * wide))
        if hi - lo < 3:
            return None
        band = grad[rows, lo:hi]
        u = lo + np.argmax(band, axis=1) + 1.0
        strong = band.max(axis=1) >= max(2.0 * base, 3.0)
        if strong.mean() < 0.5:
            return None
        ok = strong.copy()
        fit = np.polyfit(rows[ok], u[ok], 1)
        for _ in range(2):
            ok = strong & (np.abs(np.polyval(fit, rows) - u) < max(2.0, 0.12 * wide))
            if ok.sum() < 0.5 * len(rows):
                return None
            fit = np.polyfit(rows[ok], u[ok], 1)
        out.append(fit)
    return out


def _dedupe(cands: list[_Candidate]) -> list[_Candidate]:
    """One candidate per place: the same strip is found in several cluster masks.

    The largest clean one is kept: a strip of two colours is found whole in
    the merged mask and in part in each colour's (a larger region that is
    much less clean, a strip with the box line beside it, loses).
    """
    cands = sorted(cands, key=lambda c: -c.height * c.width * c.fill**4)
    kept: list[_Candidate] = []
    for c in cands:
        if any(
            abs(c.centre[0] - k.centre[0]) < 0.25 * k.height
            and abs(c.centre[1] - k.centre[1]) < 0.5 * k.width
            for k in kept
        ):
            continue
        kept.append(c)
    return kept


# --------------------------------------------------------------------------- #
# Rows
# --------------------------------------------------------------------------- #


def _frame(a: _Candidate, b: _Candidate) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors (row, col) down and right along the pair's mean long axis."""
    down = a.corners[3] - a.corners[0] + b.corners[3] - b.corners[0]
    down = down / np.linalg.norm(down)
    return down, np.array([-down[1], down[0]])


def _compatible(a: _Candidate, b: _Candidate) -> bool:
    """Two strips that could lie in one row: similar sizes, ends aligned (the
    row may be turned as a whole)."""
    if max(a.height, b.height) > MAX_SIZE_RATIO * min(a.height, b.height):
        return False
    if max(a.width, b.width) > MAX_WIDTH_RATIO * min(a.width, b.width):
        return False
    h = min(a.height, b.height)
    down, _ = _frame(a, b)
    ta, tb = a.corners[:2].mean(0) @ down, b.corners[:2].mean(0) @ down
    ba, bb = a.corners[2:].mean(0) @ down, b.corners[2:].mean(0) @ down
    if abs(ta - tb) > 0.3 * h:
        return False
    return min(ba, bb) - max(ta, tb) >= 0.65 * h


def _apart(a: _Candidate, b: _Candidate) -> bool:
    """Whether b lies right of a without overlapping it (slack: the larger of
    1.5 pixels and 5 % of a strip's width, for rough edges)."""
    down, right = _frame(a, b)
    # a's right side and b's left side, as (along, across) end points.
    ea = np.array([[p @ down, p @ right] for p in (a.corners[1], a.corners[2])])
    eb = np.array([[p @ down, p @ right] for p in (b.corners[0], b.corners[3])])
    lo, hi = max(ea[0, 0], eb[0, 0]), min(ea[1, 0], eb[1, 0])
    if hi <= lo:
        return False
    for s in (lo, hi):
        xa = np.interp(s, ea[:, 0], ea[:, 1])
        xb = np.interp(s, eb[:, 0], eb[:, 1])
        if xb - xa < -max(1.5, 0.05 * min(a.width, b.width)):
            return False
    return True


def _best_row(cands: list[_Candidate]) -> list[_Candidate]:
    """The longest chain of compatible candidates, left to right, not overlapping."""
    if not cands:
        return []
    cands = sorted(cands, key=lambda c: c.centre[1])
    n = len(cands)
    best: list[list[_Candidate]] = [[c] for c in cands]
    for j in range(n):
        for i in range(j):
            a, b = cands[i], cands[j]
            chain = best[i]
            # Gap: at most the room of two missing strips (empty boxes).
            if b.centre[1] - a.centre[1] > 3.6 * max(a.width, b.width):
                continue
            # Strips cut apart where they touch or overlap share their seam.
            joined = a.blob >= 0 and a.blob == b.blob
            if joined and b.centre[1] - a.centre[1] < 0.6 * min(a.width, b.width):
                continue
            if not (joined or _apart(a, b)) or not all(_compatible(c, b) for c in chain):
                continue
            if len(chain) + 1 > len(best[j]) or (
                len(chain) + 1 == len(best[j])
                and sum(c.fill for c in chain) + b.fill > sum(c.fill for c in best[j])
            ):
                best[j] = [*chain, b]
    return max(best, key=lambda r: (len(r), sum(c.fill for c in r)))


def _row_colours(
    row: list[_Candidate], lab: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray] | None:
    """The strips' colours and the background's, or None if the strips are not
    separated by background (of another colour than theirs) on every row."""
    h, w = lab.shape[:2]
    colours = []
    for c in row:
        # The strip's colour: its middle, away from its edges.
        ctr = c.corners.mean(0)
        core = ctr + 0.6 * (c.corners - ctr)
        pix = _in_quad(lab, core)
        if len(pix) == 0:
            return None
        colours.append(np.median(pix, axis=0))

    # Between neighbours, on every row: something of another colour than the
    # strips (the background), even if only a pixel wide.
    gaps: list[np.ndarray | None] = []
    thirds: list[np.ndarray] = []
    for i, (a, b) in enumerate(itertools.pairwise(row)):
        if a.blob >= 0 and a.blob == b.blob:
            gaps.append(None)  # cut apart where they touch: no gap to see
            continue
        t, bt = max(a.top, b.top), min(a.bottom, b.bottom)
        r_lo, r_hi = max(0, int(t + 0.05 * (bt - t))), min(h, int(bt - 0.05 * (bt - t)))
        c_lo = max(0, math.floor(min(a.right, b.left_min)) - 1)
        c_hi = min(w, math.ceil(max(a.right_max, b.left)) + 2)
        zone = lab[r_lo:r_hi, c_lo:c_hi]
        if zone.size == 0:
            return None
        ref = 0.5 * (colours[i] + colours[i + 1])
        d = np.linalg.norm(zone - ref, axis=2)
        far = np.argmax(d, axis=1)
        per_row = zone[np.arange(len(zone)), far]
        gap = np.median(per_row, axis=0)
        # The background may change along the strips (a sheet's edge, a
        # lamp's shadow): its colour in each third of the gap counts too.
        thirds.extend(np.median(part, axis=0) for part in np.array_split(per_row, 3))
        contrast = float(np.linalg.norm(gap - ref))
        if contrast < _MIN_CONTRAST or (d.max(axis=1) > 0.5 * contrast).mean() < _MIN_GAP_ROWS:
            return None
        gaps.append(gap)
    for i, col in enumerate(colours):
        near = [g for j, g in enumerate(gaps) if j in (i - 1, i) and g is not None]
        if not near:
            continue
        d = min(float(np.linalg.norm(col - g)) for g in near)
        if d < _MIN_CONTRAST:
            return None

    # Beside the outermost strips: background too (its colour may differ
    # from the gaps', e.g. the sheet's edge or the table).
    backs = [g for g in gaps if g is not None] + thirds
    for c, side in ((row[0], -1.0), (row[-1], 1.0)):
        across = c.corners[1] - c.corners[0]
        across = across / np.linalg.norm(across) * side
        p, q = (c.corners[0], c.corners[3]) if side < 0 else (c.corners[1], c.corners[2])
        off1, off2 = across * 2.0, across * (2.0 + 0.5 * c.width)
        pix = _in_quad(lab, np.array([p + off1, p + off2, q + off2, q + off1]))
        if len(pix) >= 10:
            backs.append(np.median(pix, axis=0))
    return colours, np.array(backs)


def _row_is_strips(row: list[_Candidate], lab: np.ndarray) -> bool:
    """Whether the row is separate strips and not one plate cut up by its own marks."""
    found = _row_colours(row, lab)
    if found is None:
        return False
    colours, back = found

    # Above every strip: the background again, and below it no more strip. A
    # plate cut into pieces by lane streaks between its pencil lines has more
    # plate there, and the pieces of an HPTLC track between its bands have
    # bands there.
    for c, col in zip(row, colours, strict=True):
        down = c.corners[3] - c.corners[0]
        down = down / np.linalg.norm(down)
        band_h = max(3.0, 0.12 * c.height)
        d_sb = np.linalg.norm(back - col, axis=1)
        for p, q, sign in ((c.corners[0], c.corners[1], -1.0), (c.corners[3], c.corners[2], 1.0)):
            off1 = down * sign * 2.0
            off2 = down * sign * (2.0 + band_h)
            pix = _in_quad(lab, np.array([p + off1, q + off1, q + off2, p + off2]))
            if len(pix) < 3:
                continue  # off the photo
            d_b = np.linalg.norm(pix[:, None, :] - back[None], axis=2)
            k = np.argmin(d_b, axis=1)
            d_near = d_b[np.arange(len(pix)), k]
            d_s = np.linalg.norm(pix - col, axis=1)
            if sign < 0:
                like = float(((d_near < d_s) & (d_near < 0.5 * d_sb[k])).mean())
                if like < 0.5:
                    return False
            else:
                # A strip's foot may reach past the sheet onto the table: below
                # it, anything but more strip will do.
                near_s = float((d_s < 0.5 * d_sb.min()).mean())
                if near_s > 0.4:
                    return False
    return True


def _in_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Pixels of ``img`` inside a convex quadrilateral of (row, col) points, (N, C)."""
    import cv2

    h, w = img.shape[:2]
    r0 = max(0, math.floor(quad[:, 0].min()))
    r1 = min(h, math.ceil(quad[:, 0].max()) + 1)
    c0 = max(0, math.floor(quad[:, 1].min()))
    c1 = min(w, math.ceil(quad[:, 1].max()) + 1)
    if r1 <= r0 or c1 <= c0:
        return img[:0, :0].reshape(0, img.shape[2])
    m = np.zeros((r1 - r0, c1 - c0), np.uint8)
    pts = np.round(quad[:, ::-1] - [c0, r0]).astype(np.int32)
    cv2.fillConvexPoly(m, pts, 1)
    return img[r0:r1, c0:c1][m.astype(bool)]


# --------------------------------------------------------------------------- #
# Output
# --------------------------------------------------------------------------- #


def _plates(
    row: list[_Candidate], small_shape: tuple[int, ...], img: np.ndarray, *, rotation: int = 0
) -> tuple[Plate, ...]:
    sy = img.shape[0] / small_shape[0]
    sx = img.shape[1] / small_shape[1]
    full: list[np.ndarray] = []
    for c in row:
        # Pixel centres: working pixel r covers full pixels [r*s, (r+1)*s).
        pts = np.column_stack(
            [(c.corners[:, 0] + 0.5) * sy - 0.5, (c.corners[:, 1] + 0.5) * sx - 0.5]
        )
        full.append(_refine(img, pts, max(sy, sx)))
    heights = [0.5 * (_dist(p[0], p[3]) + _dist(p[1], p[2])) for p in full]
    widths = [0.5 * (_dist(p[0], p[1]) + _dist(p[3], p[2])) for p in full]
    mm_per_px = STRIP_LONG_SIDE_MM / max(heights)
    out = []
    for c, p, hh, ww in zip(row, full, heights, widths, strict=True):
        conf = 0.5 + 0.5 * float(np.clip((c.fill - MIN_FILL) / (0.97 - MIN_FILL), 0, 1))
        if c.blob >= 0:
            conf *= 0.7  # cut from a region of touching strips: less sure
        out.append(
            Plate(
                corners=tuple((float(r), float(q)) for r, q in p),
                size_mm=(hh * mm_per_px, ww * mm_per_px),
                px_per_mm=PX_PER_MM,
                rotation=rotation,
                source="found",
                confidence=conf,
                flags=(),
            )
        )
    return tuple(out)


def _refine(img: np.ndarray, corners: np.ndarray, scale: float) -> np.ndarray:
    """Corners of a strip moved onto its edges as seen in the full photo.

    Each side is sampled across at 24 places; where the colour is half-way
    between the strip's and the outside's is the edge there. A straight line
    through those points (outliers, e.g. a spot touching the side, dropped)
    is the side, and neighbouring sides cross at the corners. A side whose
    edge is not clear keeps its first estimate.
    """
    import cv2

    ctr = corners.mean(0)
    core = _in_quad(img, ctr + 0.6 * (corners - ctr)).astype(np.float32)
    if len(core) == 0:
        return corners
    inner = np.median(core, axis=0)
    reach = max(3.0, 2.5 * scale)
    offsets = np.arange(-reach, reach + 0.01, 0.25)
    ts = np.linspace(0.12, 0.88, 24)
    lines = []
    for k in range(4):
        p0, p1 = corners[k], corners[(k + 1) % 4]
        along = p1 - p0
        normal = np.array([along[1], -along[0]]) / np.linalg.norm(along)
        if (p0 - ctr) @ normal < 0:
            normal = -normal
        pts = p0 + ts[:, None, None] * along + offsets[None, :, None] * normal
        prof = cv2.remap(
            img,
            pts[..., 1].astype(np.float32),
            pts[..., 0].astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        ).astype(np.float32)
        outer = np.median(prof[:, -6:], axis=1)
        span = outer - inner
        norm2 = (span * span).sum(1)
        u = ((prof - inner) * span[:, None, :]).sum(2) / np.maximum(norm2, 1e-6)[:, None]
        # The first sample, from the inside out, past half-way to the outside.
        above = u >= 0.5
        i = np.argmax(above, axis=1)
        valid = above.any(axis=1) & (i > 0) & (norm2 >= 15.0**2)
        i = np.maximum(i, 1)
        rows_i = np.arange(len(ts))
        a, b = u[rows_i, i - 1], u[rows_i, i]
        shift = offsets[i - 1] + (0.5 - a) / np.maximum(b - a, 1e-6) * 0.25
        shift[~valid] = np.nan
        ok = np.isfinite(shift)
        fit = None
        for _ in range(2):
            if ok.sum() < 8:
                fit = None
                break
            fit = np.polyfit(ts[ok], shift[ok], 1)
            resid = np.abs(np.polyval(fit, ts) - shift)
            ok &= np.nan_to_num(resid, nan=np.inf) < max(0.75, 0.4 * scale)
        if fit is None or np.abs(np.polyval(fit, [0.0, 1.0])).max() > 2.0 * scale + 1.0:
            fit = np.zeros(2)
        q0 = p0 + np.polyval(fit, 0.0) * normal
        q1 = p1 + np.polyval(fit, 1.0) * normal
        lines.append((q0, q1))
    out = []
    for k in range(4):
        out.append(_cross(lines[(k - 1) % 4], lines[k]))
    return np.array(out)


def _cross(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Where two lines, each through two points, cross."""
    p, r = l1[0], l1[1] - l1[0]
    q, s = l2[0], l2[1] - l2[0]
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-9:
        return l2[0]
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / den
    return p + t * r


def _dist(a: Any, b: Any) -> float:
    return float(math.hypot(a[0] - b[0], a[1] - b[1]))
