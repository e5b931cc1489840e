"""Reading a small YAML file of ``key: value`` lines, with one-line errors.

The service configuration, the layout files and the message catalogues are
all such files, and each turns the same problems (missing, unreadable, not
YAML, not a mapping) into its own error class. The wording of each problem
stays the caller's, so every message still names the file and says what to
do. PyYAML loads only when a file is read, so the command line starts fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tlc.errors import TlcError


def _a_type(value: Any) -> str:
    return f"a {type(value).__name__}"


def load_yaml_mapping(
    path: str | os.PathLike[str],
    *,
    error: type[TlcError],
    expected: str,
    missing: str | None = None,
    unreadable: str | None = None,
    kind: Callable[[Any], str] = _a_type,
) -> dict[Any, Any]:
    """Read a YAML file that holds a mapping.

    Every message starts with the file's name and a colon.

    Parameters
    ----------
    path : str or path-like
        The file.
    error : subclass of TlcError
        The class of every error raised.
    expected : str
        What the file should hold, for a file that is not a mapping:
        ``"<path>: <expected>, found <kind(data)>"``.
    missing : str, optional
        Message for a file that does not exist (``"<path>: <missing>"``);
        None: a missing file is reported as unreadable.
    unreadable : str, optional
        Message for a file that cannot be read or is not UTF-8; default:
        ``"cannot be read (<the OS or decoding error>)"``.
    kind : callable, optional
        Describes the value found instead of a mapping; default:
        ``"a <type name>"`` (``"a list"``).

    Returns
    -------
    dict
        The file's mapping; ``{}`` for an empty file.

    Raises
    ------
    TlcError
        Of class ``error``: the file is missing, unreadable, not valid YAML
        (the message gives the line) or holds something else than a mapping.
    """
    p = Path(path)
    if missing is not None and not p.is_file():
        msg = f"{p}: {missing}"
        raise error(msg)
    import yaml

    try:
        # libyaml's loader when PyYAML has it: the message catalogues are read
        # on every analysis, and the pure-Python parser takes 20-30 ms on them.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{p}: {unreadable if unreadable is not None else f'cannot be read ({exc})'}"
        raise error(msg) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        msg = f"{p}: not valid YAML{where}; check the indentation and the quotes"
        raise error(msg) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        msg = f"{p}: {expected}, found {kind(data)}"
        raise error(msg)
    return data
