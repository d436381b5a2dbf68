"""Errors the engine reports to its callers; entrypoints map them to HTTP codes or CLI exits."""

from __future__ import annotations

from typing import Any


class GridcaseError(Exception):
    """Base of every error gridcase reports on purpose."""

    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str]:
        body = {"error": type(self).__name__, "message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class NotFound(GridcaseError):
    """A case, task, timer or process that does not exist."""

    http_status = 404


class NotAllowed(GridcaseError):
    """The actor may not do this (e.g. start a process whose starter groups do not include them)."""

    http_status = 403


class ConcurrencyConflict(GridcaseError):
    """Someone else changed the case first (version mismatch, task already claimed or completed)."""

    http_status = 409


class TooManyRequests(GridcaseError):
    """A key, phone number or address used up its allowance (``engine.service.rate_limits``); ``retry_after``:
    seconds until the window that refused it ends."""

    http_status = 429

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


class DatabaseBusy(GridcaseError):
    """The database cancelled the work (a statement past its timeout, a transaction idle too long): nothing
    was written; the same command may be sent again."""

    http_status = 503


class InvalidCommand(GridcaseError):
    """The command itself is malformed or not allowed in the case's current state."""

    http_status = 422


class FormRejected(InvalidCommand):
    """The process refused submitted data (a diagram script called ``reject(field, message)``)."""


class ScriptRejected(GridcaseError):
    """A diagram script, condition or expression failed or was refused by the sandbox."""

    http_status = 422


class ProcessInvalid(GridcaseError):
    """A BPMN/DMN file failed to parse or validate; nothing was deployed."""

    http_status = 422
    problems: list[dict[str, Any]]  # every problem found, as dicts: set by validate.refuse_invalid, else absent


class WorkflowTooDeep(GridcaseError):
    """The case's task tree nears SpiffWorkflow's silent iteration limit (depth 1000)."""

    http_status = 422
