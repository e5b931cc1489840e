"""Message catalogues: every language has every key, placeholders agree, person's part is plain.

Tolerances: sentences of the person's part hold at most 20 words (placeholders
count as one word).
"""

from __future__ import annotations

import re

import pytest

from tlc.errors import ConfigError
from tlc.flags import FLAGS
from tlc.report.messages import BUILTIN_DIR, catalogue, languages, placeholders, read_catalogue

LANGS = [p.stem for p in sorted(BUILTIN_DIR.glob("*.yaml"))]
EN = read_catalogue(BUILTIN_DIR / "en.yaml")
STAFF = ("staff.", "flags.", "reason.", "format.")


def test_builtin_languages():
    assert {"en", "fr"} <= set(LANGS)
    assert set(languages()) == set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_catalogue_has_every_key_with_the_same_placeholders(lang):
    own = read_catalogue(BUILTIN_DIR / f"{lang}.yaml")
    assert set(own) == set(EN), set(own) ^ set(EN)
    for key, text in EN.items():
        assert placeholders(own[key]) == placeholders(text), key


@pytest.mark.parametrize("lang", LANGS)
def test_every_flag_has_a_sentence(lang):
    cat = catalogue(lang)
    assert [n for n in FLAGS if not cat.has(f"flags.{n}")] == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_key_of_match_is_translated(lang):
    match = pytest.importorskip("tlc.match")
    keys = getattr(match, "REASON_KEYS", None)
    if keys is None:
        pytest.skip("tlc.match.REASON_KEYS does not exist yet")
    cat = catalogue(lang)
    assert [k for k in keys if not cat.has(k)] == []
    for key, english in keys.items():
        assert placeholders(cat.texts[key]) == placeholders(english), key


@pytest.mark.parametrize("lang", LANGS)
def test_person_part_is_plain(lang):
    for key, text in read_catalogue(BUILTIN_DIR / f"{lang}.yaml").items():
        if key.startswith(STAFF):
            continue
        assert "Rf" not in text, key
        assert "eluent" not in text.lower(), key
        assert "éluant" not in text.lower(), key
        assert "confirm" not in text.lower(), key
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            words = re.sub(r"\{\w+\}", "X", sentence).split()
            assert len(words) <= 20, (key, sentence)


def test_certainty_words_are_not_sure():
    # A presumptive test never says "sure": see docs/card.md.
    assert catalogue("en").t("certainty.high") == "very likely"
    assert catalogue("fr").t("certainty.high") == "très probable"


def test_unknown_language_is_a_config_error():
    with pytest.raises(ConfigError, match="no card wording for language 'xx'"):
        catalogue("xx")


def test_missing_key_names_the_key():
    with pytest.raises(KeyError, match="missing from the en catalogue"):
        catalogue("en").t("no.such.key")


def test_service_override_and_new_language(tmp_path):
    (tmp_path / "fr.yaml").write_text('card:\n  title: "Résultat CCM"\n', encoding="utf-8")
    (tmp_path / "es.yaml").write_text('card:\n  title: "Resultado"\n', encoding="utf-8")
    assert catalogue("fr", extra=tmp_path).t("card.title") == "Résultat CCM"
    assert catalogue("fr", extra=tmp_path).t("card.date") == "Date"
    es = catalogue("es", extra=tmp_path)
    assert es.t("card.title") == "Resultado"
    assert es.t("advice.start_low") == EN["advice.start_low"]  # falls back to English


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("card: [a, b\n", "not valid YAML at line"),
        ("- a\n- b\n", "holds `key: text` lines, found a list"),
        ("card:\n  title: [1, 2]\n", "card.title: expected a text, found a list"),
    ],
)
def test_bad_override_file(tmp_path, content, message):
    (tmp_path / "en.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        catalogue("en", extra=tmp_path)


def test_unreadable_catalogue(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        read_catalogue(tmp_path / "missing.yaml")


@pytest.mark.parametrize("lang", LANGS)
def test_every_risk_code_of_the_library_is_explained(lang):
    from tlc.errors import LibraryError
    from tlc.library import load_library

    try:
        lib = load_library()
    except (NotImplementedError, LibraryError) as exc:
        pytest.skip(f"the built-in library is not available yet: {exc}")
    cat = catalogue(lang)
    risks = {s.risk for s in lib.substances.values() if s.risk}
    assert sorted(r for r in risks if not cat.has(f"risk.{r}")) == []
