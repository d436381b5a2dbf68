"""The upper_level connector a command names, read and checked in its transaction."""

from __future__ import annotations

from city.exchange.config import ExchangeConfig
from city.persistence.read import exchange as reads
from city.registry_loads import refuse_non_admins
from engine.domain.errors import InvalidCommand, NotFound
from engine.domain.input_limits import text_fault
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import UnitOfWork

CODE_CHARS = 30  # connector_configs.code


def exchange_config(store: CaseStore, code: str, *, active: bool = True, lock: bool = True) -> ExchangeConfig:
    """Connector ``code``'s configuration: NotFound (field ``connector``) when there is no upper_level connector of
    that code, InvalidCommand when it is inactive (``active``) or its stored configuration no longer checks;
    ``lock``: its row locked (runs of one connector take turns)."""
    fault = text_fault(code, CODE_CHARS)
    if fault:
        raise InvalidCommand(f"connector {fault}", field="connector")
    found = reads.connector(store, code, lock=lock)
    if found is None:
        raise NotFound(f"no upper-level connector {code!r}", field="connector")
    if active and not found["active"]:
        raise InvalidCommand(f"connector {code!r} is not active", field="connector")
    try:
        return ExchangeConfig.of(code, found["config"])
    except ValueError as exc:
        raise InvalidCommand(str(exc), field="connector") from None


def refuse_strangers(uow: UnitOfWork, actor: str, code: str, what: str) -> None:
    """Only the connector's own runs (``connector:<code>``, the scheduler's) and enabled admins may ``what``
    (NotAllowed: 403)."""
    if actor != f"connector:{code}":
        refuse_non_admins(uow, actor, what)
