"""The baseline (origin) and the solvent front, measured across the plate."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tlc._types import get, r2
from tlc.contrast import profile_noise


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
    def level(cls, baseline_row: float, front_row: float, width: float, **kwargs: Any) -> Lines:
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
        baseline_mm = r2(self.baseline_row / px_per_mm)
        front_mm = r2(self.front_row / px_per_mm)
        return {
            "baseline_mm": baseline_mm,
            "front_mm": front_mm,
            # from the rounded values, so that a saved result reads back the same
            "run_mm": r2((baseline_mm or 0.0) - (front_mm or 0.0)),
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


#: Rows within this distance (mm) of the plate's top and bottom edges are not searched.
EDGE_MM = 1.5

#: Lines found with less confidence than this are taken as not found.
MIN_LINE_CONFIDENCE = 0.35

#: Confidence x signal-to-noise ratio below which a "line" is paper texture or a
#: shadow, not a drawn line: drawn lines score 40 to 2000 on phone photos, a
#: faint unmarked front 10 to 20, the baseline of a small, blurred and noisy
#: synthetic plate 8.3, texture and shadows on blank paper 4 to 7.
MIN_LINE_EVIDENCE = 8.0

#: How far (mm) from the height of the other strips' baselines a short origin
#: mark is sought on a strip whose baseline was not seen across it. Strips of
#: one photo are cut and marked alike: on the real TLC_imageprocessing sheets
#: the baselines read well lie within about 2 mm of their sheet's median (most
#: within 1.5 mm).
BASELINE_NEAR_MM = 2.5

#: Signal-to-noise ratio such a mark needs: what a line seen across a third of
#: the plate needs (MIN_LINE_EVIDENCE / MIN_LINE_CONFIDENCE, about 23). The
#: ticks and stubs of real strips score 58 to 600.
MIN_MARK_SNR = 25.0

#: The same for the pale line of a front that was not marked (8 to 240 seen;
#: the texture of a paper mock-up with only one line drawn, real photo
#: rf_calculator/only_sf.jpg, scores 6.5).
MIN_PALE_EVIDENCE = 7.0

#: The same for a front seen only as a change of tint: 11 to 90 on synthetic
#: plates; the top edge of a paper mock-up with no front (real photo
#: rf_calculator/only_bl.jpg) scores 9.
MIN_TINT_EVIDENCE = 10.0

#: Length (mm) of the stretch of line over which its own darkness is estimated.
LINE_WINDOW_MM = 12.0

#: Column step of that estimate (pixels); it is interpolated in between.
STEP = 4

#: Depth (mm) below the front over which a band spanning the plate is taken out.
FRONT_BAND_MM = 6.0

#: The baseline is sought in this lowest fraction of the plate's height. The
#: origin is drawn near the bottom, above the solvent in the tank (about 1 cm
#: deep): 8-19 % of the height on the synthetic plates, at most 25 % on the
#: real photos read right. A wider search (45 %) took the top of a band of
#: glowing streaks, 44 % up, for the baseline of the real hello5.jpg (its
#: origin, a row of dots at the bottom, has no pencil line), and band edges
#: 32-41 % up for the baselines of four cropped HPTLC photos. Measured: the
#: 300 synthetic plates and the real photos' scores do not change; those five
#: photos' lane counts all move towards the truth.
BASELINE_REACH = 0.35

#: Lines are not sought within this distance (mm) of the plate's top and bottom edges.
LINE_EDGE_MM = 2.5

#: Columns within this distance (mm) of the plate's sides are not used.
SIDE_MM = 3.0

#: Thickest pencil line, in mm; thicker horizontal structures are spots or bands.
LINE_MM = 1.2

#: With ``above_floor``, the rows counted among a band's strongest score at
#: least this fraction of the best above the band's median score.
ABOVE_FLOOR = 0.7

#: ...and the baseline so found replaces the first one only within this
#: distance above it (mm): the height of the labels written under it.
ABOVE_FLOOR_REACH_MM = 6.0


def parse_position(text: str, *, plate_height_mm: float) -> float:
    """Turn ``--baseline``/``--front`` text into mm from the plate's bottom edge.

    Parameters
    ----------
    text : str
        A fraction of the plate height from the bottom (``"0.1"``), a
        percentage (``"10%"``) or millimetres from the bottom (``"8mm"``).
    plate_height_mm : float

    Returns
    -------
    float
        Millimetres from the bottom edge.

    Raises
    ------
    LayoutError
        If the text is not a number, or lies outside the plate.
    """
    from tlc.errors import LayoutError

    t = str(text).strip().lower().replace(",", ".")
    try:
        if t.endswith("mm"):
            mm = float(t[:-2])
        elif t.endswith("%"):
            mm = float(t[:-1]) / 100 * plate_height_mm
        else:
            value = float(t)
            if value > 1:
                msg = (
                    f"{text!r}: a bare number is a fraction of the plate height (0 to 1); "
                    "write millimetres as e.g. '8mm'"
                )
                raise LayoutError(msg)
            mm = value * plate_height_mm
    except ValueError as exc:
        msg = f"{text!r} is not a position: give a fraction (0.1), a percentage (10%) or mm (8mm)"
        raise LayoutError(msg) from exc
    if not 0 <= mm <= plate_height_mm:
        msg = f"{text!r} lies outside the plate (height {plate_height_mm:.0f} mm)"
        raise LayoutError(msg)
    return mm


def find_lines(
    plate_image: np.ndarray,
    *,
    px_per_mm: float,
    mode: str,
    baseline: float | None = None,
    front: float | None = None,
    contrast_map: np.ndarray | None = None,
    above_floor: bool = False,
    baseline_near: float | None = None,
) -> Lines:
    """Find the baseline (origin) and the solvent front on a rectified plate.

    The baseline is a pencil line in the lower part of the plate. The front
    is a pencil line in the upper part or, when none was drawn, the visible
    edge where the wetted plate changes brightness or hue. Both are measured
    in vertical strips across the plate and fitted with a straight line, so a
    line drawn at a slant is followed.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
        The rectified plate, upright, RGB.
    px_per_mm : float
        Scale of ``plate_image``.
    mode : {"uv254", "stain", "uv365"}
    baseline, front : float, optional
        Rows given by the user; they replace detection.
    contrast_map : (H, W) ndarray of float32, optional
        The dark-feature contrast map, when already computed.
    above_floor : bool
        Among the strongest rows of the baseline's band, count only those
        that stand ``ABOVE_FLOOR`` of the way from the band's median score to
        the best; the baseline is the lowest of them, and is kept only when
        it is at least as clearly a line as without this and lies at most
        ``ABOVE_FLOOR_REACH_MM`` above. A blurred pencil baseline then no
        longer loses to the row of labels just under it.
    baseline_near : float, optional
        Row where the baseline is expected: on a strip of a row, where the
        other strips' baselines lie. The baseline is then sought only within
        ``BASELINE_NEAR_MM`` of it, and when no line is seen across the
        plate there, a short dark mark with a signal-to-noise ratio of
        ``MIN_MARK_SNR`` at least is taken for the origin, level: on a strip
        one lane wide the origin is often a tick where the sample was
        spotted, or a line hidden under the spot but for its ends. Either
        way the lines are flagged ``baseline_from_row``.

    Returns
    -------
    Lines

    Raises
    ------
    LinesNotFound
        If the baseline or the front cannot be found and was not given
        (:class:`~tlc.errors.FrontNotFound` when the baseline was found and
        only the front is missing).
    """
    from tlc import contrast as cm
    from tlc.errors import FrontNotFound, LinesNotFound

    h, w = plate_image.shape[:2]
    flags: list[str] = []
    dark = (
        contrast_map
        if contrast_map is not None
        else cm.contrast(plate_image, mode=mode, px_per_mm=px_per_mm, bright=False)
    )
    if mode == "uv365":
        # Pencil is dark on any plate, but a UV 365 plate is dark itself: use the
        # dark-feature map all the same, it is what pencil changes.
        dark = cm.contrast(plate_image, mode="stain", px_per_mm=px_per_mm, bright=False)
    strips = _strip_edges(w, px_per_mm)
    resp = _line_response(dark, px_per_mm=px_per_mm, strips=strips)

    # The plate's own top and bottom edges look like lines; a pencil line is
    # never drawn closer than a few millimetres to them.
    ends = max(2, round(LINE_EDGE_MM * px_per_mm))
    conf = []
    if baseline is None:
        lo, hi = int(h * (1 - BASELINE_REACH)), h - ends
        if baseline_near is not None:
            reach = BASELINE_NEAR_MM * px_per_mm
            lo = max(lo, round(baseline_near - reach))
            hi = min(hi, round(baseline_near + reach) + 1)
        fit = _fit_line(resp, strips, lo, hi, px_per_mm=px_per_mm, prefer="low")
        found = fit
        if above_floor:
            found = _above_floor(fit, resp, strips, lo, hi, px_per_mm=px_per_mm)
        # A line seen in under a third of the plate, or wandering, is not a
        # drawn baseline; measuring Rf against it would be guessing.
        mark = None
        if (found is None or not found.clear(MIN_LINE_EVIDENCE)) and baseline_near is not None:
            mark = _origin_mark(fit, lo, hi)
        if baseline_near is not None:
            flags.append("baseline_from_row")
        if mark is not None:
            base_cols, base_rows = np.array([0.0, w - 1.0]), np.array([mark, mark])
            base_conf = MIN_LINE_CONFIDENCE
        elif found is None or not found.clear(MIN_LINE_EVIDENCE):
            msg = (
                "no baseline (origin line) was found; draw it in pencil before spotting, "
                "or pass --baseline (fraction of the plate height from the bottom, or mm)"
            )
            raise LinesNotFound(msg)
        else:
            base_cols, base_rows, base_conf, _ = found
            if base_conf < 0.5:
                flags.append("baseline_uncertain")
        baseline_source = "pencil"
        conf.append(base_conf)
    else:
        base_cols, base_rows = np.array([0.0, w - 1.0]), np.array([baseline, baseline])
        baseline_source = "given"
        flags.append("baseline_given")
    base_top = float(np.min(base_rows))

    if front is None:
        lo, hi = ends, int(min(base_top - 10 * px_per_mm, h * 0.6))
        if hi - lo < 5 * px_per_mm:
            msg = "the baseline is too close to the top of the plate to find a front; pass --front"
            raise LinesNotFound(msg)
        pencil = _fit_line(resp, strips, lo, hi, px_per_mm=px_per_mm, prefer="high")
        # Without a pencil mark the front shows as the edge of the wetted
        # area: often a thin pale line where the solvent's last film dried
        # (a bright line, so the polarity is reversed), or a change of tint.
        pale = _fit_line(
            _line_response(-dark, px_per_mm=px_per_mm, strips=strips),
            strips,
            lo,
            hi,
            px_per_mm=px_per_mm,
            prefer="high",
        )
        tint = _solvent_edge(plate_image, strips, lo, hi, px_per_mm=px_per_mm)
        pencil = pencil if pencil is not None and pencil.clear(MIN_LINE_EVIDENCE) else None
        # A pencil line is sought LINE_EDGE_MM from the top at least; a line
        # whose fit reaches nearer at the plate's sides is the top edge
        # itself, slanting into the band (real photo hello1: 1.4 mm).
        if pencil is not None and float(np.min(pencil[1])) < ends:
            pencil = None
        pale = pale if pale is not None and pale.clear(MIN_PALE_EVIDENCE) else None
        tint = tint if tint is not None and tint.clear(MIN_TINT_EVIDENCE) else None
        visible = max(
            (f for f in (pale, tint) if f is not None),
            key=lambda f: f.snr,
            default=None,
        )
        if pencil is not None and (
            visible is None or (pencil[2] >= 0.45 and pencil.snr >= 0.6 * visible.snr)
        ):
            front_cols, front_rows, front_conf, _ = pencil
            front_source = "pencil"
        elif visible is not None:
            front_cols, front_rows, front_conf, _ = visible
            front_source = "edge"
            flags.append("front_from_edge")
        else:
            msg = (
                "no solvent front was found; mark it in pencil when the plate leaves the tank, "
                "or pass --front (fraction of the plate height from the bottom, or mm)"
            )
            raise FrontNotFound(msg)
        conf.append(front_conf)
        if front_conf < 0.5:
            flags.append("front_uncertain")
    else:
        front_cols, front_rows = np.array([0.0, w - 1.0]), np.array([front, front])
        front_source = "given"
        flags.append("front_given")

    cols = np.linspace(0, w - 1, 9)
    base = np.interp(cols, base_cols, base_rows)
    fr = np.interp(cols, front_cols, front_rows)
    if np.any(base - fr < 3 * px_per_mm):
        msg = "the front found lies on or below the baseline; pass --baseline and --front"
        raise LinesNotFound(msg)
    if np.ptp(base) > 0.6 * px_per_mm or np.ptp(fr) > 0.6 * px_per_mm:
        flags.append("lines_tilted")
    if float(np.median(base - fr)) < 20 * px_per_mm:
        flags.append("short_run")
    return Lines(
        cols=tuple(float(c) for c in cols),
        baseline=tuple(float(b) for b in base),
        front=tuple(float(f) for f in fr),
        baseline_source=baseline_source,
        front_source=front_source,
        confidence=float(min(conf)) if conf else 1.0,
        flags=tuple(sorted(set(flags))),
    )


def _strip_edges(w: int, px_per_mm: float) -> list[tuple[int, int]]:
    side = round(SIDE_MM * px_per_mm)
    n = int(np.clip((w - 2 * side) / (6 * px_per_mm), 4, 16))
    edges = np.linspace(side, w - side, n + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(edges)]


def _line_response(
    dark: np.ndarray, *, px_per_mm: float, strips: list[tuple[int, int]]
) -> np.ndarray:
    """Per strip, how much a thin horizontal dark line crosses each row.

    Each strip is first averaged across its width (a line runs across it, so
    the line adds up while noise averages out), then a top-hat with a
    vertical element keeps only what is thinner than a pencil line is wide:
    spots, which are taller, drop out.

    Returns
    -------
    (H, n_strips) ndarray of float32
    """
    import cv2

    prof = np.empty((dark.shape[0], len(strips)), np.float32)
    for i, (a, b) in enumerate(strips):
        prof[:, i] = dark[:, a:b].mean(axis=1)
    k = max(3, round(LINE_MM * px_per_mm) | 1)
    se = cv2.getStructuringElement(cv2.MORPH_RECT, (1, k))
    return cv2.morphologyEx(prof, cv2.MORPH_TOPHAT, se)


def _noise(profile: np.ndarray) -> float:
    return profile_noise(profile) + 1e-4


def _fit_line(
    resp: np.ndarray,
    strips: list[tuple[int, int]],
    lo: int,
    hi: int,
    *,
    px_per_mm: float,
    prefer: str,
    above_floor: bool = False,
) -> _Found | None:
    """The strongest line crossing most strips between rows ``lo`` and ``hi``.

    ``above_floor``: see :func:`find_lines`. Returns (cols, rows, confidence,
    snr) or None when no line stands out.
    """
    if hi - lo < 3:
        return None
    band = resp[lo:hi]
    noise = np.median([_noise(band[:, i]) for i in range(band.shape[1])])
    # How many strips see a line at each row (allowing +-1.5 mm of slant per strip).
    reach = max(1, round(1.5 * px_per_mm))
    import cv2

    spread = cv2.dilate(band, np.ones((2 * reach + 1, 1), np.uint8))
    strong = spread > 5 * noise
    coverage = strong.mean(axis=1)
    score = coverage * np.median(spread, axis=1)
    if coverage.max() < 0.5:
        return None
    candidates = np.flatnonzero(coverage >= max(0.5, 0.8 * coverage.max()))
    best_score = score[candidates].max()
    # Several lines may cross the plate (a baseline and a ruled guide line, a
    # front and a line above it): among the clearly strongest, the baseline
    # is the lowest and the front the highest.
    good = candidates[score[candidates] >= 0.7 * best_score]
    if above_floor:
        floor = float(np.median(score))
        good = good[score[good] - floor >= ABOVE_FLOOR * (best_score - floor)]
    centre = int(good.max() if prefer == "low" else good.min())
    # refine per strip around the chosen row
    cols, rows, weights = [], [], []
    for i, (a, b) in enumerate(strips):
        r0, r1 = max(0, centre - reach), min(band.shape[0], centre + reach + 1)
        seg = band[r0:r1, i]
        j = int(np.argmax(seg))
        if seg[j] < 3 * noise:
            continue
        # parabolic sub-pixel peak
        if 0 < j < len(seg) - 1:
            y0, y1, y2 = seg[j - 1], seg[j], seg[j + 1]
            denom = y0 - 2 * y1 + y2
            off = 0.5 * (y0 - y2) / denom if denom < 0 else 0.0
        else:
            off = 0.0
        cols.append((a + b) / 2)
        rows.append(lo + r0 + j + off)
        weights.append(float(seg[j]))
    if len(cols) < max(2, len(strips) // 2):
        return None
    c, r, wts = np.array(cols), np.array(rows), np.array(weights)
    slope, icept = _robust_line(c, r, wts)
    fitted = slope * c + icept
    resid = np.abs(r - fitted)
    conf = float(np.clip(len(cols) / len(strips) * (1 - np.median(resid) / px_per_mm), 0, 1))
    ends = np.array([0.0, float(strips[-1][1] + strips[0][0])])
    snr = float(np.median(wts) / noise)
    return _Found(ends, slope * ends + icept, conf, snr)


def _origin_mark(found: _Found | None, lo: int, hi: int) -> float | None:
    """Row of a short, strong dark mark, from the line fitted between rows
    ``lo`` and ``hi`` (:func:`_fit_line`), or None (see :func:`find_lines`,
    ``baseline_near``)."""
    if found is None or found.snr < MIN_MARK_SNR:
        return None
    # Seen on a strip or two only, the fitted slant means nothing: level.
    row = float(np.mean(found[1]))
    return row if lo <= row < hi else None


class _Found(tuple):
    """A line found: columns, rows, confidence (0-1) and signal-to-noise ratio."""

    def __new__(cls, cols: np.ndarray, rows: np.ndarray, conf: float, snr: float) -> _Found:
        return super().__new__(cls, (cols, rows, conf, snr))

    @property
    def snr(self) -> float:
        return float(self[3])

    def clear(self, evidence: float) -> bool:
        """Seen clearly enough: confidence at least MIN_LINE_CONFIDENCE, and
        confidence x SNR at least ``evidence``."""
        return self[2] >= MIN_LINE_CONFIDENCE and self[2] * self.snr >= evidence


def _above_floor(
    found: _Found | None,
    resp: np.ndarray,
    strips: list[tuple[int, int]],
    lo: int,
    hi: int,
    *,
    px_per_mm: float,
) -> _Found | None:
    """The baseline ``found``, or the one counted above the floor when that is better.

    The lowest of the strong rows may be a weak row of writing just under a
    blurred baseline: counted above the band's typical score, only the line
    itself stands out. It replaces ``found`` when it is at least as clearly
    a line and within a label's height above (``ABOVE_FLOOR_REACH_MM``):
    further up it is a row of spots (an HPTLC plate's bands).
    """
    if found is None:
        return None
    peak = _fit_line(resp, strips, lo, hi, px_per_mm=px_per_mm, prefer="low", above_floor=True)
    if (
        peak is not None
        and peak[2] * peak.snr >= found[2] * found.snr
        and np.median(found[1] - peak[1]) <= ABOVE_FLOOR_REACH_MM * px_per_mm
    ):
        return peak
    return found


def baseline_moves_above_floor(dark_map: np.ndarray, *, px_per_mm: float) -> bool:
    """Whether :func:`find_lines` with ``above_floor`` finds another baseline.

    Only the baseline is measured, twice: much cheaper than finding the
    lines again, which is needed only when the baseline moves.

    Parameters
    ----------
    dark_map : (H, W) ndarray of float32
        The dark-feature contrast map of the upright plate, as given to
        :func:`find_lines` (for UV 365, the stain-mode map).
    px_per_mm : float

    Returns
    -------
    bool
    """
    h, w = dark_map.shape
    strips = _strip_edges(w, px_per_mm)
    resp = _line_response(dark_map, px_per_mm=px_per_mm, strips=strips)
    lo, hi = int(h * (1 - BASELINE_REACH)), h - max(2, round(LINE_EDGE_MM * px_per_mm))
    found = _fit_line(resp, strips, lo, hi, px_per_mm=px_per_mm, prefer="low")
    return _above_floor(found, resp, strips, lo, hi, px_per_mm=px_per_mm) is not found


def _robust_line(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted least-squares line, refitted once without the worst outliers."""
    keep = np.ones(len(x), bool)
    for _ in range(2):
        slope, icept = np.polyfit(x[keep], y[keep], 1, w=np.sqrt(w[keep]))
        resid = np.abs(y - (slope * x + icept))
        mad = np.median(resid[keep]) + 0.5
        keep = resid < 3 * mad
        if keep.sum() < 2:
            break
    # A pencil line is drawn nearly level: more than ~5 degrees is a fit gone wrong.
    if abs(slope) > 0.09:
        return 0.0, float(np.median(y))
    return float(slope), float(icept)


def _solvent_edge(
    plate_image: np.ndarray,
    strips: list[tuple[int, int]],
    lo: int,
    hi: int,
    *,
    px_per_mm: float,
) -> _Found | None:
    """The visible solvent front: the row where the plate's colour changes.

    Returns (cols, rows, confidence, snr) or None.
    """
    import cv2

    img = cv2.GaussianBlur(plate_image.astype(np.float32), (0, 0), 0.5 * px_per_mm)
    smooth = max(1, round(0.8 * px_per_mm))
    grads = []
    for a, b in strips:
        # median: robust to a spot crossing the strip; every third column is plenty
        prof = np.median(img[lo:hi, a:b:3], axis=1)  # (rows, 3)
        # colour change over +-smooth rows, summed over channels
        grads.append(np.abs(prof[2 * smooth :] - prof[: -2 * smooth]).sum(axis=1))
    if grads[0].size < 3:
        return None
    # The front crosses the whole plate, a spot one strip: the row where most
    # strips change is the front; each strip then finds it near that row
    # (the front may slant).
    common = int(np.argmax(np.median(np.array(grads), axis=0)))
    reach = max(2, round(3.0 * px_per_mm))
    cols, rows, strengths = [], [], []
    for (a, b), grad in zip(strips, grads, strict=True):
        j0, j1 = max(0, common - reach), min(grad.size, common + reach + 1)
        j = j0 + int(np.argmax(grad[j0:j1]))
        cols.append((a + b) / 2)
        rows.append(lo + smooth + j)
        strengths.append(float(grad[j]))
    strengths_a = np.array(strengths)
    noise = np.median(np.abs(np.diff(np.median(img[lo:hi], axis=1), axis=0)).sum(axis=1)) + 0.5
    if np.median(strengths_a) < max(6.0, 5 * noise):
        return None
    c, r = np.array(cols), np.array(rows, float)
    slope, icept = _robust_line(c, r, strengths_a)
    resid = np.abs(r - (slope * c + icept))
    conf = float(np.clip(np.mean(resid < 1.0 * px_per_mm) * 0.8, 0, 1))
    ends = np.array([0.0, float(strips[-1][1] + strips[0][0])])
    return _Found(ends, slope * ends + icept, conf, float(np.median(strengths_a) / noise))


def origin_evidence(dark_map: np.ndarray, lines: Lines, *, px_per_mm: float) -> float:
    """How much the found baseline is marked the way staff mark an origin.

    Staff write lane labels under the baseline and tick or dot the lanes on
    it; nobody writes above the front. Comparing this evidence for the lines
    as found and for the plate turned half a turn (where the roles of the
    two lines swap) tells an upright plate from an upside-down one.

    Parameters
    ----------
    dark_map : (H, W) ndarray of float32
        Dark-feature contrast map of the plate as it stands.
    lines : Lines
        The lines found on it.
    px_per_mm : float

    Returns
    -------
    float
        Millimetres of plate width with writing under the baseline, plus the
        same for ticks on it; 0 when nothing is marked.
    """
    from tlc.lanes import label_profile, tick_profile

    labels = label_profile(dark_map, lines, px_per_mm=px_per_mm)
    ticks = tick_profile(dark_map, lines, px_per_mm=px_per_mm)
    return float(
        (np.clip(labels - 0.3, 0, None).sum() + np.clip(ticks - 0.3, 0, None).sum()) / px_per_mm
    )


def writing_beyond(dark_map: np.ndarray, lines: Lines, *, px_per_mm: float) -> tuple[float, float]:
    """How much pencil writing lies under the baseline and above the front.

    Lane labels are written under the origin, never above the front. Strokes
    (features thinner than 1 mm, kept by a top-hat) count where they stand
    out of the plate's own texture between the lines; the band from 1.5 to
    10 mm beyond each line is measured, each row against its own median so
    that what spans the plate (its edge, a shadow, the front's tint) is not
    taken for writing.

    Parameters
    ----------
    dark_map : (H, W) ndarray of float32
        Dark-feature contrast map of the plate as it stands.
    lines : Lines
    px_per_mm : float

    Returns
    -------
    (float, float)
        Percent of the band under the baseline, and of the band above the
        front, covered by strokes.
    """
    from tlc.contrast import pencil_strokes, robust_sigma

    h, _ = dark_map.shape
    strokes = pencil_strokes(dark_map, px_per_mm=px_per_mm)
    base, front = int(np.median(lines.baseline)), int(np.median(lines.front))
    gap, depth, edge = round(1.5 * px_per_mm), round(10 * px_per_mm), round(1.5 * px_per_mm)
    run = strokes[front + 2 * gap : base - 2 * gap]
    if run.size == 0:
        return 0.0, 0.0
    rise = 5 * robust_sigma(run) + 1e-4

    def cover(band: np.ndarray) -> float:
        if band.size == 0:
            return 0.0
        band = band - np.median(band, axis=1, keepdims=True)
        return 100.0 * float((band > rise).mean())

    below = strokes[base + gap : max(base + gap, min(h - edge, base + depth))]
    above = strokes[max(edge, front - depth) : max(edge, front - gap)]
    return cover(below), cover(above)


def remove_lines(
    contrast_map: np.ndarray, lines: Lines, *, px_per_mm: float, half_band_mm: float = 2.0
) -> np.ndarray:
    """The contrast map with the pencil baseline and front taken out.

    Along each line (following its slant), the contrast that is common to
    most of the plate's width is the line itself; it is subtracted there, so
    that the line does not show as a spot in every lane while a spot sitting
    on the line keeps its own contrast.

    Parameters
    ----------
    contrast_map : (H, W) ndarray of float32
    lines : Lines
    px_per_mm : float
    half_band_mm : float, optional
        How far above and below each line to correct.

    Returns
    -------
    (H, W) ndarray of float32
        A new array.
    """
    out = contrast_map.copy()
    h, w = out.shape
    cols = np.arange(w)
    half = max(1, round(half_band_mm * px_per_mm))
    # Below the front the plate often carries a faint band where the
    # solvent's impurities gathered and dried: it spans the plate like the
    # line itself, so it is corrected with it.
    below_front = max(half, round(FRONT_BAND_MM * px_per_mm))
    for rows_at, offsets in (
        (lines.baseline, np.arange(-half, half + 1)),
        (lines.front, np.arange(-half, below_front + 1)),
    ):
        centre = np.interp(cols, lines.cols, rows_at).round().astype(int)
        rr = centre[None, :] + offsets[:, None]  # (offsets, W)
        valid = (rr >= 0) & (rr < h)
        rr_c = np.clip(rr, 0, h - 1)
        band = out[rr_c, cols[None, :]]
        # The line's own darkness, column by column: the 30th percentile over
        # a stretch of line ``LINE_WINDOW_MM`` long. The line fills the whole
        # stretch, a spot sitting on it well under 70 % of it; and a pencil
        # line's pressure varies along it, which a single value for the whole
        # width would leave behind as dark dashes.
        win = max(3, round(LINE_WINDOW_MM * px_per_mm) | 1)
        padded = np.pad(band, ((0, 0), (win // 2, win // 2)), mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, win, axis=1)[:, ::STEP]
        local = np.percentile(windows, 30, axis=2)
        xs = np.arange(0, w, STEP)[: local.shape[1]]
        common = np.stack([np.interp(cols, xs, row) for row in local])
        band = band - np.clip(common, 0, None)
        out[rr_c[valid], np.broadcast_to(cols, rr.shape)[valid]] = band[valid]
    return out
