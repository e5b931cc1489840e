"""`tlc analyse IMAGE`: from a photo of a developed plate to a result card.

Parse, call, render: the options become a :class:`tlc.pipeline.Layout`, the
pipeline does the work, and :mod:`tlc.report` says what was found. The card
(or, with ``--json``, the result object) goes to stdout; one line per file
written and the analysis warnings go to stderr.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tlc.cli._common import (
    CardChoices,
    card_choices,
    card_formats,
    card_options,
    library_folders,
    make_folder,
)
from tlc.cli._pdf_process import PdfProcess


@click.command("analyse")
@click.argument("image", type=click.Path(path_type=Path))
@click.option(
    "--system",
    default=None,
    metavar="ID",
    help="Solvent system id from the library, e.g. TA (default: the library's default system; "
    "`tlc references list` shows them).",
)
@click.option(
    "--lanes",
    default=None,
    metavar="L1,L2,...",
    help="Lane labels, left to right with the origin at the bottom. A substance name marks a "
    "reference lane (cocaine); any other label a sample lane (S1). Default: lanes found "
    "automatically, all samples.",
)
@click.option(
    "--layout",
    "layout_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Layout file (YAML: system, lanes, samples, lines...; see docs/user-guide.md). "
    "Default: IMAGE's <stem>.layout.yaml when it exists. Options given win over the file.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the result as one JSON object (schema tlc-result/1) on stdout, and nothing else.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Folder for the result files (created if needed; default: beside IMAGE).",
)
@card_options
@click.option(
    "--expected",
    default=None,
    metavar="TEXT",
    help="What the person expected the sample to be, for every sample lane (cocaine), "
    "or per lane (S1=cocaine;S2=mdma,caffeine).",
)
@click.option(
    "--sample-code",
    default=None,
    metavar="CODE",
    help="Anonymous code of the sample (never a name), when the plate has one sample lane; "
    "or per lane (S1=A-042;S2=A-043).",
)
@click.option(
    "--baseline",
    default=None,
    metavar="POS",
    help="Where the baseline (origin) is, when it is not found: a fraction of the plate "
    "height from the bottom (0.1), a percentage (10%) or millimetres (8mm).",
)
@click.option(
    "--front",
    default=None,
    metavar="POS",
    help="Where the solvent front is, when it is not found (same forms as --baseline).",
)
@click.option(
    "--rotate",
    type=click.Choice(["0", "90", "180", "270"]),
    default=None,
    help="Clockwise quarter turns that stand the plate upright (origin at the bottom). "
    "Default: decided from the photo.",
)
@click.option(
    "--mode",
    type=click.Choice(["uv254", "stain", "uv365"]),
    default=None,
    help="How the plate was seen: uv254 (dark spots on a green glow), stain (coloured spots "
    "on white), uv365 (bright spots on a dark plate). Default: decided from the photo.",
)
@click.option(
    "--plate-size",
    default=None,
    metavar="HxW",
    help="Plate height x width in mm, e.g. 100x50 (default: the long side taken as 100 mm; "
    "Rf values do not depend on it).",
)
def command(
    image: Path,
    system: str | None,
    lanes: str | None,
    layout_file: Path | None,
    as_json: bool,
    out_dir: Path | None,
    lang: str | None,
    library_dirs: tuple[Path, ...],
    formats: str,
    paper: str,
    config_file: Path | None,
    expected: str | None,
    sample_code: str | None,
    baseline: str | None,
    front: str | None,
    rotate: str | None,
    mode: str | None,
    plate_size: str | None,
) -> None:
    """Analyse a photo of a developed TLC plate: find the baseline, the solvent front, the lanes
    and the spots, measure Rf, identify the spots against the plate's reference lanes and the
    library, and print the result card.

    Writes beside IMAGE (or in --out): <stem>.tlc.json, <stem>.annotated.png and the cards
    asked by --card. IMAGE itself is never modified. Exit status: 0 analysed; 2 bad usage or
    an unreadable image; 3 the photo was read but could not be analysed (the message says
    what to pass or how to retake the photo).

    \b
    Examples:
      tlc analyse plate.jpg --lanes S1,cocaine,S2,caffeine
      tlc analyse plate.jpg --system TA --lang fr --card pdf,html --out results/
      tlc analyse plate.jpg --lanes S1,heroin --expected heroin --sample-code A-042
      tlc analyse plate.jpg --json > result.json
    """
    chosen = card_formats(formats)
    # The PDF card is drawn in a second process that loads matplotlib while
    # this one analyses the photo (see _pdf_process); started before OpenCV loads.
    with PdfProcess() if "pdf" in chosen else contextlib.nullcontext() as pdf_process:
        # With no helper drawing on the other core, OpenCV's colour tables are
        # built there while the library and the photo are read.
        helper = pdf_process is not None and pdf_process.running
        warm = None if helper else _warm_colour_tables()
        from tlc import layout as layout_mod
        from tlc.io import read_image
        from tlc.library import load_library
        from tlc.pipeline import Config, analyse

        draw_pdf = pdf_process.render if pdf_process is not None else None
        card = card_choices(chosen, lang=lang, paper=paper, config_file=config_file)

        layout = _read_layout(image, layout_file)
        layout = layout_mod.with_options(
            layout,
            system=system,
            lanes=lanes,
            expected=expected,
            sample_code=sample_code,
            baseline=baseline,
            front=front,
            plate_size=plate_size,
            rotate=int(rotate) if rotate is not None else None,
            mode=mode,
        )
        library = load_library(library_folders(library_dirs), validate=False)
        if layout.system is not None:
            library.system(layout.system)  # an unknown id: LibraryError, exit 2, before the work

        photo = read_image(image)
        if warm is not None:
            warm.join()
        analysis = analyse(
            photo, layout=layout, library=library, config=Config(), image_name=str(image)
        )
        analysis = layout_mod.attach_samples(analysis, expected=expected, sample_code=sample_code)
        unused = layout_mod.unused_samples(analysis, layout)
        if unused:
            import dataclasses

            analysis = dataclasses.replace(analysis, warnings=(*analysis.warnings, *unused))

        # Render everything before writing anything, so that a failure (a missing
        # wording for --lang) leaves no half set of files behind.
        # (The card text is made even with --json: it checks that --lang has a wording.)
        result = analysis.to_dict()
        text = card.text(analysis, library)
        if as_json:
            text = json.dumps(result, ensure_ascii=False)
        written = _write_files(
            analysis,
            result,
            photo,
            image=image,
            out_dir=out_dir,
            library=library,
            card=card,
            draw_pdf=draw_pdf,
        )
        if as_json:
            click.echo(text)
        else:
            click.echo(text, nl=not text.endswith("\n"))
        for path in written:
            click.echo(f"tlc: wrote {path}", err=True)
        for warning in analysis.warnings:
            click.echo(f"warning: {warning}", err=True)


def _warm_colour_tables() -> Any:
    """Start a thread that builds OpenCV's RGB-to-CIELAB tables; returns it (to join).

    OpenCV builds its 8-bit CIELAB tables on the first such conversion
    (:func:`tlc.strips.find_strips` makes one): 0.1 s of work, the same in
    every run, that used to wait for the analysis. The thread works outside
    the GIL while this one reads the library and the photo, and is joined
    before the analysis starts, so that no conversion runs while the tables
    are built. The tables, and so every result, are the same either way.
    Not done while the PDF helper runs: its loading of matplotlib already
    keeps the other core busy, and measured, the thread then saved nothing.
    """
    import threading

    def build() -> None:
        import cv2
        import numpy as np

        cv2.cvtColor(np.zeros((1, 1, 3), np.uint8), cv2.COLOR_RGB2LAB)

    thread = threading.Thread(target=build, name="tlc-warm", daemon=True)
    thread.start()
    return thread


def _read_layout(image: Path, layout_file: Path | None) -> Any:
    from tlc import layout as layout_mod
    from tlc.pipeline import Layout

    if layout_file is not None:
        return layout_mod.load_layout(layout_file)
    beside = layout_mod.layout_beside(image)
    if beside.is_file():
        click.echo(f"tlc: reading the layout {beside}", err=True)
        return layout_mod.load_layout(beside)
    return Layout()


def _write_files(
    analysis: Any,
    result: dict[str, Any],
    photo: Any,
    *,
    image: Path,
    out_dir: Path | None,
    library: Any,
    card: CardChoices,
    draw_pdf: Callable[..., bytes] | None,
) -> list[Path]:
    from tlc.errors import ImageError
    from tlc.io import write_png, write_text_atomic
    from tlc.plate import rectify
    from tlc.report.overlay import annotate

    folder = out_dir if out_dir is not None else image.parent
    make_folder(folder, advice="; choose --out")
    stem = image.stem
    json_path = folder / f"{stem}.tlc.json"
    png_path = folder / f"{stem}.annotated.png"
    # Every name written ends in .tlc.json, .annotated.png or .card.*, none of
    # which a photo is read from, so the photo can never be overwritten; this
    # check keeps it so if the names change.
    source = image.resolve()
    for path in (json_path, png_path, *(folder / f"{stem}.card.{f}" for f in card.formats)):
        if path.resolve() == source:  # pragma: no cover - guarded by the naming above
            msg = f"{path}: would overwrite the photo; choose another --out"
            raise ImageError(msg)
    picture = annotate(rectify(photo, analysis.plate), analysis)
    try:
        write_text_atomic(json_path, json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        if card.formats:
            from concurrent.futures import ThreadPoolExecutor

            # the PNG is encoded (by OpenCV, outside the GIL) while the card is drawn
            with ThreadPoolExecutor(max_workers=1) as pool:
                png = pool.submit(write_png, png_path, picture)
                cards = card.write(
                    analysis, library, folder=folder, stem=stem, picture=picture, draw_pdf=draw_pdf
                )
                png.result()
        else:
            write_png(png_path, picture)
            cards = []
    except OSError as exc:
        msg = f"{folder}: cannot write the result files ({exc.strerror or exc}); choose --out"
        raise ImageError(msg) from exc
    return [json_path, png_path, *cards]
