"""`gridcase campaign`: census campaigns (专项普查)."""

from __future__ import annotations

import click


@click.group()
def campaign() -> None:
    """Census campaigns (专项普查)."""
