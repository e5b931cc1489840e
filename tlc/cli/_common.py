"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def library_option(fn: F) -> F:
    """``--library DIR`` (repeatable): extra reference folders, searched before the built-in one."""
    return click.option(
        "--library",
        "library_dirs",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Extra reference library folder, searched before the built-in one "
        "(repeatable; also TLC_LIBRARY, separated like PATH).",
    )(fn)


def library_folders(library_dirs: tuple[Path, ...]) -> tuple[Path, ...]:
    """The extra library folders: ``--library`` ones first, then ``TLC_LIBRARY``."""
    env = os.environ.get("TLC_LIBRARY", "")
    from_env = tuple(Path(p) for p in env.split(os.pathsep) if p)
    return tuple(library_dirs) + from_env
