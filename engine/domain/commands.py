"""Commands: what a caller asks the engine to do. One command is handled in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Command:
    """Base class; ``actor`` is who asked (a user name, ``scheduler``, ``vision``, an API client).

    ``actor_kind`` (person, scheduler, api_client, vision_worker, system) goes into the audit log;
    None: the scheduler's and engine's own names are known, anyone else is a person.
    """

    actor_kind: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class StartCase(Command):
    process_id: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    channel: str | None = None
    external_id: str | None = None
    start_message: str | None = None  # set when a message start event starts the case


@dataclass(frozen=True)
class CompleteHumanTask(Command):
    task_id: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    expected_version: int | None = None


@dataclass(frozen=True)
class ClaimTask(Command):
    task_id: str
    actor: str
    expected_version: int | None = None


@dataclass(frozen=True)
class UnclaimTask(Command):
    task_id: str
    actor: str
    expected_version: int | None = None


@dataclass(frozen=True)
class SendMessage(Command):
    """Deliver a BPMN message: into waiting cases whose correlation matches, else start a process."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    correlation: dict[str, Any] = field(default_factory=dict)
    channel: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class DeliverMessage(Command):
    """Internal: deliver one message into one waiting case (SendMessage fans out to these)."""

    case_id: int
    name: str
    payload: dict[str, Any]
    actor: str = "system"
    task_ids: tuple[str, ...] = ()  # the waiting events to deliver to; empty: every one with that name


@dataclass(frozen=True)
class FireTimer(Command):
    """Fire one due timer row; firing an already fired or cancelled timer does nothing."""

    timer_id: int
    actor: str = "scheduler"


@dataclass(frozen=True)
class DeliverOutbox(Command):
    """Deliver one message a case threw (from the outbox); delivering it again does nothing."""

    outbox_id: int
    actor: str = "outbox"


@dataclass(frozen=True)
class WriteAuditCheckpoint(Command):
    """Anchor every case's chain head that moved since the last checkpoint (see ``engine.service.checkpoints``)."""

    actor: str = "scheduler"


@dataclass(frozen=True)
class RecordDetections(Command):
    """Keep what a camera saw (see ``engine.service.vision``); a record already stored is skipped."""

    records: tuple[dict[str, Any], ...]
    actor: str = "vision"


@dataclass(frozen=True)
class ApplyKpiConfig(Command):
    """Record a KPI settings file as a new version when its content changed (engine.service.kpi_versions)."""

    content: str
    actor: str
    comment: str = ""


@dataclass(frozen=True)
class ImportHistory(Command):
    """Keep one batch of imported history cases as read-only case facts (see ``engine.service.history``).

    ``rows`` are (CSV line, case number, ``CaseFacts``, roles: verifier/dispatcher/checker → username);
    ``imported_at`` is the same for every batch of one file, so a number seen earlier in it is recognised.
    """

    rows: tuple[tuple[int, str, Any, dict[str, str]], ...]
    imported_at: Any
    actor: str = "import"


@dataclass(frozen=True)
class RefreshFactStatistics(Command):
    """Refresh the query planner's statistics of the case facts after a bulk load; ``vacuum``: PostgreSQL
    also vacuums them (see ``engine.service.history``)."""

    vacuum: bool = False
    actor: str = "import"
