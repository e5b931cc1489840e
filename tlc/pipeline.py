"""The pipeline: the one place where the stages are chained.

``analyse(image, layout=..., library=..., config=...) -> Analysis``. The
report renders only from an :class:`Analysis` (and the photo), and an
``Analysis`` round-trips through its JSON (``to_dict``/``from_dict``), so a
card can be re-rendered from a saved ``.tlc.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tlc._types import get
from tlc.lanes import Lane
from tlc.lines import Lines
from tlc.match import Identification
from tlc.plate import Plate
from tlc.spots import Spot

SCHEMA = "tlc-result/1"

#: Bright spots on a plate where spots are dark must be this many times clearer.
BRIGHT_FACTOR = 2.0


@dataclass(frozen=True, slots=True)
class SampleInfo:
    """What staff know about the sample in a lane.

    Attributes
    ----------
    code : str or None
        The anonymous sample code (never a person's name).
    expected : tuple of str
        What the person expected the sample to be (library ids or free text).
    notes : str or None
        Free notes for the staff part of the card.
    """

    code: str | None = None
    expected: tuple[str, ...] = ()
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {"code": self.code, "expected": list(self.expected), "notes": self.notes}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> SampleInfo | None:
        """Inverse of :meth:`to_dict`."""
        if d is None:
            return None
        return cls(code=d.get("code"), expected=tuple(get(d, "expected", ())), notes=d.get("notes"))


@dataclass(frozen=True, slots=True)
class LaneResult:
    """A lane with its spots and what they were identified as.

    Attributes
    ----------
    lane : Lane
    spots : tuple of Spot
        Ordered by Rf, lowest first.
    identifications : tuple of Identification
        One per spot, in the same order.
    not_seen : tuple of str
        Substances of the plate's reference lanes not seen in this sample lane.
    sample : SampleInfo or None
    """

    lane: Lane
    spots: tuple[Spot, ...]
    identifications: tuple[Identification, ...]
    not_seen: tuple[str, ...] = ()
    sample: SampleInfo | None = None

    def to_dict(self, px_per_mm: float) -> dict[str, Any]:
        """JSON-safe dict in the ``tlc-result/1`` shape."""
        d = self.lane.to_dict(px_per_mm)
        d["spots"] = [
            {**spot.to_dict(px_per_mm), **ident.to_dict()}
            for spot, ident in zip(self.spots, self.identifications, strict=True)
        ]
        d["not_seen"] = list(self.not_seen)
        d["sample"] = self.sample.to_dict() if self.sample else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], px_per_mm: float) -> LaneResult:
        """Inverse of :meth:`to_dict`."""
        lane = Lane.from_dict(d, px_per_mm)
        spots = tuple(
            Spot.from_dict(s, lane=lane.index, px_per_mm=px_per_mm) for s in d.get("spots", ())
        )
        idents = tuple(Identification.from_dict(s) for s in d.get("spots", ()))
        return cls(
            lane=lane,
            spots=spots,
            identifications=idents,
            not_seen=tuple(get(d, "not_seen", ())),
            sample=SampleInfo.from_dict(d.get("sample")),
        )


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything ``tlc analyse`` found on one plate.

    Attributes
    ----------
    image : str
        The photo's path as given.
    image_size : (int, int)
        Rows and columns of the photo as analysed (after EXIF orientation
        and any size reduction).
    system : str
        Solvent system id.
    mode : str
        How the plate was seen: ``"uv254"`` (dark spots on a bright plate),
        ``"stain"`` (coloured spots on white) or ``"uv365"`` (bright spots).
    plate : Plate
    lines : Lines
    lanes : tuple of LaneResult
        Left to right.
    warnings : tuple of str
        Plain English sentences for staff.
    date : str
        ISO date and time of the analysis.
    version : str
        ``tlc`` version that made it.
    notes : str or None
        Free notes from the layout.
    """

    image: str
    image_size: tuple[int, int]
    system: str
    mode: str
    plate: Plate
    lines: Lines
    lanes: tuple[LaneResult, ...]
    warnings: tuple[str, ...] = ()
    date: str = ""
    version: str = ""
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``tlc-result/1`` JSON object (see CONTRACT.md)."""
        ppm = self.plate.px_per_mm
        return {
            "schema": SCHEMA,
            "tlc_version": self.version,
            "date": self.date,
            "image": self.image,
            "image_size": list(self.image_size),
            "system": self.system,
            "mode": self.mode,
            "plate": self.plate.to_dict(),
            "lines": self.lines.to_dict(ppm),
            "lanes": [lane.to_dict(ppm) for lane in self.lanes],
            "warnings": list(self.warnings),
            "notes": self.notes,
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Analysis:
        """Rebuild an Analysis from its JSON.

        Raises
        ------
        ValueError
            If ``d`` is not a ``tlc-result/1`` object.
        """
        if not isinstance(d, dict) or d.get("schema") != SCHEMA:
            msg = f"not a {SCHEMA} object"
            raise ValueError(msg)
        plate = Plate.from_dict(d["plate"])
        ppm = plate.px_per_mm
        return cls(
            image=str(d.get("image", "")),
            image_size=tuple(get(d, "image_size", (0, 0))),  # type: ignore[arg-type]
            system=str(d.get("system", "")),
            mode=str(get(d, "mode", "uv254")),
            plate=plate,
            lines=Lines.from_dict(d["lines"], ppm),
            lanes=tuple(LaneResult.from_dict(x, ppm) for x in d.get("lanes", ())),
            warnings=tuple(get(d, "warnings", ())),
            date=str(get(d, "date", "")),
            version=str(get(d, "tlc_version", "")),
            notes=d.get("notes"),
            extra=dict(get(d, "extra", {})),
        )


@dataclass(frozen=True, slots=True)
class Layout:
    """What staff tell the analysis about the plate (``--lanes``, a layout file).

    Attributes
    ----------
    system : str or None
        Solvent system id; None for the library's default.
    lanes : tuple of str or None
        Lane labels left to right; None to find the lanes automatically.
    samples : dict of str to SampleInfo
        Lane label -> what is known of its sample (code, expected substances).
    baseline, front : str or None
        Where the lines are, overriding detection: ``"0.12"`` (fraction of
        the plate height from the bottom) or ``"8mm"`` (millimetres from the
        bottom edge).
    plate_size_mm : (float, float) or None
        Height and width of the plate, when known.
    rotate : int or None
        Quarter turns (0, 90, 180, 270, clockwise) to stand the plate upright;
        None to decide automatically.
    mode : str or None
        ``"uv254"``, ``"stain"`` or ``"uv365"``; None to decide from the photo.
    notes : str or None
    """

    system: str | None = None
    lanes: tuple[str, ...] | None = None
    samples: dict[str, SampleInfo] = field(default_factory=dict)
    baseline: str | None = None
    front: str | None = None
    plate_size_mm: tuple[float, float] | None = None
    rotate: int | None = None
    mode: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Tuning of the detection stages (defaults suit phone photos of 5-20 cm plates).

    Attributes
    ----------
    min_contrast : float
        Weakest spot reported, as peak contrast against the plate (0-1).
    origin_rf : float
        Spots with Rf below this are reported as left on the origin.
    """

    min_contrast: float = 0.035
    origin_rf: float = 0.06


def analyse(
    image: Any,
    *,
    layout: Layout | None = None,
    library: Any = None,
    config: Config | None = None,
    image_name: str = "",
) -> Analysis:
    """Analyse one photo of a developed plate.

    When the baseline or the front is not found, the plate's outline may
    have been cut short at a pencil line near its rim: it is grown to the
    plate's edge (:func:`tlc.plate.grow`) and the plate read once more.

    Parameters
    ----------
    image : (M, N, 3) ndarray of uint8
        The photo, RGB, upright as the camera's EXIF tag says
        (:func:`tlc.io.read_image`).
    layout : Layout, optional
        What staff know: lane labels, system, line positions, rotation.
    library : tlc.library.Library, optional
        Reference library for identification; without it no spot is identified.
    config : Config, optional
        Detection settings.
    image_name : str, optional
        The photo's name, recorded in the result.

    Returns
    -------
    Analysis

    Raises
    ------
    PlateNotFound, LinesNotFound
        When the plate, its baseline or its front cannot be found.
    LayoutError
        When the layout is inconsistent (positions off the plate, empty labels).
    LibraryError
        When the layout names a system the library does not have.
    """
    from tlc import contrast
    from tlc import plate as plate_mod
    from tlc.errors import LayoutError, LinesNotFound, TlcError

    layout = layout or Layout()
    config = config or Config()
    if layout.lanes is not None and (
        len(layout.lanes) == 0 or any(not lab.strip() for lab in layout.lanes)
    ):
        msg = "--lanes is empty or has an empty label; give one label per lane, e.g. S1,cocaine,S2"
        raise LayoutError(msg)
    if layout.mode is not None and layout.mode not in contrast.MODES:
        msg = f"unknown mode {layout.mode!r}; use one of {', '.join(contrast.MODES)}"
        raise LayoutError(msg)
    system_id = layout.system
    if library is not None:
        system_id = library.system(system_id).id if system_id else library.default_system.id
    system_id = system_id or ""

    if layout.plate_size_mm is None:
        # Separate strips side by side, each with its own origin and front
        # (a size given by staff is that of one plate).
        from tlc import strips as strips_mod

        parts = strips_mod.find_strips(image)
        if parts:
            return _analyse_strips(
                image, parts, layout=layout, library=library, config=config,
                system_id=system_id, image_name=image_name,
            )  # fmt: skip
    plate = plate_mod.find_plate(image, size_mm=layout.plate_size_mm, rotate=layout.rotate)

    def on(p: Plate) -> Analysis:
        reading = _read_plate(image, p, layout=layout, config=config)
        return _finish(
            image, reading, layout=layout, library=library, system_id=system_id,
            image_name=image_name,
        )  # fmt: skip

    try:
        return on(plate)
    except LinesNotFound as exc:
        # An outline cut at a pencil line near the rim (the baseline or the
        # front) leaves that line out of the plate: grow it to the real edge
        # and try again; if that fails too, the first reason stands.
        grown = plate_mod.grow(image, plate) if plate.source == "found" else None
        if grown is None:
            raise
        try:
            return on(grown)
        except TlcError:
            raise exc from None


#: Lightness (CIELAB L*, 0-100) of a plate that a stain coloured all over:
#: potassium permanganate turns the plate purple and leaves spots paler than
#: it, so bright spots are sought too. Measured: the real permanganate strips
#: of TLC_imageprocessing L* 38-61 as whole sheets, some single strips under
#: 35 (their pale spots were missed while the range started at 35); white
#: plates with coloured spots (synthetic stain plates, the real vanillin
#: plates) 83-100. A dark blue-violet plate is a UV 365 one
#: (:func:`tlc.contrast.detect_mode`), never taken for a dyed one.
DYED_PLATE_L = (20.0, 70.0)


def _dyed_plate(plate_img: Any) -> bool:
    # whether a stained plate is coloured all over, its spots paler than it
    import cv2
    import numpy as np

    lightness = float(np.median(cv2.cvtColor(plate_img, cv2.COLOR_RGB2LAB)[:, :, 0])) / 2.55
    return DYED_PLATE_L[0] <= lightness < DYED_PLATE_L[1]


#: Strips of a row whose baselines lie this close (mm) to the row's median
#: agree; with three agreeing, a strip whose baseline lies farther than
#: STRIP_BASELINE_OUTLIER_MM is read again near the row's height. Real
#: sheets of six strips read well lie within 1.9 mm of their median; the
#: strips whose bottom edge or shadow was taken for the baseline, 3.3 to
#: 12 mm from it.
STRIP_BASELINES_AGREE_MM = 1.5
STRIP_BASELINE_OUTLIER_MM = 3.0

#: Where the lines of a plate came from, surest first: the least sure of
#: separate strips' sources is that of them all.
BASELINE_SOURCES = ("given", "pencil", "spots")
FRONT_SOURCES = ("given", "pencil", "edge")


def _analyse_strips(
    image: Any,
    parts: tuple[Plate, ...],
    *,
    layout: Layout,
    library: Any,
    config: Config,
    system_id: str,
    image_name: str,
) -> Analysis:
    """:func:`analyse` on separate strips photographed side by side.

    Each strip has its own origin and front, so each is straightened and
    read on its own (its lines, lanes and Rf values); the result holds
    their lanes left to right, and its straightened image is the strips set
    side by side (:func:`tlc.plate.board`). Strips lie side by side the same
    way up: where their readings disagree, the way most of them read wins
    and the others are read again that way. A strip is cut for one sample,
    so each is read as one lane, labelled ``S1``, ``S2``... or by
    ``--lanes``, one label per strip, left to right as the strips stand
    (origin at the bottom). A strip whose baseline is not seen across it
    is read again with its origin sought near the height of the others'
    (:func:`tlc.lines.find_lines`, ``baseline_near``). A strip that cannot
    be read is left out, and a warning names it. Each strip is identified
    on its own (:func:`_finish`).

    Raises
    ------
    TlcError
        The first strip's reason when no strip can be read.
    LayoutError
        When ``--lanes`` does not give one label per strip.
    """
    import collections
    import dataclasses

    import numpy as np

    from tlc import plate as plate_mod
    from tlc.errors import FrontNotFound, LayoutError, LinesNotFound, TlcError

    labels = layout.lanes
    if labels is not None and len(labels) != len(parts):
        msg = (
            f"--lanes gives {len(labels)} labels but the photo shows {len(parts)} separate "
            "strips; give one label per strip, left to right"
        )
        raise LayoutError(msg)
    # A strip is cut for one sample: it is read as one lane. Read freely, a
    # narrow strip's letter or a spot run off-centre passes for a second lane
    # (real TLC_imageprocessing sheets: 2 to 4 "lanes" a strip).
    names = labels or tuple(f"S{i + 1}" for i in range(len(parts)))

    def read(i: int, rotate: int | None, baseline_near_mm: float | None = None) -> _Reading:
        # a part found lying sideways is already turned (rotation 270)
        part = parts[i]
        if rotate is not None:
            part = plate_mod.turn(part, (rotate - part.rotation) // 90)
        strip_layout = dataclasses.replace(layout, lanes=(names[i],), rotate=rotate)
        return _read_plate(
            image, part, layout=strip_layout, config=config, baseline_near_mm=baseline_near_mm
        )

    readings: dict[int, _Reading] = {}
    failed: dict[int, TlcError] = {}
    for i in range(len(parts)):
        try:
            readings[i] = read(i, layout.rotate)
        except TlcError as exc:
            failed[i] = exc
    if not readings:
        raise failed[0]
    way = layout.rotate
    if way is None:
        votes = collections.Counter(r.plate.rotation for r in readings.values())
        way = max(votes, key=lambda k: (votes[k], k == 0))
        for i in [i for i, r in readings.items() if r.plate.rotation != way]:
            try:
                readings[i] = read(i, way)
            except TlcError as exc:
                del readings[i]
                failed[i] = exc

    # Strips of one photo are cut and marked alike: their baselines lie at
    # about one height (real sheets: within 2 mm of the row's median). A
    # strip whose baseline was not seen across it, or was read far from the
    # others' (its bottom edge, a shadow, taken for it), is read again with
    # its baseline sought near their height: a line, or a short mark (a tick
    # where the sample was spotted, a line hidden under the spot but for its
    # ends).
    heights = {
        i: r.plate.size_mm[0] - float(np.median(r.lines.baseline)) / r.plate.px_per_mm
        for i, r in readings.items()
    }
    marked: list[int] = []
    moved: list[int] = []
    doubtful: list[int] = []
    if len(heights) >= 2:
        near_mm = float(np.median(list(heights.values())))
        agree = sum(abs(x - near_mm) <= STRIP_BASELINES_AGREE_MM for x in heights.values())
        for i in sorted(failed):
            if not isinstance(failed[i], LinesNotFound) or isinstance(failed[i], FrontNotFound):
                continue
            try:
                readings[i] = read(i, way, baseline_near_mm=near_mm)
            except TlcError:
                continue
            del failed[i]
            marked.append(i)
        for i, x in heights.items():
            if agree < 3 or abs(x - near_mm) <= STRIP_BASELINE_OUTLIER_MM:
                continue
            try:
                readings[i] = read(i, way, baseline_near_mm=near_mm)
            except TlcError:
                doubtful.append(i)
                continue
            moved.append(i)

    if (way - parts[0].rotation) % 360 == 180:
        # Read the other way up, the strips stand in the other order: left to
        # right as they stand, the photo's last strip is the first.
        n = len(parts)
        parts = parts[::-1]
        readings = {
            n - 1 - i: dataclasses.replace(
                r, lanes=tuple(dataclasses.replace(x, label=names[n - 1 - i]) for x in r.lanes)
            )
            for i, r in readings.items()
        }
        failed = {n - 1 - i: exc for i, exc in failed.items()}
        marked = [n - 1 - i for i in marked]
        moved = [n - 1 - i for i in moved]
        doubtful = [n - 1 - i for i in doubtful]

    board = plate_mod.board(readings[i].plate if i in readings else p for i, p in enumerate(parts))
    # staff check that every strip was found; a strip left out is a sample untested
    flags = {*board.flags, "plate_strips"} | ({"plate_strip_left_out"} if failed else set())
    board = dataclasses.replace(board, flags=tuple(sorted(flags)))
    height = board.shape[0]
    lanes: list[Lane] = []
    spots: list[Spot] = []
    cols: list[float] = []
    base: list[float] = []
    front: list[float] = []
    for i, (x0, _) in enumerate(board.part_spans()):
        if i not in readings:
            continue
        r = readings[i]
        dy = height - r.plate.shape[0]  # strips stand on the board's bottom edge
        number = {}
        for lane in r.lanes:
            number[lane.index] = len(lanes) + 1
            lanes.append(dataclasses.replace(lane, index=len(lanes) + 1, col=lane.col + x0))
        spots.extend(
            dataclasses.replace(
                s,
                lane=number[s.lane],
                row=s.row + dy,
                col=s.col + x0,
                top=s.top + dy,
                bottom=s.bottom + dy,
            )
            for s in r.spots
        )
        cols.extend(c + x0 for c in r.lines.cols)
        base.extend(b + dy for b in r.lines.baseline)
        front.extend(f + dy for f in r.lines.front)
    read_lines = [r.lines for r in readings.values()]

    def source(values: list[str], order: tuple[str, ...]) -> str:
        return max(values, key=lambda v: order.index(v) if v in order else len(order))

    lines = Lines(
        cols=tuple(cols),
        baseline=tuple(base),
        front=tuple(front),
        baseline_source=source([x.baseline_source for x in read_lines], BASELINE_SOURCES),
        front_source=source([x.front_source for x in read_lines], FRONT_SOURCES),
        confidence=min(x.confidence for x in read_lines),
        flags=tuple(sorted({f for x in read_lines for f in x.flags})),
    )
    modes = collections.Counter(r.mode for r in readings.values())
    warnings = [
        f"Strip {i + 1} of {len(parts)} could not be read and is left out: {failed[i]}"
        for i in sorted(failed)
    ]
    warnings.extend(
        f"Strip {i + 1} of {len(parts)} shows no baseline across it; its origin was sought "
        "at the height of the other strips' baselines."
        for i in sorted(marked)
    )
    warnings.extend(
        f"On strip {i + 1} of {len(parts)} the line first taken for the baseline lay far from "
        "the other strips' baselines; its origin was sought again at their height."
        for i in sorted(moved)
    )
    warnings.extend(
        f"On strip {i + 1} of {len(parts)} the baseline lies far from the other strips' "
        "baselines, and none was seen near theirs: check it on the annotated picture."
        for i in sorted(doubtful)
    )
    reading = _Reading(
        plate=board,
        lines=lines,
        lanes=tuple(lanes),
        spots=tuple(spots),
        mode=modes.most_common(1)[0][0],
        warnings=tuple(warnings),
    )
    return _finish(
        image, reading, layout=layout, library=library, system_id=system_id, image_name=image_name
    )


def _read_plate(
    image: Any,
    plate: Plate,
    *,
    layout: Layout,
    config: Config,
    baseline_near_mm: float | None = None,
) -> _Reading:
    """The lines, lanes and spots (with Rf) of the plate found; lanes labelled, not identified.

    ``baseline_near_mm``: with ``layout.rotate`` given, the height (mm from
    the bottom) where the baseline is expected, from the other strips of a
    row (:func:`tlc.lines.find_lines`, ``baseline_near``).

    Raises
    ------
    LinesNotFound, TlcError
        When the lines, or any lane, cannot be found.
    """
    import dataclasses

    import numpy as np

    from tlc import contrast
    from tlc import lanes as lanes_mod
    from tlc import lines as lines_mod
    from tlc import plate as plate_mod
    from tlc import rf as rf_mod
    from tlc import spots as spots_mod
    from tlc.errors import FrontNotFound, TlcError

    plate_img = plate_mod.rectify(image, plate)
    mode = layout.mode or contrast.detect_mode(plate_img)
    ppm = plate.px_per_mm
    bright = mode == "uv365"
    cmap = contrast.contrast(plate_img, mode=mode, px_per_mm=ppm, bright=bright)
    dark_map = cmap if not bright else contrast.contrast(plate_img, mode="stain", px_per_mm=ppm)
    smap = lanes_mod.spot_map(cmap, px_per_mm=ppm)

    height_mm = plate.size_mm[0]

    def given_rows(p: Plate) -> tuple[float | None, float | None]:
        h = p.size_mm[0]
        b = f = None
        if layout.baseline is not None:
            b = (h - lines_mod.parse_position(layout.baseline, plate_height_mm=h)) * p.px_per_mm
        if layout.front is not None:
            f = (h - lines_mod.parse_position(layout.front, plate_height_mm=h)) * p.px_per_mm
        return b, f

    def remeasured(
        lines: Lines, img: np.ndarray, dark: np.ndarray, b: float | None, f: float | None
    ) -> Lines:
        # The baseline measured once more, a row counting among the strongest
        # only above the band's typical score (find_lines, above_floor): a
        # blurred baseline no longer loses to the top of the labels under
        # it. The lines as first found if the front is lost with it. Most
        # often the baseline stays: that is checked first, for speed (under
        # UV 365 the lines are found on another map, made in find_lines).
        if mode != "uv365" and not lines_mod.baseline_moves_above_floor(dark, px_per_mm=ppm):
            return lines
        try:
            return lines_mod.find_lines(
                img,
                px_per_mm=ppm,
                mode=mode,
                baseline=b,
                front=f,
                contrast_map=dark,
                above_floor=True,
            )
        except TlcError:
            return lines

    if layout.rotate is None:
        # Try the plate in each quarter turn and keep the one whose lines look
        # most like an origin and a front; the plate as it stands wins ties.
        # Which way up is the plate? A plate lying sideways shows level lines
        # only once turned by a quarter; upright and upside down show the
        # same two lines, told apart by how staff mark the origin (labels
        # under it, ticks on it). The photo's own orientation is the usual one.
        found: dict[int, Lines] = {}
        first_error: TlcError | None = None
        rotated: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for k in (0, 2, 1, 3):
            if (
                k == 1
                and max((found[j].confidence for j in (0, 2) if j in found), default=0.0) >= 0.65
            ):
                break  # level lines this clear: the plate is not lying sideways
            p_k = plate_mod.turn(plate, k)
            img_k = np.ascontiguousarray(np.rot90(plate_img, -k))
            dark_k = np.ascontiguousarray(np.rot90(dark_map, -k))
            rotated[k] = (img_k, dark_k)
            b, f = given_rows(p_k)
            try:
                found[k] = lines_mod.find_lines(
                    img_k, px_per_mm=ppm, mode=mode, baseline=b, front=f, contrast_map=dark_k
                )
            except TlcError as exc:
                first_error = first_error or exc
        if not found:
            assert first_error is not None
            raise first_error

        def evidence(k: int) -> float:
            return lines_mod.origin_evidence(rotated[k][1], found[k], px_per_mm=ppm)

        if isinstance(first_error, FrontNotFound) and not {0, 2} & found.keys():
            # A level baseline in the photo as it stands, only no front: the
            # plate is likely upright, and turned a quarter its labels and
            # lane streaks pass for lines, every Rf nonsense (held-out
            # benchmark plates seed 11, synthetic-073 and -080, origin
            # evidence 3.5 and 3.1). Only clear origin marks across the plate
            # turned say it lies sideways (the real appaloosa/8333: 23.8).
            if max(evidence(j) for j in found) < SIDEWAYS_OVER_LEVEL_BASELINE:
                raise first_error

        def writing(k: int) -> tuple[float, float]:
            return lines_mod.writing_beyond(rotated[k][1], found[k], px_per_mm=ppm)

        def lane_marks(k: int) -> float | None:
            smap_k = np.ascontiguousarray(np.rot90(smap, -k))
            return lanes_mod.lane_mark_evidence(smap_k, rotated[k][1], found[k], px_per_mm=ppm)

        chosen = choose_orientation(
            {j: found[j].confidence for j in found},
            writing=writing,
            evidence=evidence,
            lane_marks=lane_marks,
        )
        if chosen is None:
            assert first_error is not None  # the upright plate's lines were not found
            raise first_error
        k, guessed = chosen
        lines = found[k]
        if lines.baseline_source == "pencil":
            # The way up is chosen on the lines as first found (measured
            # above the floor for every quarter turn, three plates were read
            # another way up), then the baseline is measured again.
            lines = remeasured(lines, *rotated[k], *given_rows(plate_mod.turn(plate, k)))
        if guessed:
            plate = dataclasses.replace(
                plate, flags=tuple(sorted({*plate.flags, "plate_orientation_guessed"}))
            )
        if k:
            plate = plate_mod.turn(plate, k)
            plate_img = np.ascontiguousarray(np.rot90(plate_img, -k))
            cmap = np.ascontiguousarray(np.rot90(cmap, -k))
            dark_map = np.ascontiguousarray(np.rot90(dark_map, -k))
            smap = np.ascontiguousarray(np.rot90(smap, -k))
    else:
        b, f = given_rows(plate)
        near = None
        if baseline_near_mm is not None:
            near = (plate.size_mm[0] - baseline_near_mm) * ppm
        lines = lines_mod.find_lines(
            plate_img,
            px_per_mm=ppm,
            mode=mode,
            baseline=b,
            front=f,
            contrast_map=dark_map,
            baseline_near=near,
        )
        if lines.baseline_source == "pencil" and "baseline_from_row" not in lines.flags:
            lines = remeasured(lines, plate_img, dark_map, b, f)
    del height_mm

    smap = lines_mod.remove_lines(smap, lines, px_per_mm=ppm)
    # Under UV 254 some substances glow (blue or white) instead of quenching:
    # look for bright spots too, more strictly, since glare is bright as well.
    bright_smap = blue_smap = None
    bright_cand = None
    if mode == "uv254" or (mode == "stain" and _dyed_plate(plate_img)):
        gmap = None
        if mode == "uv254":
            bmap, gmap = contrast.glow(plate_img, px_per_mm=ppm)
        else:
            bmap = contrast.contrast(plate_img, mode=mode, px_per_mm=ppm, bright=True)
        bright_smap = lines_mod.remove_lines(
            lanes_mod.spot_map(bmap, px_per_mm=ppm), lines, px_per_mm=ppm
        )
        bright_cand = lanes_mod.spot_candidates(
            bright_smap, lines, px_per_mm=ppm, min_contrast=BRIGHT_FACTOR * config.min_contrast
        )
        if gmap is not None:
            # Spots glowing blue are sought in the lanes found, but do not
            # make lanes: on real UV photos a blue cast (the lamp's light, a
            # blue sheet under strips) shifts whole areas to blue.
            blue_smap = lines_mod.remove_lines(
                lanes_mod.spot_map(gmap, px_per_mm=ppm), lines, px_per_mm=ppm
            )
    # Spots ringed in pencil count as spots even where they have faded.
    rings = lanes_mod.ring_candidates(dark_map, lines, px_per_mm=ppm)
    extra = [c for c in (bright_cand, rings[:, [0, 1, 4]]) if c is not None and len(c)]
    labels = layout.lanes
    lanes = lanes_mod.find_lanes(
        smap,
        lines,
        px_per_mm=ppm,
        n_lanes=len(labels) if labels else None,
        dark_map=dark_map,
        min_contrast=config.min_contrast,
        extra_candidates=np.vstack(extra) if extra else None,
    )
    if not lanes:
        msg = (
            "no lane and no spot could be seen on the plate; check that the photo shows the "
            "developed plate (under UV 254 nm for a fluorescent plate), or pass --lanes"
        )
        raise TlcError(msg)
    if labels:
        lanes = tuple(dataclasses.replace(lane, label=labels[i]) for i, lane in enumerate(lanes))

    spots = spots_mod.find_spots(
        plate_img,
        smap,
        lanes,
        lines,
        px_per_mm=ppm,
        min_contrast=config.min_contrast,
        bright=bright,
        origin_rf=config.origin_rf,
    )
    for search_map, blue_only in ((bright_smap, False), (blue_smap, True)):
        if search_map is None:
            continue
        glowing = spots_mod.find_spots(
            plate_img,
            search_map,
            lanes,
            lines,
            px_per_mm=ppm,
            min_contrast=BRIGHT_FACTOR * config.min_contrast,
            bright=True,
            origin_rf=config.origin_rf,
        )
        if blue_only:
            # a blue "spot" that reaches its lane's edge is part of a blue
            # cast across the plate (the sheet under a row of strips), and
            # one at the front is the edge of the dry layer, often pale blue
            # under the lamp: neither is a glowing spot
            cast = {"spot_touches_lane_edge", "spot_at_front"}
            glowing = tuple(s for s in glowing if not cast & set(s.flags))
        spots = spots_mod.merge(spots, glowing, px_per_mm=ppm)
    ringed = spots_mod.circled(
        plate_img, smap, lanes, lines, rings, spots, px_per_mm=ppm, origin_rf=config.origin_rf
    )
    spots = tuple(sorted((*spots, *ringed), key=lambda s: (s.lane, -s.row)))
    if not labels:
        # Without --lanes, a lane whose every "spot" was dropped was not one;
        # nor was a lane at an end of the row whose only "spots" are faint
        # marks on the baseline or the front: a thicker stretch of the pencil
        # line, where it ends, near the plate's side (5 lanes added on the
        # 300 benchmark plates). A sample left on the origin is a darker dot.
        ends = {lanes[0].index, lanes[-1].index}
        on_a_line = {"spot_on_origin", "spot_at_front"}

        def shows_its_lane(s: Spot) -> bool:
            return (
                s.lane not in ends
                or not on_a_line & set(s.flags)
                or s.contrast >= LINE_MARK_CONTRAST
            )

        faint_only = {lane.index for lane in lanes} - {
            s.lane for s in spots if "spot_faint" not in s.flags
        }
        kept = lanes_mod.drop_unmarked_empty(
            lanes,
            {s.lane for s in spots if shows_its_lane(s)},
            dark_map,
            lines,
            px_per_mm=ppm,
            faint_only=faint_only,
        )
        number = {lane.index: i + 1 for i, lane in enumerate(kept)}
        lanes = tuple(
            dataclasses.replace(lane, index=number[lane.index], label=f"S{number[lane.index]}")
            for lane in kept
        )
        spots = tuple(
            dataclasses.replace(s, lane=number[s.lane]) for s in spots if s.lane in number
        )
    spots = rf_mod.measure(spots, lines)
    return _Reading(plate=plate, lines=lines, lanes=lanes, spots=spots, mode=mode)


@dataclass(frozen=True, slots=True)
class _Reading:
    # what was read on a plate (or a strip) before identification
    plate: Plate
    lines: Lines
    lanes: tuple[Lane, ...]
    spots: tuple[Spot, ...]
    mode: str
    warnings: tuple[str, ...] = ()


def _finish(
    image: Any,
    reading: _Reading,
    *,
    layout: Layout,
    library: Any,
    system_id: str,
    image_name: str,
) -> Analysis:
    """The Analysis of a plate read: lane roles, identification, warnings.

    Raises
    ------
    LibraryError
        From identification (a system the library lacks).
    """
    import dataclasses
    import datetime as dt

    from tlc import __version__
    from tlc import flags as flagreg

    plate, lines, spots, mode = reading.plate, reading.lines, reading.spots, reading.mode
    warnings = list(reading.warnings)
    if library is not None and layout.lanes:
        warnings.extend(_label_warnings(layout.lanes, library))
    lanes = []
    for lane in reading.lanes:
        role, substance = _lane_role(lane.label, library)
        lanes.append(dataclasses.replace(lane, role=role, substance=substance))
    if plate.parts:
        # Each strip is a plate of its own: a reference on another strip may
        # have run in another solvent or tank and confirms nothing there (a
        # match is "high" only against a reference run on the same plate,
        # CONTRACT.md). So each strip is identified alone, at its own run.
        idents = []
        for x0, x1 in plate.part_spans():
            group = [lane for lane in lanes if x0 <= lane.col < x1]
            if not group:
                continue
            numbers = {lane.index for lane in group}
            run = min(lines.baseline_at(lane.col) - lines.front_at(lane.col) for lane in group)
            own = [s for s in spots if s.lane in numbers]
            idents.extend(_identify(group, own, library, system=system_id, mode=mode, run_px=run))
    else:
        run_px = lines.baseline_row - lines.front_row
        idents = _identify(lanes, spots, library, system=system_id, mode=mode, run_px=run_px)
    for lane_ident in idents:
        warnings.extend(lane_ident.warnings)

    results = []
    for lane, lane_ident in zip(lanes, idents, strict=True):
        pairs = [
            (s, ident)
            for s, ident in zip(
                [s for s in spots if s.lane == lane.index], lane_ident.spots, strict=True
            )
        ]
        pairs.sort(key=lambda p: p[0].rf if p[0].rf is not None else 0.0)
        lane_flags = lane.flags + (("lane_empty",) if not pairs else ())
        results.append(
            LaneResult(
                lane=dataclasses.replace(lane, flags=flagreg.check(list(lane_flags))),
                spots=tuple(p[0] for p in pairs),
                identifications=tuple(p[1] for p in pairs),
                not_seen=lane_ident.not_seen,
                sample=layout.samples.get(lane.label) if lane.role == "sample" else None,
            )
        )
    for name in (*plate.flags, *lines.flags):
        flag = flagreg.FLAGS[name]
        if flag.level != "info":
            warnings.append(flag.description)
    return Analysis(
        image=image_name,
        image_size=(int(image.shape[0]), int(image.shape[1])),
        system=system_id,
        mode=mode,
        plate=plate,
        lines=lines,
        lanes=tuple(results),
        warnings=tuple(dict.fromkeys(warnings)),
        date=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        version=__version__,
        notes=layout.notes,
    )


#: Lines found only with the plate turned a quarter must be at least this
#: clear to read the plate as lying sideways without origin marks (benchmark
#: plate synthetic-037: an upright plate with no visible front showed lane
#: streaks at 0.52; the real sideways plate appaloosa/8333 shows its lines at
#: 0.49, and ticks on its origin).
MIN_SIDEWAYS_CONFIDENCE = 0.6

#: Percent of a band beyond a line covered by strokes above which the band is
#: the plate's grain (noise, a bright grainy end, its rim), not writing:
#: labels cover 2-11 % of the band (quartiles, 300 synthetic plates), grain
#: saturates at 20-50 % on a fifth of them. Measured on those plates: one
#: plate read upside down by its grain is read upright, none changes for the worse.
WRITING_MAX = 30.0

#: Writing beyond one line only says which is the origin when the other
#: line's band holds at most this fraction of it. 0.2 at first; measured on
#: 300 synthetic plates, any ratio from 0.35 to 0.5 turns one plate read
#: upside down the right way up (seed 7, synthetic-071: labels 1.39 %, the
#: front's band 0.47 %) and settles three guesses, none the wrong way.
WRITING_RATIO = 0.4

#: Origin evidence (mm of marked width, :func:`tlc.lines.origin_evidence`)
#: under which neither end of an upright plate is marked: which end is the
#: origin is then taken from the photo and flagged as a guess. Measured on
#: 300 synthetic plates: 38 plates flagged, among them 6 of the 11 read the
#: wrong way up (the others had marks that misled).
MIN_ORIGIN_EVIDENCE = 1.5

#: Marks standing at the lanes (:func:`tlc.lanes.lane_mark_evidence`) decide
#: which end of an upright plate is the origin when one end has more than
#: twice the other's plus this, and which way a sideways plate stands when
#: the two differ by ``LANE_MARKS_SIDEWAYS``. Measured on 300 synthetic
#: plates (seeds 0, 7 and 11): plates read the wrong way up 13 -> 9 (8 once
#: a lone mark counts for its share), none turned wrong that was right; the
#: margin may be 0.5 to 1.0 alike.
LANE_MARKS_MARGIN = 0.5
LANE_MARKS_SIDEWAYS = 0.3

#: Origin evidence (mm of marked width) a sideways reading needs when, as
#: the photo stands, a level baseline was found but no front: measured, the
#: wrongly sideways synthetic plates show 3.1 and 3.5, the real sideways
#: plate appaloosa/8333 23.8; no genuinely sideways synthetic plate of 300
#: shows a level baseline as it stands.
SIDEWAYS_OVER_LEVEL_BASELINE = 8.0

#: A "spot" on the baseline or the front at an end of the row, in an unmarked
#: lane with nothing else, is a mark of the line itself when fainter than this
#: (peak contrast; such marks measured 0.07-0.18 on the benchmark plates,
#: samples left on the origin 0.33-0.51).
LINE_MARK_CONTRAST = 0.2


def choose_orientation(
    confidence: dict[int, float],
    *,
    writing: Callable[[int], tuple[float, float]],
    evidence: Callable[[int], float],
    lane_marks: Callable[[int], float | None] | None = None,
) -> tuple[int, bool] | None:
    """Which quarter turn stands the plate upright, and whether that is a guess.

    Parameters
    ----------
    confidence : dict of int to float
        For each quarter turn (0-3, clockwise) in which a baseline and a
        front were found, their confidence.
    writing : callable
        ``writing(k)``: percent of the band under the baseline and of the
        band above the front covered by pencil strokes, turned ``k`` times.
    evidence : callable
        ``evidence(k)``: how much the baseline is marked as an origin
        (labels, ticks), turned ``k`` times.
    lane_marks : callable, optional
        ``lane_marks(k)``: how clearly marks stand at the lanes rather than
        between them on that baseline (:func:`tlc.lanes.lane_mark_evidence`),
        or None when fewer than two lanes are seen. Marks aligned with the
        lanes are the surest sign of an origin, and decide first when one end
        has clearly more; when lanes are seen and their marks do not decide,
        ``evidence`` alone does not turn the photo (the result is a guess).

    Returns
    -------
    (int, bool) or None
        The quarter turns, and True when the evidence could not tell the
        plate from its half-turned self (no writing beyond a line and no
        marks on either, or a sideways plate with marks alike at both ends);
        None when lines were found only across the plate, faint
        (confidence under ``MIN_SIDEWAYS_CONFIDENCE``) and with no origin
        marks to say which way it stands.

    Raises
    ------
    ValueError
        If ``confidence`` is empty.
    """
    if not confidence:
        msg = "no orientation was found with lines"
        raise ValueError(msg)
    up = max(confidence.get(0, -1.0), confidence.get(2, -1.0))
    side = max(confidence.get(1, -1.0), confidence.get(3, -1.0))
    # Level lines only once turned a quarter: the plate lies sideways.
    sideways = (side >= 0.6 and side >= up + 0.35) or up < 0
    # Nothing upright and only faint lines across may be lane streaks rather
    # than a sideways plate's baseline and front: that needs the marks of an
    # origin to tell which way the plate stands, or it is not read at all.
    faint = up < 0 and side < MIN_SIDEWAYS_CONFIDENCE
    # The two ways it may then stand: as found, and half a turn from that.
    first, turned = (1, 3) if sideways else (0, 2)
    if first not in confidence or turned not in confidence:
        if faint:
            return None
        return (first if first in confidence else turned), sideways
    below, above = writing(first)
    written = 1.0 <= max(below, above) <= WRITING_MAX
    if written and min(below, above) <= WRITING_RATIO * max(below, above):
        # written beyond one line only: labels go under the origin
        return (first if below > above else turned), False
    lanes_seen = False
    if lane_marks is not None:
        a_first, a_turned = lane_marks(first), lane_marks(turned)
        if a_first is not None and a_turned is not None:
            lanes_seen = True
            if sideways and abs(a_turned - a_first) >= LANE_MARKS_SIDEWAYS:
                return (turned if a_turned > a_first else first), False
            if not sideways and a_turned > 2 * a_first + LANE_MARKS_MARGIN:
                return turned, False
            if not sideways and a_first > 2 * a_turned + LANE_MARKS_MARGIN:
                return first, False
    e_first, e_turned = evidence(first), evidence(turned)
    if sideways:
        guessed = abs(e_turned - e_first) < 1.0
        if faint and guessed:
            return None
        return (turned if e_turned > e_first else first), guessed
    # the photo's own orientation is the usual one: turning needs clear
    # evidence, and with no marks at either end it is a guess to be checked
    guessed = max(e_first, e_turned) < MIN_ORIGIN_EVIDENCE
    if e_turned > 2 * e_first + 2.0:
        if lanes_seen:
            # marks that favour the other end but do not stand at its lanes
            # (grain, a residue band) do not turn the photo: a guess to check
            return first, True
        return turned, guessed
    return first, guessed


def _lane_role(label: str, library: Any) -> tuple[str, str | None]:
    if library is None:
        return "sample", None
    from tlc import match

    role, substance = match.lane_role(label, library)
    return role, substance


def _label_warnings(labels: tuple[str, ...], library: Any) -> list[str]:
    from tlc import match

    return list(match.label_warnings(labels, library))


def _identify(
    lanes: Any, spots: Any, library: Any, *, system: str, mode: str, run_px: float
) -> Any:
    from tlc.match import Identification, LaneIdentification

    if library is None:
        return tuple(
            LaneIdentification(
                lane=lane.index,
                spots=tuple(Identification() for s in spots if s.lane == lane.index),
            )
            for lane in lanes
        )
    from tlc import match

    return match.identify(
        lanes, spots, library, system=system, mode=mode, stained=mode == "stain", run_px=run_px
    )
