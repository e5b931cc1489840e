"""The result card as plain text: 80 columns, ANSI colour only when asked.

The terminal shows this after ``tlc analyse``; ``--card txt`` writes it to
``<stem>.card.txt`` (always without colour codes).
"""

from __future__ import annotations

import textwrap

from tlc.report.content import Card, SampleCard, StaffPart

#: Width of the text card, in characters.
WIDTH = 80

_RESET = "\x1b[0m"
_STYLE = {
    "danger": "\x1b[1;37;41m",  # bold white on red: the one thing to see first
    "caution": "\x1b[1;30;43m",  # bold black on yellow
    "heading": "\x1b[1m",
    "dim": "\x1b[2m",
}


class _Out:
    def __init__(self, colour: bool) -> None:
        self.colour = colour
        self.lines: list[str] = []

    def style(self, text: str, kind: str) -> str:
        return f"{_STYLE[kind]}{text}{_RESET}" if self.colour and text else text

    def add(self, text: str = "", kind: str | None = None) -> None:
        self.lines.append(self.style(text, kind) if kind else text)

    def wrap(
        self, text: str, *, indent: str = "", bullet: str = "", kind: str | None = None
    ) -> None:
        first = indent + bullet
        rest = indent + " " * len(bullet)
        for line in textwrap.wrap(
            text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
        ) or [first]:
            self.add(line, kind)

    def heading(self, text: str) -> None:
        self.add()
        self.add(text, "heading")

    def rule(self, char: str = "-") -> None:
        self.add(char * WIDTH)


def render_text(card: Card, *, colour: bool = False, staff: bool = True) -> str:
    """Lay out a card as text.

    Parameters
    ----------
    card : Card
        The card model (:func:`tlc.report.content.build_card`).
    colour : bool, optional
        Add ANSI colour (for a terminal); False for files and pipes.
    staff : bool, optional
        Append the staff part (spot table, warnings of the analysis).

    Returns
    -------
    str
        Lines of at most 80 characters (not counting colour codes), ending
        with a newline.
    """
    out = _Out(colour)
    if not card.samples:
        _header(out, card, None)
        out.add()
        out.wrap(card.label("card.no_sample"))
    for sample in card.samples:
        _header(out, card, sample)
        _sample(out, card, sample)
        _shared(out, card)
    if staff:
        _staff(out, card, card.staff)
    out.rule("=")
    return "\n".join(out.lines) + "\n"


def _header(out: _Out, card: Card, sample: SampleCard | None) -> None:
    out.rule("=")
    title = card.label("card.title").upper()
    name = card.service_name
    gap = WIDTH - len(title) - len(name)
    if gap >= 2:
        out.add(out.style(title, "heading") + " " * gap + name)
    else:
        out.add(title, "heading")
        out.wrap(name)
    out.wrap(card.label("card.technique"))
    bits = []
    if sample is not None:
        bits.append(card.field("card.sample", sample.code))
    bits.append(card.field("card.date", card.date))
    out.wrap("    ".join(bits))
    out.rule()


def _sample(out: _Out, card: Card, s: SampleCard) -> None:
    if s.warnings:
        kind = s.level
        out.add()
        out.add(f" {card.label(f'level.{kind}')} ".center(WIDTH, "!"), kind)
        for line in s.warnings:
            out.wrap(line, bullet="! ", kind=None)
        out.add("!" * WIDTH, kind)
    out.add()
    out.wrap(card.field("card.expected", s.expected))
    for line in s.expected_lines:
        out.wrap(line)
    out.heading(card.label("card.found"))
    for item in s.found:
        out.wrap(f"{item.text} {item.certainty}", bullet="* ", indent="  ")
    for line in s.other:
        out.wrap(line, bullet="* ", indent="  ")
    for line in s.not_seen:
        out.wrap(line, indent="  ")
    out.wrap(card.label("card.technique_note"), indent="  ")
    out.heading(card.label("card.advice"))
    for line in (*s.advice, *s.general_advice):
        out.wrap(line, bullet="* ", indent="  ")


def _shared(out: _Out, card: Card) -> None:
    out.heading(card.label("card.limits"))
    for line in card.limits:
        out.wrap(line, bullet="- ", indent="  ")
    out.heading(card.label("card.talk"))
    for line in card.talk:
        out.wrap(line, indent="  ")
    out.add()
    out.wrap(card.service_name)
    for line in card.contact:
        out.wrap(line)


#: Staff table columns: (attribute, label key, width); the reason takes what is left.
_COLUMNS = (
    ("lane", "staff.lane", 4),
    ("label", "staff.label", 10),
    ("rf", "staff.rf", 6),
    ("rf_corrected", "staff.rf_corrected", 8),
    ("match", "staff.match", 14),
    ("confidence", "staff.confidence", 6),
)


def _staff(out: _Out, card: Card, staff: StaffPart) -> None:
    out.rule("=")
    out.add(card.label("staff.title").upper(), "heading")
    for fact in staff.facts:
        out.wrap(fact)
    out.heading(card.label("staff.spots"))
    used = sum(w + 1 for _, _, w in _COLUMNS)
    reason_w = WIDTH - used

    def cell(text: str, width: int) -> str:
        return text if len(text) <= width else text[: width - 1] + "~"

    header = " ".join(cell(card.label(k), w).ljust(w) for _, k, w in _COLUMNS)
    out.add(f"{header} {card.label('staff.reason')}", "heading")
    for row in staff.rows:
        left = " ".join(cell(getattr(row, a), w).ljust(w) for a, _, w in _COLUMNS)
        reason = row.reason + (f" [{row.flags}]" if row.flags else "")
        parts = textwrap.wrap(reason, reason_w) or [""]
        out.add(f"{left} {parts[0]}".rstrip())
        for more in parts[1:]:
            out.add(" " * used + more)
    out.heading(card.label("staff.warnings"))
    for line in staff.warnings or (card.label("staff.no_warnings"),):
        out.wrap(line, bullet="- ", indent="  ")
