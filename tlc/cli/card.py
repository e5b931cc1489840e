"""`tlc card` (being written)."""

from __future__ import annotations

import click


@click.command("card")
def command() -> None:
    """(Not available yet.)"""
    raise click.ClickException("tlc card is not available yet")
