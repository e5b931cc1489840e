"""Learning local Rf values from the reference lanes of analysed plates.

Literature Rf values do not transfer well between plate brands (a shift of
0.1-0.2 in the same eluent is documented, see ``domain-facts.md`` 2.4). So a
service measures its own: ``tlc references learn PHOTO --lanes cocaine,...``
analyses a plate, and :func:`learn` turns the main spot of every reference
lane into a measurement record, which :func:`tlc.library.add_measurements`
stores in a local library. After several plates the library holds their
mean and spread, and identification uses those over the literature.

A lane gives a record only when its main spot is clear (see
:func:`reference_spots`): a wrong local value would mislead every later
identification, so an unclear lane is skipped and the reason reported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tlc.pipeline import Analysis, LaneResult
    from tlc.spots import Spot

#: A second spot at least this fraction of the main spot's strength makes the
#: lane unclear: which one is the substance cannot be told.
SECOND_SPOT_RATIO = 0.5

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def reference_spots(analysis: Analysis) -> tuple[list[tuple[LaneResult, Spot]], list[str]]:
    """The clear main spot of each reference lane, and why other lanes were skipped.

    The main spot is the strongest spot that moved (not on the origin, not
    flagged at the front). A lane is skipped when it has none, when that
    spot is flagged ``spot_merged``, when its Rf is outside [0, 1], or when a
    second moved spot is at least :data:`SECOND_SPOT_RATIO` as strong.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    list of (LaneResult, Spot)
        Reference lanes with their main spot, left to right.
    list of str
        One English sentence per skipped reference lane.
    """
    found: list[tuple[LaneResult, Spot]] = []
    skipped: list[str] = []
    for result in analysis.lanes:
        lane = result.lane
        if lane.role != "reference" or not lane.substance:
            continue
        name = f"lane {lane.index} ({lane.substance})"
        moved = sorted(
            (
                s
                for s in result.spots
                if not s.on_origin and s.rf is not None and "spot_at_front" not in s.flags
            ),
            key=lambda s: -s.strength,
        )
        if not moved:
            skipped.append(f"{name}: no spot moved from the origin; nothing was learnt")
            continue
        main = moved[0]
        if main.rf is None or not 0.0 <= main.rf <= 1.0:
            skipped.append(f"{name}: its spot lies outside the baseline and the front")
        elif "spot_merged" in main.flags:
            skipped.append(f"{name}: its main spot is merged with another one")
        elif len(moved) > 1 and moved[1].strength >= SECOND_SPOT_RATIO * main.strength:
            skipped.append(
                f"{name}: two spots of similar strength (Rf {moved[1].rf:.2f} and "
                f"{main.rf:.2f}); which one is {lane.substance} is unclear"
            )
        else:
            found.append((result, main))
    return found, skipped


def learn(analysis: Analysis, *, photo: str, date: str) -> list[dict[str, Any]]:
    """Measurement records from the reference lanes of an analysed plate.

    Parameters
    ----------
    analysis : Analysis
        The analysed plate; its reference lanes (``role == "reference"``) are
        read.
    photo : str
        The photo's name, stored with each record.
    date : str
        The date the plate was run, ``YYYY-MM-DD``.

    Returns
    -------
    list of dict
        One ``{"substance", "rf", "date", "photo", "system"}`` per reference
        lane with a clear main spot (:func:`reference_spots`), left to right;
        ``rf`` rounded to 4 decimals.

    Raises
    ------
    ValueError
        If ``date`` is not ``YYYY-MM-DD``.
    """
    if not _DATE.fullmatch(date):
        msg = f"date must be YYYY-MM-DD, not {date!r}"
        raise ValueError(msg)
    found, _ = reference_spots(analysis)
    return [
        {
            "substance": str(result.lane.substance),
            "rf": round(float(spot.rf or 0.0), 4),
            "date": date,
            "photo": photo,
            "system": analysis.system,
        }
        for result, spot in found
    ]
