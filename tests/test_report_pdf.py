"""PDF and HTML cards: their text holds the substances, warnings and limits; HTML is self-contained.

Tolerances: a two-sample PDF card (render only, imports done) takes under 1.5 s
here, a generous bound for a shared 2-core machine (measured 0.3-0.6 s).
"""

from __future__ import annotations

import io
import re
import time
from html.parser import HTMLParser

import numpy as np
import pypdf
import pytest
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


def test_pdf_speed():
    a = scenario(2)
    render_pdf(a, LIB, lang="en", service=SVC, picture=PIC)  # imports and font caches
    t = time.perf_counter()
    render_pdf(a, LIB, lang="en", service=SVC, picture=PIC)
    assert time.perf_counter() - t < 1.5


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
