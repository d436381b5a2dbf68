"""The upper-level exchange's commands (docs/exchange.md); each has one handler in ``city.exchange``."""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class RunExchangeExport(Command):
    """Write the cases whose facts changed since the last export (and those the platform refused) into the
    connector's outbox: one file per ``max_records``, each an ``exchange_batches`` row. Returns ``{connector,
    batches: [{seq, file_name, records, unmapped}], finished}`` (``finished``: files of an earlier run renamed)."""

    connector: str
    actor: str


@dataclass(frozen=True)
class ReadExchangeInbox(Command):
    """Take the connector's inbox: acknowledgements of export batches and files of assigned cases (上级交办),
    each file recorded and moved to ``done/`` (or ``refused/``). Returns ``{connector, files: [...]}``."""

    connector: str
    actor: str


@dataclass(frozen=True)
class RunDueExchanges(Command):
    """The scheduler's run: for each active upper_level connector whose ``every_minutes`` passed since its last
    export, a RunConnectorExchange (queued as a follow-up). Returns the codes due."""

    actor: str = "scheduler"


@dataclass(frozen=True)
class RunConnectorExchange(Command):
    """The scheduler's run of one connector: its RunExchangeExport, then its ReadExchangeInbox, whatever the
    export's outcome. Never fails: what went wrong is logged and returned (``{connector, export, inbox}``, a part
    that failed as ``{"error": …}``) — one connector's broken folder or a bug never stops the other connectors'
    runs. Sent by RunDueExchanges only; people send the two commands themselves."""

    connector: str
    actor: str = "scheduler"
