"""`tlc evaluate DIR`: analyse every photo that has a truth file and score the results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tlc.cli._common import library_folders, library_option


@click.command("evaluate")
@click.argument("folder", type=click.Path(path_type=Path), metavar="DIR")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the scores as one JSON object on stdout."
)
@click.option(
    "--lanes-from-truth",
    is_flag=True,
    help="Pass each truth's lane labels as --lanes (scores the measurement alone, "
    "not the lane finding).",
)
@library_option
def command(
    folder: Path, as_json: bool, lanes_from_truth: bool, library_dirs: tuple[Path, ...]
) -> None:
    """Score tlc against photos whose truth is known.

    Analyses every photo of DIR (and its subfolders) that has a truth: a PHOTO.truth.yaml
    beside it (as `tlc synth` writes), or a folder truth.yaml listing photos under `images:`.
    Prints one row per photo (outcome, lanes found/true, spots matched/true+extra, Rf error)
    and the totals. A found spot matches a true one within 0.04 Rf. Progress goes to stderr.
    A layout file beside a photo is read, as `tlc analyse` does.

    \b
    Examples:
      tlc evaluate samples/
      tlc evaluate bench/plates --lanes-from-truth --json > scores.json
    """
    from tlc.errors import LayoutError
    from tlc.evaluate import evaluate, format_table, load_truths
    from tlc.library import load_library

    if not folder.is_dir():
        msg = f"{folder}: no such folder; give the folder that holds the photos and truth files"
        raise LayoutError(msg)
    photos = load_truths(folder)
    if not photos:
        msg = (
            f"{folder}: no photo with a truth file (PHOTO.truth.yaml beside it, "
            "or truth.yaml with images:); nothing to evaluate"
        )
        raise LayoutError(msg)
    library = load_library(library_folders(library_dirs), validate=False)
    n = len(photos)
    done = [0]

    def progress(score: Any) -> None:
        done[0] += 1
        mark = "" if score.correct else " (not as expected)"
        click.echo(f"tlc: [{done[0]}/{n}] {score.image}: {score.outcome}{mark}", err=True)

    def run(photo: Path, truth: dict[str, Any]) -> Any:
        return _analyse(photo, truth, library=library, lanes_from_truth=lanes_from_truth)

    summary = evaluate(photos, run, progress=progress)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False))
    else:
        click.echo(format_table(summary))


def _analyse(photo: Path, truth: dict[str, Any], *, library: Any, lanes_from_truth: bool) -> Any:
    import dataclasses

    from tlc import layout as layout_mod
    from tlc.io import read_image
    from tlc.pipeline import Config, Layout, analyse

    beside = layout_mod.layout_beside(photo)
    layout = layout_mod.load_layout(beside) if beside.is_file() else Layout()
    labels = truth.get("lane_labels")
    if lanes_from_truth and isinstance(labels, list) and labels:
        lanes = tuple(str(x) for x in labels)
        # The layout's samples may name lanes the truth labels differently.
        samples = {k: v for k, v in layout.samples.items() if k in lanes}
        layout = dataclasses.replace(layout, lanes=lanes, samples=samples)
    image = read_image(photo)
    return analyse(image, layout=layout, library=library, config=Config(), image_name=str(photo))
