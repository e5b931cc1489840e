"""One registry of quality flags.

A flag is a short machine name attached to a plate, a line, a lane or a spot
(``Spot.flags``, ``Analysis.flags``...). The JSON output carries the names;
the result card prints the plain sentence for each name from the message
catalogues (``tlc/report/messages/<lang>.yaml``, key ``flags.<name>``); the
docs list them from here. A test checks that every flag used in the code is
registered, and that every registered flag has a sentence in every catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Flag:
    """A quality flag.

    Attributes
    ----------
    name : str
        Machine name, ``snake_case``; what the JSON carries.
    level : str
        ``"info"`` (worth knowing), ``"warning"`` (check the reading) or
        ``"critical"`` (the result may be wrong; staff must check by eye).
    description : str
        One English sentence for staff and the docs.
    """

    name: str
    level: str
    description: str


_FLAGS = (
    # plate
    Flag(
        "plate_not_found_whole_image",
        "warning",
        "No plate edge was found; the whole photo was taken as the plate.",
    ),
    Flag(
        "plate_perspective_corrected",
        "info",
        "The photo was taken at an angle; the plate was straightened before measuring.",
    ),
    Flag(
        "plate_rotated",
        "info",
        "The plate was turned upright (origin at the bottom) before measuring.",
    ),
    Flag(
        "plate_orientation_guessed",
        "warning",
        "Which end of the plate is the origin was guessed; check that the baseline is at the "
        "bottom of the annotated picture, or pass --rotate.",
    ),
    Flag(
        "plate_outline_extended",
        "warning",
        "The plate's outline was first found inside the plate, along a pencil line near its "
        "edge, and was extended to the edge; check the lines on the annotated picture.",
    ),
    Flag(
        "plate_strips",
        "warning",
        "The photo was read as separate strips side by side, each with its own origin and "
        "front, one lane a strip, identified on its own (a reference on another strip is not "
        "compared); check on the annotated picture that every strip was found.",
    ),
    Flag(
        "plate_strip_left_out",
        "warning",
        "A strip could not be read and is left out of the result: its sample was not tested. "
        "Retake the photo, or read that strip alone.",
    ),
    Flag(
        "plate_size_assumed",
        "info",
        "The plate size was not given; millimetres assume the long side is 100 mm.",
    ),
    Flag(
        "plate_low_resolution",
        "warning",
        "The plate covers few pixels in the photo; small or close spots may be missed.",
    ),
    # lines
    Flag("baseline_given", "info", "The baseline position was given by the user."),
    Flag("front_given", "info", "The solvent front position was given by the user."),
    Flag(
        "baseline_from_spots",
        "warning",
        "No pencil baseline was seen; the origin was placed at the spots left on the origin.",
    ),
    Flag(
        "front_from_edge",
        "info",
        "No pencil front line was seen; the front was taken at the visible solvent edge.",
    ),
    Flag(
        "front_uncertain",
        "warning",
        "The solvent front is faint or uneven; Rf values may be off by a few hundredths.",
    ),
    Flag(
        "baseline_uncertain",
        "warning",
        "The baseline is faint or uneven; Rf values may be off by a few hundredths.",
    ),
    Flag(
        "baseline_from_row",
        "warning",
        "On a strip, the baseline was sought again at the height of the other strips' "
        "baselines (none was seen across it, or the line first found lay far from theirs); "
        "check it on the annotated picture: its Rf values may be off by a few hundredths.",
    ),
    Flag(
        "lines_tilted",
        "info",
        "The baseline or the front is not level; Rf was measured against them lane by lane.",
    ),
    Flag("short_run", "warning", "The solvent ran less than 2 cm; Rf values are imprecise."),
    # lanes
    Flag(
        "lanes_count_mismatch",
        "warning",
        "The number of lanes seen differs from the number of labels given.",
    ),
    Flag(
        "lanes_evenly_spaced",
        "warning",
        "Lanes could not be seen clearly and were placed evenly across the plate.",
    ),
    Flag("lane_empty", "info", "No spot was found in this lane."),
    Flag(
        "lane_from_spacing",
        "warning",
        "Nothing marks this lane; it was placed in a gap between evenly spaced lanes.",
    ),
    # spots
    Flag("spot_faint", "info", "The spot is faint; it may be a trace or an artefact."),
    Flag(
        "spot_circled",
        "info",
        "The spot was found by the pencil ring drawn round it; it may have faded.",
    ),
    Flag(
        "spot_merged",
        "warning",
        "Two spots run so close that they may be one; their Rf values are less precise.",
    ),
    Flag(
        "spot_tailing",
        "warning",
        "The spot tails (streaks); the sample may be overloaded, and Rf is less precise.",
    ),
    Flag(
        "spot_on_origin",
        "info",
        "Material stayed on the origin: it did not move with this solvent.",
    ),
    Flag(
        "spot_at_front",
        "warning",
        "The spot ran with the solvent front; its Rf says little about what it is.",
    ),
    Flag("spot_touches_lane_edge", "info", "The spot is wide and touches the next lane."),
    Flag(
        "spot_bright",
        "info",
        "The spot is brighter than the plate (fluorescent or stained light), not darker.",
    ),
)

FLAGS: dict[str, Flag] = {flag.name: flag for flag in _FLAGS}


def register(flag: Flag) -> Flag:
    """Add a flag to the registry.

    Parameters
    ----------
    flag : Flag
        The flag; its name must be new.

    Returns
    -------
    Flag
        The same flag, so that modules can keep a reference.

    Raises
    ------
    ValueError
        If a flag of that name is already registered.
    """
    if flag.name in FLAGS:
        msg = f"flag {flag.name!r} is already registered"
        raise ValueError(msg)
    FLAGS[flag.name] = flag
    return flag


def check(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return ``names`` as a sorted tuple without duplicates, after checking each is registered.

    Raises
    ------
    KeyError
        If a name is not in the registry (a programming error, caught by the tests).
    """
    for name in names:
        if name not in FLAGS:
            msg = f"unregistered flag {name!r}"
            raise KeyError(msg)
    return tuple(sorted(set(names)))
