"""Identification benchmark: how often ``tlc.match.identify`` names the right substances.

    python bench/identification.py [--n 300] [--seed 0] [--system TA] [--noise 0.01]
                                   [--shift 0.05] [--json]

Plates are simulated at the level of spots (no images: this measures
identification, not detection), from the real library (``load_library()``;
a small built-in list when it does not load):

*co-spotted*: 2-5 reference lanes whose library Rf differ by at least
``MIN_REF_GAP`` (as a service chooses its references so that they separate),
1-4 sample lanes of 1-3 substances each, drawn from the references, sometimes
(``P_OFF_PLATE``) a library substance that is not run as a reference but that
the library can tell apart. Every spot moves by one plate-wide shift drawn
from ±``MAX_SHIFT`` and by its own measurement noise (sd ``NOISE_SD``); spot
sizes vary. Some lanes get an unknown substance (not in the library), an
artefact spot or material on the origin; some spots are missed
(``P_MISSED``); reference lanes sometimes show a minor impurity spot.
Unknowns and artefacts are placed where nothing of the plate or the library
runs (a substance that runs exactly with a reference cannot be told from it by
TLC: the ``comigrating unknowns`` row measures what that does).

*library-only*: no reference lane; each sample holds 1-2 substances that the
library can tell apart (no other visible substance within the window);
without a plate shift (values measured on the service's own plates, as
``tlc references learn`` gives) and, for information, with the ±0.05 shift.

Scores: the exact set of substances named in a sample lane (``match`` values)
against the truth (target ≥ 97 %, counted over lanes whose substances were
all detected; the rate over all lanes is printed too); the precision of
``high`` matches (target 100 %); library-only top-1 (≥ 90 %) and containment in
the candidates (≥ 99 %). Prints a table and exits 0; ``--json`` for machines.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from dataclasses import dataclass
from typing import Any

from tlc.lanes import Lane
from tlc.library import Library, RfValue, Substance, System
from tlc.match import identify
from tlc.spots import Spot

MAX_SHIFT = 0.05
NOISE_SD = 0.01
MIN_REF_GAP = 0.10
MIN_LANE_GAP = 0.07
P_OFF_PLATE = 0.10
P_UNKNOWN = 0.10
P_ARTEFACT = 0.05
P_ORIGIN = 0.20
P_MISSED = 0.01
P_IMPURITY = 0.20
RUN_PX = 800.0
BASELINE_ROW = 900.0

TARGETS = {
    "exact_set": 0.97,
    "high_precision": 1.0,
    "top1": 0.90,
    "contained": 0.99,
}

# Used only when the real library does not load: methanol-ammonia 100:1.5
# values from domain-facts.md ([G] cocaine table and Clarke TA reference compounds).
_FALLBACK = {
    "cocaine": 0.59,
    "procaine": 0.55,
    "benzocaine": 0.80,
    "methadone": 0.41,
    "benzoylecgonine": 0.25,
    "heroin": 0.43,
    "morphine": 0.29,
    "codeine": 0.33,
    "diazepam": 0.75,
    "atropine": 0.18,
    "chlorprothixene": 0.56,
}


def fallback_library() -> Library:
    """A small library with the methanol-ammonia values of ``domain-facts.md``."""
    system = System(
        id="TA",
        name="methanol-ammonia 100:1.5 (fallback)",
        plate="silica",
        mobile_phase="methanol : ammonia 100 : 1.5",
        visualisation=("uv254",),
        default=True,
        tolerance=0.05,
    )
    subs = {
        sid: Substance(
            id=sid,
            names={"en": sid, "fr": sid},
            aliases=(),
            category="test",
            description={},
            uv254="quenches",
            stains={},
            rf={"TA": RfValue(rf=rf, tolerance=0.05, tier="secondary", source="domain-facts")},
            harm_reduction={},
        )
        for sid, rf in _FALLBACK.items()
    }
    return Library(systems={"TA": system}, substances=subs)


def load() -> tuple[Library, str]:
    """The built-in library, or the fallback; and which one it is."""
    try:
        from tlc.library import load_library  # type: ignore[attr-defined]

        library = load_library()
        if library.substances and library.systems:
            return library, "built-in library"
    except Exception as exc:  # the library is being written: fall back, say so
        return fallback_library(), f"fallback list ({type(exc).__name__})"
    return fallback_library(), "fallback list (empty library)"


@dataclass(frozen=True)
class _Setup:
    library: Library
    system: str
    values: dict[str, float]  # visible substances with an Rf in the system
    windows: dict[str, float]
    separable: tuple[str, ...]  # no other visible substance within the window
    noise: float = NOISE_SD
    max_shift: float = MAX_SHIFT


def setup(library: Library, system: str | None) -> _Setup:
    """The pool of substances the benchmark draws from."""
    sys_id = system or library.default_system.id
    sys_tol = library.systems[sys_id].tolerance
    values, windows = {}, {}
    for sub in library.substances.values():
        rv = sub.rf.get(sys_id)
        if rv is None or sub.uv254 == "none":
            continue
        values[sub.id] = rv.rf
        windows[sub.id] = rv.tolerance if rv.tolerance > 0 else sys_tol
    separable = tuple(
        s
        for s in sorted(values)
        # Rounded: 0.80 - 0.75 must not count as more than 0.05.
        if all(
            round(abs(values[s] - values[o]), 6) > max(windows[s], windows[o])
            for o in values
            if o != s
        )
    )
    return _Setup(library, sys_id, values, windows, separable)


def _spot(lane: int, rf: float, rng: random.Random, *, strength: float, origin: bool = False):
    half = rng.uniform(0.015, 0.04) * RUN_PX
    row = BASELINE_ROW - rf * RUN_PX
    return Spot(
        lane=lane,
        row=row,
        col=30.0 * lane,
        top=row - half,
        bottom=row + half,
        half_width=8.0,
        strength=strength,
        contrast=0.3,
        on_origin=origin,
        rf=round(rf, 4),
    )


def _observe(rf: float, shift: float, rng: random.Random, noise: float) -> float:
    return min(0.98, max(0.03, rf + shift + rng.gauss(0.0, noise)))


def _free_rf(rng: random.Random, taken: list[float], gap: float) -> float | None:
    for _ in range(50):
        rf = rng.uniform(0.08, 0.92)
        if all(abs(rf - t) >= gap for t in taken):
            return rf
    return None


def _pick_apart(pool: list[str], values: dict[str, float], k: int, gap: float, rng) -> list[str]:
    pool = pool[:]
    rng.shuffle(pool)
    chosen: list[str] = []
    for sid in pool:
        if all(abs(values[sid] - values[c]) >= gap for c in chosen):
            chosen.append(sid)
        if len(chosen) == k:
            break
    return chosen


@dataclass
class _Tally:
    lanes: int = 0
    lanes_detected: int = 0
    exact: int = 0
    exact_detected: int = 0
    high: int = 0
    high_right: int = 0
    true_spots: int = 0
    true_named: int = 0
    true_high: int = 0
    unknown_spots: int = 0
    unknown_named: int = 0
    spots: int = 0
    top1: int = 0
    contained: int = 0

    def score_lane(self, idents, truth_spots, truth_set, all_detected):
        named = {i.match for i in idents if i.match}
        self.lanes += 1
        self.exact += named == truth_set
        if all_detected:
            self.lanes_detected += 1
            self.exact_detected += named == truth_set
        for ident, truth in zip(idents, truth_spots, strict=True):
            if ident.confidence == "high":
                self.high += 1
                self.high_right += ident.match == truth
            if truth is None:
                self.unknown_spots += 1
                self.unknown_named += ident.match is not None
            else:
                self.true_spots += 1
                self.true_named += ident.match == truth
                self.true_high += ident.confidence == "high" and ident.match == truth

    def score_spots(self, idents, truth_spots):
        for ident, truth in zip(idents, truth_spots, strict=True):
            if truth is None:
                continue
            self.spots += 1
            self.top1 += bool(ident.candidates) and ident.candidates[0] == truth
            self.contained += truth in ident.candidates
            if ident.confidence == "high":
                self.high += 1
                self.high_right += ident.match == truth


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _cospotted_plate(s: _Setup, rng: random.Random, tally: _Tally, *, comigrating: bool) -> None:
    pool = sorted(s.values)
    refs = _pick_apart(pool, s.values, rng.randint(2, 5), MIN_REF_GAP, rng)
    if len(refs) < 2:
        return
    shift = rng.uniform(-s.max_shift, s.max_shift)
    off_pool = [
        x
        for x in s.separable
        if x not in refs
        and all(round(abs(s.values[x] - s.values[r]), 6) > s.windows[x] for r in refs)
    ]
    n_samples = rng.randint(1, 4)
    labels = [f"S{i + 1}" for i in range(n_samples)] + refs
    rng.shuffle(labels)
    lanes, spots, truth = [], [], []
    sample_truth: dict[int, tuple[set[str], bool]] = {}
    ref_obs = [s.values[r] + shift for r in refs]
    for idx, label in enumerate(labels, start=1):
        if label in refs:
            lanes.append(Lane(idx, 30.0 * idx, 20.0, label, "reference", label))
            spots.append(
                _spot(idx, _observe(s.values[label], shift, rng, s.noise), rng, strength=2.0)
            )
            truth.append(label)
            if rng.random() < P_IMPURITY:
                rf = _free_rf(rng, [s.values[label] + shift], 0.1)
                if rf is not None:
                    spots.append(_spot(idx, rf, rng, strength=0.15))
                    truth.append(None)
            continue
        lanes.append(Lane(idx, 30.0 * idx, 20.0, label, "sample", None))
        members = _pick_apart(refs, s.values, rng.randint(1, 3), MIN_LANE_GAP, rng)
        if off_pool and rng.random() < P_OFF_PLATE:
            extra = _pick_apart(off_pool, s.values, 1, MIN_LANE_GAP, rng)
            if extra and all(
                abs(s.values[extra[0]] - s.values[m]) >= MIN_LANE_GAP for m in members
            ):
                members += extra
        detected = True
        taken = [s.values[m] + shift for m in members]
        for m in members:
            if rng.random() < P_MISSED:
                detected = False
                continue
            spots.append(_spot(idx, _observe(s.values[m], shift, rng, s.noise), rng, strength=1.0))
            truth.append(m)
        for p in (P_UNKNOWN, P_ARTEFACT):
            if rng.random() >= p:
                continue
            if comigrating:
                rf = rng.choice(ref_obs) + rng.gauss(0.0, s.noise)
            else:
                avoid = taken + ref_obs + [v + shift for v in s.values.values()]
                rf = _free_rf(rng, avoid, 0.08)
            if rf is not None and all(abs(rf - t) >= 0.05 for t in taken):
                spots.append(_spot(idx, rf, rng, strength=0.5))
                truth.append(None)
                taken.append(rf)
        if rng.random() < P_ORIGIN:
            spots.append(_spot(idx, rng.uniform(0.0, 0.03), rng, strength=1.0, origin=True))
            truth.append(None)
        sample_truth[idx] = (set(members), detected)
    result = identify(lanes, spots, s.library, system=s.system, run_px=RUN_PX)
    for lane, lane_res in zip(lanes, result, strict=True):
        lane_truth = [t for sp, t in zip(spots, truth, strict=True) if sp.lane == lane.index]
        if lane.role == "reference":
            continue  # the reference's own spot is "high" by definition: not scored
        members, detected = sample_truth[lane.index]
        tally.score_lane(lane_res.spots, lane_truth, members, detected)


def _library_plate(s: _Setup, rng: random.Random, tally: _Tally, *, shift_max: float) -> None:
    if not s.separable:
        return
    shift = rng.uniform(-shift_max, shift_max)
    lanes, spots, truth = [], [], []
    for idx in range(1, rng.randint(1, 3) + 1):
        lanes.append(Lane(idx, 30.0 * idx, 20.0, f"S{idx}", "sample", None))
        for m in _pick_apart(list(s.separable), s.values, rng.randint(1, 2), MIN_LANE_GAP, rng):
            spots.append(_spot(idx, _observe(s.values[m], shift, rng, s.noise), rng, strength=1.0))
            truth.append(m)
    result = identify(lanes, spots, s.library, system=s.system, run_px=RUN_PX)
    for lane, lane_res in zip(lanes, result, strict=True):
        lane_truth = [t for sp, t in zip(spots, truth, strict=True) if sp.lane == lane.index]
        tally.score_spots(lane_res.spots, lane_truth)


def run(
    n: int = 300,
    seed: int = 0,
    *,
    system: str | None = None,
    library: Library | None = None,
    noise: float = NOISE_SD,
    max_shift: float = MAX_SHIFT,
) -> dict[str, Any]:
    """Run the benchmark.

    Parameters
    ----------
    n : int
        Plates per scenario.
    seed : int
    system : str, optional
        System id; without it each plate is run in a system drawn from those
        with enough values (two references that separate for the co-spotted
        scenario, one separable substance for the library-only one).
    library : Library, optional
        The library; ``load()`` when not given.
    noise : float
        Standard deviation of each spot's measured Rf.
    max_shift : float
        Largest plate-wide Rf shift.

    Returns
    -------
    dict
        ``cospotted``, ``comigrating_unknowns``, ``library_only``,
        ``library_only_shifted`` scores, plus the systems used.
    """
    if library is None:
        library, origin = load()
    else:
        origin = "given"
    ids = [system] if system else sorted(library.systems)
    setups = [
        dataclasses.replace(setup(library, sid), noise=noise, max_shift=max_shift) for sid in ids
    ]
    cospot = [x for x in setups if len(_pick_apart(sorted(x.values), x.values, 5, MIN_REF_GAP,
                                                   random.Random(0))) >= 2]  # fmt: skip
    alone = [x for x in setups if x.separable]
    out: dict[str, Any] = {
        "library": origin,
        "systems": {
            x.system: {"substances_with_rf": len(x.values), "separable": list(x.separable)}
            for x in setups
        },
        "plates": n,
        "seed": seed,
        "noise": noise,
        "max_shift": max_shift,
    }
    for name, comigrating in (("cospotted", False), ("comigrating_unknowns", True)):
        rng = random.Random(f"{seed}-{name}")
        t = _Tally()
        for _ in range(n if cospot else 0):
            _cospotted_plate(rng.choice(cospot), rng, t, comigrating=comigrating)
        out[name] = {
            "lanes": t.lanes,
            "exact_set": _ratio(t.exact_detected, t.lanes_detected),
            "exact_set_all_lanes": _ratio(t.exact, t.lanes),
            "high": t.high,
            "high_precision": _ratio(t.high_right, t.high),
            "true_spots_named": _ratio(t.true_named, t.true_spots),
            "true_spots_high": _ratio(t.true_high, t.true_spots),
            "unknown_spots": t.unknown_spots,
            "unknown_spots_named": _ratio(t.unknown_named, t.unknown_spots),
        }
    for name, shift_max in (("library_only", 0.0), ("library_only_shifted", max_shift)):
        rng = random.Random(f"{seed}-{name}")
        t = _Tally()
        for _ in range(n if alone else 0):
            _library_plate(rng.choice(alone), rng, t, shift_max=shift_max)
        out[name] = {
            "spots": t.spots,
            "top1": _ratio(t.top1, t.spots),
            "contained": _ratio(t.contained, t.spots),
            "high": t.high,
        }
    return out


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def table(result: dict[str, Any]) -> str:
    """The result as a plain-text table."""
    c, m = result["cospotted"], result["comigrating_unknowns"]
    lo, ls = result["library_only"], result["library_only_shifted"]

    def ok(value, target):
        return "" if value is None else ("pass" if value >= target else "FAIL")

    rows = [
        ("co-spotted: exact set per sample lane", c["exact_set"], TARGETS["exact_set"]),
        ("  (all lanes, incl. missed spots)", c["exact_set_all_lanes"], None),
        ("co-spotted: high matches right", c["high_precision"], TARGETS["high_precision"]),
        ("  true spots named right", c["true_spots_named"], None),
        ("  true spots named high", c["true_spots_high"], None),
        ("  unknown/artefact spots given a name", c["unknown_spots_named"], None),
        ("comigrating unknowns: exact set", m["exact_set"], None),
        ("comigrating unknowns: high right", m["high_precision"], None),
        ("library only: true substance top-1", lo["top1"], TARGETS["top1"]),
        ("library only: among candidates", lo["contained"], TARGETS["contained"]),
        ("library only, with the shift: top-1", ls["top1"], None),
        ("library only, with the shift: among candidates", ls["contained"], None),
    ]
    lines = [
        f"identification benchmark: {result['plates']} plates per scenario, seed "
        f"{result['seed']}, noise sd {result['noise']}, shift ±{result['max_shift']}, "
        f"{result['library']}",
        "  systems: "
        + "; ".join(
            f"{k} ({v['substances_with_rf']} with an Rf, {len(v['separable'])} separable)"
            for k, v in result["systems"].items()
        ),
        f"  co-spotted: {c['lanes']} sample lanes, {c['high']} high matches; "
        f"library only: {lo['spots']} spots",
        "",
        f"{'measure':46} {'value':>8} {'target':>8}",
    ]
    for label, value, target in rows:
        tgt = "" if target is None else _pct(target)
        verdict = "" if target is None else ok(value, target)
        lines.append(f"{label:46} {_pct(value):>8} {tgt:>8} {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: run and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="plates per scenario (300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--system", default=None, help="only this system (default: all)")
    parser.add_argument("--noise", type=float, default=NOISE_SD, help="Rf noise sd (0.01)")
    parser.add_argument("--shift", type=float, default=MAX_SHIFT, help="max plate shift (0.05)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    result = run(args.n, args.seed, system=args.system, noise=args.noise, max_shift=args.shift)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
