"""The exchange package's command handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from typing import Any

from city.exchange.commands import ReadExchangeInbox, RunConnectorExchange, RunDueExchanges, RunExchangeExport
from city.exchange.export import run_export
from city.exchange.inbox import read_inbox
from city.exchange.runs import run_connector, run_due

HANDLERS: dict[type, Any] = {RunExchangeExport: run_export, ReadExchangeInbox: read_inbox, RunDueExchanges: run_due,
                             RunConnectorExchange: run_connector}
