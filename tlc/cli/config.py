"""`tlc config`: where the service configuration is read from, and a template to start one."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("config")
def command() -> None:
    """The service configuration (name, contact, logo, emergency numbers) printed on the card.

    \b
    Read from --config FILE, else $TLC_CONFIG, else
    $XDG_CONFIG_HOME/tlc/service.yaml (~/.config/tlc/service.yaml),
    else built-in defaults. See docs/config.md.
    """


@command.command("path")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="A service file.")
def path_cmd(config_file: Path | None) -> None:
    """Print the file the configuration is read from (or "built-in")."""
    from tlc.config import config_path

    file, origin = config_path(config_file)
    click.echo(str(file) if file else "built-in")
    if origin == "built-in":
        from tlc.config import user_config_path

        click.echo(f"(no file; create one with: tlc config init {user_config_path()})", err=True)


@command.command("show")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="A service file.")
def show_cmd(config_file: Path | None) -> None:
    """Print where the configuration is read from, and every value."""
    from tlc.config import config_path, load_service

    file, origin = config_path(config_file)
    service = load_service(config_file)
    click.echo(f"# read from: {file if file else 'built-in defaults'} ({origin})")
    for key, value in service.to_dict().items():
        if key == "source":
            continue
        if key == "emergency":
            value = ", ".join(f"{e['number']} {e['label']}".strip() for e in value)
        click.echo(f"{key}: {'' if value is None else value}")


@command.command("init")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def init_cmd(path: Path | None) -> None:
    """Write a commented template to PATH (default: the user file); never overwrites."""
    from tlc.config import user_config_path, write_template

    written = write_template(path or user_config_path())
    click.echo(str(written))
