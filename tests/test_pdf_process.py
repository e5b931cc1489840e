"""The PDF card drawn in a second process: the same bytes, or drawn here when it cannot be."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest
from test_report_data import make_library, scenario

from tlc.cli import main
from tlc.cli._pdf_process import PdfProcess
from tlc.config import Service
from tlc.report import _build
from tlc.report import pdf as pdf_layout

forking = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="this platform cannot fork a helper process",
)


@pytest.fixture(scope="module")
def card():
    return _build(scenario(1), make_library(), lang="fr", service=Service(), paper="a4")


@pytest.fixture(scope="module")
def picture():
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (120, 90, 3), dtype=np.uint8)


@forking
def test_helper_draws_the_same_pdf(card, picture):
    here = pdf_layout.render(card, picture=picture, paper="a4", image="plate.jpg")
    with PdfProcess() as helper:
        assert helper._proc is not None
        there = helper.render(card, picture=picture, paper="a4", image="plate.jpg")
    assert there == here
    assert helper._proc is None


@forking
def test_dead_helper_draws_here(card, picture):
    here = pdf_layout.render(card, picture=picture, paper="a5")
    with PdfProcess() as helper:
        helper._proc.terminate()
        helper._proc.join()
        assert helper.render(card, picture=picture, paper="a5") == here


@forking
def test_helper_failure_is_raised_here_as_without_helper(card, picture):
    # An unknown paper fails in the helper; the command draws again and
    # raises the very error it would raise without a helper.
    with PdfProcess() as helper, pytest.raises(KeyError):
        helper.render(card, picture=picture, paper="letter")
    with pytest.raises(KeyError):
        pdf_layout.render(card, picture=picture, paper="letter")


@forking
def test_unused_helper_is_stopped():
    with PdfProcess() as helper:
        proc = helper._proc
        assert proc.is_alive()
    assert not proc.is_alive()


def test_switched_off_by_environment(monkeypatch, card, picture):
    monkeypatch.setenv("TLC_PDF_PROCESS", "0")
    with PdfProcess() as helper:
        assert helper._proc is None
        pdf = helper.render(card, picture=picture)
    assert pdf == pdf_layout.render(card, picture=picture)


def test_analyse_writes_the_same_card_with_and_without_helper(tmp_path, monkeypatch):
    # The card prints the time of the analysis: the same for both runs.
    import datetime as dt

    import cv2

    from tlc.synth import make_plate

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 11, 24, 10, 0, tzinfo=dt.UTC)

    monkeypatch.setattr(dt, "datetime", Frozen)
    image, _ = make_plate(lanes=3, rng=2)
    photo = tmp_path / "plate.png"
    cv2.imwrite(str(photo), image)
    cards = []
    for switch in ("1", "0"):
        monkeypatch.setenv("TLC_PDF_PROCESS", switch)
        out = tmp_path / f"out{switch}"
        with pytest.raises(SystemExit) as done:
            main(["analyse", str(photo), "--out", str(out), "--lang", "en", "--json"])
        assert done.value.code in (0, None)
        cards.append((out / "plate.card.pdf").read_bytes())
    assert cards[0].startswith(b"%PDF")
    assert cards[0] == cards[1]
