"""Hand-made analyses and libraries for the report tests (no pipeline, no real library).

The other report test modules import the builders below. The tests here only
check that the builders make what the report expects (a JSON round trip), so
that a change in the result types shows up here first.
"""

from __future__ import annotations

from dataclasses import replace

from tlc.lanes import Lane
from tlc.library import Library, RfValue, Substance, System
from tlc.lines import Lines
from tlc.match import Identification
from tlc.pipeline import Analysis, LaneResult, SampleInfo
from tlc.plate import Plate
from tlc.spots import Spot

PPM = 8.0
ROWS, COLS = 800, 480  # rectified plate: 100 x 60 mm
BASE, FRONT = 720.0, 80.0


def _sub(
    sid, en, fr, category, desc_en, desc_fr, hr_en, hr_fr, *, risk=None, rf=None, uv="quenches"
):
    return Substance(
        id=sid,
        names={"en": en, "fr": fr},
        aliases=(),
        category=category,
        description={"en": desc_en, "fr": desc_fr},
        uv254=uv,
        stains={},
        rf={"TA": RfValue(rf, 0.05, "secondary", "test")} if rf is not None else {},
        harm_reduction={"en": hr_en, "fr": hr_fr},
        risk=risk,
    )


def make_library() -> Library:
    """A small library: stimulants, cuts, opioids, with French and English text."""
    subs = [
        _sub(
            "cocaine",
            "cocaine",
            "cocaïne",
            "stimulant",
            "a stimulant",
            "un stimulant",
            "Cocaine strains the heart. Avoid alcohol with it.",
            "La cocaïne fatigue le cœur. Évitez l'alcool avec.",
            rf=0.65,
        ),
        _sub(
            "levamisole",
            "levamisole",
            "lévamisole",
            "adulterant",
            "a veterinary medicine used to cut cocaine",
            "un médicament vétérinaire utilisé pour couper la cocaïne",
            "Levamisole can lower your defences against infections. "
            "See a doctor if you get a fever.",
            "Le lévamisole peut baisser vos défenses contre les infections. "
            "Consultez si vous avez de la fièvre.",
            risk="toxic-adulterant",
            rf=0.55,
        ),
        _sub(
            "caffeine",
            "caffeine",
            "caféine",
            "cutting-agent",
            "a mild stimulant often used as a cut",
            "un stimulant léger souvent utilisé comme coupe",
            "",
            "",
            rf=0.52,
        ),
        _sub(
            "heroin",
            "heroin",
            "héroïne",
            "opioid",
            "an opioid",
            "un opioïde",
            "Heroin can stop your breathing. Use with someone around.",
            "L'héroïne peut arrêter la respiration. Consommez avec quelqu'un à côté.",
            rf=0.5,
        ),
        _sub(
            "fentanyl",
            "fentanyl",
            "fentanyl",
            "opioid",
            "a very strong synthetic opioid",
            "un opioïde de synthèse très puissant",
            "Fentanyl is much stronger than heroin. Take a tiny test dose.",
            "Le fentanyl est bien plus fort que l'héroïne. Faites un tout petit test.",
            risk="potent-opioid",
            rf=0.7,
        ),
        _sub(
            "mdma",
            "MDMA",
            "MDMA",
            "stimulant",
            "an empathogen stimulant",
            "un stimulant empathogène",
            "Drink water in small sips and take breaks.",
            "Buvez de l'eau par petites gorgées et faites des pauses.",
        ),
    ]
    system = System(
        id="TA",
        name="Clarke TA: methanol-ammonia 100:1.5",
        plate="silica KOH",
        mobile_phase="methanol:ammonia 100:1.5",
        visualisation=("uv254",),
        default=True,
        tolerance=0.05,
    )
    return Library(systems={"TA": system}, substances={s.id: s for s in subs})


def spot(lane: int, rf: float, *, flags=(), on_origin=False) -> Spot:
    """A spot at Rf ``rf`` in lane ``lane``."""
    row = BASE - rf * (BASE - FRONT)
    return Spot(
        lane=lane,
        row=row,
        col=lane * 80.0,
        top=row - 8,
        bottom=row + 8,
        half_width=10,
        strength=2.0,
        contrast=0.3,
        colour=(40, 60, 40),
        on_origin=on_origin,
        rf=rf,
        flags=tuple(flags),
    )


def ident(match=None, confidence=None, *, candidates=None, basis=None, reason_key=None, **kw):
    """An identification; defaults follow the match."""
    if candidates is None:
        candidates = (match,) if match else ()
    return Identification(
        match=match,
        confidence=confidence if match else None,
        candidates=tuple(candidates),
        basis=basis or ("reference" if confidence == "high" else "library" if match else "none"),
        rf_corrected=None,
        delta_rf=0.01 if match else None,
        reason_key=reason_key or ("reason.unknown" if not match else "reason.test"),
        reason_args={"substance": match} if match else {},
        reason=f"agrees with {match}" if match else "matches nothing",
        **kw,
    )


def lane(
    index,
    label,
    items=(),
    *,
    role="sample",
    substance=None,
    code=None,
    expected=(),
    not_seen=(),
    flags=(),
    notes=None,
):
    """A lane result; ``items`` are ``(rf, Identification[, spot kwargs])`` tuples."""
    spots, idents = [], []
    for item in sorted(items, key=lambda x: x[0]):
        kw = item[2] if len(item) > 2 else {}
        spots.append(spot(index, item[0], **kw))
        idents.append(item[1])
    sample = None
    if role == "sample":
        sample = SampleInfo(code=code, expected=tuple(expected), notes=notes)
    return LaneResult(
        lane=Lane(
            index=index,
            col=index * 80.0,
            width=50.0,
            label=label,
            role=role,
            substance=substance,
            flags=tuple(flags),
        ),
        spots=tuple(spots),
        identifications=tuple(idents),
        not_seen=tuple(not_seen),
        sample=sample,
    )


def ref(index, sid, rf):
    """A reference lane of ``sid`` with its spot at ``rf``."""
    return lane(
        index,
        sid,
        [(rf, ident(sid, None, basis="reference-lane"))],
        role="reference",
        substance=sid,
    )


def make_analysis(lanes, *, mode="uv254", warnings=(), plate_flags=()) -> Analysis:
    """An analysis of a 100 x 60 mm plate holding ``lanes``."""
    lanes = [
        replace(lr, lane=replace(lr.lane, index=i)) if lr.lane.index != i else lr
        for i, lr in enumerate(lanes, start=1)
    ]
    return Analysis(
        image="plate.jpg",
        image_size=(1200, 900),
        system="TA",
        mode=mode,
        plate=Plate(
            corners=((10, 10), (10, 600), (1000, 600), (1000, 10)),
            size_mm=(100.0, 60.0),
            px_per_mm=PPM,
            flags=tuple(plate_flags),
        ),
        lines=Lines.level(BASE, FRONT, COLS),
        lanes=tuple(lanes),
        warnings=tuple(warnings),
        date="2026-11-24T10:30:00",
        version="0.1.0",
    )


# -- scenarios the tests and the PDF checks use ------------------------------


def danger_sample(code="A-017"):
    """Expected cocaine; found cocaine, levamisole (a toxic adulterant) and an unknown spot."""
    return lane(
        0,
        "S1",
        [
            (0.65, ident("cocaine", "high")),
            (0.55, ident("levamisole", "medium")),
            (0.30, ident()),
        ],
        code=code,
        expected=("cocaine",),
        notes="white powder, 20 mg",
    )


def unknown_sample(code="B-002"):
    """Nothing expected; caffeine and one unknown spot."""
    return lane(0, "S2", [(0.52, ident("caffeine", "low")), (0.82, ident())], code=code)


def nothing_sample(code="C-113"):
    """Expected MDMA; no spot at all; cocaine looked for and not seen."""
    return lane(0, "S3", [], code=code, expected=("mdma",), not_seen=("cocaine",))


def clean_sample(code="D-450"):
    """Expected cocaine; cocaine seen, very likely, and nothing else."""
    return lane(0, "S4", [(0.65, ident("cocaine", "high"))], code=code, expected=("cocaine",))


def opioid_sample(code="E-900"):
    """Expected heroin; heroin found; one spot that could be fentanyl or cocaine."""
    return lane(
        0,
        "S5",
        [
            (0.50, ident("heroin", "medium")),
            (0.68, ident(None, candidates=("fentanyl", "cocaine"))),
        ],
        code=code,
        expected=("heroin",),
    )


def scenario(n_samples: int, *, warnings: bool = True) -> Analysis:
    """``n_samples`` sample lanes plus two references, with or without warnings."""
    pool = (
        [danger_sample, unknown_sample, nothing_sample, opioid_sample]
        if warnings
        else [clean_sample] * 4
    )
    samples = [
        f(code=f"X-{i + 1:03d}") if not warnings else f() for i, f in enumerate(pool[:n_samples])
    ]
    return make_analysis([*samples, ref(0, "cocaine", 0.65), ref(0, "levamisole", 0.55)])


def test_scenarios_round_trip_through_json():
    for n in (1, 2, 4):
        for w in (True, False):
            a = scenario(n, warnings=w)
            back = Analysis.from_dict(a.to_dict())
            assert [lr.lane.label for lr in back.lanes] == [lr.lane.label for lr in a.lanes]
            assert [len(lr.spots) for lr in back.lanes] == [len(lr.spots) for lr in a.lanes]
            assert back.lanes[0].sample == a.lanes[0].sample


def test_library_names_both_languages():
    lib = make_library()
    assert lib.substances["cocaine"].name("fr") == "cocaïne"
    assert lib.resolve("Levamisole") is lib.substances["levamisole"]
