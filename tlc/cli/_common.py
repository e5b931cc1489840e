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


def check_jpeg_complete(path: Path) -> None:
    """Refuse a JPEG file that stops before its end-of-image marker.

    OpenCV decodes a truncated JPEG without an error: libjpeg prints "Premature
    end of JPEG file" on stderr and fills the missing part with grey, and the
    analysis then fails later with a misleading message (no baseline). This
    walks the file's marker segments, skipping the compressed data, up to the
    end-of-image marker; data after it (phone makers append some) is ignored.
    Files that are not JPEG, or that cannot be read, are left to
    :func:`tlc.io.read_image` to report.

    Raises
    ------
    ImageError
        If the file is a JPEG that ends before its end-of-image marker.
    """
    from tlc.errors import ImageError

    try:
        data = path.read_bytes() if path.is_file() else b""
    except OSError:
        return
    if not data.startswith(b"\xff\xd8\xff") or _jpeg_ends(data):
        return
    msg = f"{path}: the JPEG file is truncated (cut off before its end); copy the photo again"
    raise ImageError(msg)


def _jpeg_ends(data: bytes) -> bool:
    # Marker segments: FF xx, then a two-byte length (except standalone markers).
    # After SOS (FF DA) comes compressed data, in which FF is followed by 00
    # (a stuffed byte) or D0-D7 (restart markers) only; the next other marker
    # ends the scan. EOI is FF D9.
    n = len(data)
    i = 2
    while i + 1 < n:
        if data[i] != 0xFF:
            i += 1  # tolerate stray bytes between segments, as libjpeg does
            continue
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            return True
        if marker in (0x01, *range(0xD0, 0xD8)):
            i += 2
            continue
        if i + 3 >= n:
            return False
        length = (data[i + 2] << 8) | data[i + 3]
        i += 2 + length
        if marker == 0xDA:
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return False
                nxt = data[j + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    i = j + 1 if nxt == 0xFF else j + 2
                    continue
                i = j
                break
    return False
