"""``gridcase open311``: placeholder group, filled by its area."""

from __future__ import annotations

import click


@click.group()
def open311() -> None:
    """open311 commands."""
