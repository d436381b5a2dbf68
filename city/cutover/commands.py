"""The cut-over's command: one batch of open legacy cases imported into the live lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from city.cutover.rows import OpenCase
from engine.domain.commands import Command


@dataclass(frozen=True)
class ImportOpenCases(Command):
    """Start each open case of ``rows`` on the deployed lifecycle and drive it to its step with its legacy data
    (``city.cutover.handlers``): all the batch's cases or none. A legacy number already imported is skipped."""

    rows: tuple[OpenCase, ...]
    imported_at: datetime
    actor: str = "import"
