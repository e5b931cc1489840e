"""PDF and HTML cards: their text holds the substances, warnings and limits; HTML is self-contained.

Tolerances: text positions read back from the PDF with poppler's
``pdftotext -bbox`` (skipped when poppler is not installed) are compared
within 0.05 pt, rounding of the numbers written in the PDF. The render time
is not tested here: ``python bench/card.py`` prints it.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_report_data import (
    clean_sample,
    danger_sample,
    make_analysis,
    make_library,
    nothing_sample,
    ref,
    scenario,
)

from tlc.config import Service
from tlc.report import render_html, render_pdf, write_cards
from tlc.report.pdf import Measure

LIB = make_library()
SVC = Service(name="CAARUD Test", phone="05 00 00 00 00", lab_analysis="SINTES")
PIC = np.full((160, 96, 3), 180, np.uint8)

CASES = {
    "danger": make_analysis([danger_sample(), ref(0, "levamisole", 0.55)]),
    "nothing": make_analysis([nothing_sample()]),
    "clean": make_analysis([clean_sample()]),
}
EXPECT = {
    ("danger", "en"): ["levamisole", "WARNING", "cannot identify", "veterinary medicine"],
    ("danger", "fr"): ["lévamisole", "ATTENTION DANGER", "ne sait pas identifier", "vétérinaire"],
    ("nothing", "en"): ["BE CAREFUL", "saw no substance", "not proof"],
    ("nothing", "fr"): ["PRUDENCE", "aucune substance", "pas la preuve"],
    ("clean", "en"): ["cocaine", "very likely"],
    ("clean", "fr"): ["cocaïne", "très probable"],
}
LIMITS = {
    "en": ["how much", "GHB", "fentanyl", "small part", "does not prove that the product is safe"],
    "fr": [
        "combien",
        "GHB",
        "fentanyl",
        "petite partie",
        "ne prouve pas que le produit est sans danger",
    ],
}


def pdf_text(data: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_pdf_and_html_say_it(case, lang):
    a = CASES[case]
    pages = pdf_text(render_pdf(a, LIB, lang=lang, service=SVC, picture=PIC))
    assert len(pages) == 1 + 1  # one sample page, one staff page
    person = squash(pages[0])
    html = squash(render_html(a, LIB, lang=lang, service=SVC, picture=PIC))
    for needle in EXPECT[(case, lang)] + LIMITS[lang] + ["CAARUD Test", "SINTES"]:
        assert needle in person, needle
        assert needle in html.replace("&#39;", "'"), needle
    assert "Rf" not in person  # no jargon on the person's part
    assert "Rf" in pages[1]


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("n", [1, 2, 4])
def test_one_page_per_sample(n, paper):
    data = render_pdf(scenario(n), LIB, lang="fr", service=SVC, picture=PIC, paper=paper)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == n + 1
    w, h = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(w), round(h)) == ((595, 842) if paper == "a4" else (420, 595))


def test_measured_wrapping_fits_long_french():
    m = Measure()
    text = (
        "Certaines substances ne se voient pas sous lumière UV, par exemple le GHB ou les "
        "sucres, et une analyse en laboratoire peut être demandée : SINTES. "
    ) * 3
    lines = m.wrap(text, 200.0, 11.0)
    assert len(lines) > 3
    assert all(m.width(line, 11.0) <= 200.0 for line in lines)
    assert " ".join(lines).split() == text.split()
    assert all(
        m.width(x, 8, bold=True) <= 40
        for x in m.wrap("https://example.org/a/very/long/url", 40, 8, bold=True)
    )


def pdf_fonts(data: bytes) -> set[tuple[str, str]]:
    """(subtype, base font) of every font the pages use."""
    out = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            out.add((str(font["/Subtype"]), str(font["/BaseFont"]).split("+")[-1].lstrip("/")))
    return out


def test_standard_fonts_without_embedding():
    data = render_pdf(scenario(2, warnings=False), LIB, lang="fr", service=SVC, picture=PIC)
    assert pdf_fonts(data) == {("/Type1", "Helvetica"), ("/Type1", "Helvetica-Bold")}
    assert b"/FontFile" not in data  # nothing embedded


def test_characters_outside_cp1252_fall_back_and_extract():
    svc = Service(name="CAARUD Δ9 α-PVP ≥ 2 €", phone="05 00 00 00 00")
    data = render_pdf(scenario(1), LIB, lang="fr", service=svc, picture=PIC)
    fonts = pdf_fonts(data)
    assert ("/Type1", "Helvetica") in fonts
    assert ("/Type3", "DejaVuSans") in fonts  # the fallback, embedded
    assert ("/Type3", "DejaVuSans-Bold") in fonts  # the warning's ■, the name in bold
    pages = pdf_text(data)
    assert "CAARUD Δ9 α-PVP ≥ 2 € · Tél. : 05 00 00 00 00" in pages[0]
    assert "■ Le test a trouvé : lévamisole." in pages[0]


def test_measure_reads_the_drawn_fonts():
    m = Measure()
    # Helvetica and Helvetica-Bold advance widths (AFM, 1/1000 em).
    assert m.width("m", 10) == pytest.approx(8.33)
    assert m.width("m", 10, bold=True) == pytest.approx(8.89)
    assert m.width("œé«»’", 1) == pytest.approx((944 + 556 + 556 + 556 + 222) / 1000)
    assert m.width("€", 10) == pytest.approx(6.362, abs=1e-3)  # drawn in DejaVu: see _UNMEASURED
    assert m.width("Δ", 10) == pytest.approx(6.841, abs=1e-3)  # DejaVu Sans
    assert m.runs("ΔRf 0.02") == [("Δ", False), ("Rf 0.02", True)]
    assert m.runs("cocaïne « œ »") == [("cocaïne « œ »", True)]
    mixed = "Migre avec le témoin α-PVP de cette plaque, ΔRf 0.02 ; ≥ 3 " * 4
    assert all(m.width(x, 9) <= 150 for x in m.wrap(mixed, 150, 9))


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="aeimWé œ«»’–-Δα■€²ç", max_size=120),
    width=st.floats(20, 300),
    size=st.floats(6, 20),
    bold=st.booleans(),
)
def test_wrap_keeps_every_character_and_the_width(text, width, size, bold):
    m = Measure()
    lines = m.wrap(text, width, size, bold=bold)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert line == line.strip()
        # Only a single character wider than the line may exceed it.
        assert m.width(line, size, bold=bold) <= width or len(line) == 1
    assert "".join(p for p, _ in m.runs(text)) == text


def _words(data: bytes) -> list[tuple[int, float, float, str]]:
    """(page, top, right edge, word) of every word, as poppler lays the PDF out."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    out, page = [], 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        hit = re.search(r'yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>', line)
        if hit:
            out.append((page, float(hit.group(1)), float(hit.group(2)), hit.group(3)))
    return out


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_text_stays_inside_the_margins_as_drawn(paper):
    from tlc.report.pdf import _STYLE, PAGE_SIZES

    svc = Service(name="CAARUD Δ Test", phone="05 00 00 00 00", lab_analysis="SINTES")
    data = render_pdf(scenario(4), LIB, lang="fr", service=svc, picture=PIC, paper=paper)
    right = PAGE_SIZES[paper][0] - _STYLE[paper]["margin"]
    words = _words(data)
    assert max(x for _, _, x, _ in words) <= right + 0.05
    # Right-aligned, so placed with the measured width: the footer ("... page
    # n sur N") and, on each sample's first page, the service name in the
    # header end at the margin as a reader draws them.
    pages = max(p for p, _, _, _ in words)
    assert pages >= 5
    for page in range(1, pages + 1):
        on_page = [(y, x, w) for p, y, x, w in words if p == page]
        footer = max(y for y, _, _ in on_page)
        assert max(x for y, x, _ in on_page if y == footer) == pytest.approx(right, abs=0.05)
        if any(w == "Résultat" for _, _, w in on_page):
            name_end = min((y, x) for y, x, w in on_page if w == "Test")[1]
            assert name_end == pytest.approx(right, abs=0.05)


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "img", "br", "link", "hr", "input"})

    def __init__(self):
        super().__init__()
        self.stack, self.refs, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_html_valid_and_self_contained(tmp_path, lang):
    logo = tmp_path / "logo.png"
    import cv2

    cv2.imwrite(str(logo), np.zeros((10, 20, 3), np.uint8))
    svc = Service(name="<b>A&B</b>", logo=logo)
    html = render_html(scenario(2), LIB, lang=lang, service=svc, picture=PIC, paper="a5")
    p = _Checker()
    p.feed(html)
    assert p.errors == []
    assert p.stack == []
    assert len(p.refs) == 3  # the logo on each of 2 samples, the plate
    assert all(r.startswith(("data:image/", "#")) for r in p.refs)
    assert "http://" not in html
    assert "https://" not in html
    assert "@import" not in html
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in html  # autoescape
    assert "size: A5" in html


def test_html_without_picture_says_so():
    html = render_html(scenario(1), LIB, lang="en", service=SVC, picture=None)
    assert "No picture: the photo plate.jpg was not found." in html
    assert "<img" not in html


def test_write_cards(tmp_path):
    paths = write_cards(
        scenario(1),
        LIB,
        formats=("pdf", "html", "txt"),
        out_dir=tmp_path,
        stem="plate",
        lang="en",
        service=SVC,
        picture=None,
    )
    assert [p.name for p in paths] == ["plate.card.pdf", "plate.card.html", "plate.card.txt"]
    assert paths[0].read_bytes().startswith(b"%PDF")
    assert "\x1b[" not in paths[2].read_text(encoding="utf-8")
    assert sorted(x.name for x in tmp_path.iterdir()) == sorted(p.name for p in paths)
    with pytest.raises(ValueError, match="unknown card format 'doc'"):
        write_cards(
            scenario(1),
            LIB,
            formats=("doc",),
            out_dir=tmp_path,
            stem="p",
            lang="en",
            service=SVC,
            picture=None,
        )


def test_bad_picture():
    with pytest.raises(ValueError, match="picture must be an"):
        render_html(scenario(1), LIB, lang="en", service=SVC, picture=np.zeros((4, 4, 2), np.uint8))
