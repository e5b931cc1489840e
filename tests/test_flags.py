"""Tests of the quality-flag registry (tlc.flags).

Every flag name the code attaches to a plate, a line, a lane or a spot must
be registered, so that the JSON, the card and the docs can explain it. The
names are found by reading the source of ``tlc/`` (not by running it): a
string literal is a flag name when it is appended or added to, assigned to,
passed as, or tested for membership in something whose name contains
``flag``.

Tolerances: none (names are compared exactly).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import tlc
from tlc import flags as flagreg
from tlc.flags import FLAGS, Flag, check, register

SOURCE = Path(tlc.__file__).parent
CONVENTIONS = Path(__file__).resolve().parents[1] / "docs" / "conventions.md"
START, END = "<!-- flags:start -->", "<!-- flags:end -->"
NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")


def _mentions_flag(node: ast.AST) -> bool:
    return "flag" in ast.unparse(node).lower()


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and NAME.match(n.value)
    }


def flag_names_in_source() -> dict[str, set[str]]:
    """Flag-like string literals used as flags anywhere in tlc/, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "flags.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                # flags.append("x"), flags.add("x"), flags.extend([...])
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr in ("append", "add", "extend", "update")
                    and _mentions_flag(func.value)
                ):
                    for arg in node.args:
                        names |= _strings(arg)
                # check([...]) from the registry
                if isinstance(func, ast.Attribute) and func.attr == "check":
                    for arg in node.args:
                        names |= _strings(arg)
                for kw in node.keywords:
                    if kw.arg and "flag" in kw.arg:
                        names |= _strings(kw.value)
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(_mentions_flag(t) for t in targets) and node.value is not None:
                    names |= _strings(node.value)
            elif isinstance(node, ast.Compare):
                if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops) and any(
                    _mentions_flag(c) for c in node.comparators
                ):
                    names |= _strings(node.left)
        if names:
            found[str(path.relative_to(SOURCE))] = names
    return found


def import_everything() -> None:
    # Modules may register their own flags at import time.
    for info in pkgutil.walk_packages(tlc.__path__, "tlc."):
        importlib.import_module(info.name)


def test_the_source_scan_finds_flags():
    # If the scan found nothing, the next test could not fail.
    found = flag_names_in_source()
    every = set().union(*found.values())
    assert {"spot_on_origin", "plate_rotated", "lane_empty", "front_from_edge"} <= every
    assert len(every) >= 15


def test_every_flag_used_in_the_code_is_registered():
    import_everything()
    unregistered = {
        f"{file}: {name}"
        for file, names in flag_names_in_source().items()
        for name in names
        if name not in FLAGS
    }
    assert sorted(unregistered) == []


def test_registry_entries_are_well_formed():
    assert all(FLAGS[f.name] is f for f in flagreg._FLAGS)
    for name, flag in FLAGS.items():
        assert flag.name == name
        assert NAME.match(name), name
        assert flag.level in ("info", "warning", "critical"), name
        assert flag.description.endswith("."), name
        assert flag.description[0].isupper(), name
    assert len({f.name for f in flagreg._FLAGS}) == len(flagreg._FLAGS)  # no duplicates


def test_check_sorts_and_deduplicates():
    assert check(["spot_faint", "spot_bright", "spot_faint"]) == ("spot_bright", "spot_faint")
    assert check([]) == ()


def test_check_refuses_an_unknown_flag():
    with pytest.raises(KeyError, match="unregistered flag 'spot_purple'"):
        check(["spot_faint", "spot_purple"])


def test_register_adds_once(monkeypatch):
    monkeypatch.setattr(flagreg, "FLAGS", dict(FLAGS))
    flag = Flag("spot_test_only", "info", "A flag made by a test.")
    assert register(flag) is flag
    assert flagreg.FLAGS["spot_test_only"] is flag
    assert check(["spot_test_only"]) == ("spot_test_only",)
    with pytest.raises(ValueError, match="flag 'spot_test_only' is already registered"):
        register(Flag("spot_test_only", "warning", "Another."))


# --------------------------------------------------------------------------- #
# the table in docs/conventions.md
# --------------------------------------------------------------------------- #


def flags_table() -> str:
    """The Markdown table of every registered flag, in registry order."""
    import_everything()
    rows = ["| flag | level | meaning |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {f.level} | {f.description} |" for f in FLAGS.values()]
    return "\n".join(rows)


def doc_table(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def test_conventions_lists_every_flag():
    text = CONVENTIONS.read_text(encoding="utf-8")
    table = doc_table(text)
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.MULTILINE)
    assert sorted(set(FLAGS) - set(listed)) == [], "run: python tests/test_flags.py --write"
    assert sorted(set(listed) - set(FLAGS)) == [], "run: python tests/test_flags.py --write"
    assert table == flags_table(), "run: python tests/test_flags.py --write"


def write_conventions_table() -> None:
    """Replace the flags table of docs/conventions.md with the registry's."""
    from tlc.io import write_text_atomic

    text = CONVENTIONS.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    write_text_atomic(CONVENTIONS, f"{head}{START}\n{flags_table()}\n{END}{tail}")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        write_conventions_table()
    else:
        print(flags_table())
