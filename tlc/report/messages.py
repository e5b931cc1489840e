"""Message catalogues: all the wording of the result card, per language.

The catalogues are YAML files of nested keys (``tlc/report/messages/en.yaml``,
``fr.yaml``); a key is written with dots (``advice.never_alone``) and a value
may hold ``{placeholders}``. A service can change the wording, or add a
language, with a folder of its own ``<lang>.yaml`` files (the ``messages``
field of the service configuration): only the keys it changes are needed,
the rest comes from the built-in catalogue of that language, then English.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tlc._yaml import load_yaml_mapping
from tlc.errors import ConfigError

#: Folder of the built-in catalogues.
BUILTIN_DIR = Path(__file__).with_name("messages")

#: Language of last resort: every key exists in it.
FALLBACK = "en"


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested catalogue -> ``{"a.b.c": "text"}``.

    Parameters
    ----------
    tree : dict
        The parsed YAML; leaves must be strings (numbers are turned into text).
    prefix : str
        Prepended to every key (used for recursion).

    Raises
    ------
    ValueError
        If a leaf is a list or another non-text value.
    """
    out: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{full}."))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            out[full] = str(value)
        else:
            msg = f"{full}: expected a text, found a {type(value).__name__}"
            raise ValueError(msg)
    return out


@lru_cache(maxsize=16)
def _read(path: str, mtime: float) -> dict[str, str]:
    # mtime is part of the cache key so that an edited file is read again.
    del mtime
    p = Path(path)
    data = load_yaml_mapping(
        p, error=ConfigError, expected="a message catalogue holds `key: text` lines"
    )
    try:
        return flatten(data)
    except ValueError as exc:
        msg = f"{p}: {exc}"
        raise ConfigError(msg) from exc


def read_catalogue(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read one catalogue file into a flat ``{key: text}`` dict.

    Raises
    ------
    ConfigError
        If the file cannot be read, is not YAML, or holds a non-text value.
    """
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        msg = f"{p}: cannot be read ({exc.strerror or exc})"
        raise ConfigError(msg) from exc
    return _read(str(p), mtime)


def languages(extra: Path | None = None) -> tuple[str, ...]:
    """Languages with a catalogue: the built-in ones and those in ``extra``."""
    found = {p.stem for p in BUILTIN_DIR.glob("*.yaml")}
    if extra is not None and extra.is_dir():
        found |= {p.stem for p in extra.glob("*.yaml")}
    return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The wording of one language, ready to use.

    Attributes
    ----------
    lang : str
        Language code.
    texts : dict of str to str
        Flat key -> text (already merged: service file, built-in, English).
    """

    lang: str
    texts: dict[str, str]

    def t(self, key: str, /, **args: Any) -> str:
        """The text of ``key`` with its ``{placeholders}`` filled from ``args``.

        Raises
        ------
        KeyError
            If ``key`` is in no catalogue (a programming error: the tests
            check that every key used exists) or a placeholder has no value.
        """
        try:
            text = self.texts[key]
        except KeyError:
            msg = f"message key {key!r} is missing from the {self.lang} catalogue"
            raise KeyError(msg) from None
        if not args and "{" not in text:
            return text
        return text.format(**args)

    def has(self, key: str) -> bool:
        """True when ``key`` has a text."""
        return key in self.texts


def catalogue(lang: str, *, extra: Path | None = None) -> Catalogue:
    """The catalogue of ``lang``, with a service's overrides applied.

    Parameters
    ----------
    lang : str
        Language code (``fr``, ``en``, or one that ``extra`` adds).
    extra : Path, optional
        A folder of ``<lang>.yaml`` files whose keys win over the built-in ones.

    Returns
    -------
    Catalogue

    Raises
    ------
    ConfigError
        If no catalogue exists for ``lang``, or a catalogue file is invalid.
    """
    available = languages(extra)
    if lang not in available:
        msg = f"no card wording for language {lang!r}; use one of: {', '.join(available)}"
        raise ConfigError(msg)
    texts = dict(read_catalogue(BUILTIN_DIR / f"{FALLBACK}.yaml"))
    own = BUILTIN_DIR / f"{lang}.yaml"
    if lang != FALLBACK and own.is_file():
        texts.update(read_catalogue(own))
    if extra is not None:
        override = extra / f"{lang}.yaml"
        if override.is_file():
            texts.update(read_catalogue(override))
    return Catalogue(lang=lang, texts=texts)


def t(key: str, /, lang: str = FALLBACK, **args: Any) -> str:
    """Shortcut: ``catalogue(lang).t(key, **args)`` with the built-in wording."""
    return catalogue(lang).t(key, **args)


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in ``text``."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
