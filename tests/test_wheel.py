"""The wheel carries the reference library, and tlc finds it there.

Builds the wheel with pip (no network: ``--no-build-isolation``, hatchling is
a test dependency) into ``tmp_path``, checks its file list, then unpacks it
and loads the library from the unpacked package in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (path,) = out.glob("*.whl")
    return path


def test_wheel_holds_the_library(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "tlc/references/substances/cocaine.yaml",
        "tlc/references/systems/TA.yaml",
        "tlc/references/schema/substance.schema.json",
        "tlc/references/schema/system.schema.json",
        "tlc/references/schema/measurements.schema.json",
    ):
        assert name in names
    n_subs = sum(1 for n in names if n.startswith("tlc/references/substances/"))
    assert n_subs == len(list((ROOT / "references" / "substances").glob("*.yaml")))


def test_installed_package_finds_its_library(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from tlc.library import builtin_folder, load_library;"
        "lib = load_library(local=False, validate=True);"
        "print(builtin_folder()); print(len(lib.substances))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", code, str(site)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=60,
        env={"XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"},
    )
    folder, count = result.stdout.split()
    assert Path(folder) == site / "tlc" / "references"
    assert int(count) >= 40
