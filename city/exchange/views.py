"""What the exchange's pages, API and command line read (each in a read-only transaction of its own)."""

from __future__ import annotations

from typing import Any

from city.exchange.connector import exchange_config
from city.persistence.read import exchange as reads
from engine.domain.errors import InvalidCommand
from engine.service.deps import Deps

DIRECTIONS = ("export", "import")
MAX_PAGE = 10000


def batches(deps: Deps, code: str, direction: str | None = None, page: int = 1) -> dict[str, Any]:
    """A page of connector ``code``'s batches, newest first: ``{connector, direction, page, outbox, inbox, batches}``.
    NotFound naming ``connector``; InvalidCommand naming ``direction`` or ``page``."""
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidCommand("direction is export or import", field="direction")
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidCommand(f"page is a whole number from 1 to {MAX_PAGE}", field="page")
    with deps.uow(read_only=True) as uow:
        config = exchange_config(uow.store, code, active=False, lock=False)
        found = reads.batches(uow.store, code, direction, page)
    # the folders as resolved (GRIDCASE_DATA_DIR), so an admin sees where files really go
    return {"connector": code, "direction": direction, "page": page, "outbox": str(config.outbox),
            "inbox": str(config.inbox), "batches": found}


def connectors(deps: Deps) -> list[dict[str, Any]]:
    """The active upper_level connectors (code, name), for the admin page."""
    with deps.uow(read_only=True) as uow:
        return [{"code": c["code"], "name": c["name"]} for c in reads.active_connectors(uow.store)]
