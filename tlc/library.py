"""The reference library: solvent systems and substances, from YAML files.

(Being written: the loader and validation land with the library issue. The
dataclasses below are the interface the rest of the package relies on.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    """

    rf: float
    tolerance: float
    tier: str
    source: str
    n: int = 1
    sd: float | None = None


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
        (used for the corrected Rf).
    source : str
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
        ``cannabinoid``, ``benzodiazepine``, ``cutting-agent``,
        ``adulterant``, ``diluent``, ``medicine``...
    description : dict of str to str
        What kind of substance it is, in a few plain words per language
        ("a veterinary medicine used to cut cocaine").
    uv254 : str
        ``"quenches"`` (dark spot under UV 254), ``"weak"`` or ``"none"``
        (invisible under UV: needs a stain).
    stains : dict of str to str
        Reagent -> colour of the spot.
    rf : dict of str to RfValue
        System id -> Rf. Absent systems: no literature value; identified
        only by co-spotted references.
    harm_reduction : dict of str to str
        One or two plain sentences per language.
    risk : str or None
        ``None``, or why the substance is dangerous when found (``"potent-opioid"``,
        ``"toxic-adulterant"``...): it raises the card's warning.
    source_file : str
        The YAML file it was read from.
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

    def name(self, lang: str) -> str:
        """Everyday name in ``lang``, falling back to English."""
        return self.names.get(lang) or self.names.get("en") or self.id


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

    def to_dict(self) -> dict[str, Any]:
        """JSON of ``tlc references list --json``."""
        raise NotImplementedError
