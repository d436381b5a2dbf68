"""Commands of the BPMN events issue 17 added (kept beside ``commands.py``): signals thrown from outside a case."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.domain.commands import Command


@dataclass(frozen=True)
class ThrowSignal(Command):
    """Broadcast a BPMN signal: every case waiting for it catches it (each in its own transaction) and every
    process whose newest version has a signal start event of that name starts. No correlation: one-to-many.

    ``source_case``: the case that threw it (it caught its own signal already, inside its step); ``dedupe``:
    what makes a retried broadcast start no second case (the outbox id of a thrown signal).
    """

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    source_case: int | None = None
    dedupe: str | None = None
