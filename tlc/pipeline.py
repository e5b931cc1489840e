"""The pipeline: the one place where the stages are chained.

``analyse(image, layout=..., library=..., config=...) -> Analysis``. The
report renders only from an :class:`Analysis` (and the photo), and an
``Analysis`` round-trips through its JSON (``to_dict``/``from_dict``), so a
card can be re-rendered from a saved ``.tlc.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tlc._types import get
from tlc.lanes import Lane
from tlc.lines import Lines
from tlc.match import Identification
from tlc.plate import Plate
from tlc.spots import Spot

SCHEMA = "tlc-result/1"


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
        return cls(
            code=d.get("code"), expected=tuple(get(d, "expected", ())), notes=d.get("notes")
        )


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
