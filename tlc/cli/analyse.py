"""`tlc analyse` (being written)."""

from __future__ import annotations

import click


@click.command("analyse")
def command() -> None:
    """(Not available yet.)"""
    raise click.ClickException("tlc analyse is not available yet")
