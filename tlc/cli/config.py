"""`tlc config` (being written)."""

from __future__ import annotations

import click


@click.command("config")
def command() -> None:
    """(Not available yet.)"""
    raise click.ClickException("tlc config is not available yet")
