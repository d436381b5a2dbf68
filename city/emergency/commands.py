"""The emergency commands (应急指挥): declare, acknowledge and check in to an assembly call, end.

Every entry point (API, pages, CLI) sends these; each handler (``city.emergency.handlers``) runs one unit of work.
Declaring starts the ``emergency_event`` process (workflows/emergency_event.bpmn) with the declaration as its start
data and one ``assembly_call`` case (workflows/assembly_call.bpmn) per called person; acknowledging and checking in
complete the person's call case's user tasks, ending the emergency case's, so every change is a step in a case's
audit chain and replays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.domain.commands import Command

KINDS = ("typhoon", "flood", "rainstorm", "fire", "other")
LEVELS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class DeclareEmergency(Command):
    """Declare an emergency event: ``kind`` (typhoon, flood, rainstorm, fire, other), ``level`` (I–IV), ``area``
    ``{districts: [...], streets: [...]}``, the period ``starts_at``–``ends_at`` (ISO 8601 with a zone), the
    ``commander`` (a username), who declares (``actor``: a supervisor or shift lead). ``teams`` (each
    ``{name, role?, districts?, departments?, leader?}``) are called to assemble — empty: the city's default
    teams; ``ack_within_minutes`` (default: the setting, 20 in the seed) is how long a called person has to
    acknowledge before their leader and the commander are told; ``signal_kinds`` are the subtype (or 2-digit major)
    codes whose waiting cases receive the declaration's signal. Returns ``{id, case_id, case_no}``."""

    kind: str
    level: str
    area: dict[str, Any]
    starts_at: str
    ends_at: str
    commander: str
    actor: str
    name: str = ""
    teams: tuple[dict[str, Any], ...] = ()
    ack_within_minutes: int | None = None
    assembly_point: dict[str, Any] | None = None
    signal_kinds: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class AcknowledgeAssembly(Command):
    """The signed-in person (``actor``) acknowledges their own assembly call (收到) of emergency ``emergency_id``."""

    emergency_id: int
    actor: str
    note: str = ""


@dataclass(frozen=True)
class CheckInAssembly(Command):
    """The signed-in person (``actor``) checks in at the assembly point (到达集合点) from where they are
    (``lon``, ``lat``: the phone's position); the time is the clock's."""

    emergency_id: int
    lon: float
    lat: float
    actor: str


@dataclass(frozen=True)
class EndEmergency(Command):
    """The commander (or a supervisor, shift lead, admin) ends emergency ``emergency_id`` (应急结束)."""

    emergency_id: int
    actor: str
    summary: str = ""
