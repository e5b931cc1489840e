"""The docs cannot drift from the command: docs/cli.md is generated and checked here.

Also: every command has a help text, the README's quick start is the one
``.ci/run`` runs, and the links between the docs lead to files that exist.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _maker():
    spec = importlib.util.spec_from_file_location("make_cli_md", DOCS / "make_cli_md.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def commands():
    from tlc.cli import cli

    return [(" ".join(path), cmd) for path, cmd, _ in _maker().walk(cli, ("tlc",))]


def test_the_walk_finds_every_command():
    names = {name for name, _ in commands()}
    assert {
        "tlc",
        "tlc analyse",
        "tlc evaluate",
        "tlc card",
        "tlc synth",
        "tlc references",
        "tlc references validate",
        "tlc references list",
        "tlc config",
    } <= names


@pytest.mark.parametrize(("name", "command"), commands())
def test_every_command_has_help_and_is_in_cli_md(name, command):
    assert (command.help or "").strip(), f"{name} has no help text"
    assert "(Not available yet.)" not in command.help
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert f"`{name}`" in text
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{name} {param.opts[0]} has no help text"
            assert param.opts[-1] in text


def test_cli_md_is_up_to_date():
    expected = _maker().render()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is out of date; run: python docs/make_cli_md.py"


def test_the_script_checks_and_writes(tmp_path, monkeypatch):
    maker = _maker()
    target = tmp_path / "cli.md"
    monkeypatch.setattr(maker, "target", lambda: target)
    monkeypatch.setattr(sys, "argv", ["make_cli_md.py", "--check"])
    assert maker.main() == 1
    monkeypatch.setattr(sys, "argv", ["make_cli_md.py"])
    assert maker.main() == 0
    monkeypatch.setattr(sys, "argv", ["make_cli_md.py", "--check"])
    assert maker.main() == 0
    assert target.read_text(encoding="utf-8") == maker.render()


def test_contract_options_are_documented():
    # The options CONTRACT.md promises for `tlc analyse`.
    from tlc.cli.analyse import command

    opts = {o for p in command.params for o in getattr(p, "opts", ())}
    for opt in (
        "--system",
        "--lanes",
        "--layout",
        "--json",
        "--out",
        "--lang",
        "--library",
        "--card",
    ):
        assert opt in opts


def quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block, "README: no code block under Quick start"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_quick_start_is_what_ci_runs():
    lines = quick_start()
    assert len(lines) == 2
    install, analyse = (part.strip() for part in lines[0].split("&&"))
    assert install == 'pip install -e ".[test]"'
    assert analyse.startswith("tlc analyse samples/")
    assert lines[1] == "pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci
    for command in (install, analyse, "pytest"):
        assert command in ci, f".ci/run does not run the README's {command!r}"


def test_readme_analyse_command_runs(tmp_path):
    # The README's command, on a copy of the sample so the checkout stays clean.
    analyse = quick_start()[0].split("&&")[1].strip()
    argv = shlex.split(analyse)
    sample = ROOT / argv[2]
    assert sample.is_file()
    copy = tmp_path / sample.name
    copy.write_bytes(sample.read_bytes())
    argv = [
        sys.executable,
        str(ROOT / "cli.py"),
        *argv[1:2],
        str(copy),
        *argv[3:],
        "--card",
        "none",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "cocaine" in proc.stdout


def test_readme_picture_is_small_and_present():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert pictures
    for pic in pictures:
        p = ROOT / pic
        assert p.is_file(), pic
        assert p.stat().st_size < 300_000


@pytest.mark.parametrize("doc", ["README.md", "docs/user-guide.md", "docs/cli.md", "CHANGES.md"])
def test_relative_links_lead_somewhere(doc):
    path = ROOT / doc
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (path.parent / target).exists(), f"{doc}: broken link {target}"


def test_user_guide_layout_example_loads(tmp_path):
    from tlc.layout import load_layout

    text = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block, "docs/user-guide.md: no yaml example"
    p = tmp_path / "plate.layout.yaml"
    p.write_text(block.group(1), encoding="utf-8")
    layout = load_layout(p)
    assert layout.lanes
    assert layout.samples
