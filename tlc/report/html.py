"""The result card as one self-contained HTML page.

Rendered with jinja2 (autoescape on) from ``templates/card.html.j2``: inline
CSS, the plate picture and the logo embedded as ``data:`` URIs, a print
stylesheet with ``@page`` at A4 or A5 and a page break after each sample, and
no reference to anything outside the file, so it opens the same in any
browser, offline, years later.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from tlc.report.content import Card

_TEMPLATES = Path(__file__).with_name("templates")

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}

# Page size, margins and type size per paper: A5 gets smaller type and margins
# so that one sample still fits on a page.
_PAPER = {
    "a4": {
        "paper_css": "A4",
        "margin": "12mm",
        "font_size": "12pt",
        "max_width": "190mm",
        "picture_height": "120mm",
    },
    "a5": {
        "paper_css": "A5",
        "margin": "8mm",
        "font_size": "10pt",
        "max_width": "132mm",
        "picture_height": "80mm",
    },
}


def png_data_uri(image: np.ndarray) -> str:
    """Encode an RGB image as a ``data:image/png;base64,...`` URI.

    Parameters
    ----------
    image : (H, W, 3) ndarray of uint8
        RGB image.

    Raises
    ------
    ValueError
        If ``image`` is not an (H, W, 3) or (H, W) uint8 array.
    """
    import numpy as np

    arr = np.asarray(image)
    if arr.dtype != np.uint8 or arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        msg = f"picture must be an (H, W, 3) uint8 array, got {arr.shape} {arr.dtype}"
        raise ValueError(msg)
    import cv2

    bgr = arr if arr.ndim == 2 else np.ascontiguousarray(arr[:, :, ::-1])
    ok, buf = cv2.imencode(".png", bgr)
    if not ok:  # pragma: no cover - encoder failure on valid uint8 is not seen
        msg = "could not encode the picture as PNG"
        raise ValueError(msg)
    return "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def file_data_uri(path: str | Path) -> str | None:
    """A PNG, JPEG or SVG file as a ``data:`` URI; None if it cannot be read."""
    p = Path(path)
    mime = _MIME.get(p.suffix.lower())
    if mime is None:
        return None
    try:
        data = p.read_bytes()
    except OSError:
        return None
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def render(card: Card, *, picture: np.ndarray | None, paper: str = "a4", image: str = "") -> str:
    """Lay out a card as HTML.

    Parameters
    ----------
    card : Card
        The card model (:func:`tlc.report.content.build_card`).
    picture : (H, W, 3) ndarray of uint8 or None
        The annotated plate for the staff part; None prints a note instead.
    paper : {"a4", "a5"}
    image : str
        The photo's name, for the note when there is no picture.

    Returns
    -------
    str
        A complete HTML5 document.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("card.html.j2")
    return template.render(
        card=card,
        picture=png_data_uri(picture) if picture is not None else None,
        logo=file_data_uri(card.logo) if card.logo else None,
        image=image,
        **_PAPER[paper],
    )
