"""`tlc evaluate` (being written)."""

from __future__ import annotations

import click


@click.command("evaluate")
def command() -> None:
    """(Not available yet.)"""
    raise click.ClickException("tlc evaluate is not available yet")
