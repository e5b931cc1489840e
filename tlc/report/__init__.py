"""The result card: what the person takes home, and a part for staff.

Public functions (all take the :class:`~tlc.pipeline.Analysis`, the
:class:`~tlc.library.Library`, the language and the
:class:`~tlc.config.Service`):

``card_text``
    The card as 80-column text, ANSI colour when asked (the terminal).
``render_html``
    A self-contained HTML page (images embedded, print stylesheet).
``render_pdf``
    A printable A4 (or A5) PDF: one page per sample lane, then a staff page.
``write_cards``
    Writes ``<stem>.card.pdf``, ``.card.html``, ``.card.txt`` as asked.
``default_language``
    ``fr`` when the locale is French, else ``en``.

The wording is decided once, in :mod:`tlc.report.content`, from the message
catalogues (:mod:`tlc.report.messages`); each format only lays it out.
This module imports nothing heavy: matplotlib and jinja2 load only when a
PDF or HTML card is rendered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from tlc.config import Service
    from tlc.library import Library
    from tlc.pipeline import Analysis
    from tlc.report.content import Card

__all__ = [
    "FORMATS",
    "card_text",
    "default_language",
    "parse_formats",
    "render_html",
    "render_pdf",
    "write_cards",
]

#: Card formats ``--card`` accepts, besides ``none``.
FORMATS = ("pdf", "html", "txt")

#: Paper sizes of the PDF and of the HTML print stylesheet.
PAPERS = ("a4", "a5")


def default_language(environ: dict[str, str] | None = None) -> str:
    """``"fr"`` when ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starts with ``fr``, else ``"en"``.

    The first of these variables that is set and not empty decides, as the
    C library does.
    """
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def parse_formats(text: str) -> tuple[str, ...]:
    """``"pdf,html"`` -> ``("pdf", "html")``; ``"none"`` -> ``()``.

    Raises
    ------
    ValueError
        If a format is not one of ``pdf``, ``html``, ``txt``, ``none``.
    """
    out: list[str] = []
    for part in text.split(","):
        fmt = part.strip().lower()
        if fmt in ("", "none"):
            continue
        if fmt not in FORMATS:
            msg = f"unknown card format {part.strip()!r}; use pdf, html, txt or none"
            raise ValueError(msg)
        if fmt not in out:
            out.append(fmt)
    return tuple(out)


def _check(lang: str, paper: str) -> None:
    if paper not in PAPERS:
        msg = f"paper must be 'a4' or 'a5', got {paper!r}"
        raise ValueError(msg)
    if not lang or not isinstance(lang, str):
        msg = f"lang must be a language code such as 'fr' or 'en', got {lang!r}"
        raise ValueError(msg)


def card_text(
    analysis: Analysis,
    library: Library,
    *,
    lang: str,
    service: Service,
    colour: bool = False,
    staff: bool = True,
) -> str:
    """The card as text, 80 columns wide.

    Parameters
    ----------
    analysis : Analysis
    library : Library
    lang : str
        ``"fr"``, ``"en"`` or a language the service added.
    service : Service
    colour : bool, optional
        ANSI colour for a terminal (the CLI passes ``sys.stdout.isatty()``).
    staff : bool, optional
        Append the staff part (spot table, analysis warnings).

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        If there is no wording for ``lang``.
    """
    from tlc.report.content import build_card
    from tlc.report.text import render_text

    _check(lang, "a4")
    card = build_card(analysis, library, lang=lang, service=service)
    return render_text(card, colour=colour, staff=staff)


def render_html(
    analysis: Analysis,
    library: Library,
    *,
    lang: str,
    service: Service,
    picture: np.ndarray | None,
    paper: str = "a4",
) -> str:
    """The card as one self-contained HTML page.

    Parameters
    ----------
    analysis, library, lang, service
        As for :func:`card_text`.
    picture : (H, W, 3) ndarray of uint8 or None
        The annotated plate for the staff part; None leaves it out (and says so).
    paper : {"a4", "a5"}
        Page size of the print stylesheet.

    Returns
    -------
    str
        HTML with every image embedded as a ``data:`` URI and no external reference.

    Raises
    ------
    ValueError
        If ``paper`` is not a4 or a5.
    ConfigError
        If there is no wording for ``lang``.
    """
    from tlc.report.html import render

    card = _build(analysis, library, lang=lang, service=service, paper=paper)
    return render(card, picture=picture, paper=paper, image=analysis.image)


def render_pdf(
    analysis: Analysis,
    library: Library,
    *,
    lang: str,
    service: Service,
    picture: np.ndarray | None,
    paper: str = "a4",
) -> bytes:
    """The card as a printable PDF.

    One page per sample lane (the person's part; a long card continues on a
    second page), then one staff page with the plate picture, the spot table
    and the warnings of the analysis.

    Parameters
    ----------
    analysis, library, lang, service, picture, paper
        As for :func:`render_html`.

    Returns
    -------
    bytes
        The PDF file; its text is extractable (standard Helvetica fonts, with
        DejaVu Sans embedded for characters outside cp1252).

    Raises
    ------
    ValueError, ConfigError
        As for :func:`render_html`.
    """
    from tlc.report.pdf import render

    card = _build(analysis, library, lang=lang, service=service, paper=paper)
    return render(card, picture=picture, paper=paper, image=analysis.image)


def write_cards(
    analysis: Analysis,
    library: Library,
    *,
    formats: tuple[str, ...] | list[str],
    out_dir: str | os.PathLike[str],
    stem: str,
    lang: str,
    service: Service,
    picture: np.ndarray | None,
    paper: str = "a4",
    draw_pdf: Callable[..., bytes] | None = None,
) -> list[Path]:
    """Write the card files: ``<stem>.card.pdf``, ``.card.html``, ``.card.txt``.

    Each file is written whole or not at all (temporary file and rename).

    Parameters
    ----------
    analysis, library, lang, service, picture, paper
        As for :func:`render_html`.
    formats : sequence of str
        Some of ``"pdf"``, ``"html"``, ``"txt"`` (see :func:`parse_formats`).
    out_dir : path-like
        An existing folder.
    stem : str
        File name without suffix, usually the photo's (``plate`` for ``plate.jpg``).
    draw_pdf : callable, optional
        Draws the PDF instead of :func:`tlc.report.pdf.render`, with the same
        arguments and result (``tlc analyse`` draws it in a second process).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ValueError
        If a format or the paper is unknown.
    ConfigError
        If there is no wording for ``lang``.
    OSError
        If a file cannot be written.
    """
    from tlc.io import write_bytes_atomic, write_text_atomic

    card = _build(analysis, library, lang=lang, service=service, paper=paper, formats=formats)
    folder = Path(out_dir)
    written = []
    for fmt in formats:
        path = folder / f"{stem}.card.{fmt}"
        page = _lay_out(
            fmt, card, picture=picture, paper=paper, image=analysis.image, draw_pdf=draw_pdf
        )
        if isinstance(page, bytes):
            write_bytes_atomic(path, page)
        else:
            write_text_atomic(path, page)
        written.append(path)
    return written


def _build(
    analysis: Analysis,
    library: Library,
    *,
    lang: str,
    service: Service,
    paper: str,
    formats: tuple[str, ...] | list[str] = (),
) -> Card:
    # The checks and the card model that every format starts from.
    from tlc.report.content import build_card

    _check(lang, paper)
    for fmt in formats:
        if fmt not in FORMATS:
            msg = f"unknown card format {fmt!r}; use pdf, html or txt"
            raise ValueError(msg)
    return build_card(analysis, library, lang=lang, service=service)


def _lay_out(
    fmt: str,
    card: Card,
    *,
    picture: np.ndarray | None,
    paper: str,
    image: str,
    draw_pdf: Callable[..., bytes] | None = None,
) -> str | bytes:
    # One format of an already built card: PDF bytes, HTML or plain text (no
    # colour: a file). Each layout module loads only when its format is asked.
    if fmt == "txt":
        from tlc.report.text import render_text

        return render_text(card, colour=False)
    if fmt == "pdf" and draw_pdf is not None:
        return draw_pdf(card, picture=picture, paper=paper, image=image)
    if fmt == "pdf":
        from tlc.report import pdf as layout
    else:
        from tlc.report import html as layout
    return layout.render(card, picture=picture, paper=paper, image=image)
