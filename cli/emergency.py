"""`gridcase emergency`: emergency command (应急指挥)."""

from __future__ import annotations

import click


@click.group()
def emergency() -> None:
    """Emergency command (应急指挥)."""
