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
    """Start a case of the newest version of ``process_id``.

    Started by hand (the API's ``POST /processes/{id}/cases``, the start page, ``gridcase case start``):
    ``check_form`` checks ``data`` against the process's start form, and ``check_starter`` requires the actor's
    account to be one of the process's starters (``engine.service.process_starts``). The engine's and the city's
    own starts (a report's intake, a message start) set neither: their callers checked what they start.
    """

    process_id: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    channel: str | None = None
    external_id: str | None = None
    start_message: str | None = None  # set when a message start event starts the case
    check_form: bool = False
    check_starter: bool = False


@dataclass(frozen=True)
class CompleteHumanTask(Command):
    """Complete a ready human task with data its form accepts; ``claim_if_free``: an unassigned task is
    claimed by the actor in the same transaction (the audit shows the claim, then the completion)."""

    task_id: str
    data: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    expected_version: int | None = None
    claim_if_free: bool = False



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
    """Anchor every case's chain head that moved since the last checkpoint (``engine.service.audit.checkpoints``)."""

    actor: str = "scheduler"






@dataclass(frozen=True)
class AddUser(Command):
    """Create a person's or machine client's account (see ``engine.service.accounts``)."""

    username: str
    display_name: str
    role: str
    password: str = field(repr=False)
    department: str | None = None
    district: str | None = None
    actor: str = "admin"


@dataclass(frozen=True)
class SetPassword(Command):
    """Replace a user's password."""

    username: str
    password: str = field(repr=False)
    actor: str = "admin"


@dataclass(frozen=True)
class IssueApiToken(Command):
    """Make a new bearer token for a user; the handler returns it (only its sha256 is stored). It expires after
    ``days``; the callers pass GRIDCASE_TOKEN_DAYS (or an operator's choice)."""

    username: str
    name: str
    actor: str = "admin"
    days: int = 90


@dataclass(frozen=True)
class RevokeApiTokens(Command):
    """Revoke every active token of a user."""

    username: str
    actor: str = "admin"


@dataclass(frozen=True)
class RecordTokenUse(Command):
    """Note when a token was last used (sent now and then after a request authenticated with it)."""

    token_id: int
    actor: str = "system"




@dataclass(frozen=True)
class SaveDraft(Command):
    """Create or replace a designer's draft; ``base_version`` is a version number of ``process_id``."""

    owner: str
    file_name: str
    content: str = field(repr=False)
    base_version: int | None = None
    process_id: str | None = None


@dataclass(frozen=True)
class DeleteDraft(Command):
    """Delete a designer's draft."""

    owner: str
    file_name: str


@dataclass(frozen=True)
class DeployProcesses(Command):
    """Validate BPMN/DMN files (name → text) and store new process versions; ``forms_dir``: where ``form``
    properties are looked up (None: the repository's workflows folder)."""

    files: dict[str, str] = field(repr=False)
    actor: str
    comment: str = ""
    forms_dir: Any = None


@dataclass(frozen=True)
class UploadAttachment(Command):
    """Keep an evidence file for a case: its bytes under ``folder`` by sha256, its record in the database and an
    ``attachment_added`` event in the case's chain. A closed case takes evidence only as an ``addendum`` with a
    ``note`` saying why (the caller decides who may send one)."""

    folder: Any
    case_id: int
    filename: str
    data: bytes = field(repr=False)
    actor: str
    max_bytes: int
    addendum: bool = False
    note: str = ""


@dataclass(frozen=True)
class MigrateCase(Command):
    """Move one running case to another version of its process, if that is still safe under the lock."""

    case_id: int
    to_version_id: int
    actor: str


@dataclass(frozen=True)
class RevokeApiToken(Command):
    """Revoke one of a user's tokens (by its id, as ``gridcase user tokens`` and the API list them)."""

    username: str
    token_id: int
    actor: str = "admin"


@dataclass(frozen=True)
class EndSessions(Command):
    """End every browser session of a user (signing out ends them all, on every device)."""

    username: str
    actor: str = "admin"


@dataclass(frozen=True)
class RecordLoginFailure(Command):
    """Count a refused sign-in against the client address and, unless the account was already blocked (the
    password was not even checked), against the account (``engine.service.throttle``)."""

    username: str
    address: str
    counts_for_account: bool = True
    actor: str = "anonymous"


@dataclass(frozen=True)
class CountRequest(Command):
    """Count one request of ``key`` (an api key, an address) in ``scope``: refused with 429 beyond ``limit`` a
    ``window_seconds`` window (``engine.service.rate_limits``); a gate a route sends before its own command."""

    scope: str
    key: str
    limit: int
    window_seconds: int
    actor: str = "anonymous"


@dataclass(frozen=True)
class ClearLoginFailures(Command):
    """Forget an account's failed sign-ins after it signed in with its password."""

    username: str
    actor: str = "anonymous"
