"""`tlc synth` (being written)."""

from __future__ import annotations

import click


@click.command("synth")
def command() -> None:
    """(Not available yet.)"""
    raise click.ClickException("tlc synth is not available yet")
