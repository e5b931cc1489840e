"""The service configuration: who prints the result card, and how to reach them.

A drug-checking service puts its name, address, phone, opening hours, logo,
where a laboratory analysis can be asked for and the emergency numbers in a
small YAML file. ``load_service`` reads it from, in order:

1. the ``path`` given (``--config FILE``);
2. the ``TLC_CONFIG`` environment variable;
3. ``$XDG_CONFIG_HOME/tlc/service.yaml`` (``~/.config/tlc/service.yaml``);
4. else built-in defaults: a neutral "Drug checking service" with no
   contact, and the card tells the person to ask staff.

Relative paths inside the file (``logo``, ``messages``) are taken from the
file's own folder, so a service can keep everything in one folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from tlc._yaml import load_yaml_mapping
from tlc.errors import ConfigError

#: Languages the built-in catalogues hold; a service may add more (``messages``).
BUILTIN_LANGUAGES = ("en", "fr")

#: France: SAMU (medical emergencies) and the European emergency number.
DEFAULT_EMERGENCY: tuple[tuple[str, str], ...] = (("15", "SAMU"), ("112", ""))

_TEXT_FIELDS = ("name", "address", "phone", "email", "website", "hours", "lab_analysis")


@dataclass(frozen=True, slots=True)
class Service:
    """The service that prints the card.

    Attributes
    ----------
    name : str
        Shown at the top of every card.
    address, phone, email, website, hours : str or None
        Contact lines; absent ones are left out.
    logo : Path or None
        A PNG, JPEG or SVG file, embedded in the HTML and PDF cards.
    lab_analysis : str or None
        Where a further (laboratory) analysis can be asked for, e.g.
        "SINTES, through your CAARUD". None: the card says to ask staff.
    emergency : tuple of (str, str)
        ``(number, label)`` pairs, e.g. ``("15", "SAMU")``; label may be "".
    language : str or None
        Default language of the card (``fr``, ``en``); None: from the locale.
    messages : Path or None
        A folder of ``<lang>.yaml`` catalogues that override the built-in
        wording or add a language (see docs/card.md).
    source : Path or None
        The file it was read from; None for the built-in defaults.
    """

    name: str = "Drug checking service"
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    hours: str | None = None
    logo: Path | None = None
    lab_analysis: str | None = None
    emergency: tuple[tuple[str, str], ...] = DEFAULT_EMERGENCY
    language: str | None = None
    messages: Path | None = None
    source: Path | None = field(default=None, compare=False)

    @property
    def has_contact(self) -> bool:
        """True when at least one way to reach the service is known."""
        return any((self.address, self.phone, self.email, self.website))

    def to_dict(self) -> dict[str, Any]:
        """JSON/YAML-safe dict (paths as strings)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif f.name == "emergency":
                value = [{"number": n, "label": lab} for n, lab in value]
            out[f.name] = value
        return out


def config_path(path: str | os.PathLike[str] | None = None) -> tuple[Path | None, str]:
    """Where the service file is read from, and why.

    Parameters
    ----------
    path : str or path-like, optional
        A file given on the command line (``--config``).

    Returns
    -------
    path : Path or None
        The file that :func:`load_service` reads; None when no file applies
        (built-in defaults).
    origin : str
        ``"--config"``, ``"TLC_CONFIG"``, ``"user"`` (the XDG file exists)
        or ``"built-in"``.
    """
    if path is not None:
        return Path(path), "--config"
    env = os.environ.get("TLC_CONFIG")
    if env:
        return Path(env), "TLC_CONFIG"
    user = user_config_path()
    if user.is_file():
        return user, "user"
    return None, "built-in"


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/tlc/service.yaml``, or ``~/.config/tlc/service.yaml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tlc" / "service.yaml"


def load_service(path: str | os.PathLike[str] | None = None) -> Service:
    """Read the service configuration.

    Parameters
    ----------
    path : str or path-like, optional
        The file to read; default: ``TLC_CONFIG``, then the user file, then
        built-in defaults (see the module docstring).

    Returns
    -------
    Service

    Raises
    ------
    ConfigError
        If the file named by ``path`` or ``TLC_CONFIG`` does not exist, is
        not YAML, or a field is unknown or of the wrong type; the message
        names the file and the field.
    """
    file, origin = config_path(path)
    if file is None:
        return Service()
    via = "--config" if origin == "--config" else origin
    data = load_yaml_mapping(
        file,
        error=ConfigError,
        missing=f"no such configuration file (given by {via}); run `tlc config init {file}`",
        expected="expected `field: value` lines",
    )
    return parse_service(data, source=file)


def parse_service(data: dict[str, Any], *, source: Path | None = None) -> Service:
    """Build a :class:`Service` from a mapping (the parsed YAML).

    Parameters
    ----------
    data : dict
        Field -> value, as in the YAML file.
    source : Path, optional
        The file it came from: relative paths are resolved from its folder,
        and messages name it.

    Returns
    -------
    Service

    Raises
    ------
    ConfigError
        If a field is unknown or its value has the wrong type.
    """
    where = str(source) if source else "service configuration"
    base = source.parent if source else Path.cwd()
    known = {f.name for f in fields(Service)} - {"source"}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            msg = f"{where}: {key}: unknown field (known: {', '.join(sorted(known))})"
            raise ConfigError(msg)
        if value is None:
            continue
        if key in _TEXT_FIELDS:
            if not isinstance(value, str):
                # An unquoted phone number is read by YAML as a number (0556... as
                # octal!): refuse it rather than print a wrong number.
                msg = f'{where}: {key}: expected a text value; put it in quotes ("...")'
                raise ConfigError(msg)
            text = str(value).strip()
            if key == "name" and not text:
                msg = f"{where}: name: must not be empty"
                raise ConfigError(msg)
            kwargs[key] = text or None
        elif key in ("logo", "messages"):
            if not isinstance(value, str) or not value.strip():
                msg = f"{where}: {key}: expected a file or folder path"
                raise ConfigError(msg)
            p = Path(os.path.expanduser(value.strip()))
            p = p if p.is_absolute() else base / p
            if key == "logo" and not p.is_file():
                msg = f"{where}: logo: {p} does not exist"
                raise ConfigError(msg)
            if key == "logo" and p.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
                msg = f"{where}: logo: {p.name} must be a PNG, JPEG or SVG file"
                raise ConfigError(msg)
            if key == "messages" and not p.is_dir():
                msg = f"{where}: messages: {p} is not a folder"
                raise ConfigError(msg)
            kwargs[key] = p
        elif key == "language":
            if not isinstance(value, str) or not value.strip().isalpha():
                msg = f"{where}: language: expected a language code such as fr or en"
                raise ConfigError(msg)
            kwargs[key] = value.strip().lower()
        elif key == "emergency":
            kwargs[key] = _parse_emergency(value, where)
    return Service(**kwargs, source=source)


def _parse_emergency(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    # Accept both `- {number: "15", label: SAMU}` and `- "15"` items, since
    # the short form is what people write first.
    if not isinstance(value, list):
        msg = f"{where}: emergency: expected a list such as [{{number: '15', label: SAMU}}]"
        raise ConfigError(msg)
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str | int) and not isinstance(item, bool):
            out.append((str(item), ""))
            continue
        if not isinstance(item, dict) or "number" not in item:
            msg = f"{where}: emergency[{i}]: expected a number, or number: and label:"
            raise ConfigError(msg)
        extra = set(item) - {"number", "label"}
        if extra:
            msg = f"{where}: emergency[{i}]: unknown field {sorted(extra)[0]}"
            raise ConfigError(msg)
        out.append((str(item["number"]), str(item.get("label") or "")))
    return tuple(out)


#: The commented file written by ``tlc config init``.
TEMPLATE = """\
# tlc service configuration: what the result card says about your service.
# Read by `tlc analyse` and `tlc card`; `tlc config show` tells which file is used.
# Every field is optional. Relative paths are taken from this file's folder.

# Shown at the top of every card.
name: "Drug checking service"

# Contact lines; null (or leaving the line out) prints nothing.
# Examples: address: "12 rue ..., 33000 Bordeaux"   phone: "05 .. .. .. .."
address: null
phone: null
email: null
website: null
hours: null

# A PNG, JPEG or SVG logo, embedded in the HTML and PDF cards.
logo: null

# Where a further (laboratory) analysis can be asked for.
# Example: "SINTES (OFDT), through our service"; null: the card says to ask staff.
lab_analysis: null

# Emergency numbers printed with the advice (France: 15 SAMU, 112).
emergency:
  - {number: "15", label: "SAMU"}
  - {number: "112", label: ""}

# Default language of the card: fr or en (the --lang option wins; null: the locale).
language: null

# A folder of <lang>.yaml files that change the card's wording or add a
# language (see docs/card.md). Only the keys you change are needed.
messages: null
"""


def write_template(path: str | os.PathLike[str]) -> Path:
    """Write the commented template to ``path``, creating its folder.

    Raises
    ------
    ConfigError
        If ``path`` already exists (it is never overwritten) or cannot be written.
    """
    from tlc.io import write_text_atomic

    p = Path(path)
    if p.exists():
        msg = f"{p}: already exists; edit it, or choose another path"
        raise ConfigError(msg)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(p, TEMPLATE)
    except OSError as exc:
        msg = f"{p}: cannot be written ({exc.strerror or exc})"
        raise ConfigError(msg) from exc
    return p
