"""`tlc card RESULT.json`: re-render a result card from a saved analysis, without re-analysing."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tlc.cli._common import card_choices, card_formats, card_options, library_folders, make_folder


@click.command("card")
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the card files (default: beside RESULT).",
)
@card_options
def command(
    result: Path,
    lang: str | None,
    formats: str,
    out_dir: Path | None,
    paper: str,
    config_file: Path | None,
    library_dirs: tuple[Path, ...],
) -> None:
    """Print the result card of a saved analysis (RESULT.json, from `tlc analyse --json`
    or the `.tlc.json` file) and write it as PDF/HTML/text.

    \b
    Example:
      tlc card plate.tlc.json --lang fr --card pdf,html
    """
    fmts = card_formats(formats)
    analysis = _read_result(result)
    card = card_choices(fmts, lang=lang, paper=paper, config_file=config_file)
    library = _library(library_dirs)
    click.echo(card.text(analysis, library), nl=False)
    if not card.formats:
        return
    picture = _picture(analysis, result)
    folder = out_dir or result.parent
    make_folder(folder)
    stem = result.name.removesuffix(".json").removesuffix(".tlc")
    for path in card.write(analysis, library, folder=folder, stem=stem, picture=picture):
        click.echo(f"tlc: wrote {path}", err=True)


def _read_result(path: Path):
    from tlc.errors import LayoutError
    from tlc.pipeline import Analysis

    if not path.is_file():
        msg = f"{path}: no such result file; pass the .tlc.json written by tlc analyse"
        raise LayoutError(msg)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path}: not a JSON file; pass the .tlc.json written by tlc analyse"
        raise LayoutError(msg) from exc
    try:
        return Analysis.from_dict(data)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        msg = f"{path}: not a tlc-result/1 analysis; pass the .tlc.json written by tlc analyse"
        raise LayoutError(msg) from exc


def _library(library_dirs: tuple[Path, ...]):
    from tlc.library import load_library

    return load_library(library_folders(library_dirs))


def _picture(analysis, result: Path):
    # The photo as named in the JSON, else beside the JSON; gone -> no picture
    # (the card says so in the staff part).
    from tlc.errors import ImageError
    from tlc.io import read_image
    from tlc.plate import rectify

    name = Path(analysis.image)
    for candidate in (name, result.parent / name, result.parent / name.name):
        if candidate.is_file():
            try:
                plate = rectify(read_image(candidate), analysis.plate)
            except ImageError:
                return None
            try:
                from tlc.report.overlay import annotate

                return annotate(plate, analysis)
            except ImportError:
                return plate
    click.echo(
        f"tlc: the photo {analysis.image} was not found; the card has no plate picture", err=True
    )
    return None
