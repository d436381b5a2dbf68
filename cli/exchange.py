"""``gridcase exchange``: placeholder group, filled by its area."""

from __future__ import annotations

import click


@click.group()
def exchange() -> None:
    """exchange commands."""
