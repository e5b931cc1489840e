"""The reference library: solvent systems and substances, from YAML files.

A library folder holds ``systems/<ID>.yaml``, ``substances/<id>.yaml`` and,
in a service's local folder, ``measurements/<SYSTEM>.yaml`` (Rf values
measured on the service's own plates by ``tlc references learn``). The JSON
Schemas of these files are in ``references/schema/``; docs/library.md is the
maintainers' guide.

:func:`load_library` reads the folders given, then the user's local library
(:func:`default_local_folder`), then the built-in one (:func:`builtin_folder`).
An entry with the same id in an earlier folder overrides a later one; new
entries extend the library. Every problem found is reported at once, as
``FILE: field: what is wrong`` lines in a :class:`LibraryInvalid` error.

Only PyYAML is imported at module level; ``jsonschema`` (about 0.1-0.2 s to
import) loads only when a full validation is asked for.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlc.errors import LibraryError

#: Tiers of an Rf value, from the most to the least standardised.
TIERS = ("reference-compound", "secondary", "local")

#: Categories of substances (as in substance.schema.json).
CATEGORIES = (
    "stimulant",
    "opioid",
    "dissociative",
    "psychedelic",
    "cannabinoid",
    "benzodiazepine",
    "sedative",
    "adulterant",
    "cutting-agent",
    "diluent",
    "by-product",
    "medicine",
)

#: Risk codes (as in substance.schema.json).
RISKS = (
    "potent-opioid",
    "opioid",
    "toxic-adulterant",
    "toxic-cut",
    "unexpected-strong",
    "sedative",
)

#: What a substance looks like under UV 254 (as in substance.schema.json).
UV254 = ("quenches", "weak", "none", "unknown")

#: Substance ids: lower-case ASCII words joined by ``-``.
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: System ids: upper-case letters and digits, words joined by ``-``.
SYSTEM_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")

#: Smallest tolerance given to a local value, whatever its spread: below this
#: the Rf of a spot cannot be measured reproducibly from a phone photo.
LOCAL_MIN_TOLERANCE = 0.02

#: A local value's tolerance is this many sample standard deviations (n >= 3).
LOCAL_SD_FACTOR = 2.5

#: Fewest measurements whose spread is trusted for the tolerance.
LOCAL_MIN_N_FOR_SD = 3

#: Strings that mark a placeholder of the ``tlc references new`` template.
_PLACEHOLDER = "TODO"

#: Said after a problem that the light checks cannot explain.
_VALIDATE_HINT = "run `tlc references validate` for details"


class LibraryInvalid(LibraryError):
    """The library has problems; ``problems`` holds one ``FILE: field: what`` line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        head = (
            f"the reference library has {n} problem{'s' if n != 1 else ''}; "
            "fix them (run `tlc references validate` to list them):"
        )
        super().__init__("\n".join((head, *self.problems)))


@dataclass(frozen=True, slots=True)
class RfValue:
    """One Rf of a substance in a system, with where it comes from.

    Attributes
    ----------
    rf : float
        Rf in [0, 1] (hRf / 100).
    tolerance : float
        Half-width of the window within which a measured Rf is consistent
        with this value (from the measured spread when ``n`` > 1).
    tier : str
        ``"reference-compound"`` (a system's tabulated reference value),
        ``"secondary"`` (a compilation or teaching text) or ``"local"``
        (measured by this service with ``tlc references learn``).
    source : str
        Citation: author, title, year, page or URL; for local values the
        photos and dates.
    n : int
        Number of measurements behind a local value (1 for literature).
    sd : float or None
        Standard deviation of local measurements.
    low_confidence : bool
        The source itself is doubtful (added field): a match on this value
        alone should never be better than ``"low"``.
    """

    rf: float
    tolerance: float
    tier: str
    source: str
    n: int = 1
    sd: float | None = None
    low_confidence: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {
            "rf": round(self.rf, 4),
            "tolerance": round(self.tolerance, 4),
            "tier": self.tier,
            "source": self.source,
            "n": self.n,
            "sd": None if self.sd is None else round(self.sd, 4),
            "low_confidence": self.low_confidence,
        }


@dataclass(frozen=True, slots=True)
class System:
    """A TLC system: plate, mobile phase, visualisation.

    Attributes
    ----------
    id : str
        Short id (``TA``).
    name : str
        Human name ("Clarke TA: methanol-ammonia 100:1.5 on KOH silica").
    plate : str
    mobile_phase : str
    visualisation : tuple of str
        E.g. ``("uv254", "iodoplatinate")``.
    default : bool
        The library's default system.
    tolerance : float
        Default Rf window for library matches in this system.
    reference_compounds : dict of str to float
        Substance id -> tabulated Rf, the compounds that define the system
        (used for the corrected Rf). The YAML gives hRf; this holds Rf (0-1).
    source : str
    notes : str
        Maintainers' notes (added field).
    source_file : str
        The YAML file it was read from (added field).
    """

    id: str
    name: str
    plate: str
    mobile_phase: str
    visualisation: tuple[str, ...]
    default: bool
    tolerance: float
    reference_compounds: dict[str, float] = field(default_factory=dict)
    source: str = ""
    notes: str = ""
    source_file: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (``reference_compounds`` as Rf, 0-1)."""
        return {
            "id": self.id,
            "name": self.name,
            "default": self.default,
            "plate": self.plate,
            "mobile_phase": self.mobile_phase,
            "visualisation": list(self.visualisation),
            "tolerance": self.tolerance,
            "reference_compounds": dict(self.reference_compounds),
            "source": self.source,
            "notes": self.notes,
            "source_file": self.source_file,
        }


@dataclass(frozen=True, slots=True)
class Substance:
    """A substance the library can identify.

    Attributes
    ----------
    id : str
        Lowercase ASCII words joined by ``-`` (``cocaine``, ``6-mam``).
    names : dict of str to str
        Everyday name per language; at least ``en`` and ``fr``.
    aliases : tuple of str
        Other names (street names, other languages, salts), matched
        case-insensitively.
    category : str
        ``stimulant``, ``opioid``, ``dissociative``, ``psychedelic``,
        ``cannabinoid``, ``benzodiazepine``, ``sedative``, ``adulterant``,
        ``cutting-agent``, ``diluent``, ``by-product``, ``medicine``.
    description : dict of str to str
        What kind of substance it is, in a few plain words per language
        ("a veterinary medicine used to cut cocaine").
    uv254 : str
        ``"quenches"`` (dark spot under UV 254), ``"weak"``, ``"none"``
        (invisible under UV: needs a stain) or ``"unknown"`` (not documented).
    stains : dict of str to str
        Reagent -> colour of the spot.
    rf : dict of str to RfValue
        System id -> Rf used for matching: the local (measured) value when
        there is one, else the literature value. Absent systems: no value;
        identified only by co-spotted references.
    harm_reduction : dict of str to str
        One or two plain sentences per language.
    risk : str or None
        ``None``, or why the substance is dangerous when found (``"potent-opioid"``,
        ``"toxic-adulterant"``...): it raises the card's warning.
    source_file : str
        The YAML file it was read from.
    risk_why : dict of str to str
        The risk in one plain sentence per language (added field).
    rf_literature : dict of str to RfValue
        The values of the substance file, kept when a local value takes
        precedence in ``rf`` (added field).
    notes : str
        Maintainers' notes (added field).
    """

    id: str
    names: dict[str, str]
    aliases: tuple[str, ...]
    category: str
    description: dict[str, str]
    uv254: str
    stains: dict[str, str]
    rf: dict[str, RfValue]
    harm_reduction: dict[str, str]
    risk: str | None = None
    source_file: str = ""
    risk_why: dict[str, str] = field(default_factory=dict)
    rf_literature: dict[str, RfValue] = field(default_factory=dict)
    notes: str = ""

    def name(self, lang: str) -> str:
        """Everyday name in ``lang``, falling back to English."""
        return self.names.get(lang) or self.names.get("en") or self.id

    def to_dict(self) -> dict[str, Any]:
        """JSON of one substance: ``rf`` maps a system id to a number (the contract)."""
        return {
            "id": self.id,
            "names": dict(self.names),
            "aliases": list(self.aliases),
            "category": self.category,
            "description": dict(self.description),
            "uv254": self.uv254,
            "stains": dict(self.stains),
            "rf": {sid: round(v.rf, 4) for sid, v in self.rf.items()},
            "rf_details": {sid: v.to_dict() for sid, v in self.rf.items()},
            "rf_literature": {sid: v.to_dict() for sid, v in self.rf_literature.items()},
            "harm_reduction": dict(self.harm_reduction),
            "risk": self.risk,
            "risk_why": dict(self.risk_why),
            "notes": self.notes,
            "source_file": self.source_file,
        }


@dataclass(frozen=True, slots=True)
class Library:
    """Systems and substances, looked up by id or alias.

    Attributes
    ----------
    systems : dict of str to System
    substances : dict of str to Substance
    folders : tuple of Path
        Where it was read from, first searched first.
    """

    systems: dict[str, System]
    substances: dict[str, Substance]
    folders: tuple[Path, ...] = ()

    @property
    def default_system(self) -> System:
        """The system marked ``default: true``."""
        for system in self.systems.values():
            if system.default:
                return system
        return next(iter(self.systems.values()))

    def resolve(self, label: str) -> Substance | None:
        """The substance whose id or alias (any case) is ``label``, else None."""
        key = label.strip().casefold()
        for sub in self.substances.values():
            if sub.id == key or key in (a.casefold() for a in sub.aliases):
                return sub
            if key in (n.casefold() for n in sub.names.values()):
                return sub
        return None

    def substance(self, label: str) -> Substance:
        """The substance with this id, alias or name.

        Raises
        ------
        LibraryError
            When nothing in the library has that id, alias or name.
        """
        sub = self.resolve(label)
        if sub is None:
            msg = (
                f"unknown substance {label!r}; `tlc references list` shows the ids, "
                "or add it with `tlc references new`"
            )
            raise LibraryError(msg)
        return sub

    def system(self, system_id: str | None = None) -> System:
        """The system with this id (any case); the default system for None.

        Raises
        ------
        LibraryError
            When the library has no such system.
        """
        if system_id is None:
            return self.default_system
        found = self.systems.get(system_id) or self.systems.get(system_id.strip().upper())
        if found is None:
            known = ", ".join(self.systems) or "none"
            msg = f"unknown system {system_id!r}; known: {known}"
            raise LibraryError(msg)
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON of ``tlc references list --json``."""
        return {
            "systems": [s.to_dict() for s in self.systems.values()],
            "substances": [s.to_dict() for s in self.substances.values()],
            "folders": [str(f) for f in self.folders],
        }


# --------------------------------------------------------------------------
# Where libraries live


def builtin_folder() -> Path:
    """The library shipped with tlc.

    ``tlc/references`` inside an installed wheel; ``references/`` beside the
    package in a checkout or an editable install.
    """
    package = Path(__file__).resolve().parent
    inside = package / "references"
    if inside.is_dir():
        return inside
    return package.parent / "references"


def default_local_folder() -> Path:
    """The user's own library: ``$XDG_DATA_HOME/tlc/library`` (``~/.local/share/tlc/library``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tlc" / "library"


def search_folders(
    folders: Sequence[Path | str] = (), *, builtin: bool = True, local: bool = True
) -> tuple[Path, ...]:
    """The folders :func:`load_library` reads, first searched first (duplicates dropped)."""
    out: list[Path] = [Path(f) for f in folders]
    if local and default_local_folder().is_dir():
        out.append(default_local_folder())
    if builtin:
        out.append(builtin_folder())
    unique: list[Path] = []
    seen: set[Path] = set()
    for f in out:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return tuple(unique)


# --------------------------------------------------------------------------
# YAML reading


def _yaml_loader() -> type:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        """Safe loader that keeps dates as strings and refuses duplicate keys."""

    # "2026-11-24" unquoted would become a date object and fail the schema
    # with a puzzling message; keep every scalar that looks like a date a string.
    Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in base.yaml_implicit_resolvers.items()
    }

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return dict(loader.construct_mapping(node, deep=deep))

    Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    return Loader


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(key, line)
        self.key = key
        self.line = line


_LOADER: type | None = None


def _read_yaml(path: Path, problems: list[str]) -> Any:
    """The YAML document of ``path``, or None after recording a problem."""
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _yaml_loader()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(f"{path}: file: not UTF-8 text; save it as UTF-8")
        return None
    except OSError as exc:
        problems.append(f"{path}: file: cannot be read ({exc.strerror or exc})")
        return None
    try:
        return yaml.load(text, Loader=_LOADER)
    except _DuplicateKey as exc:
        problems.append(
            f"{path}: {exc.key}: the key appears twice (line {exc.line}); keep only one"
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(
            f"{path}: {where}: not valid YAML ({what}); check the indentation and quote "
            "values that contain ':' or '#'"
        )
    return None


# --------------------------------------------------------------------------
# Validation


_SCHEMAS: dict[str, Any] = {}


def schema_folder() -> Path:
    """Where the JSON Schemas are (``schema/`` of the built-in library)."""
    return builtin_folder() / "schema"


def _validator(kind: str) -> Any:
    """A cached jsonschema validator for ``kind`` (system, substance, measurements)."""
    if kind not in _SCHEMAS:
        import json

        from jsonschema import Draft202012Validator

        schema = json.loads((schema_folder() / f"{kind}.schema.json").read_text("utf-8"))
        _SCHEMAS[kind] = Draft202012Validator(schema)
    return _SCHEMAS[kind]


def _field(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _describe(error: Any) -> tuple[str, str]:
    """``(field, what is wrong)`` for one jsonschema error, in plain words."""
    path = list(error.absolute_path)
    v = error.validator
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        key = extra[0] if extra else "?"
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        return _field([*path, key]), f"unknown key {key!r}{hint}"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        key = missing[0] if missing else "?"
        return _field([*path, key]), "missing required field"
    if v == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return _field(path), f"{error.instance!r} is not one of: {choices}"
    if v == "type":
        return _field(path), f"{error.instance!r} should be of type {error.validator_value}"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {
            "minimum": "below the minimum",
            "maximum": "above the maximum",
            "exclusiveMinimum": "not above",
            "exclusiveMaximum": "not below",
        }[v]
        return _field(path), f"{error.instance} is {word} {error.validator_value}"
    if v == "pattern" and "propertyNames" in error.schema_path:
        return _field(path), f"key {error.instance!r} does not have the expected form"
    if v == "pattern":
        return _field(path), f"{error.instance!r} does not have the expected form"
    if v == "oneOf" and path and path[0] == "risk":
        return _field(path), "must be null or {code: ..., why: {en: ..., fr: ...}}"
    if v == "uniqueItems":
        return _field(path), "contains the same item twice"
    return _field(path), error.message


def _schema_problems(kind: str, data: Any, path: Path) -> list[str]:
    validator = _validator(kind)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    out = []
    for error in errors:
        where, what = _describe(error)
        out.append(f"{path}: {where}: {what}")
    return out


def _placeholder_problems(data: Any, path: Path, trail: tuple[Any, ...] = ()) -> list[str]:
    """Strings still holding a ``TODO`` placeholder of the template."""
    out: list[str] = []
    if isinstance(data, str):
        if data.strip().startswith(_PLACEHOLDER):
            out.append(f"{path}: {_field(trail)}: still a TODO placeholder; fill it in")
    elif isinstance(data, dict):
        for k, v in data.items():
            out += _placeholder_problems(v, path, (*trail, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _placeholder_problems(v, path, (*trail, i))
    return out


# --------------------------------------------------------------------------
# Building the dataclasses (after validation, or with light checks only)


def _text(d: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in d.items()} if isinstance(d, dict) else {}


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def _build_system(data: dict[str, Any], path: Path, problems: list[str]) -> System | None:
    try:
        tol = _number(data["tolerance"])
        if tol is None or not 0 < tol <= 0.5:
            problems.append(f"{path}: tolerance: must be a number in (0, 0.5]")
            return None
        refs: dict[str, float] = {}
        for name, hrf in (data.get("reference_compounds") or {}).items():
            value = _number(hrf)
            if value is None or not 0 <= value <= 100:
                problems.append(
                    f"{path}: reference_compounds.{name}: hRf must be a number from 0 to 100"
                )
                continue
            refs[str(name)] = value / 100.0
        return System(
            id=str(data["id"]),
            name=str(data["name"]),
            plate=str(data["plate"]),
            mobile_phase=str(data["mobile_phase"]),
            visualisation=tuple(str(v) for v in data["visualisation"]),
            default=data["default"] is True,
            tolerance=tol,
            reference_compounds=refs,
            source=str(data["source"]),
            notes=str(data.get("notes") or ""),
            source_file=str(path),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        problems.append(f"{path}: {_key_of(exc)}: missing or malformed; {_VALIDATE_HINT}")
        return None


def _key_of(exc: Exception) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return "(top level)"


def _rf_value(
    entry: dict[str, Any], where: str, default_tol: float, problems: list[str]
) -> RfValue | None:
    rf = _number(entry.get("rf"))
    hrf = _number(entry.get("hrf"))
    if (rf is None) == (hrf is None):
        problems.append(f"{where}: give exactly one of rf (0-1) or hrf (0-100)")
        return None
    value = rf if rf is not None else hrf / 100.0  # type: ignore[operator]
    if not 0.0 <= value <= 1.0:
        key, shown = ("rf", rf) if rf is not None else ("hrf", hrf)
        limit = "1" if rf is not None else "100"
        problems.append(f"{where}.{key}: {shown} is outside [0, {limit}]")
        return None
    tier = entry.get("tier")
    if tier not in TIERS:
        problems.append(f"{where}.tier: {tier!r} is not one of: {', '.join(TIERS)}")
        return None
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append(f"{where}.source: every Rf needs its source")
        return None
    tol = _number(entry.get("tolerance")) or default_tol
    return RfValue(
        rf=value,
        tolerance=tol,
        tier=str(tier),
        source=source.strip(),
        low_confidence=entry.get("low_confidence") is True,
    )


def _build_substance(
    data: dict[str, Any], path: Path, systems: Mapping[str, System], problems: list[str]
) -> Substance | None:
    try:
        rf: dict[str, RfValue] = {}
        for sid, entry in (data.get("rf") or {}).items():
            where = f"{path}: rf.{sid}"
            system = systems.get(sid)
            if system is None:
                known = ", ".join(systems) or "none"
                problems.append(f"{where}: unknown system {sid!r}; known: {known}")
                continue
            if not isinstance(entry, dict):
                problems.append(f"{where}: must be a mapping with rf or hrf, tier and source")
                continue
            value = _rf_value(entry, where, system.tolerance, problems)
            if value is None:
                continue
            if value.tier == "reference-compound":
                table = system.reference_compounds.get(str(data["id"]))
                if table is None:
                    problems.append(
                        f"{where}.tier: {data['id']!r} is not a reference compound of "
                        f"system {sid}; use tier secondary"
                    )
                    continue
                if abs(table - value.rf) > 1e-6:
                    problems.append(
                        f"{where}: {value.rf:.2f} differs from the system's tabulated "
                        f"reference value {table:.2f}"
                    )
                    continue
            rf[str(sid)] = value
        risk = data.get("risk")
        return Substance(
            id=str(data["id"]),
            names=_text(data["names"]),
            aliases=tuple(str(a) for a in data["aliases"] or ()),
            category=str(data["category"]),
            description=_text(data["description"]),
            uv254=str(data["uv254"]),
            stains=_text(data.get("stains") or {}),
            rf=rf,
            harm_reduction=_text(data["harm_reduction"]),
            risk=str(risk["code"]) if isinstance(risk, dict) else None,
            source_file=str(path),
            risk_why=_text(risk.get("why")) if isinstance(risk, dict) else {},
            rf_literature=dict(rf),
            notes=str(data.get("notes") or ""),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        problems.append(f"{path}: {_key_of(exc)}: missing or malformed; {_VALIDATE_HINT}")
        return None


def _light_substance_checks(data: dict[str, Any], path: Path) -> list[str]:
    """The checks the schema would make that matter most, without jsonschema."""
    out = []
    sid = data.get("id")
    if not isinstance(sid, str) or not ID_PATTERN.match(sid):
        out.append(f"{path}: id: {sid!r} must be lower-case ASCII words joined by '-'")
    for key in ("names", "description", "harm_reduction"):
        text = data.get(key)
        if not isinstance(text, dict) or not text.get("en") or not text.get("fr"):
            out.append(f"{path}: {key}: needs both en and fr")
    for key, choices in (("category", CATEGORIES), ("uv254", UV254)):
        if data.get(key) not in choices:
            out.append(f"{path}: {key}: {data.get(key)!r} is not one of: {', '.join(choices)}")
    aliases = data.get("aliases")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        out.append(f"{path}: aliases: must be a list of names, e.g. [coke, coc]")
    for key in ("stains", "rf"):
        if not isinstance(data.get(key), dict):
            out.append(f"{path}: {key}: must be a mapping ({{}} when empty)")
    risk = data.get("risk")
    if risk is not None and (not isinstance(risk, dict) or risk.get("code") not in RISKS):
        out.append(f"{path}: risk: must be null or {{code: one of {', '.join(RISKS)}, why: ...}}")
    return out


# --------------------------------------------------------------------------
# Loading


@dataclass(slots=True)
class _Entry:
    data: dict[str, Any]
    path: Path
    rank: int  # index of the folder, 0 = searched first


def _files(folder: Path, sub: str) -> list[Path]:
    d = folder / sub
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _collect(
    folders: Sequence[Path], sub: str, kind: str, validate: bool, problems: list[str]
) -> dict[str, _Entry]:
    """Id -> entry of the first folder defining it, with duplicate checks per folder."""
    merged: dict[str, _Entry] = {}
    for rank, folder in enumerate(folders):
        here: dict[str, Path] = {}
        for path in _files(folder, sub):
            before = len(problems)
            data = _read_yaml(path, problems)
            if data is None:
                if len(problems) == before:
                    problems.append(f"{path}: file: is empty; fill it in or delete it")
                continue
            if not isinstance(data, dict):
                problems.append(f"{path}: (top level): must be a mapping of keys to values")
                continue
            if validate:
                problems += _schema_problems(kind, data, path)
                problems += _placeholder_problems(data, path)
            else:
                problems += _placeholder_problems(data, path)
                if kind == "substance":
                    problems += _light_substance_checks(data, path)
            if len(problems) > before:
                continue
            key = data.get("id")
            if not isinstance(key, str):
                problems.append(f"{path}: id: missing required field")
                continue
            if key in here:
                problems.append(f"{path}: id: duplicate id {key!r}, already in {here[key]}")
                continue
            here[key] = path
            if key not in merged:
                merged[key] = _Entry(data, path, rank)
    return merged


def load_library(
    folders: Sequence[Path | str] = (),
    *,
    builtin: bool = True,
    validate: bool = True,
    local: bool = True,
) -> Library:
    """Read the reference library.

    Parameters
    ----------
    folders : sequence of path
        Extra library folders (``--library``, then ``TLC_LIBRARY``), searched
        first. Each holds ``systems/``, ``substances/`` and/or ``measurements/``.
    builtin : bool, optional
        Also read the built-in library, searched last.
    validate : bool, optional
        Validate every file against its JSON Schema (and refuse template
        placeholders). With False only the checks needed to build the
        library and to keep it consistent are made (faster start-up).
    local : bool, optional
        Also read the user's local library (:func:`default_local_folder`) when
        it exists, after ``folders`` and before the built-in one (added option).

    Returns
    -------
    Library
        Systems and substances; substances' ``rf`` holds the local mean of
        measurements where there are some, the literature value otherwise.

    Raises
    ------
    LibraryError
        A folder does not exist or is not a library folder.
    LibraryInvalid
        Any problem in any file (a subclass of LibraryError listing every
        ``FILE: field: what is wrong``).
    """
    search = search_folders(folders, builtin=builtin, local=local)
    for folder in search:
        if not folder.is_dir():
            msg = f"{folder}: library folder not found; check --library and TLC_LIBRARY"
            raise LibraryError(msg)
        if not any((folder / s).is_dir() for s in ("systems", "substances", "measurements")):
            msg = (
                f"{folder}: not a library folder (it has no systems/, substances/ or "
                "measurements/ folder); pass the folder that holds them"
            )
            raise LibraryError(msg)

    problems: list[str] = []
    system_entries = _collect(search, "systems", "system", validate, problems)
    systems: dict[str, System] = {}
    for sid in sorted(system_entries):
        entry = system_entries[sid]
        if validate is False and not SYSTEM_PATTERN.match(sid):
            problems.append(f"{entry.path}: id: {sid!r} must be upper-case letters and digits")
            continue
        system = _build_system(entry.data, entry.path, problems)
        if system is not None:
            systems[sid] = system
    systems = _settle_default(systems, system_entries, problems)

    sub_entries = _collect(search, "substances", "substance", validate, problems)
    substances: dict[str, Substance] = {}
    for sid in sorted(sub_entries):
        entry = sub_entries[sid]
        sub = _build_substance(entry.data, entry.path, systems, problems)
        if sub is not None:
            substances[sid] = sub
    problems += _name_collisions(substances)

    measured = _read_measurements(search, systems, substances, validate, problems)
    if problems:
        raise LibraryInvalid(problems)
    substances = _apply_measurements(substances, systems, measured)
    return Library(systems=systems, substances=substances, folders=search)


def _settle_default(
    systems: dict[str, System], entries: Mapping[str, _Entry], problems: list[str]
) -> dict[str, System]:
    """Keep one default system: the one from the earliest folder that sets one."""
    defaults = [s for s in systems.values() if s.default]
    if not systems:
        return systems
    if not defaults:
        problems.append(
            f"{next(iter(entries.values())).path.parent}: default: no system is marked "
            "default: true; mark one"
        )
        return systems
    best = min(entries[s.id].rank for s in defaults)
    winners = [s for s in defaults if entries[s.id].rank == best]
    if len(winners) > 1:
        names = ", ".join(s.id for s in winners)
        problems.append(
            f"{entries[winners[1].id].path}: default: several systems are marked default "
            f"({names}); keep one"
        )
    keep = winners[0].id
    # Listed default first, then the standardised systems (with reference
    # compounds), then the others: the order of `tlc references list`.
    order = sorted(systems, key=lambda i: (i != keep, not systems[i].reference_compounds, i))
    out = {}
    for sid in order:
        s = systems[sid]
        out[sid] = _replace(s, default=False) if s.default and sid != keep else s
    return out


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _name_collisions(substances: Mapping[str, Substance]) -> list[str]:
    """Aliases repeated in one substance, or shared with another substance's id or names."""
    out: list[str] = []
    owner: dict[str, str] = {}
    # ids first, so that an alias equal to another id is blamed on the alias.
    for sid in substances:
        owner[sid.casefold()] = sid
    for sid, sub in substances.items():
        seen: set[str] = set()
        for i, alias in enumerate(sub.aliases):
            key = alias.strip().casefold()
            if key in seen:
                out.append(f"{sub.source_file}: aliases[{i}]: duplicate alias {alias!r}")
                continue
            seen.add(key)
        for lang, name in sub.names.items():
            key = name.strip().casefold()
            other = owner.get(key)
            if other is not None and other != sid:
                out.append(
                    f"{sub.source_file}: names.{lang}: {name!r} is already the id or a name "
                    f"of {other!r} ({substances[other].source_file})"
                )
            else:
                owner[key] = sid
    for sid, sub in substances.items():
        for i, alias in enumerate(sub.aliases):
            key = alias.strip().casefold()
            other = owner.get(key)
            if other is not None and other != sid:
                out.append(
                    f"{sub.source_file}: aliases[{i}]: alias {alias!r} is already the id, a "
                    f"name or an alias of {other!r} ({substances[other].source_file})"
                )
            else:
                owner[key] = sid
    return out


# --------------------------------------------------------------------------
# Local measurements


@dataclass(frozen=True, slots=True)
class _Measurement:
    substance: str
    rf: float
    date: str
    photo: str
    path: Path


def _read_measurements(
    folders: Sequence[Path],
    systems: Mapping[str, System],
    substances: Mapping[str, Substance],
    validate: bool,
    problems: list[str],
) -> dict[tuple[str, str], list[_Measurement]]:
    """(substance id, system id) -> measurements, pooled over every folder."""
    lib = Library(systems=dict(systems), substances=dict(substances))
    out: dict[tuple[str, str], list[_Measurement]] = {}
    for folder in folders:
        for path in _files(folder, "measurements"):
            data = _read_yaml(path, problems)
            if data is None:
                continue
            found = _measurement_problems(data, path, validate)
            if found:
                problems += found
                continue
            system = data["system"]
            if system not in systems:
                known = ", ".join(systems) or "none"
                problems.append(f"{path}: system: unknown system {system!r}; known: {known}")
                continue
            if path.stem != system:
                problems.append(
                    f"{path}: system: {system!r} does not match the file name; "
                    f"rename the file {system}.yaml"
                )
                continue
            for i, rec in enumerate(data["measurements"] or ()):
                sub = lib.resolve(str(rec["substance"]))
                if sub is None:
                    problems.append(
                        f"{path}: measurements[{i}].substance: unknown substance "
                        f"{rec['substance']!r}; add it with `tlc references new`"
                    )
                    continue
                out.setdefault((sub.id, system), []).append(
                    _Measurement(
                        sub.id,
                        float(rec["rf"]),
                        str(rec["date"]),
                        str(rec.get("photo") or ""),
                        path,
                    )
                )
    return out


def _measurement_problems(data: Any, path: Path, validate: bool) -> list[str]:
    if validate:
        return _schema_problems("measurements", data, path)
    if not isinstance(data, dict) or not isinstance(data.get("measurements", []), list):
        return [f"{path}: measurements: must be a list"]
    out = []
    for i, rec in enumerate(data.get("measurements") or ()):
        rf = _number(rec.get("rf")) if isinstance(rec, dict) else None
        if rf is None or not 0 <= rf <= 1 or not rec.get("substance") or not rec.get("date"):
            out.append(f"{path}: measurements[{i}]: needs substance, rf in [0, 1] and date")
    if not isinstance(data.get("system"), str):
        out.append(f"{path}: system: missing required field")
    return out


def local_value(rfs: Sequence[float], *, system_tolerance: float, source: str) -> RfValue:
    """Aggregate local measurements into one :class:`RfValue`.

    Parameters
    ----------
    rfs : sequence of float
        Measured Rf values (at least one).
    system_tolerance : float
        The system's default tolerance, used while there are fewer than
        three measurements.
    source : str
        Where the measurements come from.

    Returns
    -------
    RfValue
        tier ``"local"``; ``rf`` the mean; ``sd`` the sample standard
        deviation (None for one value); tolerance ``max(0.02, 2.5 sd)`` from
        three measurements on, the system tolerance before.
    """
    if not rfs:
        msg = "rfs: at least one measurement is needed"
        raise ValueError(msg)
    n = len(rfs)
    mean = statistics.fmean(rfs)
    sd = statistics.stdev(rfs) if n >= 2 else None
    if n >= LOCAL_MIN_N_FOR_SD and sd is not None:
        tol = max(LOCAL_MIN_TOLERANCE, LOCAL_SD_FACTOR * sd)
    else:
        tol = system_tolerance
    return RfValue(rf=mean, tolerance=tol, tier="local", source=source, n=n, sd=sd)


def _apply_measurements(
    substances: dict[str, Substance],
    systems: Mapping[str, System],
    measured: Mapping[tuple[str, str], list[_Measurement]],
) -> dict[str, Substance]:
    if not measured:
        return substances
    out = dict(substances)
    for (sid, system), recs in sorted(measured.items()):
        dates = sorted(r.date for r in recs)
        photos = sorted({r.photo for r in recs if r.photo})
        files = sorted({str(r.path) for r in recs})
        span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
        shown = ", ".join(photos[:5]) + (f" and {len(photos) - 5} more" if len(photos) > 5 else "")
        source = (
            f"measured locally on {len(recs)} spot{'s' if len(recs) != 1 else ''}, {span}"
            + (f" (photos: {shown})" if shown else "")
            + f"; {', '.join(files)}"
        )
        value = local_value(
            [r.rf for r in recs], system_tolerance=systems[system].tolerance, source=source
        )
        sub = out[sid]
        out[sid] = _replace(sub, rf={**sub.rf, system: value})
    return out


def add_measurements(folder: Path | str, system: str, records: Sequence[Mapping[str, Any]]) -> Path:
    """Append Rf measurements to ``folder/measurements/<system>.yaml``.

    The file is created with its folders when needed and rewritten whole or
    not at all. A record equal to one already stored (same substance, Rf,
    date and photo: the same plate learnt twice) is not added again.

    Parameters
    ----------
    folder : path
        A local library folder (e.g. :func:`default_local_folder`).
    system : str
        System id the plates were run in (``TA``).
    records : sequence of mapping
        Each ``{"substance": id, "rf": 0.63, "date": "2026-11-24",
        "photo": "plate-017.jpg", "plate": "optional note"}``; ``photo`` and
        ``plate`` are optional.

    Returns
    -------
    Path
        The measurements file.

    Raises
    ------
    LibraryError
        The system id or a record is invalid, or the existing file is broken.
    """
    from tlc.io import write_text_atomic

    folder = Path(folder)
    if not isinstance(system, str) or not SYSTEM_PATTERN.match(system):
        msg = f"system: {system!r} is not a system id such as TA"
        raise LibraryError(msg)
    path = folder / "measurements" / f"{system}.yaml"
    existing: list[dict[str, Any]] = []
    if path.exists():
        problems: list[str] = []
        data = _read_yaml(path, problems)
        if data is not None:
            problems += _measurement_problems(data, path, validate=True)
        if problems:
            raise LibraryInvalid(problems)
        existing = [dict(r) for r in data.get("measurements") or ()]

    new: list[dict[str, Any]] = []
    problems = []
    for i, rec in enumerate(records):
        clean, found = _clean_record(rec, f"{path}: records[{i}]")
        problems += found
        if clean is not None:
            new.append(clean)
    if problems:
        raise LibraryInvalid(problems)

    def key(r: Mapping[str, Any]) -> tuple[Any, ...]:
        return (r["substance"], round(float(r["rf"]), 4), str(r["date"]), r.get("photo", ""))

    have = {key(r) for r in existing}
    for r in new:
        if key(r) not in have:
            existing.append(r)
            have.add(key(r))

    text = _measurements_yaml(system, existing)
    problems = _measurement_problems(_yaml_safe_load(text), path, validate=True)
    if problems:  # pragma: no cover - _clean_record guards every field
        raise LibraryInvalid(problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    return path


def _clean_record(rec: Any, where: str) -> tuple[dict[str, Any] | None, list[str]]:
    if not isinstance(rec, Mapping):
        return None, [f"{where}: must be a mapping with substance, rf and date"]
    out: list[str] = []
    unknown = sorted(set(rec) - {"substance", "rf", "date", "photo", "plate"})
    if unknown:
        out.append(f"{where}.{unknown[0]}: unknown key; allowed: substance, rf, date, photo, plate")
    sub = rec.get("substance")
    if not isinstance(sub, str) or not sub.strip():
        out.append(f"{where}.substance: missing substance id")
    rf = _number(rec.get("rf"))
    if rf is None or not 0 <= rf <= 1:
        out.append(f"{where}.rf: {rec.get('rf')!r} is not an Rf in [0, 1]")
    date = str(rec.get("date") or "")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        out.append(f"{where}.date: {rec.get('date')!r} is not a date YYYY-MM-DD")
    for opt in ("photo", "plate"):
        # Control characters and line separators would not survive a YAML
        # round trip unchanged (and no file name needs them).
        if any(
            unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in str(rec.get(opt) or "")
        ):
            out.append(f"{where}.{opt}: {rec.get(opt)!r} must be one line of printable text")
    if out:
        return None, out
    clean: dict[str, Any] = {"substance": str(sub).strip(), "rf": round(float(rf), 4), "date": date}  # type: ignore[arg-type]
    for opt in ("photo", "plate"):
        if rec.get(opt):
            clean[opt] = str(rec[opt])
    return clean, []


def _measurements_yaml(system: str, records: Sequence[Mapping[str, Any]]) -> str:
    import yaml

    ordered = [
        {k: r[k] for k in ("substance", "rf", "date", "photo", "plate") if k in r} for r in records
    ]
    # One flow mapping per record (easy to read and to edit by hand); PyYAML
    # does the quoting, so any photo name or note survives the round trip.
    body = yaml.safe_dump(
        {"system": system, "measurements": ordered},
        default_flow_style=None,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    )
    schema = (schema_folder() / "measurements.schema.json").as_uri()
    head = (
        f"# yaml-language-server: $schema={schema}\n"
        "# Rf values measured on this service's plates (written by `tlc references learn`).\n"
        "# The library uses their mean and spread instead of the literature values.\n"
    )
    return head + body


def _yaml_safe_load(text: str) -> Any:
    global _LOADER
    import yaml

    if _LOADER is None:
        _LOADER = _yaml_loader()
    return yaml.load(text, Loader=_LOADER)


# --------------------------------------------------------------------------
# Template for `tlc references new`


def substance_template(substance_id: str, *, system: str = "TA") -> str:
    """A commented substance file to fill in; it validates once every TODO is replaced.

    Parameters
    ----------
    substance_id : str
        Id of the new substance (lower-case ASCII words joined by ``-``).
    system : str, optional
        System id used in the commented Rf example.

    Raises
    ------
    LibraryError
        ``substance_id`` is not a valid id.
    """
    if not ID_PATTERN.match(substance_id):
        msg = (
            f"id: {substance_id!r} is not a substance id; use lower-case ASCII words "
            "joined by '-' (cocaine, 6-mam, 3-mmc)"
        )
        raise LibraryError(msg)
    schema = (schema_folder() / "substance.schema.json").as_uri()
    categories = ", ".join(CATEGORIES)
    return f"""\
# yaml-language-server: $schema={schema}
# A new substance for the tlc reference library. Replace every TODO, delete the
# comments you do not need, then check the file with:
#     tlc references validate <this library folder>
# The maintainers' guide is docs/library.md.
id: {substance_id}
names:
  en: "TODO: English name"
  fr: "TODO: nom en français"
# Street names, other spellings, salts; lane labels are matched against them.
aliases: []
# One of: {categories}
category: TODO
description:
  en: "TODO: what kind of substance, in a few plain words"
  fr: "TODO: quel type de substance, en quelques mots simples"
# quenches (dark spot under UV 254) | weak | none (invisible: needs a stain) | unknown
uv254: TODO
# Colour of the spot per reagent, only colours a source documents:
#   stains: {{marquis: red-pink, iodoplatinate: violet}}
stains: {{}}
# Only Rf values you can cite; leave a system out rather than guess (the
# substance is then identified by a co-spotted reference lane only). Example:
#   rf:
#     {system}:
#       rf: 0.59            # or hrf: 59
#       tier: secondary     # reference-compound | secondary | local
#       source: "Authors, title, year, table or page, URL; which plate"
rf: {{}}
harm_reduction:
  en: "TODO: one or two short plain sentences"
  fr: "TODO: une ou deux phrases courtes et simples"
# null, or a risk that raises the card's warning:
#   risk:
#     code: toxic-adulterant  # potent-opioid | opioid | toxic-adulterant | toxic-cut
#                             # | unexpected-strong | sedative
#     why:
#       en: "Why, in one plain sentence."
#       fr: "Pourquoi, en une phrase simple."
risk: null
# For maintainers: values not used and why, what is unconfirmed.
notes: ""
"""


# --------------------------------------------------------------------------
# The table of docs/library.md

#: Short keys of the sources cited in the built-in library, for the docs table.
SOURCE_KEYS = (
    ("Clarke's Analysis", "C"),
    ("Yuldashev", "G"),
    ("Kiszka", "K"),
    ("measured locally", "L"),
)


def markdown_table(library: Library) -> str:
    """The substance table of docs/library.md (kept in sync by a test).

    Each Rf is shown as ``SYSTEM value [source key]``; ``*`` marks a value
    of low confidence. Substances without any value are identified only by
    co-spotted references.
    """

    def key(source: str) -> str:
        for start, short in SOURCE_KEYS:
            if start in source:
                return short
        return "?"

    lines = [
        "| id | English / French | category | UV 254 | Rf (system value [source]) | risk |",
        "|---|---|---|---|---|---|",
    ]
    for sub in library.substances.values():
        rf = ", ".join(
            f"{sid} {v.rf:.2f} [{key(v.source)}]{'*' if v.low_confidence else ''}"
            for sid, v in sub.rf.items()
        )
        lines.append(
            f"| `{sub.id}` | {sub.names.get('en', '')} / {sub.names.get('fr', '')} "
            f"| {sub.category} | {sub.uv254} | {rf or 'none: co-spotted reference only'} "
            f"| {sub.risk or ''} |"
        )
    return "\n".join(lines) + "\n"
