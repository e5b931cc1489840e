"""Score analyses against truth files: `tlc evaluate` and the benchmark.

Two kinds of truth are read:

- ``PHOTO.truth.yaml`` beside a photo (what ``tlc synth`` writes), and
- a folder's ``truth.yaml`` listing several photos under ``images:`` (the
  format of the annotated real photos), each entry with ``file``.

Both carry, per photo: ``expect`` (``analyse`` or ``fail``), ``lanes`` (the
number of lanes), optionally ``lane_labels`` and ``lanes_rf`` (one list of Rf
values per lane, left to right). A spot is found when a spot of the matching
lane lies within ``RF_TOLERANCE`` of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A found spot matches a true one when their Rf differ by less than this.
RF_TOLERANCE = 0.04


@dataclass(frozen=True, slots=True)
class ImageScore:
    """How one analysis compares with its truth.

    Attributes
    ----------
    image : str
    expect : str
        ``"analyse"`` or ``"fail"`` (a photo a tool should refuse).
    outcome : str
        ``"analysed"``, ``"refused"`` (exit 3: no plate, lines...),
        ``"bad-input"`` (exit 2) or ``"crashed"``.
    correct : bool
        Analysed when it should be, refused when it should be.
    lanes_true, lanes_found : int or None
    spots_true, spots_found, spots_matched : int
        Spot counts where the truth gives Rf values (else 0).
    rf_errors : tuple of float
        Absolute Rf error of each matched spot.
    message : str
        The error message of a refused photo.
    seconds : float
    """

    image: str
    expect: str
    outcome: str
    correct: bool
    lanes_true: int | None = None
    lanes_found: int | None = None
    spots_true: int = 0
    spots_found: int = 0
    spots_matched: int = 0
    rf_errors: tuple[float, ...] = ()
    message: str = ""
    seconds: float = 0.0

    @property
    def lanes_right(self) -> bool | None:
        """Whether the number of lanes is right (None when the truth does not say)."""
        if self.lanes_true is None or self.outcome != "analysed":
            return None
        return self.lanes_true == self.lanes_found

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "image": self.image,
            "expect": self.expect,
            "outcome": self.outcome,
            "correct": self.correct,
            "lanes_true": self.lanes_true,
            "lanes_found": self.lanes_found,
            "spots_true": self.spots_true,
            "spots_found": self.spots_found,
            "spots_matched": self.spots_matched,
            "rf_mae": round(sum(self.rf_errors) / len(self.rf_errors), 4)
            if self.rf_errors
            else None,
            "message": self.message,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """Totals over many photos.

    Attributes
    ----------
    scores : tuple of ImageScore
    """

    scores: tuple[ImageScore, ...] = field(default=())

    @property
    def n(self) -> int:
        """Number of photos."""
        return len(self.scores)

    @property
    def correct_outcome(self) -> float:
        """Fraction analysed-or-refused as expected."""
        return _frac(sum(s.correct for s in self.scores), self.n)

    @property
    def lanes_right(self) -> float | None:
        """Fraction of analysed photos (with a lane count in the truth) with the right count."""
        judged = [s.lanes_right for s in self.scores if s.lanes_right is not None]
        return _frac(sum(judged), len(judged)) if judged else None

    @property
    def recall(self) -> float | None:
        """Matched true spots / true spots."""
        t = sum(s.spots_true for s in self.scores)
        return _frac(sum(s.spots_matched for s in self.scores), t) if t else None

    @property
    def precision(self) -> float | None:
        """Matched found spots / found spots (in photos with Rf truth)."""
        f = sum(s.spots_found for s in self.scores if s.spots_true or s.spots_found)
        return _frac(sum(s.spots_matched for s in self.scores), f) if f else None

    @property
    def rf_mae(self) -> float | None:
        """Mean absolute Rf error of matched spots."""
        errs = [e for s in self.scores for e in s.rf_errors]
        return sum(errs) / len(errs) if errs else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: totals and per-photo rows."""

        def rnd(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "images": self.n,
            "correct_outcome": rnd(self.correct_outcome),
            "lanes_right": rnd(self.lanes_right),
            "spot_recall": rnd(self.recall),
            "spot_precision": rnd(self.precision),
            "rf_mae": rnd(self.rf_mae),
            "per_image": [s.to_dict() for s in self.scores],
        }


def _frac(a: float, b: float) -> float:
    return a / b if b else 0.0


def load_truths(folder: str | Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every photo of ``folder`` (and its subfolders) that has a truth.

    Returns
    -------
    list of (Path, dict)
        The photo and its truth entry, sorted by path.

    Raises
    ------
    LayoutError
        If a truth file is not valid YAML.
    """
    import yaml

    from tlc.errors import LayoutError
    from tlc.io import IMAGE_SUFFIXES

    root = Path(folder)
    found: dict[Path, dict[str, Any]] = {}
    for truth_file in sorted(root.rglob("*.yaml")):
        name = truth_file.name
        if not (name == "truth.yaml" or name.endswith(".truth.yaml")):
            continue
        try:
            data = yaml.safe_load(truth_file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            msg = f"{truth_file}: not valid YAML ({exc.__class__.__name__})"
            raise LayoutError(msg) from exc
        if not isinstance(data, dict):
            continue
        if name == "truth.yaml" and isinstance(data.get("images"), list):
            for entry in data["images"]:
                if not isinstance(entry, dict) or "file" not in entry:
                    continue
                photo = truth_file.parent / str(entry["file"])
                if photo.suffix.lower() in IMAGE_SUFFIXES and photo.exists():
                    found[photo] = entry
        elif name.endswith(".truth.yaml"):
            data = _peak_rf(data)
            stem = name[: -len(".truth.yaml")]
            for suffix in IMAGE_SUFFIXES:
                for cand in (
                    truth_file.with_name(stem + suffix),
                    truth_file.with_name(stem + suffix.upper()),
                ):
                    if cand.exists():
                        found[cand] = data
    return sorted(found.items())


def _peak_rf(truth: dict[str, Any]) -> dict[str, Any]:
    """Use the Rf of each spot's densest point where a synthetic truth gives it.

    ``tlc`` measures Rf to the densest part of a spot (docs/conventions.md);
    for a tailing spot that lies above the darkness-weighted centre.
    """
    detail = truth.get("lane_detail")
    if not isinstance(detail, list) or not detail:
        return truth
    lanes_rf = []
    for lane in detail:
        spots = lane.get("spots") or []
        lanes_rf.append(
            sorted(
                float(s.get("peak_rf") if s.get("peak_rf") is not None else s["rf"]) for s in spots
            )
        )
    return {**truth, "lanes_rf": lanes_rf}


def score(
    lanes_rf_found: Sequence[Sequence[float]] | None,
    truth: dict[str, Any],
    *,
    image: str = "",
    outcome: str = "analysed",
    message: str = "",
    seconds: float = 0.0,
    tolerance: float = RF_TOLERANCE,
) -> ImageScore:
    """Compare the Rf values found, lane by lane, with a truth entry.

    Parameters
    ----------
    lanes_rf_found : sequence of sequence of float, or None
        Rf of the spots found in each lane, left to right (None when the
        photo was not analysed).
    truth : dict
        The truth entry (``expect``, ``lanes``, ``lanes_rf``...).
    tolerance : float
        Largest Rf difference for a found spot to match a true one.

    Returns
    -------
    ImageScore
    """
    expect = str(truth.get("expect", "analyse"))
    lanes_true = truth.get("lanes")
    lanes_true = int(lanes_true) if isinstance(lanes_true, int) else None
    true_rf = truth.get("lanes_rf")
    if outcome != "analysed" or lanes_rf_found is None:
        n_true = sum(len(x) for x in true_rf) if true_rf else 0
        return ImageScore(
            image=image,
            expect=expect,
            outcome=outcome,
            correct=expect == "fail",
            lanes_true=lanes_true,
            spots_true=n_true if expect == "analyse" else 0,
            message=message,
            seconds=seconds,
        )
    found = [sorted(float(r) for r in lane) for lane in lanes_rf_found]
    if not true_rf:
        return ImageScore(
            image=image,
            expect=expect,
            outcome=outcome,
            correct=expect == "analyse",
            lanes_true=lanes_true,
            lanes_found=len(found),
            seconds=seconds,
        )
    true = [sorted(float(r) for r in lane) for lane in true_rf]
    matched, errors = 0, []
    for ti, fi in _align_lanes(true, found, tolerance):
        m, errs = _match_spots(true[ti], found[fi], tolerance)
        matched += m
        errors.extend(errs)
    return ImageScore(
        image=image,
        expect=expect,
        outcome=outcome,
        correct=expect == "analyse",
        lanes_true=lanes_true if lanes_true is not None else len(true),
        lanes_found=len(found),
        spots_true=sum(len(x) for x in true),
        spots_found=sum(len(x) for x in found),
        spots_matched=matched,
        rf_errors=tuple(errors),
        seconds=seconds,
    )


def _align_lanes(
    true: list[list[float]], found: list[list[float]], tolerance: float
) -> list[tuple[int, int]]:
    """Pair true and found lanes, left to right, so that most spots match.

    With the same number of lanes they pair in order. Otherwise an
    order-keeping alignment (as in sequence alignment) skips the lanes that
    were missed or found in excess, choosing the pairing that matches most
    spots; empty lanes pair by position.
    """
    nt, nf = len(true), len(found)
    if nt == nf:
        return [(i, i) for i in range(nt)]
    gain = [
        [_match_spots(t, f, tolerance)[0] + (0.5 if not t and not f else 0.0) for f in found]
        for t in true
    ]
    best = [[0.0] * (nf + 1) for _ in range(nt + 1)]
    for i in range(1, nt + 1):
        for j in range(1, nf + 1):
            best[i][j] = max(
                best[i - 1][j], best[i][j - 1], best[i - 1][j - 1] + gain[i - 1][j - 1]
            )
    pairs, i, j = [], nt, nf
    while i > 0 and j > 0:
        if best[i][j] == best[i - 1][j - 1] + gain[i - 1][j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def match_spots(
    true: Sequence[float], found: Sequence[float], tolerance: float
) -> list[tuple[int, int, float]]:
    """Pair true and found Rf values of one lane, closest pairs first.

    Parameters
    ----------
    true, found : sequence of float
        Rf values.
    tolerance : float
        A pair counts only when its Rf values differ by less than this.

    Returns
    -------
    list of (int, int, float)
        ``(index in true, index in found, |difference|)``, each value used
        once, smallest differences first.
    """
    cand = sorted(
        (abs(t - f), i, j)
        for i, t in enumerate(true)
        for j, f in enumerate(found)
        if abs(t - f) < tolerance
    )
    used_t: set[int] = set()
    used_f: set[int] = set()
    pairs = []
    for d, i, j in cand:
        if i not in used_t and j not in used_f:
            used_t.add(i)
            used_f.add(j)
            pairs.append((i, j, d))
    return pairs


def _match_spots(
    true: Sequence[float], found: Sequence[float], tolerance: float
) -> tuple[int, list[float]]:
    # how many spots match, and their Rf errors
    errors = [d for _, _, d in match_spots(true, found, tolerance)]
    return len(errors), errors


def evaluate(
    photos: Iterable[tuple[Path, dict[str, Any]]],
    run: Callable[[Path, dict[str, Any]], Any],
    *,
    progress: Callable[[ImageScore], None] | None = None,
) -> Summary:
    """Analyse every photo with ``run`` and score it.

    Parameters
    ----------
    photos : iterable of (Path, dict)
        From :func:`load_truths`.
    run : callable
        ``run(photo, truth) -> Analysis``; raising ``TlcError`` means refused.
    progress : callable, optional
        Called with each score as it is made.

    Returns
    -------
    Summary
    """
    from tlc.errors import ImageError, TlcError

    scores = []
    for photo, truth in photos:
        t0 = time.perf_counter()
        try:
            analysis = run(photo, truth)
        except TlcError as exc:
            s = score(
                None,
                truth,
                image=str(photo),
                outcome="bad-input" if isinstance(exc, ImageError) else "refused",
                message=str(exc),
                seconds=time.perf_counter() - t0,
            )
        except Exception as exc:  # a crash is scored, not fatal, in a benchmark
            s = score(
                None,
                truth,
                image=str(photo),
                outcome="crashed",
                message=f"{type(exc).__name__}: {exc}",
                seconds=time.perf_counter() - t0,
            )
        else:
            found = [[sp.rf for sp in lane.spots] for lane in analysis.lanes]
            s = score(found, truth, image=str(photo), seconds=time.perf_counter() - t0)
        scores.append(s)
        if progress:
            progress(s)
    return Summary(tuple(scores))


def format_table(summary: Summary) -> str:
    """A plain-text table: one row per photo, then the totals."""

    def pct(x: float | None) -> str:
        return "   -  " if x is None else f"{100 * x:5.1f}%"

    rows = [f"{'photo':<48} {'outcome':<9} {'lanes':>7} {'spots':>9} {'Rf MAE':>7}"]
    for s in summary.scores:
        lanes = (
            ""
            if s.lanes_true is None and s.lanes_found is None
            else (
                f"{'-' if s.lanes_found is None else s.lanes_found}/"
                f"{'?' if s.lanes_true is None else s.lanes_true}"
            )
        )
        spots = (
            f"{s.spots_matched}/{s.spots_true}+{s.spots_found - s.spots_matched}"
            if s.spots_true
            else ""
        )
        mae = f"{sum(s.rf_errors) / len(s.rf_errors):.3f}" if s.rf_errors else ""
        name = s.image if len(s.image) <= 48 else "..." + s.image[-45:]
        mark = "" if s.correct else " !"
        rows.append(f"{name:<48} {s.outcome + mark:<9} {lanes:>7} {spots:>9} {mae:>7}")
    rows.append("")
    rows.append(
        f"photos: {summary.n}   analysed or refused as expected: {pct(summary.correct_outcome)}"
    )
    rows.append(
        f"lanes right: {pct(summary.lanes_right)}   spot recall: {pct(summary.recall)}   "
        f"precision: {pct(summary.precision)}   Rf MAE: "
        + ("-" if summary.rf_mae is None else f"{summary.rf_mae:.4f}")
    )
    rows.append("(spots: matched/true+extra; a spot matches within 0.04 Rf)")
    return "\n".join(rows)
