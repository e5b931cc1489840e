"""`tlc references` (being written)."""

from __future__ import annotations

import click


@click.command("references")
def command() -> None:
    """(Not available yet.)"""
    raise click.ClickException("tlc references is not available yet")
