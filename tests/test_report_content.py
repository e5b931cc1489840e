"""The card model and the text card, on hand-made analyses (tests/test_report_data.py).

No tolerances: the model is exact; the text card is at most 80 columns wide.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_report_data import (
    clean_sample,
    danger_sample,
    ident,
    lane,
    make_analysis,
    make_library,
    nothing_sample,
    opioid_sample,
    ref,
    scenario,
    unknown_sample,
)

from tlc.config import Service
from tlc.report import card_text, default_language, parse_formats
from tlc.report.content import build_card, join_names

LIB = make_library()
SVC = Service()


def card(lanes, lang="en", **kw):
    return build_card(make_analysis(lanes, **kw), LIB, lang=lang, service=SVC)


def test_danger_sample():
    c = card([danger_sample(), ref(0, "cocaine", 0.65)])
    (s,) = c.samples  # reference lanes never reach the person's part
    assert s.code == "A-017"
    assert s.expected == "cocaine"
    assert s.level == "danger"
    assert s.warnings[0].startswith("The test found levamisole.")
    assert any("cannot identify" in w for w in s.warnings)
    assert any("did not expect: levamisole" in w for w in s.warnings)
    assert [f.substance for f in s.found] == ["levamisole", "cocaine"]
    assert s.found[1].certainty == "How sure the test is: very likely."
    assert (
        "Compatible with levamisole: a veterinary medicine used to cut cocaine." == s.found[0].text
    )
    assert s.unknown_count == 1
    assert any(a.startswith("Levamisole:") for a in s.advice)
    assert not s.opioid
    assert not any("naloxone" in a for a in s.general_advice)
    assert s.general_advice[-1] == "In an emergency, call 15 (SAMU) or 112."


def test_nothing_found_never_reads_safe():
    (s,) = card([nothing_sample()]).samples
    assert s.level == "caution"
    assert "The test saw no substance in this sample." in s.other
    assert any("not proof that the product is safe" in w for w in s.warnings)
    assert s.not_seen[0] == "Looked for and not seen: cocaine."
    # MDMA has no Rf in TA and no reference lane: the test cannot look for it.
    assert "You expected MDMA. This test cannot look for it." in s.warnings


def test_expected_not_seen_when_the_test_can_look_for_it():
    lr = lane(0, "S", [(0.52, ident("caffeine", "medium"))], expected=("cocaine",))
    (s,) = card([lr, ref(0, "cocaine", 0.65)]).samples
    assert "You expected cocaine. The test did not see it in this sample." in s.warnings
    assert "The test found something you did not expect: caffeine." in s.warnings


def test_clean_sample_has_no_warning_but_keeps_the_limits():
    c = card([clean_sample()])
    (s,) = c.samples
    assert s.level == "info"
    assert s.warnings == ()
    assert s.expected_lines == ("What you expected was seen: cocaine.",)
    assert any("does not prove that the product is safe" in x for x in c.limits)


def test_opioid_possible_raises_danger_and_naloxone():
    (s,) = card([opioid_sample()]).samples
    assert s.level == "danger"
    assert s.opioid
    assert any("may hold fentanyl" in w for w in s.warnings)
    assert "An opioid was found. There is a risk of overdose." in s.warnings
    assert any("naloxone" in a for a in s.general_advice)
    assert "One substance that could be fentanyl or cocaine. The test cannot tell which." in s.other


def test_origin_material_is_unknown():
    lr = lane(0, "S", [(0.01, ident(), {"on_origin": True})])
    (s,) = card([lr]).samples
    assert s.unknown_count == 1
    assert s.level == "caution"
    assert any("did not move" in x for x in s.other)


def test_free_text_expected_and_french():
    lr = lane(0, "S", [], expected=("speed",), code="Z-1")
    (s,) = card([lr], lang="fr").samples
    assert "Produit attendu : speed. Ce test ne peut pas le rechercher." in s.warnings
    c = card([danger_sample()], lang="fr")
    assert c.date == "24/11/2026"
    assert c.samples[0].found[0].text.startswith("Compatible avec : lévamisole")


def test_staff_part_has_every_lane_and_translated_reasons():
    lr = lane(0, "S", [(0.6, ident("cocaine", "high", reason_key="reason.co_spotted"))])
    lr = replace(
        lr,
        identifications=(
            replace(lr.identifications[0], reason_args={"substance": "cocaine", "delta": 0.012}),
        ),
    )
    c = card(
        [lr, ref(0, "cocaine", 0.6), lane(0, "E", [])],
        lang="fr",
        plate_flags=("plate_rotated",),
        warnings=("Check lane 3.",),
    )
    rows = c.staff.rows
    assert [r.lane for r in rows] == ["1", "2", "3"]
    assert rows[0].reason == "Migre avec le témoin cocaïne de cette plaque, ΔRf 0.01."
    assert rows[2].match == "aucune tache"
    assert c.staff.warnings[0] == "Check lane 3."
    assert any("tournée" in w for w in c.staff.warnings)


def test_a_flag_is_said_once_in_the_cards_language():
    # A French card listed the plate's and lines' warning flags twice: as the
    # English sentence the analysis carries for its JSON, then in French.
    from tlc.flags import FLAGS

    english = FLAGS["plate_orientation_guessed"].description
    c = card(
        [lane(0, "S", [])],
        lang="fr",
        plate_flags=("plate_orientation_guessed",),
        warnings=("Strip 2 of 6 could not be read.", english),
    )
    assert english not in c.staff.warnings
    assert c.staff.warnings[0] == "Strip 2 of 6 could not be read."
    assert sum("a été deviné" in w for w in c.staff.warnings) == 1


def test_no_sample_lane():
    c = card([ref(0, "cocaine", 0.65)])
    assert c.samples == ()
    assert "only references" in card_text(
        make_analysis([ref(0, "cocaine", 0.65)]), LIB, lang="en", service=SVC
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("n", [1, 2, 4])
def test_text_card_width_and_colour(lang, n):
    a = scenario(n)
    plain = card_text(a, LIB, lang=lang, service=SVC)
    assert "\x1b[" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 80
    coloured = card_text(a, LIB, lang=lang, service=SVC, colour=True)
    assert "\x1b[1;37;41m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abc ", min_size=1, max_size=8), max_size=5))
def test_join_names(names):
    out = join_names(names, "and")
    for name in names:
        assert name in out
    assert (" and " in out) == (len(names) > 1)


def test_default_language_and_formats():
    assert default_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert default_language({"LC_ALL": "en_GB", "LANG": "fr_FR"}) == "en"
    assert default_language({}) == "en"
    assert parse_formats("pdf, HTML,pdf") == ("pdf", "html")
    assert parse_formats("none") == ()
    with pytest.raises(ValueError, match="unknown card format 'doc'"):
        parse_formats("pdf,doc")


def test_bad_paper():
    from tlc.report import render_pdf

    with pytest.raises(ValueError, match="paper must be 'a4' or 'a5'"):
        render_pdf(scenario(1), LIB, lang="en", service=SVC, picture=None, paper="letter")


def test_unused_fixtures_are_valid():
    assert card([unknown_sample()]).samples[0].level == "caution"
