"""What the result card says, independent of how it is printed.

``build_card(analysis, library, lang=..., service=...)`` turns an
:class:`~tlc.pipeline.Analysis` into a frozen :class:`Card`: for each sample
lane the warning level and lines, what was found (worded "compatible with",
with how sure the test is), what could not be identified, expected versus
found, the advice; then the limits of the test and a staff part. The text,
HTML and PDF renderers only lay this model out, so the wording logic lives
here, once, and every word comes from the message catalogues.

Decisions that matter for safety (see docs/card.md):

- "Nothing found" never reads as "safe": it raises a caution and says why.
- A substance with a library ``risk``, or one that *may* be such a substance
  (a spot whose candidates include it), raises the danger level.
- Any spot the test cannot identify, a difference from what the person
  expected, or a critical quality flag raises a caution.
- Reference lanes appear only in the staff part.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from tlc.report.messages import Catalogue, catalogue

if TYPE_CHECKING:
    from tlc.config import Service
    from tlc.library import Library, Substance
    from tlc.pipeline import Analysis, LaneResult

#: Warning levels, most serious first.
LEVELS = ("danger", "caution", "info")

_CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True, slots=True)
class FoundItem:
    """One substance the sample is compatible with.

    Attributes
    ----------
    substance : str
        Library id.
    name : str
        Everyday name in the card's language.
    text : str
        "Compatible with levamisole: a veterinary medicine used to cut cocaine."
    certainty : str
        "How sure the test is: likely."
    confidence : str
        ``high``, ``medium`` or ``low`` (the best of the spots matched to it).
    risk : str or None
        The library's risk code, when the substance is dangerous.
    """

    substance: str
    name: str
    text: str
    certainty: str
    confidence: str
    risk: str | None = None


@dataclass(frozen=True, slots=True)
class SampleCard:
    """The person's part of the card for one sample lane.

    Attributes
    ----------
    lane : int
        Lane index (1 = leftmost).
    code : str
        The anonymous sample code (the lane label when no code was given).
    expected : str
        What the person expected, as printed ("cocaine", or "not said").
    level : str
        ``"danger"``, ``"caution"`` or ``"info"`` (no warning; never "safe").
    warnings : tuple of str
        Sentences of the warning block, most serious first; empty for ``info``.
    found : tuple of FoundItem
        Identified substances, in order of Rf.
    other : tuple of str
        Lines about what could not be identified, or that nothing was seen.
    expected_lines : tuple of str
        What was said about the expected substance outside the warnings
        ("What you expected was seen: cocaine.").
    not_seen : tuple of str
        Substances looked for (reference lanes) and not seen, with the caveat.
    advice : tuple of str
        Harm-reduction advice for each substance found, from the library.
    general_advice : tuple of str
        Do not use alone, start low, do not mix, naloxone when opioids are
        involved, the emergency numbers.
    unknown_count : int
        Spots the test cannot identify (including material left on the origin).
    opioid : bool
        True when an opioid was found or may be present.
    notes : str or None
        Staff notes on the sample (staff part only).
    """

    lane: int
    code: str
    expected: str
    level: str
    warnings: tuple[str, ...]
    found: tuple[FoundItem, ...]
    other: tuple[str, ...]
    expected_lines: tuple[str, ...]
    not_seen: tuple[str, ...]
    advice: tuple[str, ...]
    general_advice: tuple[str, ...]
    unknown_count: int = 0
    opioid: bool = False
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class StaffRow:
    """One spot (or one empty lane) in the staff table; all values are printable text."""

    lane: str
    label: str
    role: str
    rf: str
    rf_corrected: str
    match: str
    confidence: str
    reason: str
    flags: str


@dataclass(frozen=True, slots=True)
class StaffPart:
    """The technical part of the card, for staff.

    Attributes
    ----------
    rows : tuple of StaffRow
        Every lane, references included, left to right; spots by Rf.
    warnings : tuple of str
        The analysis warnings, then the quality flags in plain sentences.
    facts : tuple of str
        System, how the plate was seen, photo, version and date, notes.
    """

    rows: tuple[StaffRow, ...]
    warnings: tuple[str, ...]
    facts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Card:
    """The whole result card, ready to lay out.

    Attributes
    ----------
    lang : str
    service_name : str
    contact : tuple of str
        Address, phone, email, website, hours lines (or "ask the staff").
    date : str
        Date of the analysis, formatted for ``lang``.
    samples : tuple of SampleCard
        One per sample lane, left to right; empty when the plate holds only
        references (``labels["card.no_sample"]`` then says so).
    limits : tuple of str
        What the test cannot tell.
    talk : tuple of str
        The offer to talk, and where a laboratory analysis can be asked for.
    staff : StaffPart
    labels : dict of str to str
        Headings and labels (``card.*``, ``level.*``, ``staff.*`` keys).
    logo : str or None
        Path of the service logo.
    """

    lang: str
    service_name: str
    contact: tuple[str, ...]
    date: str
    samples: tuple[SampleCard, ...]
    limits: tuple[str, ...]
    talk: tuple[str, ...]
    staff: StaffPart
    labels: dict[str, str]
    logo: str | None = None

    def label(self, key: str, **args: Any) -> str:
        """The heading or label ``key`` (``"card.title"``), placeholders filled."""
        text = self.labels[key]
        return text.format(**args) if args else text

    def field(self, key: str, value: str) -> str:
        """``"Sample: A-017"``: the label ``key`` and a value, punctuated for the language."""
        return self.label("format.field", label=self.label(key), value=value)

    @property
    def level(self) -> str:
        """The most serious level over all samples."""
        levels = [s.level for s in self.samples] or ["info"]
        return min(levels, key=LEVELS.index)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the whole model."""
        return asdict(self)


def build_card(
    analysis: Analysis,
    library: Library,
    *,
    lang: str,
    service: Service,
    messages: Catalogue | None = None,
) -> Card:
    """Decide what the card says.

    Parameters
    ----------
    analysis : Analysis
        The result of ``tlc analyse`` (or one read back from its JSON).
    library : Library
        For everyday names, descriptions, risks and harm-reduction advice.
    lang : str
        Language code of the card.
    service : Service
        Who prints the card (name, contact, emergency numbers, overrides).
    messages : Catalogue, optional
        The wording to use; default: ``catalogue(lang, extra=service.messages)``.

    Returns
    -------
    Card

    Raises
    ------
    ConfigError
        If there is no wording for ``lang``.
    """
    cat = messages or catalogue(lang, extra=service.messages)
    builder = _Builder(analysis, library, cat, service)
    samples = tuple(builder.sample(lr) for lr in analysis.lanes if lr.lane.role != "reference")
    labels = {
        k: v for k, v in cat.texts.items() if k.startswith(("card.", "level.", "staff.", "format."))
    }
    return Card(
        lang=cat.lang,
        service_name=service.name,
        contact=_contact(service, cat),
        date=_date(analysis.date, cat),
        samples=samples,
        limits=builder.limits(),
        talk=_talk(service, cat),
        staff=builder.staff(),
        labels=labels,
        logo=str(service.logo) if service.logo else None,
    )


def _contact(service: Service, cat: Catalogue) -> tuple[str, ...]:
    lines = []
    if service.address:
        lines.append(service.address)
    for key in ("phone", "email", "website", "hours"):
        value = getattr(service, key)
        if value:
            lines.append(cat.t(f"card.{key}", value=value))
    if not service.has_contact:
        lines.append(cat.t("card.contact_none"))
    return tuple(lines)


def _talk(service: Service, cat: Catalogue) -> tuple[str, ...]:
    lab = (
        cat.t("talk.lab", where=service.lab_analysis)
        if service.lab_analysis
        else cat.t("talk.lab_ask")
    )
    return (cat.t("talk.offer"), lab)


def _date(text: str, cat: Catalogue) -> str:
    # An analysis read back without a date is printed with today's date:
    # the card is being handed over today.
    try:
        day = _dt.date.fromisoformat(text[:10]) if text else _dt.date.today()
    except ValueError:
        return text
    return cat.t("format.date", y=f"{day.year:04d}", m=f"{day.month:02d}", d=f"{day.day:02d}")


def join_names(names: list[str] | tuple[str, ...], word: str) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"`` (``word`` is "and" or "or")."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def _is_opioid(sub: Substance | None) -> bool:
    if sub is None:
        return False
    return sub.category == "opioid" or "opioid" in (sub.risk or "")


def _fmt_rf(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


class _Builder:
    """Holds what every sample shares (library, wording, service) while building."""

    def __init__(
        self, analysis: Analysis, library: Library, cat: Catalogue, service: Service
    ) -> None:
        self.analysis = analysis
        self.library = library
        self.cat = cat
        self.service = service
        self.t = cat.t
        self.lang = cat.lang
        # Substances the plate itself can test for: co-spotted references.
        self.references = {
            lr.lane.substance for lr in analysis.lanes if lr.lane.role == "reference"
        }
        self.critical = self._critical_flags()

    # -- lookups -----------------------------------------------------------

    def sub(self, sid: str | None) -> Substance | None:
        if sid is None:
            return None
        return self.library.substances.get(sid) or self.library.resolve(sid)

    def name(self, sid: str) -> str:
        sub = self.sub(sid)
        return sub.name(self.lang) if sub else sid

    def _text(self, table: dict[str, str]) -> str:
        return (table.get(self.lang) or table.get("en") or "").strip()

    def _critical_flags(self) -> bool:
        from tlc.flags import FLAGS

        names = list(self.analysis.plate.flags) + list(self.analysis.lines.flags)
        for lr in self.analysis.lanes:
            names += list(lr.lane.flags)
            for spot in lr.spots:
                names += list(spot.flags)
        return any(FLAGS[n].level == "critical" for n in names if n in FLAGS)

    def _can_look_for(self, sub: Substance) -> bool:
        return sub.id in self.references or self.analysis.system in sub.rf

    def _why(self, sub: Substance) -> str:
        key = f"risk.{sub.risk}"
        return self.t(key) if self.cat.has(key) else self.t("risk.other")

    # -- one sample lane ---------------------------------------------------

    def sample(self, lr: LaneResult) -> SampleCard:
        t = self.t
        danger: list[str] = []
        caution: list[str] = []
        found: dict[str, str] = {}  # id -> best confidence, in Rf order
        maybe: list[tuple[str, ...]] = []  # candidate sets of unidentified spots
        unknown = 0
        origin = 0
        for spot, ident in zip(lr.spots, lr.identifications, strict=True):
            if ident.match:
                best = found.get(ident.match)
                conf = ident.confidence or "low"
                if best is None or _CONFIDENCE_ORDER.get(conf, 3) < _CONFIDENCE_ORDER.get(best, 3):
                    found[ident.match] = conf
            elif ident.candidates:
                maybe.append(tuple(ident.candidates))
            elif spot.on_origin:
                origin += 1
            else:
                unknown += 1

        items = []
        opioid = False
        # Dangerous substances first, then the surest: the order people read in.
        order = sorted(
            found,
            key=lambda sid: (
                not (self.sub(sid) and self.sub(sid).risk),  # type: ignore[union-attr]
                _CONFIDENCE_ORDER.get(found[sid], 3),
            ),
        )
        for sid in order:
            conf = found[sid]
            sub = self.sub(sid)
            name = self.name(sid)
            desc = self._text(sub.description) if sub else ""
            text = (
                t("found.item", name=name, description=desc.rstrip("."))
                if desc
                else t("found.item_plain", name=name)
            )
            cert = t("found.certainty", certainty=t(f"certainty.{conf}"))
            risk = sub.risk if sub else None
            items.append(FoundItem(sid, name, text, cert, conf, risk))
            if sub is not None and sub.risk:
                danger.append(t("warning.risk", name=name, why=self._why(sub)))
            if _is_opioid(sub):
                opioid = True
                if not (sub and sub.risk):
                    danger.append(t("warning.opioid"))

        other: list[str] = []
        seen_possible: set[str] = set()
        for cands in maybe:
            names = [self.name(c) for c in cands]
            if len(names) == 1:
                other.append(t("found.maybe", name=names[0]))
            else:
                other.append(t("found.ambiguous", names=join_names(names, t("found.or"))))
            for c in cands:
                sub = self.sub(c)
                if c in found or c in seen_possible:
                    continue
                seen_possible.add(c)
                if sub is not None and sub.risk:
                    danger.append(t("warning.risk_possible", name=self.name(c), why=self._why(sub)))
                if _is_opioid(sub):
                    opioid = True
        if unknown == 1:
            other.append(t("found.unknown_one"))
        elif unknown > 1:
            other.append(t("found.unknown_many", n=unknown))
        if origin:
            other.append(t("found.origin"))
        if unknown or origin or maybe:
            caution.append(t("warning.unknown"))
        nothing = not lr.spots
        if nothing:
            other.extend((t("found.nothing"), t("found.nothing_note")))

        expected_text, expected_lines, expected_ids = self._expected(
            lr, found, seen_possible, caution
        )
        if expected_ids:
            extra = [sid for sid in found if sid not in expected_ids]
            if extra:
                extra_names = join_names([self.name(s) for s in extra], t("found.and"))
                caution.append(t("expected.extra", names=extra_names))
            if any(_is_opioid(self.sub(s)) for s in expected_ids):
                opioid = True
        if nothing:
            caution.append(t("warning.nothing"))
        if self.critical:
            caution.append(t("warning.critical"))

        not_seen_ids = [s for s in lr.not_seen if s not in expected_ids]
        not_seen: tuple[str, ...] = ()
        if not_seen_ids:
            missing = join_names([self.name(s) for s in not_seen_ids], t("found.and"))
            not_seen = (t("found.not_seen", names=missing), t("found.not_seen_note"))

        advice = []
        for sid in list(found) + sorted(seen_possible):
            sub = self.sub(sid)
            if sub is None:
                continue
            text = self._text(sub.harm_reduction)
            if text and (sid in found or sub.risk):
                advice.append(t("advice.substance", name=_cap(self.name(sid)), advice=text))

        level = "danger" if danger else "caution" if caution else "info"
        sample = lr.sample
        return SampleCard(
            lane=lr.lane.index,
            code=(sample.code if sample and sample.code else lr.lane.label) or str(lr.lane.index),
            expected=expected_text,
            level=level,
            warnings=tuple(_dedupe(danger + caution)),
            found=tuple(items),
            other=tuple(other),
            expected_lines=tuple(expected_lines),
            not_seen=not_seen,
            advice=tuple(advice),
            general_advice=self._general_advice(opioid),
            unknown_count=unknown + origin,
            opioid=opioid,
            notes=sample.notes if sample else None,
        )

    def _expected(
        self,
        lr: LaneResult,
        found: dict[str, str],
        possible: set[str],
        caution: list[str],
    ) -> tuple[str, list[str], set[str]]:
        t = self.t
        wanted = lr.sample.expected if lr.sample else ()
        if not wanted:
            return t("card.expected_none"), [], set()
        shown, seen, ids = [], [], set()
        for label in wanted:
            sub = self.sub(label)
            if sub is None:
                shown.append(label)
                caution.append(t("expected.no_reference", name=label))
                continue
            name = sub.name(self.lang)
            shown.append(name)
            ids.add(sub.id)
            if sub.id in found:
                seen.append(name)
            elif sub.id in possible:
                continue  # the "could be" line already says it
            elif self._can_look_for(sub):
                caution.append(t("expected.not_seen", name=name))
            else:
                caution.append(t("expected.no_reference", name=name))
        lines = [t("expected.seen", names=join_names(seen, t("found.and")))] if seen else []
        return ", ".join(shown), lines, ids

    def _general_advice(self, opioid: bool) -> tuple[str, ...]:
        t = self.t
        lines = [t("advice.never_alone"), t("advice.start_low"), t("advice.no_mix")]
        if opioid:
            lines += [t("advice.naloxone"), t("advice.overdose_signs")]
        numbers = [
            t("advice.emergency_number_label", number=n, label=lab)
            if lab
            else t("advice.emergency_number", number=n)
            for n, lab in self.service.emergency
        ]
        if numbers:
            lines.append(t("advice.emergency", numbers=join_names(numbers, t("found.or"))))
        return tuple(lines)

    # -- shared parts ------------------------------------------------------

    def limits(self) -> tuple[str, ...]:
        t = self.t
        mode = self.analysis.mode if self.analysis.mode in ("uv254", "uv365", "stain") else "uv254"
        return (
            t("limits.quantity"),
            t(f"limits.invisible_{mode}"),
            t("limits.traces"),
            t("limits.together"),
            t("limits.library"),
            t("limits.portion"),
            t("limits.not_safe"),
        )

    def staff(self) -> StaffPart:
        t = self.t
        a = self.analysis
        rows = []
        for lr in a.lanes:
            role = t(f"staff.role_{'reference' if lr.lane.role == 'reference' else 'sample'}")
            label = lr.lane.label
            if lr.lane.role != "reference" and lr.sample and lr.sample.code:
                label = lr.sample.code
            if not lr.spots:
                rows.append(
                    StaffRow(
                        str(lr.lane.index),
                        label,
                        role,
                        "",
                        "",
                        t("staff.no_spot"),
                        "",
                        "",
                        ", ".join(lr.lane.flags),
                    )
                )
                continue
            for spot, ident in zip(lr.spots, lr.identifications, strict=True):
                match = ident.match or ""
                if not match and ident.candidates:
                    match = "? " + " / ".join(ident.candidates)
                elif not match:
                    match = "?"
                rf = _fmt_rf(spot.rf)
                if spot.on_origin:
                    rf = f"{rf} ({t('staff.origin')})" if rf else t("staff.origin")
                rows.append(
                    StaffRow(
                        lane=str(lr.lane.index),
                        label=label,
                        role=role,
                        rf=rf,
                        rf_corrected=_fmt_rf(ident.rf_corrected),
                        match=match,
                        confidence=ident.confidence or "" if ident.match else "",
                        reason=self._reason(ident),
                        flags=", ".join(spot.flags),
                    )
                )
        return StaffPart(rows=tuple(rows), warnings=self._staff_warnings(), facts=self._facts())

    def _arg(self, key: str, value: Any) -> str:
        # Substance ids become everyday names; lists are joined; numbers get
        # two decimals, as in the English reasons of tlc.match.
        if isinstance(value, list | tuple):
            return ", ".join(self._arg(key, v) for v in value)
        if isinstance(value, float):
            return f"{value:.2f}"
        if isinstance(value, str) and key in ("substance", "others", "candidates"):
            return self.name(value)
        return str(value)

    def _reason(self, ident: Any) -> str:
        key = ident.reason_key
        if key and self.cat.has(key):
            args = {k: self._arg(k, v) for k, v in ident.reason_args.items()}
            try:
                return self.t(key, **args)
            except (KeyError, IndexError, ValueError):
                pass  # wording and arguments disagree: the English reason still says it
        return ident.reason

    def _flag(self, name: str) -> str:
        key = f"flags.{name}"
        return self.t(key) if self.cat.has(key) else self.t("staff.unknown_flag", name=name)

    def _staff_warnings(self) -> tuple[str, ...]:
        from tlc.flags import FLAGS

        t = self.t
        a = self.analysis
        flags = (*a.plate.flags, *a.lines.flags)
        # The analysis repeats its plate's and lines' warning flags as English
        # sentences (for the JSON); the card says them in its own language.
        said = {FLAGS[n].description for n in flags if n in FLAGS}
        out = [w for w in a.warnings if w not in said]
        out += [self._flag(n) for n in flags]
        for lr in a.lanes:
            out += [
                t("staff.where_lane", lane=lr.lane.index, text=self._flag(n)) for n in lr.lane.flags
            ]
            for spot in lr.spots:
                out += [
                    t(
                        "staff.where_spot",
                        lane=lr.lane.index,
                        rf=_fmt_rf(spot.rf),
                        text=self._flag(n),
                    )
                    for n in spot.flags
                ]
        return tuple(_dedupe(out))

    def _facts(self) -> tuple[str, ...]:
        t = self.t
        a = self.analysis
        system = self.library.systems.get(a.system)
        sys_text = f"{a.system} ({system.name})" if system and system.name else a.system
        mode_key = f"staff.mode_{a.mode}"
        facts = [
            t("staff.system", system=sys_text),
            t("staff.mode", mode=t(mode_key) if self.cat.has(mode_key) else a.mode),
            t("staff.image", image=a.image),
            t("staff.version", version=a.version or "?", date=a.date or "?"),
        ]
        if a.notes:
            facts.append(t("staff.notes", notes=a.notes))
        for lr in a.lanes:
            if lr.sample and lr.sample.notes:
                facts.append(
                    t(
                        "staff.where_lane",
                        lane=lr.lane.index,
                        text=t("staff.notes", notes=lr.sample.notes),
                    )
                )
        return tuple(facts)


def _cap(text: str) -> str:
    """Capitalise the first letter only ("lsd" -> "Lsd" is avoided for all-caps ids)."""
    return text[:1].upper() + text[1:] if text else text


def _dedupe(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in lines if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]
