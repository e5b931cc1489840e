"""Rf arithmetic: from positions to retardation factors, and their correction.

Rf = (baseline row - spot row) / (baseline row - front row), both lines taken
at the spot's own column (see ``docs/conventions.md``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from tlc.lines import Lines
from tlc.spots import Spot


def rf_value(spot_row: float, baseline_row: float, front_row: float) -> float:
    """Retardation factor of a spot.

    Parameters
    ----------
    spot_row, baseline_row, front_row : float
        Rows on the rectified plate (row 0 at the top, so the front has the
        smallest row).

    Returns
    -------
    float
        ``(baseline_row - spot_row) / (baseline_row - front_row)``. Not clipped:
        a value slightly below 0 or above 1 says the spot sits on a line.

    Raises
    ------
    ValueError
        If the front is not above the baseline.
    """
    run = baseline_row - front_row
    if not run > 0:
        msg = f"front_row ({front_row}) must be above (smaller than) baseline_row ({baseline_row})"
        raise ValueError(msg)
    return (baseline_row - spot_row) / run


def measure(spots: Sequence[Spot], lines: Lines) -> tuple[Spot, ...]:
    """Fill ``rf`` for every spot, against the lines at the spot's column.

    Parameters
    ----------
    spots : sequence of Spot
    lines : Lines

    Returns
    -------
    tuple of Spot
        Copies of ``spots`` with ``rf`` set, rounded to 4 decimals.
    """
    out = []
    for s in spots:
        value = rf_value(s.row, lines.baseline_at(s.col), lines.front_at(s.col))
        out.append(dataclasses.replace(s, rf=round(value, 4)))
    return tuple(out)


def corrected_rf(rf: float, observed: Sequence[float], tabulated: Sequence[float]) -> float:
    """Correct an Rf with reference compounds run on the same plate.

    Piecewise-linear interpolation between the references (Galanos & Kapoulas;
    the form used by the DFG/TIAFT compilations, see ``domain-facts.md`` 2.5),
    anchored at the origin (0 -> 0) and the front (1 -> 1).

    Parameters
    ----------
    rf : float
        Observed Rf of the spot.
    observed : sequence of float
        Observed Rf of the reference compounds on this plate.
    tabulated : sequence of float
        Library Rf of the same references, in the same order.

    Returns
    -------
    float
        The corrected Rf, in [0, 1] when ``rf`` is.

    Raises
    ------
    ValueError
        If the sequences differ in length, are empty, hold values outside
        [0, 1], or if two references observed at the same Rf disagree.
    """
    if len(observed) != len(tabulated) or not observed:
        msg = "observed and tabulated must be non-empty and of the same length"
        raise ValueError(msg)
    obs = np.asarray(observed, dtype=float)
    tab = np.asarray(tabulated, dtype=float)
    if (obs < 0).any() or (obs > 1).any() or (tab < 0).any() or (tab > 1).any():
        msg = "observed and tabulated Rf values must lie within [0, 1]"
        raise ValueError(msg)
    order = np.argsort(obs, kind="stable")
    obs, tab = obs[order], tab[order]
    if np.any(np.diff(obs) == 0) and np.any(np.diff(tab)[np.diff(obs) == 0] != 0):
        msg = "two references observed at the same Rf have different tabulated values"
        raise ValueError(msg)
    xs = np.concatenate(([0.0], obs, [1.0]))
    ys = np.concatenate(([0.0], tab, [1.0]))
    return float(np.interp(rf, xs, ys))
