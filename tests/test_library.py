"""Tests of the reference library: the built-in files, the loader, validation, measurements.

Tolerances: Rf values are compared to 1e-9 (they are read, not measured);
aggregated local values (mean, sample sd) to 1e-9 against ``statistics``.
Small libraries for the error cases are written into ``tmp_path``; every
error message is checked for the file and the field it names.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tlc.errors import LibraryError
from tlc.library import (
    CATEGORIES,
    LOCAL_MIN_TOLERANCE,
    Library,
    LibraryInvalid,
    RfValue,
    add_measurements,
    builtin_folder,
    default_local_folder,
    load_library,
    local_value,
    markdown_table,
    substance_template,
)

TARGETS = (
    "cocaine heroin morphine codeine 6-mam methadone buprenorphine fentanyl tramadol mdma mda "
    "amphetamine methamphetamine ketamine mephedrone 3-mmc lsd dmt thc cbd alprazolam diazepam "
    "caffeine paracetamol phenacetin levamisole lidocaine procaine benzocaine tetracaine "
    "diltiazem hydroxyzine noscapine papaverine dextromethorphan xylazine griseofulvin aspirin "
    "ibuprofen creatine mannitol inositol boric-acid"
).split()


@pytest.fixture(autouse=True)
def _no_user_library(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    # The developer's own ~/.local/share/tlc/library must not change the tests.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("TLC_LIBRARY", raising=False)


@pytest.fixture(scope="module")
def lib() -> Library:
    return load_library(validate=True, local=False)


# ---------------------------------------------------------------- the built-in library


def test_builtin_library_is_valid_and_large_enough(lib: Library) -> None:
    assert len(lib.substances) >= 40
    assert {"TA", "TB", "TC", "TL", "TE"} <= set(lib.systems)
    assert lib.default_system.id == "TA"
    assert sum(s.default for s in lib.systems.values()) == 1


@pytest.mark.parametrize("sid", TARGETS)
def test_every_target_substance_is_present(lib: Library, sid: str) -> None:
    assert sid in lib.substances


def test_every_substance_has_names_texts_and_sourced_rf(lib: Library) -> None:
    for sub in lib.substances.values():
        for field in (sub.names, sub.description, sub.harm_reduction):
            assert field.get("en"), sub.id
            assert field.get("fr"), sub.id
        for sid, value in sub.rf.items():
            assert sid in lib.systems
            assert value.source.strip(), (sub.id, sid)
            assert value.tier in ("reference-compound", "secondary", "local")
            assert 0 <= value.rf <= 1
            assert 0 < value.tolerance <= 0.5
        if sub.risk is not None:
            assert sub.risk_why.get("en"), sub.id
            assert sub.risk_why.get("fr"), sub.id


def test_every_file_starts_with_the_schema_comment() -> None:
    for kind in ("substances", "systems"):
        schema = "substance" if kind == "substances" else "system"
        for path in (builtin_folder() / kind).glob("*.yaml"):
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == f"# yaml-language-server: $schema=../schema/{schema}.schema.json", path


def test_harm_reduction_sentences_are_short(lib: Library) -> None:
    # One or two sentences, each under about 20 words (French runs a little longer).
    for sub in lib.substances.values():
        for lang, text in sub.harm_reduction.items():
            sentences = [s for s in text.replace("!", ".").split(". ") if s.strip()]
            assert 1 <= len(sentences) <= 2, (sub.id, lang)
            limit = 20 if lang == "en" else 26
            for s in sentences:
                assert len(s.split()) <= limit, (sub.id, lang, s)


def test_known_values_and_tiers(lib: Library) -> None:
    cocaine = lib.substance("cocaine")
    assert cocaine.rf["TA"].rf == pytest.approx(0.59)
    assert cocaine.rf["TA"].tier == "secondary"
    assert "not said to be KOH-treated" in cocaine.rf["TA"].source
    codeine = lib.substance("codeine")
    assert codeine.rf["TA"].rf == pytest.approx(0.33)
    assert codeine.rf["TA"].tier == "reference-compound"
    assert lib.systems["TA"].reference_compounds["codeine"] == pytest.approx(0.33)
    assert all(v.low_confidence for v in lib.substance("ketamine").rf.values())
    # A substance without any published Rf is still there, for co-spotted references.
    assert lib.substance("levamisole").rf == {}
    # SWGDRUG relative Rf values must not have become absolute ones.
    assert lib.substance("caffeine").rf == {}


def test_risks_flag_the_dangerous_adulterants(lib: Library) -> None:
    assert lib.substance("fentanyl").risk == "potent-opioid"
    for sid in ("xylazine", "levamisole"):
        assert lib.substance(sid).risk == "toxic-adulterant"
    assert lib.substance("phenacetin").risk == "toxic-cut"
    assert lib.substance("caffeine").risk is None


def test_resolve_ids_aliases_and_names(lib: Library) -> None:
    assert lib.substance("Coke").id == "cocaine"
    assert lib.substance("cocaïne").id == "cocaine"
    assert lib.substance(" XANAX ").id == "alprazolam"
    assert lib.resolve("S1") is None


def test_unknown_substance_and_system_messages(lib: Library) -> None:
    with pytest.raises(LibraryError, match=r"unknown substance 'unobtainium'; `tlc references"):
        lib.substance("unobtainium")
    with pytest.raises(LibraryError, match=r"^unknown system 'XX'; known: TA, "):
        lib.system("XX")
    assert lib.system("ta").id == "TA"
    assert lib.system(None).id == "TA"


def test_to_dict_has_the_contract_shape(lib: Library) -> None:
    d = lib.to_dict()
    assert d["systems"][0]["id"] == "TA"
    assert d["systems"][0]["default"] is True
    cocaine = next(s for s in d["substances"] if s["id"] == "cocaine")
    assert cocaine["names"]["en"] == "cocaine"
    assert cocaine["names"]["fr"] == "cocaïne"
    assert cocaine["rf"]["TA"] == pytest.approx(0.59)
    assert isinstance(cocaine["category"], str)


def test_builtin_load_is_fast() -> None:
    import time

    load_library(validate=False, local=False)  # warm the file cache
    t0 = time.perf_counter()
    load_library(validate=False, local=False)
    assert time.perf_counter() - t0 < 0.5


# ---------------------------------------------------------------- small libraries in tmp_path

SYSTEM = {
    "id": "TX",
    "name": "Test system",
    "plate": "silica",
    "mobile_phase": "methanol",
    "visualisation": ["uv254"],
    "default": True,
    "tolerance": 0.05,
    "reference_compounds": {"alpha": 30},
    "source": "a test",
}


def substance(sid: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "id": sid,
        "names": {"en": sid, "fr": sid + "-fr"},
        "aliases": [],
        "category": "stimulant",
        "description": {"en": "a test", "fr": "un test"},
        "uv254": "quenches",
        "stains": {},
        "rf": {"TX": {"rf": 0.5, "tier": "secondary", "source": "a book"}},
        "harm_reduction": {"en": "Be careful.", "fr": "Prudence."},
        "risk": None,
    }
    data.update(changes)
    return data


def write(folder: Path, kind: str, name: str, data: object) -> Path:
    path = folder / kind / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_lib(tmp_path: Path, *subs: dict[str, object]) -> Path:
    folder = tmp_path / "lib"
    write(folder, "systems", "TX", SYSTEM)
    for s in subs:
        write(folder, "substances", str(s["id"]), s)
    return folder


def problems_of(folder: Path, *, validate: bool = True, builtin: bool = False) -> list[str]:
    with pytest.raises(LibraryInvalid) as info:
        load_library([folder], builtin=builtin, local=False, validate=validate)
    assert str(info.value).startswith("the reference library has")
    return list(info.value.problems)


def test_small_library_loads(tmp_path: Path) -> None:
    folder = make_lib(tmp_path, substance("alpha", rf={}), substance("beta"))
    lib = load_library([folder], builtin=False, local=False)
    assert set(lib.substances) == {"alpha", "beta"}
    assert lib.substances["beta"].rf["TX"] == RfValue(0.5, 0.05, "secondary", "a book")
    assert lib.folders == (folder,)


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "bad", "id: bad\nnames: {en: x\n  fr: [\n")
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{path}: line ")
    assert "not valid YAML" in problem


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    text = yaml.safe_dump(substance("dup")) + "category: opioid\n"
    path = write(folder, "substances", "dup", text)
    line = text.splitlines().index("category: opioid") + 1
    assert problems_of(folder) == [
        f"{path}: category: the key appears twice (line {line}); keep only one"
    ]


def test_empty_file_is_reported(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "empty", "")
    assert problems_of(folder) == [f"{path}: file: is empty; fill it in or delete it"]


def test_unknown_key(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("a", colour="blue"))
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{path}: colour: unknown key 'colour'; allowed: ")


def test_missing_field(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    data = substance("a")
    del data["harm_reduction"]
    path = write(folder, "substances", "a", data)
    assert problems_of(folder) == [f"{path}: harm_reduction: missing required field"]


def test_missing_french(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("a", names={"en": "a"}))
    assert problems_of(folder) == [f"{path}: names.fr: missing required field"]


@pytest.mark.parametrize("validate", [True, False])
def test_rf_outside_0_1(tmp_path: Path, validate: bool) -> None:
    folder = make_lib(tmp_path)
    bad = {"TX": {"rf": 1.2, "tier": "secondary", "source": "a book"}}
    path = write(folder, "substances", "a", substance("a", rf=bad))
    (problem,) = problems_of(folder, validate=validate)
    assert problem.startswith(f"{path}: rf.TX.rf: 1.2 ")
    assert "maximum 1" in problem or "outside [0, 1]" in problem


@pytest.mark.parametrize("validate", [True, False])
def test_rf_and_hrf_together(tmp_path: Path, validate: bool) -> None:
    folder = make_lib(tmp_path)
    bad = {"TX": {"rf": 0.5, "hrf": 50, "tier": "secondary", "source": "a book"}}
    path = write(folder, "substances", "a", substance("a", rf=bad))
    assert problems_of(folder, validate=validate) == [
        f"{path}: rf.TX: give exactly one of rf (0-1) or hrf (0-100)"
    ]


def test_hrf_is_converted(tmp_path: Path) -> None:
    good = {"TX": {"hrf": 42, "tier": "secondary", "source": "a book", "tolerance": 0.08}}
    folder = make_lib(tmp_path, substance("a", rf=good))
    value = load_library([folder], builtin=False, local=False).substances["a"].rf["TX"]
    assert value.rf == pytest.approx(0.42)
    assert value.tolerance == pytest.approx(0.08)


@pytest.mark.parametrize("validate", [True, False])
def test_unknown_system_id(tmp_path: Path, validate: bool) -> None:
    folder = make_lib(tmp_path)
    bad = {"TQ": {"rf": 0.5, "tier": "secondary", "source": "a book"}}
    path = write(folder, "substances", "a", substance("a", rf=bad))
    assert problems_of(folder, validate=validate) == [
        f"{path}: rf.TQ: unknown system 'TQ'; known: TX"
    ]


def test_missing_source_and_bad_tier(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    bad = {"TX": {"rf": 0.5, "tier": "guess"}}
    path = write(folder, "substances", "a", substance("a", rf=bad))
    found = problems_of(folder)
    assert f"{path}: rf.TX.source: missing required field" in found
    assert any(p.startswith(f"{path}: rf.TX.tier: 'guess' is not one of: ") for p in found)


def test_reference_compound_must_agree_with_the_system(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    rc = {"TX": {"hrf": 31, "tier": "reference-compound", "source": "Clarke"}}
    path = write(folder, "substances", "alpha", substance("alpha", rf=rc))
    path2 = write(folder, "substances", "beta", substance("beta", rf=rc))
    assert problems_of(folder) == [
        f"{path}: rf.TX: 0.31 differs from the system's tabulated reference value 0.30",
        f"{path2}: rf.TX.tier: 'beta' is not a reference compound of system TX; use tier secondary",
    ]


def test_duplicate_id(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    first = write(folder, "substances", "a", substance("a"))
    second = write(folder, "substances", "z-copy", substance("a"))
    assert problems_of(folder) == [f"{second}: id: duplicate id 'a', already in {first}"]


def test_duplicate_alias(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("a", aliases=["zed", "Zed"]))
    assert problems_of(folder, validate=False) == [f"{path}: aliases[1]: duplicate alias 'Zed'"]


def test_alias_colliding_with_another_id(tmp_path: Path) -> None:
    folder = make_lib(tmp_path, substance("beta"))
    path = write(folder, "substances", "a", substance("a", aliases=["Beta"]))
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{path}: aliases[0]: alias 'Beta' is already the id, a name or ")
    assert "of 'beta'" in problem


def test_name_colliding_with_another_substance(tmp_path: Path) -> None:
    folder = make_lib(tmp_path, substance("beta"))
    path = write(folder, "substances", "a", substance("a", names={"en": "beta", "fr": "x"}))
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{path}: names.en: 'beta' is already the id or a name of 'beta'")


def test_bad_id_and_enum(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("Bad_Id", category="snack"))
    found = problems_of(folder)
    assert f"{path}: id: 'Bad_Id' does not have the expected form" in found
    assert any(p.startswith(f"{path}: category: 'snack' is not one of: stimulant") for p in found)
    light = problems_of(folder, validate=False)
    assert any(p.startswith(f"{path}: id: 'Bad_Id' must be lower-case") for p in light)


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    write(folder, "substances", "a", substance("a", colour="x"))
    write(folder, "substances", "b", "a: [")
    assert len(problems_of(folder)) == 2


def test_system_problems(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    path = write(folder, "systems", "TX", {**SYSTEM, "tolerance": 0})
    found = problems_of(folder)
    assert found == [f"{path}: tolerance: 0 is not above 0"]
    write(folder, "systems", "TX", {**SYSTEM, "default": False})
    assert problems_of(folder) == [
        f"{folder / 'systems'}: default: no system is marked default: true; mark one"
    ]


def test_two_defaults_in_one_folder(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "systems", "TY", {**SYSTEM, "id": "TY"})
    assert problems_of(folder) == [
        f"{path}: default: several systems are marked default (TX, TY); keep one"
    ]


def test_missing_folder_and_not_a_library(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match=r"library folder not found; check --library"):
        load_library([tmp_path / "nope"])
    (tmp_path / "substances.yaml").write_text("x: 1\n")
    with pytest.raises(LibraryError, match=r"not a library folder \(it has no systems/"):
        load_library([tmp_path])


def test_light_loading_reports_missing_fields(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    data = substance("a")
    del data["uv254"]
    path = write(folder, "substances", "a", data)
    found = problems_of(folder, validate=False)
    assert any(p.startswith(f"{path}: uv254: None is not one of") for p in found)


def test_unfilled_placeholder_is_an_error(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("a", notes="TODO: later"))
    assert problems_of(folder) == [f"{path}: notes: still a TODO placeholder; fill it in"]


# ---------------------------------------------------------------- override and extend


def test_local_folder_overrides_and_extends_builtin(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    mine = substance("cocaine", names={"en": "cocaine", "fr": "cocaïne"}, rf={})
    write(folder, "substances", "cocaine", mine)
    write(folder, "substances", "my-cut", substance("my-cut", rf={}))
    lib = load_library([folder], local=False)
    assert lib.substances["cocaine"].source_file == str(folder / "substances" / "cocaine.yaml")
    assert lib.substances["cocaine"].rf == {}
    assert "my-cut" in lib.substances
    assert "heroin" in lib.substances
    assert lib.folders == (folder, builtin_folder())


def test_local_system_with_default_wins(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    write(folder, "systems", "TX", SYSTEM)
    lib = load_library([folder], local=False)
    assert lib.default_system.id == "TX"
    assert lib.systems["TA"].default is False
    assert next(iter(lib.systems)) == "TX"


def test_local_alias_colliding_with_builtin(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    path = write(folder, "substances", "my-cut", substance("my-cut", aliases=["coke"], rf={}))
    (problem,) = problems_of(folder, builtin=True)
    assert problem.startswith(f"{path}: aliases[0]: alias 'coke' is already")


def test_user_local_folder_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    local = default_local_folder()
    assert local == tmp_path / "tlc" / "library"
    write(local, "substances", "my-cut", substance("my-cut", rf={}))
    lib = load_library()
    assert "my-cut" in lib.substances
    assert lib.folders[0] == local
    assert "my-cut" not in load_library(local=False).substances


# ---------------------------------------------------------------- local measurements


def test_add_measurements_creates_appends_and_dedupes(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    rec = {"substance": "cocaine", "rf": 0.63, "date": "2026-11-24", "photo": "p1.jpg"}
    path = add_measurements(folder, "TA", [rec])
    assert path == folder / "measurements" / "TA.yaml"
    add_measurements(folder, "TA", [rec, {**rec, "rf": 0.61, "photo": "p2.jpg"}])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["system"] == "TA"
    assert [m["rf"] for m in data["measurements"]] == [0.63, 0.61]
    assert data["measurements"][0]["date"] == "2026-11-24"


def test_add_measurements_rejects_bad_records(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    with pytest.raises(LibraryInvalid) as info:
        add_measurements(folder, "TA", [{"substance": "cocaine", "rf": 1.5, "date": "24/11"}])
    path = folder / "measurements" / "TA.yaml"
    assert info.value.problems == (
        f"{path}: records[0].rf: 1.5 is not an Rf in [0, 1]",
        f"{path}: records[0].date: '24/11' is not a date YYYY-MM-DD",
    )
    assert not path.exists()
    with pytest.raises(LibraryError, match=r"^system: 'ta' is not a system id such as TA$"):
        add_measurements(folder, "ta", [])


def test_add_measurements_refuses_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path, "measurements", "TA", "system: TA\nmeasurements: [\n")
    with pytest.raises(LibraryInvalid, match="not valid YAML"):
        add_measurements(tmp_path, "TA", [])
    assert path.read_text() == "system: TA\nmeasurements: [\n"


def test_measurements_take_precedence(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    rfs = [0.63, 0.61, 0.66, 0.64]
    add_measurements(
        folder,
        "TA",
        [
            {"substance": "coke", "rf": r, "date": f"2026-11-2{i}", "photo": f"p{i}.jpg"}
            for i, r in enumerate(rfs)
        ],
    )
    lib = load_library([folder], local=False)
    value = lib.substance("cocaine").rf["TA"]
    assert value.tier == "local"
    assert value.n == 4
    assert value.rf == pytest.approx(statistics.fmean(rfs), abs=1e-9)
    assert value.sd == pytest.approx(statistics.stdev(rfs), abs=1e-9)
    assert value.tolerance == pytest.approx(max(0.02, 2.5 * statistics.stdev(rfs)))
    assert "2026-11-20 to 2026-11-23" in value.source
    assert "p0.jpg" in value.source
    literature = lib.substance("cocaine").rf_literature["TA"]
    assert literature.tier == "secondary"
    assert literature.rf == pytest.approx(0.59)
    # Other systems keep their literature value.
    assert lib.substance("cocaine").rf["TB"].tier == "secondary"


def test_measurement_of_unknown_substance_or_system(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    path = add_measurements(
        folder, "TA", [{"substance": "kryptonite", "rf": 0.5, "date": "2026-01-01"}]
    )
    add_measurements(folder, "TQ", [{"substance": "cocaine", "rf": 0.5, "date": "2026-01-01"}])
    found = problems_of(folder, builtin=True)
    assert (
        f"{path}: measurements[0].substance: unknown substance 'kryptonite'; "
        "add it with `tlc references new`"
    ) in found
    assert any(
        p.startswith(f"{folder / 'measurements' / 'TQ.yaml'}: system: unknown system 'TQ'")
        for p in found
    )


def test_local_value_rules() -> None:
    one = local_value([0.5], system_tolerance=0.05, source="s")
    assert (one.n, one.sd, one.tolerance) == (1, None, 0.05)
    two = local_value([0.5, 0.6], system_tolerance=0.05, source="s")
    assert two.sd == pytest.approx(math.sqrt(0.005))
    assert two.tolerance == 0.05
    same = local_value([0.5, 0.5, 0.5], system_tolerance=0.05, source="s")
    assert same.tolerance == LOCAL_MIN_TOLERANCE
    with pytest.raises(ValueError, match="rfs: at least one measurement"):
        local_value([], system_tolerance=0.05, source="s")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=12))
def test_local_value_properties(rfs: list[float]) -> None:
    v = local_value(rfs, system_tolerance=0.07, source="s")
    assert min(rfs) - 1e-12 <= v.rf <= max(rfs) + 1e-12
    assert v.n == len(rfs)
    if len(rfs) >= 3:
        assert v.tolerance >= LOCAL_MIN_TOLERANCE
    else:
        assert v.tolerance == 0.07


# ---------------------------------------------------------------- the `new` template


def fill(text: str) -> str:
    data = yaml.safe_load(text)
    data["names"] = {"en": "novel cut", "fr": "coupe nouvelle"}
    data["category"] = "adulterant"
    data["description"] = {"en": "a test cut", "fr": "une coupe de test"}
    data["uv254"] = "weak"
    data["harm_reduction"] = {"en": "Be careful.", "fr": "Prudence."}
    return yaml.safe_dump(data, allow_unicode=True)


def test_template_validates_once_filled(tmp_path: Path) -> None:
    text = substance_template("novel-cut")
    folder = tmp_path / "local"
    path = write(folder, "substances", "novel-cut", text)
    found = problems_of(folder, builtin=True)
    assert all(p.startswith(f"{path}: ") for p in found)
    assert f"{path}: names.en: still a TODO placeholder; fill it in" in found
    write(folder, "substances", "novel-cut", fill(text))
    lib = load_library([folder], local=False)
    assert lib.substance("novel cut").id == "novel-cut"


def test_template_refuses_a_bad_id() -> None:
    with pytest.raises(LibraryError, match=r"^id: 'Bad Id' is not a substance id; use lower-case"):
        substance_template("Bad Id")


# ---------------------------------------------------------------- docs/library.md


def test_docs_table_lists_every_substance_and_is_up_to_date(lib: Library) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "library.md").read_text("utf-8")
    start = doc.index("<!-- substance-table:start -->\n") + len("<!-- substance-table:start -->\n")
    table = doc[start : doc.index("<!-- substance-table:end -->")]
    for sid in lib.substances:
        assert f"| `{sid}` |" in table, f"docs/library.md does not list {sid}"
    assert table == markdown_table(lib), (
        "docs/library.md's substance table is out of date; regenerate it with the command "
        "given just above the table"
    )


def test_light_loading_refuses_a_string_for_aliases(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("a", aliases="coke", risk={"code": "x"}))
    found = problems_of(folder, validate=False)
    assert f"{path}: aliases: must be a list of names, e.g. [coke, coc]" in found
    assert any(
        p.startswith(f"{path}: risk: must be null or {{code: one of potent-opioid") for p in found
    )


def test_python_constants_match_the_schema() -> None:
    import json

    from tlc.library import CATEGORIES, RISKS, UV254

    schema = json.loads((builtin_folder() / "schema" / "substance.schema.json").read_text("utf-8"))
    props = schema["properties"]
    assert tuple(props["category"]["enum"]) == CATEGORIES
    assert tuple(props["uv254"]["enum"]) == UV254
    assert tuple(props["risk"]["oneOf"][1]["properties"]["code"]["enum"]) == RISKS


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


@settings(max_examples=40, deadline=None)
@given(
    photo=st.text(PRINTABLE, min_size=1, max_size=30),
    plate=st.text(PRINTABLE, max_size=30),
    rf=st.floats(0, 1, allow_nan=False),
)
def test_measurement_records_survive_the_round_trip(
    tmp_path_factory: pytest.TempPathFactory, photo: str, plate: str, rf: float
) -> None:
    folder = tmp_path_factory.mktemp("m")
    rec = {"substance": "cocaine", "rf": rf, "date": "2026-11-24", "photo": photo, "plate": plate}
    path = add_measurements(folder, "TA", [rec])
    (stored,) = yaml.safe_load(path.read_text(encoding="utf-8"))["measurements"]
    assert stored["photo"] == photo
    assert stored.get("plate", "") == plate
    assert stored["rf"] == round(rf, 4)


def test_control_characters_in_a_record_are_refused(tmp_path: Path) -> None:
    rec = {"substance": "cocaine", "rf": 0.5, "date": "2026-11-24", "photo": "a\nb.jpg"}
    with pytest.raises(LibraryInvalid) as info:
        add_measurements(tmp_path, "TA", [rec])
    path = tmp_path / "measurements" / "TA.yaml"
    assert info.value.problems == (
        f"{path}: records[0].photo: 'a\\nb.jpg' must be one line of printable text",
    )


# ---------------------------------------------------------------- every other message

_RF = {"rf": 0.5, "tier": "secondary", "source": "a book"}


@pytest.mark.parametrize(
    ("changes", "validate", "field", "fragment"),
    [
        ({"aliases": ["x", "x"]}, True, "aliases", "contains the same item twice"),
        ({"stains": {"Marquis": "red"}}, True, "stains", "key 'Marquis' does not have the"),
        ({"uv254": 3}, True, "uv254", "3 is not one of: quenches"),
        ({"names": "cocaine"}, True, "names", "'cocaine' should be of type object"),
        ({"risk": "bad"}, True, "risk", "must be null or {code: ..., why: {en: ..., fr: ...}}"),
        ({"names": {"en": "a"}}, False, "names", "needs both en and fr"),
        ({"stains": None}, False, "stains", "must be a mapping ({} when empty)"),
        (
            {"rf": {"TX": [0.5]}},
            False,
            "rf.TX",
            "must be a mapping with rf or hrf, tier and source",
        ),
        ({"rf": {"TX": {**_RF, "tier": "guess"}}}, False, "rf.TX.tier", "'guess' is not one of"),
        (
            {"rf": {"TX": {**_RF, "source": " "}}},
            False,
            "rf.TX.source",
            "every Rf needs its source",
        ),
        ({"harm_reduction": None}, False, "harm_reduction", "needs both en and fr"),
    ],
)
def test_substance_messages(
    tmp_path: Path, changes: dict[str, object], validate: bool, field: str, fragment: str
) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", substance("a", **changes))
    found = problems_of(folder, validate=validate)
    assert any(p.startswith(f"{path}: {field}: ") and fragment in p for p in found), found


def test_light_loading_reports_malformed_entries(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    data = substance("a")
    del data["category"]
    data["description"] = {"en": "x", "fr": "y"}
    path = write(folder, "substances", "a", data)
    found = problems_of(folder, validate=False)
    assert f"{path}: category: None is not one of: {', '.join(CATEGORIES)}" in found


def test_top_level_must_be_a_mapping_and_hold_an_id(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = write(folder, "substances", "a", "- just\n- a list\n")
    assert problems_of(folder) == [f"{path}: (top level): must be a mapping of keys to values"]
    data = dict(SYSTEM)
    del data["id"]
    system_path = write(folder, "systems", "TX", data)
    assert problems_of(folder, validate=False) == [
        f"{system_path}: id: missing required field",
        f"{path}: (top level): must be a mapping of keys to values",
    ]


def test_not_utf8(tmp_path: Path) -> None:
    folder = make_lib(tmp_path)
    path = folder / "substances" / "a.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("id: cocaïne\n".encode("latin-1"))
    assert problems_of(folder) == [f"{path}: file: not UTF-8 text; save it as UTF-8"]


def test_light_system_messages(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    path = write(folder, "systems", "TX", {**SYSTEM, "tolerance": 2})
    assert problems_of(folder, validate=False) == [
        f"{path}: tolerance: must be a number in (0, 0.5]"
    ]
    write(folder, "systems", "TX", {**SYSTEM, "reference_compounds": {"alpha": 130}})
    assert problems_of(folder, validate=False) == [
        f"{path}: reference_compounds.alpha: hRf must be a number from 0 to 100"
    ]
    write(folder, "systems", "TX", {**SYSTEM, "id": "tx"})
    assert problems_of(folder, validate=False) == [
        f"{path}: id: 'tx' must be upper-case letters and digits"
    ]
    data = dict(SYSTEM)
    del data["plate"]
    write(folder, "systems", "TX", data)
    assert problems_of(folder, validate=False) == [
        f"{path}: plate: missing or malformed; run `tlc references validate` for details"
    ]


def test_measurement_file_messages(tmp_path: Path) -> None:
    folder = tmp_path / "local"
    path = write(folder, "measurements", "TB", {"system": "TA", "measurements": []})
    assert problems_of(folder, builtin=True) == [
        f"{path}: system: 'TA' does not match the file name; rename the file TA.yaml"
    ]
    write(folder, "measurements", "TB", {"system": "TB", "measurements": [{"rf": 2}]})
    assert problems_of(folder, builtin=True, validate=False) == [
        f"{path}: measurements[0]: needs substance, rf in [0, 1] and date"
    ]
    write(folder, "measurements", "TB", {"measurements": "x"})
    assert problems_of(folder, builtin=True, validate=False) == [
        f"{path}: measurements: must be a list"
    ]
    write(folder, "measurements", "TB", {"measurements": []})
    assert problems_of(folder, builtin=True, validate=False) == [
        f"{path}: system: missing required field"
    ]


def test_add_measurements_record_messages(tmp_path: Path) -> None:
    path = tmp_path / "measurements" / "TA.yaml"
    with pytest.raises(LibraryInvalid) as info:
        add_measurements(
            tmp_path, "TA", ["cocaine", {"rf": 0.5, "date": "2026-01-01", "colour": "x"}]
        )
    assert info.value.problems == (
        f"{path}: records[0]: must be a mapping with substance, rf and date",
        f"{path}: records[1].colour: unknown key; allowed: substance, rf, date, photo, plate",
        f"{path}: records[1].substance: missing substance id",
    )
