"""`tlc references`: list, show, validate and extend the reference library.

The library itself (reading, validation, local measurements) is
:mod:`tlc.library`; this module only parses options and prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from tlc.cli._common import library_folders, library_option


@click.group("references")
def command() -> None:
    """The reference library: solvent systems and substances.

    \b
    Examples:
      tlc references list
      tlc references show cocaine
      tlc references validate
      tlc references new my-cut --into ~/tlc-library
    """


def _load(library_dirs: tuple[Path, ...], *, validate: bool = False):
    from tlc.library import load_library

    return load_library(library_folders(library_dirs), validate=validate)


def _fmt_rf(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the library as one JSON object.")
@click.option(
    "--system",
    "system_id",
    metavar="ID",
    help="Show the Rf in this system (default: the library's default system).",
)
@library_option
def list_command(as_json: bool, system_id: str | None, library_dirs: tuple[Path, ...]) -> None:
    """List the systems and substances of the library.

    A substance with '-' for its Rf has no published value in that system: it
    is identified only against a reference lane run on the same plate.
    """
    lib = _load(library_dirs)
    system = lib.system(system_id)
    if as_json:
        data = lib.to_dict()
        if system_id is not None:
            for sub in data["substances"]:
                sub["rf"] = {k: v for k, v in sub["rf"].items() if k == system.id}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo("Systems (* = default):")
    rows = [["", "id", "tolerance", "name"]]
    for s in lib.systems.values():
        rows.append(["*" if s.default else "", s.id, f"{s.tolerance:.2f}", s.name])
    for line in _table(rows):
        click.echo("  " + line)
    click.echo("")
    click.echo(f"Substances (Rf in {system.id}; '-' = no value, co-spotted reference needed):")
    rows = [["id", "English", "French", "category", "UV 254", f"Rf {system.id}", "tier"]]
    for sub in lib.substances.values():
        value = sub.rf.get(system.id)
        rows.append(
            [
                sub.id,
                sub.names.get("en", ""),
                sub.names.get("fr", ""),
                sub.category,
                sub.uv254,
                _fmt_rf(value.rf if value else None),
                (value.tier + (" (low confidence)" if value.low_confidence else ""))
                if value
                else "",
            ]
        )
    for line in _table(rows):
        click.echo("  " + line)
    n_rf = sum(1 for s in lib.substances.values() if system.id in s.rf)
    click.echo(
        f"\n{len(lib.substances)} substances, {n_rf} with an Rf in {system.id}; "
        f"{len(lib.systems)} systems."
    )


@command.command("show")
@click.argument("substance_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the substance as one JSON object.")
@library_option
def show_command(substance_id: str, as_json: bool, library_dirs: tuple[Path, ...]) -> None:
    """Everything about one substance (ID may be an id, a name or an alias)."""
    lib = _load(library_dirs)
    sub = lib.substance(substance_id)
    if as_json:
        click.echo(json.dumps(sub.to_dict(), ensure_ascii=False, indent=2))
        return
    out = [f"{sub.id}: {sub.names.get('en', '')} / {sub.names.get('fr', '')}"]
    others = {k: v for k, v in sub.names.items() if k not in ("en", "fr")}
    if others:
        out.append("  other names: " + ", ".join(f"{k}: {v}" for k, v in others.items()))
    out.append("  aliases: " + (", ".join(sub.aliases) or "none"))
    out.append(f"  category: {sub.category}")
    for lang, text in sub.description.items():
        out.append(f"  description ({lang}): {text}")
    out.append(f"  UV 254: {sub.uv254}")
    stains = ", ".join(f"{k}: {v}" for k, v in sub.stains.items())
    out.append("  stains: " + (stains or "none documented"))
    if sub.risk:
        out.append(f"  risk: {sub.risk}")
        for lang, text in sub.risk_why.items():
            out.append(f"    {lang}: {text}")
    else:
        out.append("  risk: none flagged")
    out.append("  Rf:")
    if not sub.rf:
        out.append("    no published value: identified only by a co-spotted reference lane")
    for sid, value in sub.rf.items():
        sd = f", sd {value.sd:.3f}" if value.sd is not None else ""
        low = ", LOW CONFIDENCE" if value.low_confidence else ""
        out.append(
            f"    {sid}: {value.rf:.2f} ± {value.tolerance:.2f} "
            f"({value.tier}, n={value.n}{sd}{low})"
        )
        out.append(f"      source: {value.source}")
        lit = sub.rf_literature.get(sid)
        if lit is not None and lit is not value:
            out.append(f"      literature value (not used while local values exist): {lit.rf:.2f}")
            out.append(f"        source: {lit.source}")
    out.append("  harm reduction:")
    for lang, text in sub.harm_reduction.items():
        out.append(f"    {lang}: {text}")
    if sub.notes:
        out.append(f"  notes: {sub.notes}")
    out.append(f"  file: {sub.source_file}")
    click.echo("\n".join(out))


@command.command("validate")
@click.argument(
    "folder", required=False, type=click.Path(file_okay=False, path_type=Path), metavar="[DIR]"
)
@library_option
def validate_command(folder: Path | None, library_dirs: tuple[Path, ...]) -> None:
    """Check the library files against their schemas and each other.

    With DIR, check that library folder (with the built-in library behind it,
    so that it may use the built-in systems); without, every folder that
    `tlc analyse` would read. Each problem is printed on its own line as
    FILE: field: what is wrong, and the exit status is 2.
    """
    from tlc.errors import LibraryError
    from tlc.library import LibraryInvalid, load_library

    try:
        if folder is not None:
            lib = load_library([folder], local=False, validate=True)
        else:
            lib = load_library(library_folders(library_dirs), validate=True)
    except LibraryInvalid as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        n = len(exc.problems)
        msg = f"{n} problem{'s' if n != 1 else ''} found in the library; fix the files named above"
        raise LibraryError(msg) from None
    folders = ", ".join(str(f) for f in lib.folders)
    click.echo(f"valid: {len(lib.systems)} systems, {len(lib.substances)} substances ({folders})")


@command.command("new")
@click.argument("substance_id", metavar="ID")
@click.option(
    "--into",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Library folder to write into (default: your local library, ~/.local/share/tlc/library).",
)
@library_option
def new_command(substance_id: str, into: Path | None, library_dirs: tuple[Path, ...]) -> None:
    """Write a commented template for a new substance, DIR/substances/ID.yaml.

    Fill in every TODO, then run `tlc references validate DIR`. An existing
    file is never overwritten. A file whose id is already in the library
    overrides that entry (when its folder is searched first).
    """
    from tlc.errors import LibraryError
    from tlc.io import write_text_atomic
    from tlc.library import default_local_folder, substance_template

    folder = into if into is not None else default_local_folder()
    text = substance_template(substance_id)
    path = folder / "substances" / f"{substance_id}.yaml"
    if path.exists():
        msg = f"{path} already exists; edit it, or choose another id"
        raise LibraryError(msg)
    try:
        existing = _load(library_dirs).resolve(substance_id)
    except LibraryError:
        existing = None  # a broken library must not stop a maintainer adding a file
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)
    click.echo(str(path))
    if existing is not None:
        click.echo(
            f"note: {substance_id!r} is already in the library ({existing.source_file}); "
            "this file overrides it when its folder is searched first",
            err=True,
        )
    click.echo(f"fill in every TODO, then run: tlc references validate {folder}", err=True)


def _add_learn() -> None:
    from tlc.cli.learn import command as learn

    command.add_command(learn)


_add_learn()
