"""Identification: each sample spot against co-spotted references, then the library.

(Being written with the library issue. The dataclasses below are the
interface the pipeline and the report rely on.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tlc._types import get, r3


@dataclass(frozen=True, slots=True)
class Identification:
    """What one spot is consistent with.

    Attributes
    ----------
    match : str or None
        Library id the spot is identified as; None when it matches nothing
        (an unknown spot) or when candidates are too close to tell apart.
    confidence : str or None
        ``"high"`` (agrees with a reference run on the same plate),
        ``"medium"`` or ``"low"``; None when ``match`` is None.
    candidates : tuple of str
        Every library id the spot is consistent with, most likely first.
    basis : str
        ``"reference"`` (a co-spotted reference lane), ``"corrected"``
        (library Rf after correction by references on the plate),
        ``"library"`` (library Rf alone), ``"reference-lane"`` (the spot is
        in a reference lane) or ``"none"``.
    rf_corrected : float or None
        Rf corrected by the plate's references, when two or more were usable.
    delta_rf : float or None
        Difference between the spot's Rf and the matched value.
    reason_key : str
        Message-catalogue key of the plain reason (``reason.co_spotted``...).
    reason_args : dict
        Values for the reason's placeholders (``substance``, ``delta``...).
    reason : str
        The reason in English, for JSON readers.
    """

    match: str | None = None
    confidence: str | None = None
    candidates: tuple[str, ...] = ()
    basis: str = "none"
    rf_corrected: float | None = None
    delta_rf: float | None = None
    reason_key: str = "reason.unknown"
    reason_args: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (merged into the spot's JSON object)."""
        return {
            "match": self.match,
            "confidence": self.confidence if self.match else None,
            "candidates": list(self.candidates),
            "basis": self.basis,
            "rf_corrected": r3(self.rf_corrected),
            "delta_rf": r3(self.delta_rf),
            "reason": self.reason,
            "reason_key": self.reason_key,
            "reason_args": dict(self.reason_args),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Identification:
        """Inverse of :meth:`to_dict`."""
        return cls(
            match=d.get("match"),
            confidence=d.get("confidence"),
            candidates=tuple(get(d, "candidates", ())),
            basis=str(get(d, "basis", "none")),
            rf_corrected=d.get("rf_corrected"),
            delta_rf=d.get("delta_rf"),
            reason_key=str(get(d, "reason_key", "reason.unknown")),
            reason_args=dict(get(d, "reason_args", {})),
            reason=str(get(d, "reason", "")),
        )


@dataclass(frozen=True, slots=True)
class LaneIdentification:
    """The identifications of one lane.

    Attributes
    ----------
    lane : int
        Lane index.
    spots : tuple of Identification
        One per spot of the lane, in the order the spots were given.
    not_seen : tuple of str
        Substances of the plate's reference lanes with no spot in this
        (sample) lane.
    """

    lane: int
    spots: tuple[Identification, ...]
    not_seen: tuple[str, ...] = ()
