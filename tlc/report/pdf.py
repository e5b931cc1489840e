"""The result card as a printable PDF (A4 or A5), drawn with matplotlib.

Only matplotlib's object API is used (``Figure`` and the PDF backend's
``PdfPages``), never ``pyplot``, which would cost most of a second to import.

Fonts. The text is set in Helvetica and Helvetica-Bold, two of the 14
standard PDF fonts (``pdf.use14corefonts``): every PDF reader and printer
has them, so nothing is embedded, and each line is written as one string in
WinAnsiEncoding (cp1252), which covers French (é è à ç ù œ « » ’ …), so the
text, accents included, can be selected, searched and extracted. The few
characters outside cp1252 (Δ of "ΔRf", the ■ of a warning, Greek letters of a
substance's name) are drawn, piece by piece within the line, in DejaVu Sans
(shipped with matplotlib) as an embedded Type 3 font, which is extracted too.

Why: with DejaVu Sans for everything, matplotlib laid out every glyph of
every line itself (Type 3 and Type 42 alike, with kerning), and drawing a
6-sample card (7 pages, about 400 lines) took 0.84 s on the project's 2-core
machine, on top of 0.35-0.45 s of imports; Type 42 would also subset the
font with fontTools, about 0.3 s more per font. With the standard fonts, and
each page's lines drawn by one artist straight through the renderer's
``draw_text`` (no ``Text`` artist per line), the same card draws in 0.11 s,
a 1- or 2-sample card in about 0.05 s (``python bench/card.py`` prints
these); in ``tlc analyse`` the PDF now costs its imports plus about 0.12 s.
The look is kept: same layout, sizes and colours; Helvetica sets a little
narrower than DejaVu Sans, so fewer cards run onto a second page.

Layout is done in points from the top-left corner of the page. Lines are
wrapped by *measuring* each word with the advance widths of the font that is
drawn (Helvetica's AFM metrics, which matplotlib ships; DejaVu's for the
fallback characters), so a long French sentence never runs off the page.
Pages are laid out first and drawn second, so that each page can say "page n
of N".

One page per sample lane (the person's part; a card that does not fit
continues on the next page), then the staff part: the annotated plate, the
spot table and the warnings of the analysis.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from tlc.report.content import Card, SampleCard

#: Page sizes in points (1/72 inch), portrait.
PAGE_SIZES = {"a4": (595.28, 841.89), "a5": (419.53, 595.28)}

#: Per paper: margin, body, heading and title sizes in points. The A5 body
#: stays at 9.5 pt, the smallest comfortable size for a printed handout.
_STYLE = {
    "a4": {
        "margin": 42.0,
        "body": 11.5,
        "small": 9.0,
        "heading": 13.5,
        "title": 19.0,
        "staff": 7.5,
    },
    "a5": {"margin": 26.0, "body": 9.5, "small": 7.5, "heading": 11.0, "title": 15.0, "staff": 6.0},
}

#: Type scales tried, in order, to fit a sample's card on one page.
_FIT_SCALES = (1.0, 0.93, 0.86)

#: The 14 standard PDF fonts need no embedding: every PDF reader has them.
_CORE_FAMILY = "Helvetica"
#: For the few characters outside cp1252 (the encoding matplotlib writes the
#: standard fonts in): Δ of "ΔRf", the ■ of a warning, Greek letters of a
#: substance's name. DejaVu Sans ships with matplotlib.
_FALLBACK_FAMILY = "DejaVu Sans"

#: PDF font type of the fallback font. Type 42 (TrueType) subsetting with
#: fontTools costs about 0.3 s per font; Type 3 fonts are drawn from the same
#: DejaVu outlines, print as sharply, and their text is still extracted.
_FONTTYPE = 3

#: matplotlib settings every card is drawn with (and :func:`warm_up` draws with).
_FONT_RC: dict[str, Any] = {
    "pdf.use14corefonts": True,
    "pdf.fonttype": _FONTTYPE,
    "font.family": _CORE_FAMILY,
}
_LEADING = 1.28  # line height as a multiple of the font size
#: Baseline below the top of a line, as a multiple of the font size:
#: Helvetica's ascender (the top of "l", 718/1000 em), where matplotlib's
#: ``va="top"`` put it.
_ASCENT = 0.718
#: Helvetica's descender (the bottom of "p"), for text set on its lowest point.
_DESCENT = 0.207

#: Characters of cp1252 whose Helvetica width matplotlib cannot read (its
#: glyph names and the AFM's differ, so it measures them as "?"): they are
#: drawn with the fallback font, whose widths are known.
_UNMEASURED = frozenset(
    "\u20ac\u201a\u0192\u201e\u02c6\u02dc\u00a0\u00a4\u00ad\u00b2\u00b3\u00b9\u00bc\u00be"
)
#: The characters drawn with the standard fonts (matplotlib writes their text
#: as cp1252, the PDF's WinAnsiEncoding).
_CP1252 = (
    frozenset(
        bytes(range(32, 127)).decode() + bytes(range(128, 256)).decode("cp1252", errors="ignore")
    )
    - _UNMEASURED
)

_COLOURS: dict[str, Any] = {
    "danger": ("#b00000", "#ffe3e3"),
    "caution": ("#a86400", "#fff1cf"),
    "text": "#111111",
    "grey": "#444444",
    "rule": "#888888",
    "header": "#eeeeee",
}


@functools.cache
def _font_file(*, core: bool, bold: bool) -> Any:
    """The font file drawn: Helvetica's AFM metrics, or DejaVu Sans for the fallback.

    Text is drawn with ``FontProperties(fname=...)``: matplotlib caches its
    font search per size, so a search by family would be repeated (a few
    milliseconds each) for each of the twenty-odd sizes of a card.
    """
    import os

    import matplotlib
    from matplotlib.font_manager import FontProperties, findfont

    if not core:
        prop = FontProperties(family=_FALLBACK_FAMILY, weight="bold" if bold else "normal")
        return findfont(prop, fallback_to_default=True)
    # The AFM of regular Helvetica says "Medium"; asking for "normal" works
    # but makes findfont log a warning. The folder is the one matplotlib's
    # PDF renderer takes the standard fonts from.
    prop = FontProperties(family=_CORE_FAMILY, weight="bold" if bold else "medium")
    folder = os.path.join(matplotlib.get_data_path(), "fonts", "pdfcorefonts")
    return findfont(prop, fontext="afm", directory=folder, fallback_to_default=False)


@functools.cache
def _core_advances() -> dict[tuple[bool, str], float]:
    """Advance widths in em of Helvetica and Helvetica-Bold, for every cp1252 character.

    Taken from the AFM metrics matplotlib ships and draws with, through the
    PDF renderer's public ``get_text_width_height_descent`` with
    ``pdf.use14corefonts`` on (the renderer does not touch its file to
    measure). One character at a time: the PDF shows a string without
    kerning, so its width is the sum of its characters' advances.
    """
    import matplotlib
    from matplotlib.backends.backend_pdf import RendererPdf
    from matplotlib.font_manager import FontProperties

    renderer = RendererPdf(None, 72, PAGE_SIZES["a4"][1], PAGE_SIZES["a4"][0])
    out: dict[tuple[bool, str], float] = {}
    with matplotlib.rc_context({"pdf.use14corefonts": True}):
        for bold in (False, True):
            prop = FontProperties(fname=_font_file(core=True, bold=bold), size=1000.0)
            for ch in _CP1252:
                out[bold, ch] = renderer.get_text_width_height_descent(ch, prop, False)[0] / 1000
    return out


class Measure:
    """Text widths in points, as drawn: Helvetica, DejaVu Sans for characters outside cp1252."""

    def __init__(self) -> None:
        self._cache = dict(_core_advances())
        self._fallback: dict[bool, Any] = {}

    def advance(self, ch: str, *, bold: bool = False) -> float:
        """Advance width of one character, in em."""
        adv = self._cache.get((bold, ch))
        if adv is None:
            font = self._fallback.get(bold)
            if font is None:
                from matplotlib.font_manager import get_font

                font = self._fallback[bold] = get_font(_font_file(core=False, bold=bold))
            font.set_size(100.0, 72)
            adv = font.load_char(ord(ch)).linearHoriAdvance / 65536 / 100.0
            self._cache[bold, ch] = adv
        return adv

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        """Width of ``text`` at ``size`` points."""
        cache = self._cache
        total = 0.0
        for ch in text:
            adv = cache.get((bold, ch))
            total += self.advance(ch, bold=bold) if adv is None else adv
        return total * size

    def runs(self, text: str) -> list[tuple[str, bool]]:
        """``text`` cut where the font changes: ``(piece, drawn_in_helvetica)`` pairs."""
        if _CP1252.issuperset(text):
            return [(text, True)]
        out: list[tuple[str, bool]] = []
        for ch in text:
            core = ch in _CP1252
            if out and out[-1][1] == core:
                out[-1] = (out[-1][0] + ch, core)
            else:
                out.append((ch, core))
        return out

    def wrap(self, text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
        """Split ``text`` into lines no wider than ``width`` points.

        Words are never cut unless a single word is wider than the line.
        """
        # Widths add up (no kerning), so a line's width is kept as words are
        # added; the small slack keeps rounding from letting a line exceed.
        limit = width - 1e-6
        space = self.width(" ", size, bold=bold)
        lines: list[str] = []
        for para in text.split("\n"):
            current, current_w = "", 0.0
            for word in para.split():
                word_w = self.width(word, size, bold=bold)
                trial_w = current_w + space + word_w if current else word_w
                if trial_w <= limit:
                    current = f"{current} {word}" if current else word
                    current_w = trial_w
                    continue
                if current:
                    lines.append(current)
                current, current_w = word, word_w
                while current_w > limit and len(current) > 1:
                    # A word longer than the line (a URL): cut it where it must.
                    cut = len(current) - 1
                    while cut > 1 and self.width(current[:cut], size, bold=bold) > limit:
                        cut -= 1
                    lines.append(current[:cut])
                    current = current[cut:]
                    current_w = self.width(current, size, bold=bold)
            lines.append(current)
        return lines


@dataclass
class _Page:
    ops: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    footer: str = ""


class _Layout:
    """Flows blocks of text down pages of ``paper`` size."""

    def __init__(self, paper: str, measure: Measure, *, scale: float = 1.0) -> None:
        self.w, self.h = PAGE_SIZES[paper]
        self.s = {k: v if k == "margin" else v * scale for k, v in _STYLE[paper].items()}
        self.m = measure
        self.margin = self.s["margin"]
        self.pages: list[_Page] = []
        self.y = 0.0
        self.bottom = self.h - self.margin - self.s["small"] * 2.2  # room for the page footer
        self.on_new_page: Any = None

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self, footer: str = "") -> None:
        self.pages.append(_Page(footer=footer))
        self.y = self.margin

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, height: float) -> None:
        """Start a continuation page when ``height`` does not fit."""
        if height > self.room() and self.y > self.margin + 1:
            footer = self.page.footer
            self.new_page(footer)
            if self.on_new_page:
                self.on_new_page()

    def text(
        self,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        colour: str = _COLOURS["text"],
        indent: float = 0.0,
        bullet: str = "",
        italic: bool = False,
        space_after: float = 0.25,
        right: float = 0.0,
    ) -> None:
        """A wrapped paragraph; keeps its lines together when it fits on a page."""
        size = size or self.s["body"]
        lead = size * _LEADING
        bullet_w = self.m.width(bullet + " ", size, bold=bold) if bullet else 0.0
        width = self.w - 2 * self.margin - indent - bullet_w - right
        lines = self.m.wrap(text, width, size, bold=bold)
        self.ensure(lead * len(lines))
        x = self.margin + indent
        for i, line in enumerate(lines):
            if self.y + lead > self.bottom:
                self.ensure(lead)
            if bullet and i == 0:
                self._op("text", x=x, y=self.y, s=bullet, size=size, bold=bold, colour=colour)
            self._op(
                "text",
                x=x + bullet_w,
                y=self.y,
                s=line,
                size=size,
                bold=bold,
                colour=colour,
                italic=italic,
            )
            self.y += lead
        self.y += size * space_after

    def heading(self, text: str) -> None:
        size = self.s["heading"]
        # Keep a heading with at least two lines of what follows.
        self.ensure(size * _LEADING + self.s["body"] * _LEADING * 2 + size * 0.6)
        self.y += size * 0.45
        self.text(text, size=size, bold=True, space_after=0.05)
        self.rule(colour=_COLOURS["rule"], width=0.6)
        self.y += size * 0.2

    def rule(self, *, colour: str = "#333333", width: float = 1.2) -> None:
        self._op("line", x0=self.margin, x1=self.w - self.margin, y=self.y, colour=colour, lw=width)
        self.y += width + 1

    def box(self, level: str, title: str, lines: tuple[str, ...]) -> None:
        """The warning block: a coloured frame with a title and bullet lines."""
        edge, fill = _COLOURS[level]
        size = self.s["body"]
        tsize = self.s["heading"] * 1.1
        pad = size * 0.7
        inner = self.w - 2 * self.margin - 2 * pad
        bullet_w = self.m.width("■ ", size, bold=True)
        wrapped = [self.m.wrap(line, inner - bullet_w, size, bold=True) for line in lines]
        height = (
            2 * pad
            + tsize * _LEADING
            + sum(len(w) for w in wrapped) * size * _LEADING
            + (len(lines) - 1) * size * 0.3
        )
        self.ensure(height)
        self._op(
            "box",
            x=self.margin,
            y=self.y,
            w=self.w - 2 * self.margin,
            h=height,
            edge=edge,
            fill=fill,
        )
        y = self.y + pad
        self._op("text", x=self.margin + pad, y=y, s=title, size=tsize, bold=True, colour=edge)
        y += tsize * _LEADING
        for wl in wrapped:
            self._op("text", x=self.margin + pad, y=y, s="■", size=size, bold=True, colour=edge)
            for line in wl:
                self._op(
                    "text",
                    x=self.margin + pad + bullet_w,
                    y=y,
                    s=line,
                    size=size,
                    bold=True,
                    colour=_COLOURS["text"],
                )
                y += size * _LEADING
            y += size * 0.3
        self.y += height + size * 0.6

    def _op(self, kind: str, **kw: Any) -> None:
        self.page.ops.append((kind, kw))


def warm_up() -> None:
    """Load matplotlib's PDF backend and the font metrics a card needs.

    :func:`render` does this on its first call; a helper process calls it
    ahead, while the photo is still being analysed.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    _core_advances()
    _page_text_class()
    # A page with a word in each face of Helvetica: matplotlib reads and
    # caches the fonts' metrics when it first writes them into a PDF.
    fig = Figure(figsize=(1, 1))
    for bold in (False, True):
        fig.text(0, 0, "Rf", fontproperties=FontProperties(fname=_font_file(core=True, bold=bold)))
    with matplotlib.rc_context(_FONT_RC):
        fig.savefig(io.BytesIO(), format="pdf")


def render(card: Card, *, picture: np.ndarray | None, paper: str = "a4", image: str = "") -> bytes:
    """Lay out and draw a card as PDF.

    Parameters
    ----------
    card : Card
        The card model (:func:`tlc.report.content.build_card`).
    picture : (H, W, 3) ndarray of uint8 or None
        The annotated plate for the staff page; None prints a note instead.
    paper : {"a4", "a5"}
    image : str
        The photo's name, for the note when there is no picture.

    Returns
    -------
    bytes
        The PDF file.
    """
    measure = Measure()
    logo = _read_logo(card.logo)
    pages: list[_Page] = []
    for sample in card.samples or (None,):
        footer = card.field("card.sample", sample.code) if sample else ""
        # One page per sample where possible: a card a little too long is set
        # slightly smaller (down to 86 %) before it may run onto a second page.
        for scale in _FIT_SCALES:
            lay = _Layout(paper, measure, scale=scale)
            lay.new_page(footer)
            _person_page(lay, card, sample, logo)
            if len(lay.pages) == 1:
                break
        pages += lay.pages
    lay = _Layout(paper, measure)
    lay.new_page(card.label("staff.title"))
    _staff_page(lay, card, picture, image)
    pages += lay.pages
    return _draw(pages, card, paper, measure)


def _header(lay: _Layout, card: Card, sample: SampleCard | None, logo: Any) -> None:
    s = lay.s
    top = lay.y
    text_x = 0.0
    if logo is not None:
        lh = s["title"] * 2.6
        lw = min(lh * logo.shape[1] / max(logo.shape[0], 1), 110.0)
        lay._op("image", x=lay.margin, y=top, w=lw, h=lw * logo.shape[0] / logo.shape[1], img=logo)
        text_x = lw + 10
    name_w = lay.m.width(card.service_name, s["body"], bold=True)
    room = lay.w - 2 * lay.margin - text_x
    if name_w < room * 0.45:
        lay._op(
            "text",
            x=lay.w - lay.margin - name_w,
            y=top + s["title"] * 0.2,
            s=card.service_name,
            size=s["body"],
            bold=True,
            colour=_COLOURS["text"],
        )
        right = name_w + 12
    else:
        right = 0.0
    lay.text(
        card.label("card.title"),
        size=s["title"],
        bold=True,
        indent=text_x,
        right=right,
        space_after=0.1,
    )
    if right == 0.0:
        lay.text(card.service_name, bold=True, indent=text_x, space_after=0.1)
    lay.text(
        card.label("card.technique"),
        size=s["small"] * 1.1,
        colour=_COLOURS["grey"],
        indent=text_x,
        space_after=0.2,
    )
    bits = []
    if sample is not None:
        bits.append(card.field("card.sample", sample.code))
    bits.append(card.field("card.date", card.date))
    lay.text("     ".join(bits), size=s["heading"], bold=True, indent=text_x, space_after=0.2)
    if logo is not None:
        lay.y = max(lay.y, top + s["title"] * 2.6 + 4)
    lay.rule()
    lay.y += s["body"] * 0.3


def _person_page(lay: _Layout, card: Card, sample: SampleCard | None, logo: Any) -> None:
    s = lay.s
    _header(lay, card, sample, logo)
    if sample is None:
        lay.text(card.label("card.no_sample"))
        return

    def continued() -> None:
        lay.text(
            f"{card.field('card.sample', sample.code)} {card.label('card.continued')}",
            bold=True,
            size=s["heading"],
        )
        lay.rule()

    lay.on_new_page = continued
    if sample.warnings:
        lay.box(sample.level, card.label(f"level.{sample.level}"), sample.warnings)
    lay.text(card.field("card.expected", sample.expected), bold=True)
    for line in sample.expected_lines:
        lay.text(line)
    lay.heading(card.label("card.found"))
    bullet = "•"
    indent = s["body"] * 0.4
    for item in sample.found:
        lay.text(f"{item.text} {item.certainty}", bullet=bullet, indent=indent)
    for line in sample.other:
        lay.text(line, bullet=bullet, indent=indent)
    for line in sample.not_seen:
        lay.text(line, indent=indent, colour=_COLOURS["grey"])
    lay.text(
        card.label("card.technique_note"),
        indent=indent,
        colour=_COLOURS["grey"],
        size=s["small"] * 1.1,
    )
    lay.heading(card.label("card.advice"))
    for line in (*sample.advice, *sample.general_advice):
        lay.text(line, bullet=bullet, indent=indent)
    lay.heading(card.label("card.limits"))
    for line in card.limits:
        lay.text(line, bullet="–", indent=indent, size=s["body"] * 0.95, space_after=0.1)
    lay.heading(card.label("card.talk"))
    for line in card.talk:
        lay.text(line, indent=indent)
    # The service's name and contact on one line: they must stay on this page.
    lay.text(" · ".join((card.service_name, *card.contact)), bold=True, indent=indent)
    lay.on_new_page = None


#: Staff table: (attribute, label key, share of the width).
_TABLE = (
    ("lane", "staff.lane", 0.06),
    ("label", "staff.label", 0.11),
    ("role", "staff.role", 0.11),
    ("rf", "staff.rf", 0.08),
    ("rf_corrected", "staff.rf_corrected", 0.06),
    ("match", "staff.match", 0.12),
    ("confidence", "staff.confidence", 0.075),
    ("reason", "staff.reason", 0.285),
    ("flags", "staff.flags", 0.10),
)


def _staff_page(lay: _Layout, card: Card, picture: np.ndarray | None, image: str) -> None:
    s = lay.s
    lay.text(card.label("staff.title"), size=s["title"] * 0.85, bold=True, space_after=0.1)
    lay.rule()
    size = s["body"] * 0.8
    for fact in card.staff.facts:
        lay.text(fact, size=size, space_after=0.05)
    lay.heading(card.label("staff.picture"))
    if picture is not None:
        rows, cols = picture.shape[:2]
        max_h = (lay.h - 2 * lay.margin) * 0.33
        max_w = lay.w - 2 * lay.margin
        scale = min(max_h / rows, max_w / cols)
        w, h = cols * scale, rows * scale
        lay.ensure(h)
        lay._op("image", x=(lay.w - w) / 2, y=lay.y, w=w, h=h, img=picture)
        lay.y += h + s["body"] * 0.4
    else:
        lay.text(
            card.label("staff.no_picture", image=image or "?"), size=size, colour=_COLOURS["grey"]
        )
    lay.heading(card.label("staff.spots"))
    _table(lay, card)
    lay.heading(card.label("staff.warnings"))
    for line in card.staff.warnings or (card.label("staff.no_warnings"),):
        lay.text(line, size=size, bullet="–", space_after=0.05)


def _table(lay: _Layout, card: Card) -> None:
    size = lay.s["staff"]
    lead = size * _LEADING
    total = lay.w - 2 * lay.margin
    pad = 2.0
    widths = [share * total for _, _, share in _TABLE]

    def row_cells(values: list[str], bold: bool) -> tuple[list[list[str]], float]:
        cells = [
            lay.m.wrap(v, w - 2 * pad, size, bold=bold) for v, w in zip(values, widths, strict=True)
        ]
        return cells, max(len(c) for c in cells) * lead + 2 * pad

    def draw_row(values: list[str], *, bold: bool, fill: str | None) -> None:
        cells, height = row_cells(values, bold)
        if height > lay.room():
            lay.ensure(height)
            header()
        x = lay.margin
        lay._op(
            "box",
            x=x,
            y=lay.y,
            w=total,
            h=height,
            edge=_COLOURS["rule"],
            fill=fill or "white",
            lw=0.4,
        )
        for lines, w in zip(cells, widths, strict=True):
            for i, line in enumerate(lines):
                lay._op(
                    "text",
                    x=x + pad,
                    y=lay.y + pad + i * lead,
                    s=line,
                    size=size,
                    bold=bold,
                    colour=_COLOURS["text"],
                )
            x += w
        lay.y += height

    def header() -> None:
        draw_row([card.label(k) for _, k, _ in _TABLE], bold=True, fill=_COLOURS["header"])

    header()
    for row in card.staff.rows:
        fill = "#f6f6f6" if row.role == card.label("staff.role_reference") else None
        draw_row([getattr(row, a) for a, _, _ in _TABLE], bold=False, fill=fill)
    lay.y += size


def _read_logo(path: str | None) -> Any:
    # The PDF can hold PNG and JPEG logos; an SVG logo appears in the HTML card only.
    if not path or not path.lower().endswith((".png", ".jpg", ".jpeg")):
        return None
    try:
        import matplotlib.image as mpimg

        return mpimg.imread(path)
    except (OSError, ValueError, SyntaxError):
        return None


@functools.cache
def _page_text_class() -> type:
    """The artist that draws all the text of a page (made once: matplotlib loads lazily)."""
    import matplotlib
    from matplotlib.artist import Artist
    from matplotlib.font_manager import FontProperties

    class PageText(Artist):
        """Lines of text drawn straight with the renderer's ``draw_text``.

        One artist per page instead of one ``Text`` per line: the lines are
        laid out already, so the per-``Text`` layout work (extents, alignment)
        is not needed. ``items`` are ``(x, baseline, text, size, bold,
        colour)`` in points from the top-left corner.
        """

        zorder = 3

        def __init__(self, items: list[tuple[Any, ...]], measure: Measure, height: float) -> None:
            super().__init__()
            self._items = items
            self._measure = measure
            self._height = height
            self._props: dict[tuple[bool, bool, float], Any] = {}

        def _prop(self, core: bool, bold: bool, size: float) -> Any:
            prop = self._props.get((core, bold, size))
            if prop is None:
                prop = self._props[core, bold, size] = FontProperties(
                    fname=_font_file(core=core, bold=bold), size=size
                )
            return prop

        def draw(self, renderer: Any) -> None:
            if not self.get_visible():
                return
            # Points to display units (the PDF backend draws at 72 dpi).
            k = self.figure.dpi / 72.0
            rc = matplotlib.rcParams
            standard = rc["pdf.use14corefonts"]
            gc = renderer.new_gc()
            try:
                for x, base, text, size, bold, colour in self._items:
                    if not text:
                        continue
                    gc.set_foreground(colour)
                    y = (self._height - base) * k
                    for piece, core in self._measure.runs(text):
                        prop = self._prop(core, bold, size)
                        if core:
                            renderer.draw_text(gc, x * k, y, piece, prop, 0)
                        else:
                            # The fallback font is not a standard PDF font: this
                            # piece is drawn as an embedded (Type 3) font.
                            rc["pdf.use14corefonts"] = False
                            try:
                                renderer.draw_text(gc, x * k, y, piece, prop, 0)
                            finally:
                                rc["pdf.use14corefonts"] = standard
                        x += self._measure.width(piece, size, bold=bold)
            finally:
                gc.restore()
            self.stale = False

    return PageText


def _draw(pages: list[_Page], card: Card, paper: str, measure: Measure) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    page_text = _page_text_class()
    w, h = PAGE_SIZES[paper]
    margin = _STYLE[paper]["margin"]
    small = _STYLE[paper]["small"]
    total = len(pages)
    buf = io.BytesIO()
    rc: dict[str, Any] = {**_FONT_RC, "pdf.compression": 6}
    with (
        matplotlib.rc_context(rc),  # type: ignore[arg-type]
        PdfPages(
            buf,
            metadata={
                "Title": f"{card.label('card.title')} – {card.date}",
                "Creator": "tlc",
                "Producer": "tlc (matplotlib)",
                "CreationDate": None,
            },
        ) as pdf,
    ):
        for n, page in enumerate(pages, start=1):
            fig = Figure(figsize=(w / 72, h / 72), dpi=72)
            items: list[tuple[Any, ...]] = []
            for kind, kw in page.ops:
                if kind == "text":
                    size = kw["size"]
                    items.append(
                        (
                            kw["x"],
                            kw["y"] + size * _ASCENT,
                            kw["s"],
                            size,
                            kw.get("bold", False),
                            kw["colour"],
                        )
                    )
                elif kind == "line":
                    y = 1 - kw["y"] / h
                    fig.add_artist(
                        Line2D(
                            [kw["x0"] / w, kw["x1"] / w],
                            [y, y],
                            transform=fig.transFigure,
                            color=kw["colour"],
                            linewidth=kw["lw"],
                        )
                    )
                elif kind == "box":
                    fig.add_artist(
                        Rectangle(
                            (kw["x"] / w, 1 - (kw["y"] + kw["h"]) / h),
                            kw["w"] / w,
                            kw["h"] / h,
                            transform=fig.transFigure,
                            facecolor=kw["fill"],
                            edgecolor=kw["edge"],
                            linewidth=kw.get("lw", 2.5),
                            zorder=-1,
                        )
                    )
                elif kind == "image":
                    ax = fig.add_axes(
                        (kw["x"] / w, 1 - (kw["y"] + kw["h"]) / h, kw["w"] / w, kw["h"] / h)
                    )
                    ax.imshow(kw["img"], interpolation="antialiased", aspect="auto")
                    ax.set_axis_off()
            # The footers, set on their lowest point (descender) small * 1.5 up.
            foot = card.label("card.page", n=n, total=total)
            if page.footer:
                foot = f"{page.footer} · {foot}"
            base = h - small * (1.5 + _DESCENT)
            grey = _COLOURS["grey"]
            items.append((margin, base, f"{card.service_name} · {card.date}", small, False, grey))
            foot_w = measure.width(foot, small)
            items.append((w - margin - foot_w, base, foot, small, False, grey))
            fig.add_artist(page_text(items, measure, h))
            pdf.savefig(fig)
    return buf.getvalue()
