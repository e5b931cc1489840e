"""Identification: each sample spot against co-spotted references, then the library.

For every spot of a sample lane, in this order of strength (see
``docs/identification.md`` for the numbers and their reasons):

1. **Co-spotted references.** A reference lane on the same plate ran the same
   substance under the same conditions. A sample spot within the co-spot window
   of a reference's main spot (and, on a stained plate, of a similar colour)
   runs with it. This is the only basis for ``high`` confidence, and only when
   exactly one substance is consistent with the spot.
2. **Corrected Rf.** With two or more references on the plate that have library
   values in the system, the spot's Rf is corrected by piecewise-linear
   interpolation between them (:func:`tlc.rf.corrected_rf`) and compared with
   the library.
3. **The library alone.** Candidates within each value's window, ranked by a
   Gaussian likelihood; at best ``medium``, ``low`` when several are close or
   the match sits at the edge of its window.

A spot that matches nothing is reported as unknown, never dropped. Spots left
on the origin are not identified (many substances stay there). Each
identification carries a message key and its arguments (``REASON_KEYS``), so
that the result card can print the reason in the reader's language.

This module imports nothing heavy at start-up: the arithmetic is plain Python,
and :mod:`tlc.rf` (NumPy) is imported only when a correction is made.
"""

from __future__ import annotations

import colorsys
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tlc._types import get, r3
from tlc.errors import LibraryError

if TYPE_CHECKING:
    from tlc.lanes import Lane
    from tlc.library import Library, RfValue
    from tlc.spots import Spot

#: Message key -> English sentence with ``{placeholders}``. The result card
#: translates the keys through its catalogues (``docs/identification.md`` has the
#: French); :attr:`Identification.reason` is the English form. In the English
#: form lists are joined with ", " and numbers printed with two decimals.
REASON_KEYS: dict[str, str] = {
    "reason.co_spotted": "runs with the {substance} reference on this plate, ΔRf {delta}",
    "reason.co_spotted_also": (
        "runs with the {substance} reference on this plate, ΔRf {delta}; "
        "also consistent with {others}, not run on this plate"
    ),
    "reason.co_spotted_nearer": (
        "runs closest to the {substance} reference on this plate, ΔRf {delta}; "
        "also close to {others}"
    ),
    "reason.co_spotted_ambiguous": (
        "runs with several references on this plate ({candidates}); "
        "they are too close to tell apart"
    ),
    "reason.near_reference": (
        "runs close to the {substance} reference on this plate, ΔRf {delta}, "
        "a little farther than usual: a weak match"
    ),
    "reason.near_reference_ambiguous": (
        "runs a little off the references on this plate and is consistent with several "
        "substances: {candidates}"
    ),
    "reason.corrected_library": (
        "corrected Rf {rf} agrees with the library value of {substance} in system {system}, "
        "ΔRf {delta} (not run as a reference on this plate)"
    ),
    "reason.library": (
        "Rf {rf} agrees with the library value of {substance} in system {system}, ΔRf {delta} "
        "(no reference on this plate to confirm it)"
    ),
    "reason.library_edge": (
        "Rf {rf} is at the edge of the library window of {substance} in system {system}, "
        "ΔRf {delta}: a weak match"
    ),
    "reason.library_ambiguous": (
        "Rf {rf} agrees with several substances of the library in system {system}: {candidates}"
    ),
    "reason.unknown": (
        "Rf {rf} matches no reference on this plate and no library substance in system {system}"
    ),
    "reason.origin": (
        "stayed on the origin: it did not move with this solvent, so its Rf cannot identify it"
    ),
    "reason.front": ("ran with the solvent front: its Rf cannot identify it"),
    "reason.reference_lane": "the {substance} reference",
    "reason.reference_minor": (
        "a minor spot in the {substance} reference lane (an impurity or a breakdown product)"
    ),
    "reason.reference_origin": "material left on the origin in the {substance} reference lane",
    "reason.not_seen": (
        "{substance} (run as a reference on this plate) was not seen in this lane; "
        "a trace below the detection limit cannot be excluded"
    ),
}

#: Co-spot window (Rf units): a sample spot this close to a reference spot on the
#: same plate runs with it. Both spots share the plate's shift, so only the
#: measurement noise of two centres remains (sd about 0.014 for 0.01 per spot).
COSPOT_TOLERANCE = 0.04
#: Widest co-spot window, for broad or tailing spots.
COSPOT_TOLERANCE_MAX = 0.06
#: Spot half-height (Rf units) up to which the window stays at its base value;
#: above it, the window grows by half the excess.
COSPOT_SIZE_FREE = 0.03
#: Just outside the co-spot window, up to this factor of it, a spot is "near" a
#: reference: a ``low`` match, never ``high``.
NEAR_FACTOR = 1.5
#: ``high`` also needs every other reference farther than this many windows:
#: a spot between two references could be either.
HIGH_CLEARANCE = 2.0
#: Extra window for a spot flagged as merged or tailing (its centre is less sure).
COSPOT_FLAG_EXTRA = 0.01
#: A co-spotted reference is "clearly nearer" than the next when its ΔRf is at
#: most this fraction of the next one's and at least ``NEARER_MARGIN`` smaller.
NEARER_RATIO = 0.5
NEARER_MARGIN = 0.02
#: Stained plates: two spots have "the same colour" when their hues differ by
#: at most this many degrees (both saturated), see :func:`colours_agree`.
HUE_TOLERANCE_DEG = 35.0
#: Saturation below which a colour counts as grey/brown-ish (hue meaningless).
MIN_SATURATION = 0.2
#: A library match farther than this fraction of its window is "at the edge": ``low``.
EDGE_FRACTION = 0.6
#: Several library candidates: the best is named only when it is at least this
#: many times as likely as the next (else ``match`` is None and all are listed).
CLEAR_LIKELIHOOD_RATIO = 3.0
#: A literature window is this many standard deviations wide (for the ranking).
WINDOW_SIGMAS = 2.5
#: Measurement noise of one Rf, added to a local value's spread for the ranking.
MEASUREMENT_SD = 0.01
#: Modes of seeing a plate (as in :class:`tlc.pipeline.Analysis`).
MODES = ("uv254", "stain", "uv365")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def reason_text(key: str, args: dict[str, Any]) -> str:
    """The English reason for a message key and its arguments.

    Parameters
    ----------
    key : str
        A key of :data:`REASON_KEYS`.
    args : dict
        Values for its placeholders; lists are joined with ", " and floats
        printed with two decimals.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If ``key`` is not in :data:`REASON_KEYS` or a placeholder is missing.
    """
    return REASON_KEYS[key].format_map({k: _fmt(v) for k, v in args.items()})


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
    warnings : tuple of str
        Plain English sentences for staff about this lane (a reference that
        shows no spot, or runs far from its library value).
    """

    lane: int
    spots: tuple[Identification, ...]
    not_seen: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "lane": self.lane,
            "spots": [s.to_dict() for s in self.spots],
            "not_seen": list(self.not_seen),
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------- labels


# Labels that name a sample, not a substance (compared without accents or case).
_SAMPLE_WORDS = frozenset(
    {
        "sample", "samples", "echantillon", "ech", "unknown", "inconnu", "inconnue", "blank",
        "blanc", "vide", "empty", "mix", "melange", "test", "produit", "product", "lane",
        "piste", "x", "?",
    }
)  # fmt: skip


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a label (``Kétamine`` -> ``ketamine``)."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names(library: Library) -> dict[str, str]:
    """Folded id, alias and name -> substance id."""
    out: dict[str, str] = {}
    for sub in library.substances.values():
        for name in (sub.id, *sub.aliases, *sub.names.values()):
            out.setdefault(_fold(name), sub.id)
    return out


def lane_role(label: str, library: Library) -> tuple[str, str | None]:
    """Whether a lane label marks a reference lane, and of which substance.

    Parameters
    ----------
    label : str
        The label staff gave the lane (``cocaine``, ``Cocaïne``, ``S1``).
    library : Library

    Returns
    -------
    (str, str or None)
        ``("reference", substance_id)`` when the label is a substance id, name
        or alias of the library (case and accents ignored), else
        ``("sample", None)``.
    """
    if not label.strip():
        return ("sample", None)
    sub = library.resolve(label)
    if sub is not None:
        return ("reference", sub.id)
    found = _names(library).get(_fold(label))
    return ("reference", found) if found else ("sample", None)


def _looks_like_sample(label: str) -> bool:
    folded = _fold(label)
    return (
        not folded
        or len(folded) <= 2
        or any(c.isdigit() for c in folded)
        or folded in _SAMPLE_WORDS
    )


def label_warnings(labels: Sequence[str], library: Library) -> tuple[str, ...]:
    """Warnings for lane labels that look like substance names but are not in the library.

    A free label cannot be known for sure to be meant as a substance, so such a
    lane is treated as a sample lane; the warning says so, with the nearest
    library name when one is close. Labels that look like sample codes (with a
    digit, ``S1``, ``ech-042``; very short; words like ``sample``, ``inconnu``)
    give no warning.

    Parameters
    ----------
    labels : sequence of str
        Lane labels, left to right.
    library : Library

    Returns
    -------
    tuple of str
        One English sentence per suspicious label, e.g. ``"lane 3 'ketamin'
        is not in the library; it is treated as a sample (did you mean
        'ketamine'?)"``.
    """
    import difflib

    names: dict[str, str] | None = None
    out = []
    for i, label in enumerate(labels, start=1):
        if lane_role(label, library)[0] == "reference" or _looks_like_sample(label):
            continue
        if names is None:
            names = _names(library)
        msg = f"lane {i} {label.strip()!r} is not in the library; it is treated as a sample"
        close = difflib.get_close_matches(_fold(label), list(names), n=1, cutoff=0.7)
        if close:
            msg += f" (did you mean {names[close[0]]!r}?)"
        out.append(msg)
    return tuple(out)


# --------------------------------------------------------------------------- helpers


def colours_agree(a: Sequence[int], b: Sequence[int]) -> bool:
    """Whether two stained spots have a similar colour.

    Two saturated colours agree when their hues differ by at most
    :data:`HUE_TOLERANCE_DEG`; a saturated colour never agrees with a grey or
    brownish one (saturation below :data:`MIN_SATURATION`) unless their
    saturations differ by less than 0.15; two greyish colours agree (their hue
    says nothing).

    Parameters
    ----------
    a, b : sequence of 3 int
        RGB colours, 0-255.

    Returns
    -------
    bool
    """
    ha, sa, _ = colorsys.rgb_to_hsv(*(c / 255.0 for c in a[:3]))
    hb, sb, _ = colorsys.rgb_to_hsv(*(c / 255.0 for c in b[:3]))
    sat_a, sat_b = sa >= MIN_SATURATION, sb >= MIN_SATURATION
    if sat_a and sat_b:
        dh = abs(ha - hb) * 360.0
        return min(dh, 360.0 - dh) <= HUE_TOLERANCE_DEG
    if sat_a != sat_b:
        return abs(sa - sb) < 0.15
    return True


def cospot_tolerance(spot: Spot, reference: Spot, *, run_px: float | None = None) -> float:
    """Co-spot window (Rf units) between a sample spot and a reference spot.

    :data:`COSPOT_TOLERANCE`, widened by half the amount by which the two
    spots' mean half-height exceeds :data:`COSPOT_SIZE_FREE` (a wide spot's
    centre is less precise), plus :data:`COSPOT_FLAG_EXTRA` when either spot
    is flagged merged or tailing; at most :data:`COSPOT_TOLERANCE_MAX`.

    Parameters
    ----------
    spot, reference : Spot
    run_px : float, optional
        Baseline-to-front distance in rows; without it the spot size is ignored.

    Returns
    -------
    float
    """
    tol = COSPOT_TOLERANCE
    if run_px and run_px > 0:
        half = (abs(spot.bottom - spot.top) + abs(reference.bottom - reference.top)) / 4.0
        tol += 0.5 * max(0.0, half / run_px - COSPOT_SIZE_FREE)
    if {"spot_merged", "spot_tailing"} & {*spot.flags, *reference.flags}:
        tol += COSPOT_FLAG_EXTRA
    return min(tol, COSPOT_TOLERANCE_MAX)


def _estimate_run(spots: Sequence[Spot]) -> float | None:
    """Baseline-to-front distance in rows, from the spots' rows against their Rf.

    Rf falls linearly with the row, with slope ``-1/run``; a least-squares fit
    over the moved spots gives ``run`` when they span enough Rf.
    """
    pts = [(s.rf, s.row) for s in spots if s.rf is not None and not s.on_origin]
    if len(pts) < 2:
        return None
    xs = [p[0] for p in pts]
    if max(xs) - min(xs) < 0.15:
        return None
    mx = sum(xs) / len(xs)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    run = -sxy / sxx
    return run if run > 0 else None


def _main_spot(spots: Sequence[Spot]) -> int | None:
    """Position of the strongest spot that moved and did not run with the front."""
    best: int | None = None
    for i, s in enumerate(spots):
        if s.on_origin or s.rf is None or "spot_at_front" in s.flags:
            continue
        if best is None or s.strength > spots[best].strength:
            best = i
    return best


def _window(rv: RfValue, system_tolerance: float, tolerance: float | None) -> float:
    if tolerance is not None:
        return tolerance
    return rv.tolerance if rv.tolerance > 0 else system_tolerance


def _sigma(rv: RfValue, window: float) -> float:
    # Local values carry their measured spread; literature windows are read as
    # WINDOW_SIGMAS standard deviations wide.
    if rv.tier == "local" and rv.sd is not None and rv.n >= 2:
        return max(math.hypot(rv.sd, MEASUREMENT_SD), 0.005)
    return max(window / WINDOW_SIGMAS, 0.005)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A library substance consistent with an Rf.

    Attributes
    ----------
    substance : str
    delta : float
        Rf compared minus the library value.
    window : float
        Half-width of the value's window.
    log_likelihood : float
        Gaussian log-likelihood of ``delta`` (used to rank).
    """

    substance: str
    delta: float
    window: float
    log_likelihood: float


def library_candidates(
    rf: float,
    library: Library,
    *,
    system: str,
    mode: str = "uv254",
    exclude: Sequence[str] = (),
    tolerance: float | None = None,
) -> tuple[Candidate, ...]:
    """Library substances whose Rf in ``system`` is within its window of ``rf``.

    Parameters
    ----------
    rf : float
        The Rf to compare (corrected when references allowed it).
    library : Library
    system : str
        System id; it must be in the library.
    mode : str
        ``"uv254"`` leaves out substances invisible under UV 254 (``uv254:
        none``): they cannot make a dark spot.
    exclude : sequence of str
        Substance ids not to propose (those run as references on the plate,
        which are judged by direct comparison).
    tolerance : float, optional
        Window for every value, instead of the library's.

    Returns
    -------
    tuple of Candidate
        Most likely first.
    """
    sys_tol = library.systems[system].tolerance
    skip = set(exclude)
    out = []
    for sub in library.substances.values():
        rv = sub.rf.get(system)
        if rv is None or sub.id in skip or (mode == "uv254" and sub.uv254 == "none"):
            continue
        window = _window(rv, sys_tol, tolerance)
        delta = rf - rv.rf
        if abs(delta) > window:
            continue
        sigma = _sigma(rv, window)
        ll = -0.5 * (delta / sigma) ** 2 - math.log(sigma)
        out.append(Candidate(sub.id, delta, window, ll))
    out.sort(key=lambda c: (-c.log_likelihood, c.substance))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Reference:
    substance: str
    lane: int
    spot: Spot


def _corrector(
    refs: Sequence[_Reference], library: Library, system: str
) -> tuple[Callable[[float], float] | None, tuple[str, ...]]:
    """The Rf correction from the plate's references, and the references left out.

    References run out of order compared with the library (a wrong label, a
    bad spot) would fold the correction back on itself: only the longest
    subset whose observed order agrees with the library order is kept.
    """
    observed: dict[str, list[float]] = {}
    for ref in refs:
        observed.setdefault(ref.substance, []).append(float(ref.spot.rf or 0.0))
    pairs = []
    for sub_id, values in observed.items():
        sub = library.substances.get(sub_id)
        rv = sub.rf.get(system) if sub is not None else None
        obs = sum(values) / len(values)
        if rv is not None and 0.0 <= obs <= 1.0:
            pairs.append((obs, rv.rf, sub_id))
    pairs.sort()
    # Longest chain strictly increasing in both observed and tabulated Rf.
    best_len = [1] * len(pairs)
    prev = [-1] * len(pairs)
    for j in range(len(pairs)):
        for i in range(j):
            if pairs[i][0] < pairs[j][0] and pairs[i][1] < pairs[j][1]:
                if best_len[i] + 1 > best_len[j]:
                    best_len[j], prev[j] = best_len[i] + 1, i
    if not pairs:
        return None, ()
    j = max(range(len(pairs)), key=lambda k: best_len[k])
    chain = []
    while j >= 0:
        chain.append(pairs[j])
        j = prev[j]
    chain.reverse()
    dropped = tuple(p[2] for p in pairs if p not in chain)
    if len(chain) < 2:
        return None, dropped
    from tlc.rf import corrected_rf

    observed_rf = [p[0] for p in chain]
    tabulated_rf = [p[1] for p in chain]

    def correct(rf: float) -> float:
        return corrected_rf(min(1.0, max(0.0, rf)), observed_rf, tabulated_rf)

    return correct, dropped


def _make(
    key: str,
    args: dict[str, Any],
    *,
    match: str | None = None,
    confidence: str | None = None,
    candidates: Sequence[str] = (),
    basis: str = "none",
    rf_corrected: float | None = None,
    delta_rf: float | None = None,
) -> Identification:
    return Identification(
        match=match,
        confidence=confidence if match else None,
        candidates=tuple(dict.fromkeys(candidates)),
        basis=basis,
        rf_corrected=rf_corrected,
        delta_rf=delta_rf,
        reason_key=key,
        reason_args=args,
        reason=reason_text(key, args),
    )


def _d(value: float) -> float:
    return round(abs(value), 3)


# --------------------------------------------------------------------------- identify


def identify(
    lanes: Sequence[Lane],
    spots: Sequence[Spot],
    library: Library,
    *,
    system: str,
    stained: bool = False,
    tolerance: float | None = None,
    mode: str | None = None,
    run_px: float | None = None,
) -> tuple[LaneIdentification, ...]:
    """Identify every spot of a plate against its reference lanes and the library.

    Parameters
    ----------
    lanes : sequence of Lane
        The plate's lanes; ``role == "reference"`` with ``substance`` set marks
        a reference lane.
    spots : sequence of Spot
        All spots of the plate, with ``rf`` filled (:func:`tlc.rf.measure`).
    library : Library
    system : str
        Solvent system id; it must be in the library.
    stained : bool
        The plate was revealed with a stain: co-spot matches also need a
        similar colour (:func:`colours_agree`). Same as ``mode="stain"``.
    tolerance : float, optional
        Window (Rf units) for library matches, instead of each value's own.
    mode : str, optional
        ``"uv254"`` (default unless ``stained``), ``"stain"`` or ``"uv365"``.
        Under UV 254, substances that do not quench are never proposed.
    run_px : float, optional
        Baseline-to-front distance in rows of the rectified plate, used to
        widen the co-spot window for large spots; estimated from the spots
        when not given.

    Returns
    -------
    tuple of LaneIdentification
        One per lane, in the order of ``lanes``; each holds one
        :class:`Identification` per spot of that lane, in input order.

    Raises
    ------
    LibraryError
        If ``system`` is not in the library.
    ValueError
        If ``mode`` or ``tolerance`` is invalid, two lanes share an index, a
        spot names a lane that is not given, or a spot has no Rf.
    """
    if mode is None:
        mode = "stain" if stained else "uv254"
    if mode not in MODES:
        msg = f"mode must be one of {', '.join(MODES)}, not {mode!r}"
        raise ValueError(msg)
    stained = stained or mode == "stain"
    if system not in library.systems:
        known = ", ".join(sorted(library.systems)) or "none"
        msg = f"unknown system {system!r}; known: {known}"
        raise LibraryError(msg)
    if tolerance is not None and not 0.0 < tolerance <= 0.5:
        msg = f"tolerance must be in (0, 0.5], not {tolerance}"
        raise ValueError(msg)
    by_lane: dict[int, list[Spot]] = {}
    for lane in lanes:
        if lane.index in by_lane:
            msg = f"two lanes have the index {lane.index}"
            raise ValueError(msg)
        by_lane[lane.index] = []
    for s in spots:
        if s.lane not in by_lane:
            msg = f"a spot is in lane {s.lane}, which is not among the lanes given"
            raise ValueError(msg)
        if s.rf is None:
            msg = "every spot needs its rf (call tlc.rf.measure before identify)"
            raise ValueError(msg)
        by_lane[s.lane].append(s)
    if run_px is None:
        run_px = _estimate_run(spots)

    refs: list[_Reference] = []
    for lane in lanes:
        if lane.role == "reference" and lane.substance:
            main = _main_spot(by_lane[lane.index])
            if main is not None:
                refs.append(_Reference(lane.substance, lane.index, by_lane[lane.index][main]))
    seen_refs = list(dict.fromkeys(r.substance for r in refs))
    correct, dropped = _corrector(refs, library, system)
    ctx = _Context(
        library=library,
        system=system,
        mode=mode,
        stained=stained,
        tolerance=tolerance,
        run_px=run_px,
        refs=tuple(refs),
        # Only references that showed their spot were compared directly; one
        # that showed nothing must not hide its substance from the library.
        plate_subs=tuple(seen_refs),
        correct=correct,
    )

    out = []
    for lane in lanes:
        lane_spots = by_lane[lane.index]
        if lane.role == "reference" and lane.substance:
            out.append(_reference_lane(lane, lane_spots, ctx, dropped))
            continue
        idents = tuple(_sample_spot(s, ctx) for s in lane_spots)
        consistent = {c for ident in idents for c in ident.candidates}
        not_seen = tuple(sub for sub in seen_refs if sub not in consistent)
        out.append(LaneIdentification(lane=lane.index, spots=idents, not_seen=not_seen))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Context:
    library: Library
    system: str
    mode: str
    stained: bool
    tolerance: float | None
    run_px: float | None
    refs: tuple[_Reference, ...]
    plate_subs: tuple[str, ...]
    correct: Callable[[float], float] | None


def _reference_lane(
    lane: Lane, spots: Sequence[Spot], ctx: _Context, dropped: Sequence[str]
) -> LaneIdentification:
    sub_id = str(lane.substance)
    main = _main_spot(spots)
    sub = ctx.library.substances.get(sub_id)
    rv = sub.rf.get(ctx.system) if sub is not None else None
    warnings = []
    idents = []
    for i, s in enumerate(spots):
        args: dict[str, Any] = {"substance": sub_id}
        if i == main:
            delta = None if rv is None else float(s.rf or 0.0) - rv.rf
            idents.append(
                _make(
                    "reason.reference_lane",
                    args,
                    match=sub_id,
                    confidence="high",
                    candidates=(sub_id,),
                    basis="reference-lane",
                    delta_rf=delta,
                )
            )
            window = (
                None
                if rv is None
                else _window(rv, ctx.library.systems[ctx.system].tolerance, ctx.tolerance)
            )
            if delta is not None and window is not None and rv is not None and abs(delta) > window:
                warnings.append(
                    f"the {sub_id} reference (lane {lane.index}) ran at Rf {s.rf:.2f}, "
                    f"{abs(delta):.2f} from its library value {rv.rf:.2f} in system {ctx.system}: "
                    "check the system and the plate; library matches on this plate are less sure"
                )
        elif s.on_origin:
            idents.append(_make("reason.reference_origin", args, basis="reference-lane"))
        else:
            idents.append(_make("reason.reference_minor", args, basis="reference-lane"))
    if main is None:
        warnings.append(
            f"the {sub_id} reference (lane {lane.index}) shows no spot that moved; "
            f"{sub_id} cannot be judged in the samples of this plate"
        )
    if sub_id in dropped:
        warnings.append(
            f"the {sub_id} reference (lane {lane.index}) runs out of order with the other "
            "references compared with the library; it was not used to correct Rf"
        )
    return LaneIdentification(lane=lane.index, spots=tuple(idents), warnings=tuple(warnings))


def _sample_spot(spot: Spot, ctx: _Context) -> Identification:
    rf = float(spot.rf or 0.0)
    if spot.on_origin:
        return _make("reason.origin", {})
    # Only the detector's flag says "ran with the front": some substances have a
    # library Rf near 1 (THC 0.98 in DMF-cyclohexane).
    if "spot_at_front" in spot.flags:
        return _make("reason.front", {})
    rf_c = ctx.correct(rf) if ctx.correct is not None else None
    lib_rf = rf_c if rf_c is not None else rf
    lib_basis = "corrected" if rf_c is not None else "library"
    others = library_candidates(
        lib_rf,
        ctx.library,
        system=ctx.system,
        mode=ctx.mode,
        exclude=ctx.plate_subs,
        tolerance=ctx.tolerance,
    )
    other_ids = [c.substance for c in others]

    # 1. Co-spotted references: per substance, the reference lane it agrees best with.
    hits: dict[str, tuple[float, float]] = {}
    near: dict[str, tuple[float, float]] = {}
    close: dict[str, float] = {}  # within HIGH_CLEARANCE windows: |delta|
    for ref in ctx.refs:
        tol = cospot_tolerance(spot, ref.spot, run_px=ctx.run_px)
        delta = rf - float(ref.spot.rf or 0.0)
        if abs(delta) > HIGH_CLEARANCE * tol:
            continue
        if ctx.stained and not colours_agree(spot.colour, ref.spot.colour):
            continue
        close[ref.substance] = min(abs(delta), close.get(ref.substance, 1.0))
        if abs(delta) > NEAR_FACTOR * tol:
            continue
        found = hits if abs(delta) <= tol else near
        if ref.substance not in found or abs(delta) < abs(found[ref.substance][0]):
            found[ref.substance] = (delta, tol)
    for sub_id in hits:
        near.pop(sub_id, None)
    if hits:
        ranked = sorted(hits.items(), key=lambda kv: abs(kv[1][0]))
        names = [k for k, _ in ranked]
        best, (d1, _) = ranked[0]
        common: dict[str, Any] = {"rf_corrected": rf_c, "delta_rf": d1, "basis": "reference"}
        # Another reference not far outside the window: with a little more
        # noise the spot could be that one, so the best is named but not "high".
        rivals = sorted((k for k in close if k != best), key=lambda k: close[k])
        if len(ranked) == 1 and rivals:
            args = {"substance": best, "delta": _d(d1), "others": rivals + other_ids}
            return _make(
                "reason.co_spotted_nearer", args, match=best, confidence="medium",
                candidates=[best, *rivals, *other_ids], **common,
            )  # fmt: skip
        if len(ranked) == 1:
            if not others:
                args = {"substance": best, "delta": _d(d1)}
                return _make(
                    "reason.co_spotted", args, match=best, confidence="high",
                    candidates=names, **common,
                )  # fmt: skip
            args = {"substance": best, "delta": _d(d1), "others": other_ids}
            return _make(
                "reason.co_spotted_also", args, match=best, confidence="medium",
                candidates=names + other_ids, **common,
            )  # fmt: skip
        d2 = abs(ranked[1][1][0])
        if abs(d1) <= NEARER_RATIO * d2 and abs(d1) + NEARER_MARGIN <= d2:
            args = {"substance": best, "delta": _d(d1), "others": names[1:] + other_ids}
            return _make(
                "reason.co_spotted_nearer", args, match=best, confidence="medium",
                candidates=names + other_ids, **common,
            )  # fmt: skip
        args = {"candidates": names + other_ids}
        return _make("reason.co_spotted_ambiguous", args, candidates=names + other_ids, **common)

    # Just outside the co-spot window of a reference: the reference is still the
    # best evidence there is, but only a weak one.
    if near:
        # Near references and library substances ranked together: a reference
        # window is read as WINDOW_SIGMAS standard deviations, like a library one.
        pool = [
            (name, d, -0.5 * (d * WINDOW_SIGMAS / tol) ** 2 - math.log(tol / WINDOW_SIGMAS))
            for name, (d, tol) in near.items()
        ] + [(c.substance, c.delta, c.log_likelihood) for c in others]
        pool.sort(key=lambda p: -p[2])
        names = [p[0] for p in pool]
        best, d1, ll1 = pool[0]
        common = {"rf_corrected": rf_c, "basis": "reference" if best in near else lib_basis}
        if len(pool) == 1:
            args = {"substance": best, "delta": _d(d1)}
            return _make(
                "reason.near_reference", args, match=best, confidence="low",
                candidates=names, delta_rf=d1, **common,
            )  # fmt: skip
        clear = ll1 - pool[1][2] >= math.log(CLEAR_LIKELIHOOD_RATIO)
        args = {"candidates": names}
        return _make(
            "reason.near_reference_ambiguous", args, match=best if clear else None,
            confidence="low", candidates=names, delta_rf=d1 if clear else None, **common,
        )  # fmt: skip

    # 2./3. The library, with the corrected Rf when the plate allowed it.
    common = {"rf_corrected": rf_c, "basis": lib_basis}
    base = {"rf": round(lib_rf, 3), "system": ctx.system}
    if not others:
        return _make("reason.unknown", {"rf": round(rf, 3), "system": ctx.system}, **common)
    top = others[0]
    if len(others) == 1:
        args = {**base, "substance": top.substance, "delta": _d(top.delta)}
        if abs(top.delta) <= EDGE_FRACTION * top.window:
            key = "reason.corrected_library" if rf_c is not None else "reason.library"
            conf = "medium"
        else:
            key, conf = "reason.library_edge", "low"
        return _make(
            key, args, match=top.substance, confidence=conf, candidates=other_ids,
            delta_rf=top.delta, **common,
        )  # fmt: skip
    clear = top.log_likelihood - others[1].log_likelihood >= math.log(CLEAR_LIKELIHOOD_RATIO)
    args = {**base, "candidates": other_ids}
    return _make(
        "reason.library_ambiguous",
        args,
        match=top.substance if clear else None,
        confidence="low",
        candidates=other_ids,
        delta_rf=top.delta if clear else None,
        **common,
    )
