"""tlc: drug checking by thin-layer chromatography.

The stages, in the order the pipeline runs them:

io
    Read the photo (EXIF orientation applied).
plate
    Find the plate and straighten it to a top-down image at a known scale.
lines
    Find the baseline (origin) and the solvent front.
lanes
    Find the lanes, and label them as samples or references.
spots
    Find and measure the spots in every lane.
rf
    Compute Rf values (and corrected Rf with references on the plate).
library
    Load the reference library of substances and solvent systems.
match
    Identify sample spots against co-spotted references, then the library.
report
    Render the result card (text, HTML, PDF), the annotated plate and JSON.
synth
    Render synthetic plates with their truth, for tests and benchmarks.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "analyse"]


def __getattr__(name: str):
    # Importing tlc must stay cheap (``tlc --help`` < 0.3 s): the pipeline,
    # and with it OpenCV and NumPy, load only when asked for.
    if name == "analyse":
        from tlc.pipeline import analyse

        return analyse
    msg = f"module 'tlc' has no attribute {name!r}"
    raise AttributeError(msg)
