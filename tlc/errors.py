"""Errors raised by the pipeline.

Every message is one sentence that a member of staff can act on. Only
:mod:`tlc.cli` turns these into exit codes (``exit_code`` below), so the
library can be used from Python without ``sys.exit`` surprises.
"""

from __future__ import annotations


class TlcError(Exception):
    """Base class: the input was read but the job could not be done."""

    exit_code = 3


class ImageError(TlcError):
    """The image file is missing, unreadable, not an image or too small."""

    exit_code = 2


class PlateNotFound(TlcError):
    """No TLC plate could be found in the photo."""

    exit_code = 3


class LinesNotFound(TlcError):
    """The baseline (origin) or the solvent front could not be found."""

    exit_code = 3


class FrontNotFound(LinesNotFound):
    """A baseline was found but no solvent front above it."""


class LibraryError(TlcError):
    """The reference library is invalid, or an id is not in it."""

    exit_code = 2


class LayoutError(TlcError):
    """A layout file or the ``--lanes``/``--system`` options are invalid."""

    exit_code = 2


class ConfigError(TlcError):
    """The service configuration file is invalid."""

    exit_code = 2
