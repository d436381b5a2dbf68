"""The commands of routing by owner (city/routing): loading the component (部件) registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.domain.commands import Command


@dataclass(frozen=True)
class LoadComponents(Command):
    """Load census components into the registry, all or nothing (``city.routing.handlers.load_components``).

    ``rows``: one dict per component — ``where`` (file and line or feature, for messages), ``id``, ``class`` (a
    部件 subtype code), ``lon``, ``lat``, ``owner`` (a department code or ``external:NAME``) and ``state``
    (``in_use`` when not given). ``replace``: the registry becomes exactly these rows; else they are merged into it
    by id. ``source``: the file, as the load's record names it.
    """

    rows: tuple[dict[str, Any], ...]
    source: str
    replace: bool = False
    actor: str = "admin"
