"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from tlc.config import Service
    from tlc.library import Library
    from tlc.pipeline import Analysis

F = TypeVar("F", bound=Callable[..., Any])


def library_option(fn: F) -> F:
    """``--library DIR`` (repeatable): extra reference folders, searched before the built-in one."""
    return click.option(
        "--library",
        "library_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Extra reference library folder, searched before the built-in one "
        "(repeatable; also TLC_LIBRARY, separated like PATH).",
    )(fn)


def library_folders(library_dirs: tuple[Path, ...]) -> tuple[Path, ...]:
    """The extra library folders: ``--library`` ones first, then ``TLC_LIBRARY``."""
    env = os.environ.get("TLC_LIBRARY", "")
    from_env = tuple(Path(p) for p in env.split(os.pathsep) if p)
    return tuple(library_dirs) + from_env


def card_options(fn: F) -> F:
    """How the card is made: ``--lang``, ``--library``, ``--card``, ``--paper``, ``--config``.

    ``tlc analyse`` and ``tlc card`` both take these, with the same meaning.
    """
    options = (
        click.option(
            "--lang",
            default=None,
            metavar="fr|en",
            help="Language of the card (default: the service config's, else the locale's, "
            "else en).",
        ),
        library_option,
        click.option(
            "--card",
            "formats",
            default="pdf",
            show_default=True,
            metavar="FORMATS",
            help="Card files to write, comma-separated: pdf, html, txt, or none.",
        ),
        click.option(
            "--paper",
            type=click.Choice(["a4", "a5"]),
            default="a4",
            show_default=True,
            help="Paper size of the PDF card and of the HTML print layout.",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path),
            default=None,
            metavar="FILE",
            help="Service configuration file: name, contact, language (see `tlc config`).",
        ),
    )
    # click lists the options in the order of the decorators, which apply bottom-up.
    for option in reversed(options):
        fn = option(fn)
    return fn


def card_formats(text: str) -> tuple[str, ...]:
    """The ``--card`` formats; a wrong one is a usage error (exit 2) that names ``--card``."""
    from tlc.report import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--card") from exc


@dataclass(frozen=True, slots=True)
class CardChoices:
    """What the card options decided: formats, language, service, paper.

    Make it with :func:`card_choices`.
    """

    formats: tuple[str, ...]
    lang: str
    service: Service
    paper: str

    def text(self, analysis: Analysis, library: Library) -> str:
        """The card as text for stdout (colour when stdout is a terminal)."""
        from tlc.report import card_text

        return card_text(
            analysis, library, lang=self.lang, service=self.service, colour=sys.stdout.isatty()
        )

    def write(
        self,
        analysis: Analysis,
        library: Library,
        *,
        folder: Path,
        stem: str,
        picture: Any,
        draw_pdf: Callable[..., bytes] | None = None,
    ) -> list[Path]:
        """Write ``<stem>.card.<format>`` in ``folder`` for each format; returns the files.

        ``draw_pdf`` draws the PDF instead of :func:`tlc.report.pdf.render`.
        """
        from tlc.report import write_cards

        return write_cards(
            analysis,
            library,
            formats=self.formats,
            out_dir=folder,
            stem=stem,
            lang=self.lang,
            service=self.service,
            picture=picture,
            paper=self.paper,
            draw_pdf=draw_pdf,
        )


def card_choices(
    formats: tuple[str, ...], *, lang: str | None, paper: str, config_file: Path | None
) -> CardChoices:
    """Read the service configuration and settle the language.

    The language is ``--lang``, else the service configuration's, else the
    locale's (:func:`tlc.report.default_language`).

    Raises
    ------
    ConfigError
        If the configuration file is missing or invalid.
    """
    from tlc.config import load_service
    from tlc.report import default_language

    service = load_service(config_file)
    return CardChoices(
        formats=formats,
        lang=lang or service.language or default_language(),
        service=service,
        paper=paper,
    )


def make_folder(folder: Path, *, advice: str = "") -> None:
    """Create the output folder; a failure is an :class:`~tlc.errors.ImageError` (exit 2).

    ``advice`` ends the message (``"; choose --out"``).
    """
    from tlc.errors import ImageError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"{folder}: cannot create the output folder ({exc.strerror or exc}){advice}"
        raise ImageError(msg) from exc
