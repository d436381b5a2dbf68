"""``gridcase connectors``: placeholder group, filled by its area."""

from __future__ import annotations

import click


@click.group()
def connectors() -> None:
    """connectors commands."""
