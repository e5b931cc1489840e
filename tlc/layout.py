"""The plate layout: what staff tell ``tlc analyse`` about a plate.

A layout says which solvent system ran, what each lane holds (left to right,
origin at the bottom), what each person expected their sample to be, and,
when detection needs help, where the lines are and how the plate stands. It
comes from a YAML file (``--layout FILE``, or ``plate.layout.yaml`` beside
``plate.jpg``), overridden by the command-line options::

    system: TA
    lanes: [S1, cocaine, S2, caffeine]      # or "S1,cocaine,S2,caffeine"
    samples:
      S1: {code: A-042, expected: cocaine, notes: "white powder"}
      S2: {code: A-043, expected: [mdma, caffeine]}
    baseline: 8mm            # or 0.1 (fraction of the height from the bottom), 10%
    front: 0.9
    plate_size_mm: [100, 50] # height, width; or "100x50"
    rotate: 0                # 0, 90, 180, 270 (clockwise quarter turns)
    mode: uv254              # uv254, stain or uv365
    notes: "run by AB, 3 min chamber saturation"

This module imports nothing heavy (PyYAML loads only when a file is read), so
the command line starts fast. Every problem is a :class:`~tlc.errors.LayoutError`
whose message names the file (or the option) and the key.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlc._yaml import load_yaml_mapping
from tlc.errors import LayoutError

if TYPE_CHECKING:
    from tlc.pipeline import Analysis, Layout, SampleInfo

#: Keys a layout file may hold.
KEYS = (
    "system",
    "lanes",
    "samples",
    "baseline",
    "front",
    "plate_size_mm",
    "rotate",
    "mode",
    "notes",
)

#: Keys of one entry under ``samples``.
SAMPLE_KEYS = ("code", "expected", "notes")

#: How a plate can be seen (the same as ``tlc.contrast.MODES``, kept here so
#: that checking a layout does not import NumPy).
MODES = ("uv254", "stain", "uv365")

#: Quarter turns ``rotate`` accepts.
ROTATIONS = (0, 90, 180, 270)

#: Largest plate side accepted, in mm (TLC plates are cut from 20 x 20 cm sheets).
MAX_PLATE_MM = 200.0

#: The suffix of a layout file read automatically beside a photo.
LAYOUT_SUFFIX = ".layout.yaml"


def layout_beside(image: str | os.PathLike[str]) -> Path:
    """``plate.layout.yaml`` for ``plate.jpg``: where a layout is looked for automatically."""
    p = Path(image)
    return p.with_name(p.stem + LAYOUT_SUFFIX)


def parse_lanes(text: str, *, source: str = "--lanes") -> tuple[str, ...]:
    """Split ``"S1,cocaine,S2"`` into lane labels.

    Parameters
    ----------
    text : str
        Labels separated by commas, left to right.
    source : str, optional
        Where the text came from, for the error message.

    Returns
    -------
    tuple of str
        The labels, stripped of surrounding spaces.

    Raises
    ------
    LayoutError
        If the text is empty or holds an empty label (``"S1,,S2"``).
    """
    labels = tuple(part.strip() for part in str(text).split(","))
    if not labels or any(not lab for lab in labels):
        msg = (
            f"{source} is empty or has an empty label; give one label per lane, e.g. S1,cocaine,S2"
        )
        raise LayoutError(msg)
    return labels


_SIZE = re.compile(
    r"^\s*(\d+(?:[.,]\d+)?)\s*(?:mm)?\s*[x×*]\s*(\d+(?:[.,]\d+)?)\s*(?:mm)?\s*$", re.IGNORECASE
)


def parse_plate_size(text: str, *, source: str = "--plate-size") -> tuple[float, float]:
    """``"100x50"`` -> ``(100.0, 50.0)``: the plate's height and width in mm.

    Parameters
    ----------
    text : str
        ``HxW`` in millimetres (``100x50``, ``100 x 50 mm``, ``100×50``).
    source : str, optional
        Where the text came from, for the error message.

    Returns
    -------
    (float, float)
        Height and width, in mm.

    Raises
    ------
    LayoutError
        If the text is not ``HxW``, or a side is 0 or larger than ``MAX_PLATE_MM``.
    """
    m = _SIZE.match(str(text))
    if m is None:
        msg = f"{source} {text!r} is not HxW in millimetres; write e.g. 100x50 (height x width)"
        raise LayoutError(msg)
    size = (float(m.group(1).replace(",", ".")), float(m.group(2).replace(",", ".")))
    return _check_size(size, source)


def _check_size(size: tuple[float, float], source: str) -> tuple[float, float]:
    if not all(0 < s <= MAX_PLATE_MM for s in size):
        msg = (
            f"{source}: plate sides must be between 0 and {MAX_PLATE_MM:.0f} mm, "
            f"got {size[0]:g}x{size[1]:g}"
        )
        raise LayoutError(msg)
    return size


def parse_per_lane(text: str, *, source: str) -> dict[str | None, str]:
    """Split ``--expected``/``--sample-code`` text into ``{lane label: value}``.

    ``"cocaine"`` gives ``{None: "cocaine"}`` (for every sample lane);
    ``"S1=cocaine;S2=mdma,caffeine"`` gives ``{"S1": "cocaine", "S2": "mdma,caffeine"}``.

    Raises
    ------
    LayoutError
        If the text is empty, or mixes ``LANE=value`` parts with bare ones,
        or names a lane twice.
    """
    parts = [p.strip() for p in str(text).split(";")]
    parts = [p for p in parts if p]
    if not parts:
        msg = f"{source} is empty; give a value, or LANE=value;LANE=value (e.g. S1=cocaine)"
        raise LayoutError(msg)
    if not any("=" in p for p in parts):
        if len(parts) > 1:
            msg = f"{source} {text!r}: name the lane of each value, e.g. S1=cocaine;S2=mdma"
            raise LayoutError(msg)
        return {None: parts[0]}
    out: dict[str | None, str] = {}
    for part in parts:
        label, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not label or not value:
            msg = f"{source} {text!r}: write each part as LANE=value, e.g. S1=cocaine;S2=mdma"
            raise LayoutError(msg)
        if label in out:
            msg = f"{source} names lane {label!r} twice"
            raise LayoutError(msg)
        out[label] = value
    return out


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip())


def _problem(source: str, key: str, what: str) -> LayoutError:
    return LayoutError(f"{source}: {key}: {what}")


def _text(value: Any, source: str, key: str) -> str:
    # YAML reads `baseline: 0.1` as a float and `code: 042` as an int; both
    # are meant as text here. Lists, mappings and null are mistakes.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _problem(source, key, f"expected text, found {_kind(value)}")
    text = str(value).strip()
    if not text:
        raise _problem(source, key, "is empty")
    return text


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _sample(value: Any, source: str, label: str) -> SampleInfo:
    from tlc.pipeline import SampleInfo

    where = f"samples: {label}"
    if value is None:
        return SampleInfo()
    if not isinstance(value, Mapping):
        raise _problem(source, where, "expected code, expected and notes under the lane label")
    for key in value:
        if key not in SAMPLE_KEYS:
            raise _problem(source, f"{where}: {key}", f"unknown key; use {', '.join(SAMPLE_KEYS)}")
    code = notes = None
    if value.get("code") is not None:
        code = _text(value["code"], source, f"{where}: code")
    if value.get("notes") is not None:
        notes = _text(value["notes"], source, f"{where}: notes")
    expected: tuple[str, ...] = ()
    raw = value.get("expected")
    if isinstance(raw, list):
        expected = tuple(_text(x, source, f"{where}: expected") for x in raw)
    elif raw is not None:
        expected = _split_names(_text(raw, source, f"{where}: expected"))
    return SampleInfo(code=code, expected=expected, notes=notes)


def parse_layout(data: Any, *, source: str = "layout") -> Layout:
    """Build a :class:`~tlc.pipeline.Layout` from parsed YAML.

    Parameters
    ----------
    data : mapping or None
        The file's content (None for an empty file).
    source : str, optional
        The file's name, for error messages.

    Returns
    -------
    Layout

    Raises
    ------
    LayoutError
        If a key is unknown or a value has the wrong type or range; the
        message names ``source`` and the key.
    """
    from tlc.pipeline import Layout

    if data is None:
        return Layout()
    if not isinstance(data, Mapping):
        msg = f"{source}: expected `key: value` lines (system, lanes, ...), found {_kind(data)}"
        raise LayoutError(msg)
    for key in data:
        if key not in KEYS:
            raise _problem(source, str(key), f"unknown key; use {', '.join(KEYS)}")
    fields: dict[str, Any] = {}
    if data.get("system") is not None:
        fields["system"] = _text(data["system"], source, "system")
    if "lanes" in data:
        lanes = data["lanes"]
        if isinstance(lanes, list):
            labels = tuple(_text(x, source, "lanes") for x in lanes)
            if not labels:
                raise _problem(source, "lanes", "is empty; list one label per lane")
        else:
            labels = parse_lanes(_text(lanes, source, "lanes"), source=f"{source}: lanes")
        fields["lanes"] = labels
    if data.get("samples") is not None:
        samples = data["samples"]
        if not isinstance(samples, Mapping):
            raise _problem(source, "samples", "expected one entry per lane label (S1: {...})")
        fields["samples"] = {
            _text(label, source, "samples"): _sample(info, source, str(label))
            for label, info in samples.items()
        }
    for key in ("baseline", "front", "notes"):
        if data.get(key) is not None:
            fields[key] = _text(data[key], source, key)
    if data.get("plate_size_mm") is not None:
        fields["plate_size_mm"] = _layout_size(data["plate_size_mm"], source)
    if data.get("rotate") is not None:
        rot = data["rotate"]
        if isinstance(rot, bool) or rot not in ROTATIONS:
            raise _problem(source, "rotate", f"must be 0, 90, 180 or 270, got {rot!r}")
        fields["rotate"] = int(rot)
    if data.get("mode") is not None:
        fields["mode"] = check_mode(_text(data["mode"], source, "mode"), source=f"{source}: mode")
    layout = Layout(**fields)
    check_samples(layout, source=source)
    return layout


def _layout_size(value: Any, source: str) -> tuple[float, float]:
    where = f"{source}: plate_size_mm"
    if isinstance(value, str):
        return parse_plate_size(value, source=where)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return _check_size((float(value[0]), float(value[1])), where)
    raise _problem(source, "plate_size_mm", "expected [height, width] in mm, e.g. [100, 50]")


def check_mode(mode: str, *, source: str = "--mode") -> str:
    """Return ``mode`` in lower case if it is one of ``MODES``.

    Raises
    ------
    LayoutError
        If it is not.
    """
    m = mode.strip().lower()
    if m not in MODES:
        msg = f"{source}: unknown mode {mode!r}; use one of {', '.join(MODES)}"
        raise LayoutError(msg)
    return m


def check_samples(layout: Layout, *, source: str) -> None:
    """Check that every label under ``samples`` is one of the layout's lanes.

    Without lane labels (lanes found automatically, named S1, S2...) there is
    nothing to check yet.

    Raises
    ------
    LayoutError
        If a sample names a lane the layout does not have (a typo would
        otherwise drop what the person expected without a word).
    """
    if layout.lanes is None:
        return
    for label in layout.samples:
        if label not in layout.lanes:
            msg = (
                f"{source}: samples: {label!r} is not one of the lanes "
                f"({', '.join(layout.lanes)}); use the lane's label"
            )
            raise LayoutError(msg)


def load_layout(path: str | os.PathLike[str]) -> Layout:
    """Read a layout file.

    Parameters
    ----------
    path : str or path-like
        A YAML file (format in the module docstring and docs/user-guide.md).

    Returns
    -------
    Layout

    Raises
    ------
    LayoutError
        If the file is missing or unreadable, is not valid YAML, or holds an
        unknown key or a wrong value; the message names the file and the key.
    """
    p = Path(path)
    data = load_yaml_mapping(
        p,
        error=LayoutError,
        missing="no such layout file; check the --layout path",
        unreadable="the layout file cannot be read as UTF-8 text",
        expected="expected `key: value` lines (system, lanes, ...)",
        kind=_kind,
    )
    return parse_layout(data, source=str(p))


def with_options(
    layout: Layout,
    *,
    system: str | None = None,
    lanes: str | None = None,
    expected: str | None = None,
    sample_code: str | None = None,
    baseline: str | None = None,
    front: str | None = None,
    plate_size: str | None = None,
    rotate: int | None = None,
    mode: str | None = None,
) -> Layout:
    """A copy of ``layout`` with the command-line options laid over it.

    An option given wins over the file. ``expected`` and ``sample_code`` given
    per lane (``S1=cocaine;S2=mdma``) are merged into ``samples``; given once
    for all sample lanes they are attached after the analysis, when the lanes
    are known (:func:`attach_samples`), and kept here only when the plate's
    labels are known and hold exactly the sample lanes they can go to.

    Returns
    -------
    Layout

    Raises
    ------
    LayoutError
        If an option is malformed, or names a lane the plate does not have.
    """
    changes: dict[str, Any] = {}
    if system is not None:
        if not system.strip():
            msg = "--system is empty; give a system id such as TA (see `tlc references list`)"
            raise LayoutError(msg)
        changes["system"] = system.strip()
    if lanes is not None:
        changes["lanes"] = parse_lanes(lanes)
    if baseline is not None:
        changes["baseline"] = baseline
    if front is not None:
        changes["front"] = front
    if plate_size is not None:
        changes["plate_size_mm"] = parse_plate_size(plate_size)
    if rotate is not None:
        if rotate not in ROTATIONS:
            msg = f"--rotate must be 0, 90, 180 or 270, got {rotate}"
            raise LayoutError(msg)
        changes["rotate"] = rotate
    if mode is not None:
        changes["mode"] = check_mode(mode)
    samples = dict(layout.samples)
    for option, text, field in (
        ("--expected", expected, "expected"),
        ("--sample-code", sample_code, "code"),
    ):
        if text is None:
            continue
        for label, value in parse_per_lane(text, source=option).items():
            if label is None:
                continue
            samples[label] = _set(samples.get(label), field, value)
    changes["samples"] = samples
    new = dataclasses.replace(layout, **changes)
    check_samples(new, source="--expected/--sample-code or layout")
    return new


def _set(info: SampleInfo | None, field: str, value: str) -> SampleInfo:
    from tlc.pipeline import SampleInfo

    info = info or SampleInfo()
    if field == "expected":
        return dataclasses.replace(info, expected=_split_names(value))
    return dataclasses.replace(info, code=value)


def attach_samples(
    analysis: Analysis, *, expected: str | None = None, sample_code: str | None = None
) -> Analysis:
    """Give the sample lanes what ``--expected``/``--sample-code`` said for all of them.

    Called after the analysis, when it is known which lanes are samples.
    A value already given for a lane (layout file, ``S1=...``) is kept.

    Parameters
    ----------
    analysis : Analysis
    expected : str, optional
        ``--expected`` as typed; only a value without ``LANE=`` applies here.
    sample_code : str, optional
        ``--sample-code`` as typed; a bare code needs exactly one sample lane.

    Returns
    -------
    Analysis
        A new analysis (the input is not modified).

    Raises
    ------
    LayoutError
        If a bare ``--sample-code`` is given for a plate with several sample
        lanes (one code cannot name several samples).
    """
    from tlc.pipeline import SampleInfo

    all_expected = parse_per_lane(expected, source="--expected").get(None) if expected else None
    all_code = (
        parse_per_lane(sample_code, source="--sample-code").get(None) if sample_code else None
    )
    if all_expected is None and all_code is None:
        return analysis
    samples = [lr for lr in analysis.lanes if lr.lane.role != "reference"]
    if all_code is not None and len(samples) != 1:
        labels = ", ".join(lr.lane.label for lr in samples) or "none"
        msg = (
            f"--sample-code {all_code!r} names one sample, but the plate has "
            f"{len(samples)} sample lanes ({labels}); write S1=CODE;S2=CODE"
        )
        raise LayoutError(msg)
    lanes = []
    for lr in analysis.lanes:
        if lr.lane.role != "reference":
            info = lr.sample or SampleInfo()
            if all_expected is not None and not info.expected:
                info = dataclasses.replace(info, expected=_split_names(all_expected))
            if all_code is not None and not info.code:
                info = dataclasses.replace(info, code=all_code)
            lr = dataclasses.replace(lr, sample=info)
        lanes.append(lr)
    return dataclasses.replace(analysis, lanes=tuple(lanes))


def unused_samples(analysis: Analysis, layout: Layout) -> tuple[str, ...]:
    """Warnings for ``samples`` entries that went to no sample lane.

    With lanes found automatically (S1, S2...), a layout may name a lane
    that was not found, or a reference lane; what the person expected would
    then be lost without a word.
    """
    sample_labels = {lr.lane.label for lr in analysis.lanes if lr.lane.role != "reference"}
    return tuple(
        f"The layout gives a sample for lane {label!r}, but the plate has no sample lane "
        "of that name; check the lane labels."
        for label in layout.samples
        if label not in sample_labels
    )
