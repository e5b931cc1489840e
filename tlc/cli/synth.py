"""``tlc synth``: draw a synthetic plate photo and its truth file.

The photo is what :func:`tlc.synth.make_plate` draws; ``OUT.truth.yaml`` beside
it says exactly where the plate, lines, lanes and spots are. Used to make the
``samples/``, the test plates and the benchmark.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tlc.errors import TlcError

_PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
_MODES = ("uv254", "stain", "uv365")


class SynthOptionError(TlcError):
    """An option of ``tlc synth`` is invalid (exit status 2, one line)."""

    exit_code = 2


@click.command("synth")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lanes",
    "lanes_opt",
    default=None,
    help="Number of lanes, or their labels left to right (S1,cocaine,S2). "
    "A label that is a library substance gets its library Rf (when the library loads).",
)
@click.option(
    "--spots",
    "spots_opt",
    default=None,
    help='Rf values per lane, lanes separated by ";", spots by "," '
    '(e.g. "0.3,0.6;0.45;;*"): empty = no spot, "*" = random.',
)
@click.option("--mode", default="uv254", show_default=True, help="uv254, stain or uv365.")
@click.option("--system", default=None, help="Solvent system id (default: the library's, or TA).")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed.")
@click.option("--perspective", default=0.0, show_default=True, type=float, help="0 to 1.")
@click.option("--rotation", default=0.0, show_default=True, type=float, help="Degrees.")
@click.option("--light", default=0.0, show_default=True, type=float, help="Uneven light, 0 to 1.")
@click.option("--noise", default=0.0, show_default=True, type=float, help="Sensor noise, 0 to 1.")
@click.option("--blur", default=0.0, show_default=True, type=float, help="Blur, 0 to 1.")
@click.option("--cropped", is_flag=True, help="The photo shows only the plate.")
@click.option("--no-front-line", is_flag=True, help="No pencil line at the front.")
@click.option("--no-labels", is_flag=True, help="No pencil labels under the lanes.")
@click.option("--size", "size_opt", default=None, help="Plate size in mm as HEIGHTxWIDTH (100x50).")
@click.option("--photo-size", "photo_opt", default=None, help="Photo size in pixels as ROWSxCOLS.")
@click.option(
    "--random",
    "random_",
    is_flag=True,
    help="Draw every setting at random from the seed (as the benchmark does); "
    "options given explicitly still apply.",
)
@click.option(
    "--quality", default=90, show_default=True, type=int, help="JPEG quality (30 to 100)."
)
@click.option(
    "--strips",
    "strips_opt",
    default=None,
    type=int,
    help="Draw N separate single-lane strips side by side instead of a plate (2 to 10; "
    "with --mode, --spots, --rotation, --seed).",
)
@click.pass_context
def command(ctx: click.Context, out: Path, **opts: Any) -> None:
    """Draw a synthetic photo of a developed plate, and OUT.truth.yaml beside it.

    \b
    Examples:
      tlc synth plate.jpg --lanes S1,cocaine,S2,caffeine --seed 3
      tlc synth plate.jpg --mode stain --spots "0.3,0.6;0.45" --lanes 2
      tlc synth plate.jpg --random --seed 17
    """

    from tlc.io import write_bytes_atomic
    from tlc.synth import make_plate, random_plate

    suffix = out.suffix.lower()
    if suffix not in _PHOTO_SUFFIXES:
        msg = f"{out}: the photo must end in .jpg, .jpeg or .png"
        raise SynthOptionError(msg)
    if not out.parent.is_dir():
        msg = f"{out.parent}: no such folder; create it first"
        raise SynthOptionError(msg)
    quality = opts["quality"]
    _check_range("--quality", quality, 30, 100)

    given = {
        name
        for name in opts
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    }
    if opts["strips_opt"] is not None:
        _strips(out, opts, given, quality)
        return
    # With --random the seed draws the settings (and the plate's own seed).
    kwargs: dict[str, Any] = (
        random_plate(opts["seed"]) if opts["random_"] else {"rng": opts["seed"]}
    )
    if opts["random_"] and kwargs.get("jpeg_quality") and "quality" not in given:
        quality = kwargs["jpeg_quality"]
    kwargs.pop("jpeg_quality", None)  # compressed once, when written
    for name in ("mode", "perspective", "rotation", "light", "noise", "blur"):
        if not opts["random_"] or name in given:
            kwargs[name] = opts[name]
    if opts["cropped"]:
        kwargs["cropped"] = True
    if opts["no_front_line"]:
        kwargs["front_line"] = False
    if opts["no_labels"]:
        kwargs["labels"] = False
    _check_mode(kwargs.get("mode"))
    if opts["lanes_opt"] is not None:
        kwargs["lanes"] = parse_lanes(opts["lanes_opt"])
        kwargs.pop("spots", None)  # random reference spots were for random lanes
    kwargs.setdefault("lanes", 4)
    if opts["size_opt"] is not None:
        kwargs["size_mm"] = _parse_pair(opts["size_opt"], "--size", float)
    if opts["photo_opt"] is not None:
        kwargs["photo_px"] = _parse_pair(opts["photo_opt"], "--photo-size", int)
    n = kwargs["lanes"] if isinstance(kwargs["lanes"], int) else len(kwargs["lanes"])
    labels = (
        [f"S{i + 1}" for i in range(n)]
        if isinstance(kwargs["lanes"], int)
        else list(kwargs["lanes"])
    )
    if opts["spots_opt"] is not None:
        kwargs["spots"] = parse_spots(opts["spots_opt"], n)
        kwargs["system"] = opts["system"] or "TA"
    else:
        lib_rf, default_system = _library_rf(labels, opts["system"])
        kwargs["system"] = opts["system"] or default_system or "TA"
        if lib_rf:
            kwargs["spots"] = [[lib_rf[lab]] if lab in lib_rf else None for lab in labels]

    try:
        image, truth = make_plate(**kwargs)
    except ValueError as exc:
        raise SynthOptionError(str(exc)) from exc
    write_bytes_atomic(out, _encode(image, out, quality))
    truth_file = truth.to_yaml(out)
    click.echo(f"{out}\n{truth_file}")


#: Options that apply to a photo of separate strips.
_STRIP_OPTIONS = {"strips_opt", "mode", "spots_opt", "rotation", "seed", "quality"}


def _strips(out: Path, opts: dict[str, Any], given: set[str], quality: int) -> None:
    # `tlc synth OUT --strips N`: separate strips (tlc.synth.make_strips) and
    # a truth that `tlc evaluate` reads (one lane a strip)
    import yaml

    from tlc.io import write_bytes_atomic, write_text_atomic
    from tlc.synth import make_strips, truth_path

    other = sorted(given - _STRIP_OPTIONS)
    if other:
        names = ", ".join("--" + n.removesuffix("_opt").replace("_", "-") for n in other)
        msg = f"{names}: not for --strips (it takes --mode, --spots, --rotation, --seed)"
        raise SynthOptionError(msg)
    n = opts["strips_opt"]
    _check_range("--strips", n, 2, 10)
    _check_mode(opts["mode"])
    spots = parse_spots(opts["spots_opt"], n) if opts["spots_opt"] is not None else None
    try:
        image, truths, corners = make_strips(
            n, mode=opts["mode"], spots=spots, rotation=opts["rotation"], rng=opts["seed"]
        )
    except ValueError as exc:
        raise SynthOptionError(str(exc)) from exc
    photo = _encode(image, out, quality)
    truth = {
        "schema": "tlc-synth-strips/1",
        "file": out.name,
        "expect": "analyse",
        "mode": opts["mode"],
        "separate_strips": True,
        "lanes": n,
        # Rf to each spot's densest point, as tlc measures it (docs/conventions.md)
        "lanes_rf": [
            sorted(
                round(float(s.peak_rf if s.peak_rf is not None else s.rf), 4)
                for s in t.lanes[0].spots
            )
            for t in truths
        ],
        "strip_corners": [
            [[round(float(r), 2), round(float(c), 2)] for r, c in q] for q in corners
        ],
        "strips": [t.to_dict() for t in truths],
    }
    write_bytes_atomic(out, photo)
    truth_file = truth_path(out)
    write_text_atomic(
        truth_file,
        "# Synthetic strips truth written by tlc synth --strips (exact, not measured).\n"
        + yaml.safe_dump(truth, sort_keys=False, allow_unicode=True),
    )
    click.echo(f"{out}\n{truth_file}")


def _check_range(option: str, value: int, lo: int, hi: int) -> None:
    # SynthOptionError unless lo <= value <= hi
    if not lo <= value <= hi:
        msg = f"{option} must be between {lo} and {hi}, got {value}"
        raise SynthOptionError(msg)


def _check_mode(mode: Any) -> None:
    # SynthOptionError unless mode is one of _MODES
    if mode not in _MODES:
        msg = f"--mode must be uv254, stain or uv365, got {mode!r}"
        raise SynthOptionError(msg)


def _encode(image: Any, out: Path, quality: int) -> bytes:
    # the RGB photo as PNG or JPEG bytes, as OUT's suffix says
    import cv2

    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    if out.suffix.lower() == ".png":
        ok, buf = cv2.imencode(".png", bgr)
    else:
        ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV does not fail on valid uint8 images
        msg = f"{out}: the photo could not be encoded"
        raise SynthOptionError(msg)
    return bytes(buf.tobytes())


def parse_lanes(text: str) -> int | list[str]:
    """``"4"`` -> 4; ``"S1,cocaine"`` -> ``["S1", "cocaine"]``.

    Raises
    ------
    SynthOptionError
        If the number is not 1 to 20, or a label is empty.
    """
    t = text.strip()
    if t.isdigit():
        n = int(t)
        if not 1 <= n <= 20:
            msg = f"--lanes must be between 1 and 20 lanes, got {n}"
            raise SynthOptionError(msg)
        return n
    labels = [x.strip() for x in t.split(",")]
    if not t or any(not x for x in labels):
        msg = f"--lanes: give a number or labels separated by commas (S1,cocaine,S2), got {text!r}"
        raise SynthOptionError(msg)
    if len(labels) > 20:
        msg = f"--lanes must be between 1 and 20 lanes, got {len(labels)}"
        raise SynthOptionError(msg)
    return labels


def parse_spots(text: str, lanes: int) -> list[list[float] | None]:
    """``"0.3,0.6;0.45;;*"`` -> ``[[0.3, 0.6], [0.45], [], None]``.

    Raises
    ------
    SynthOptionError
        If the count of lanes differs from ``lanes`` or an Rf is not a number in [0, 1].
    """
    parts = text.split(";")
    if len(parts) != lanes:
        msg = f"--spots gives {len(parts)} lanes (separated by ';') but the plate has {lanes}"
        raise SynthOptionError(msg)
    out: list[list[float] | None] = []
    for part in parts:
        p = part.strip()
        if p == "*":
            out.append(None)
            continue
        rfs = []
        for item in filter(None, (x.strip() for x in p.split(","))):
            try:
                rf = float(item)
            except ValueError:
                rf = float("nan")
            if not 0.0 <= rf <= 1.0:
                msg = f"--spots: every Rf must be a number from 0 to 1, got {item!r}"
                raise SynthOptionError(msg)
            rfs.append(rf)
        out.append(rfs)
    return out


def _parse_pair(text: str, option: str, kind: type) -> tuple[Any, Any]:
    parts = text.lower().split("x")
    try:
        if len(parts) != 2:
            raise ValueError
        return kind(parts[0]), kind(parts[1])
    except ValueError:
        msg = f"{option} must look like 100x50, got {text!r}"
        raise SynthOptionError(msg) from None


def _library_rf(labels: list[str], system: str | None) -> tuple[dict[str, float], str | None]:
    """Library Rf of each label that is a substance, and the default system.

    Synth must work without the library (it is optional here: a plate can
    always be drawn from explicit ``--spots``), so a library that is missing
    or does not load gives no Rf values rather than an error.
    """
    import inspect
    import re

    if all(re.fullmatch(r"[Ss]\d+", lab) for lab in labels):
        return {}, None  # sample lanes only: no need to load the library
    try:
        from tlc.library import load_library

        if any(
            p.default is inspect.Parameter.empty
            for p in inspect.signature(load_library).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ):
            library = load_library(())
        else:
            library = load_library()
        sys_id = system or library.default_system.id
        out = {}
        for label in labels:
            sub = library.resolve(label)
            if sub is not None and sys_id in sub.rf:
                out[label] = float(sub.rf[sys_id].rf)
    except (ImportError, TlcError, NotImplementedError, OSError, TypeError, AttributeError):
        return {}, None
    return out, sys_id
