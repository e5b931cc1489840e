"""PDF card benchmark: how long the result card takes to render.

    python bench/card.py [--lang fr] [--repeat 5] [--json]

Analyses synthetic plates with 1, 2 and 6 sample lanes (``tlc.synth``, seed
3, as ``tlc synth --lanes N --seed 3``), then renders each card as PDF on A4
and A5 paper, as ``tlc analyse`` does (with the annotated plate on the staff
page), and prints the median render time. Importing matplotlib's figure and
PDF backend is timed once, apart: ``tlc analyse`` pays it once per run. The
numbers are quoted in the docstring of tlc/report/pdf.py.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = (1, 2, 6)
PAPERS = ("a4", "a5")


def analysed(n: int, library: Any) -> tuple[Any, Any]:
    """The analysis of a synthetic plate with ``n`` sample lanes, and its annotated picture."""
    from tlc.pipeline import analyse
    from tlc.plate import rectify
    from tlc.report.overlay import annotate
    from tlc.synth import make_plate

    image, _ = make_plate(lanes=n, rng=3)
    analysis = analyse(image, library=library, image_name=f"synthetic-{n}.jpg")
    return analysis, annotate(rectify(image, analysis.plate), analysis)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", default="fr", help="card language (default fr)")
    ap.add_argument("--repeat", type=int, default=5, help="renders per case (default 5)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    import pypdf

    from tlc.config import Service
    from tlc.library import builtin_folder, load_library
    from tlc.report import render_pdf

    library = load_library([builtin_folder()], validate=False)
    service = Service(name="CAARUD Test", phone="05 00 00 00 00", lab_analysis="SINTES")
    cases = {n: analysed(n, library) for n in SAMPLES}

    t0 = time.perf_counter()
    import matplotlib.backends.backend_pdf
    import matplotlib.figure  # noqa: F401

    result: dict = {"imports_s": round(time.perf_counter() - t0, 3), "cards": []}
    first = True
    for n, (analysis, picture) in cases.items():
        for paper in PAPERS:
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                data = render_pdf(
                    analysis, library, lang=args.lang, service=service, picture=picture, paper=paper
                )
                times.append(time.perf_counter() - t)
            pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
            result["cards"].append(
                {
                    "samples": sum(lr.sample is not None for lr in analysis.lanes) or n,
                    "paper": paper,
                    "pages": pages,
                    "kib": round(len(data) / 1024),
                    # The first render of the process also reads the fonts' metrics.
                    "first_s": round(times[0], 3) if first else None,
                    "median_s": round(statistics.median(times), 3),
                }
            )
            first = False
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"import matplotlib.figure + backend_pdf: {result['imports_s']:.3f} s")
    print("samples  paper  pages   KiB   median s   (first render of the process)")
    for c in result["cards"]:
        extra = f"   ({c['first_s']:.3f} s)" if c["first_s"] is not None else ""
        print(
            f"{c['samples']:>7}  {c['paper']:>5}  {c['pages']:>5}  {c['kib']:>4}  "
            f"{c['median_s']:>9.3f}{extra}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
