"""`tlc references learn`: add the Rf of a plate's reference lanes to a local library.

Thin: parse, analyse the photo (:func:`tlc.pipeline.analyse`), pick the
reference spots (:func:`tlc.learn.learn`), store them
(:func:`tlc.library.add_measurements`) and print what changed.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from tlc.cli._common import library_folders, library_option


def _labels(text: str) -> tuple[str, ...]:
    from tlc.errors import LayoutError

    labels = tuple(part.strip() for part in text.split(","))
    for i, label in enumerate(labels, start=1):
        if not label:
            msg = f"--lanes: label {i} is empty; give one label per lane, e.g. cocaine,caffeine,S1"
            raise LayoutError(msg)
    return labels


@click.command("learn")
@click.argument("photo", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lanes",
    required=True,
    metavar="L1,L2,...",
    help="Lane labels left to right (origin at the bottom); a library substance marks a "
    "reference lane, e.g. cocaine,caffeine,S1.",
)
@click.option(
    "--system", "system_id", metavar="ID", help="Solvent system (default: the library's)."
)
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    help="Local library folder to add the values to (default: ~/.local/share/tlc/library).",
)
@library_option
@click.option("--baseline", metavar="POS", help="Baseline position: 0.12 (of the height) or 8mm.")
@click.option("--front", metavar="POS", help="Solvent front position: 0.85 or 70mm.")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Date the plate was run (today).")
@click.option("--dry-run", is_flag=True, help="Show what would be added; write nothing.")
def command(
    photo: Path,
    lanes: str,
    system_id: str | None,
    into: Path | None,
    library_dirs: tuple[Path, ...],
    baseline: str | None,
    front: str | None,
    date: str | None,
    dry_run: bool,
) -> None:
    """Measure the reference lanes of a plate and add their Rf to a local library.

    After several plates the library holds the mean and spread of the values
    measured on your own plates, and identification uses those instead of
    the literature values.

    \b
    Example:
      tlc references learn plate.jpg --lanes cocaine,caffeine,levamisole,S1
    """
    from tlc.errors import LayoutError, TlcError
    from tlc.io import read_image
    from tlc.learn import learn, reference_spots
    from tlc.library import add_measurements, default_local_folder, load_library
    from tlc.match import label_warnings, lane_role
    from tlc.pipeline import Config, Layout, analyse

    labels = _labels(lanes)
    folders = library_folders(library_dirs)
    library = load_library(folders)
    if system_id is not None and system_id not in library.systems:
        known = ", ".join(sorted(library.systems))
        msg = f"unknown system {system_id!r}; known: {known}"
        raise LayoutError(msg)
    for warning in label_warnings(labels, library):
        click.echo(f"tlc: warning: {warning}", err=True)
    if not any(lane_role(label, library)[0] == "reference" for label in labels):
        msg = (
            f"none of the lane labels ({', '.join(labels)}) is a substance of the library; "
            "name the reference lanes with library ids, e.g. --lanes cocaine,caffeine"
        )
        raise LayoutError(msg)
    when = date or datetime.date.today().isoformat()
    try:
        datetime.date.fromisoformat(when)
    except ValueError:
        msg = f"--date: {when!r} is not a date; give it as YYYY-MM-DD"
        raise LayoutError(msg) from None

    image = read_image(photo)
    layout = Layout(system=system_id, lanes=labels, baseline=baseline, front=front)
    analysis = analyse(
        image, layout=layout, library=library, config=Config(), image_name=str(photo)
    )
    records = learn(analysis, photo=photo.name, date=when)
    for reason in reference_spots(analysis)[1]:
        click.echo(f"tlc: skipped {reason}", err=True)
    if not records:
        msg = (
            "no reference lane shows one clear spot, so nothing was learnt; "
            "check --lanes and the photo, or retake it"
        )
        raise TlcError(msg)

    system = analysis.system
    if dry_run:
        click.echo(f"Would add to system {system} (dry run, nothing written):")
        for r in records:
            click.echo(f"  {r['substance']}: Rf {r['rf']:.3f}")
        return
    folder = into or default_local_folder()
    stored = [{k: v for k, v in r.items() if k != "system"} for r in records]
    path = add_measurements(folder, system, stored)
    click.echo(f"Added {len(records)} value(s) for system {system} to {path}:")
    updated = load_library((folder, *folders))
    for r in records:
        sub = updated.substances.get(r["substance"])
        value = sub.rf.get(system) if sub is not None else None
        line = f"  {r['substance']}: Rf {r['rf']:.3f} on this plate"
        if value is not None and value.tier == "local":
            spread = "" if value.sd is None else f", sd {value.sd:.3f}"
            line += (
                f"; local mean {value.rf:.3f}{spread} over {value.n} plate(s), "
                f"window ±{value.tolerance:.3f}"
            )
        click.echo(line)
