"""Supervisor controls over claimed tasks: a shift lead or supervisor moves a held task to someone else
(改派 reassign) or back to its group's queue (强制释放 force release). Each is one command, audited and replayed.

Who may send them is decided by the entry points (``web/policy.py`` ``SUPERVISE_TASKS``); the handlers
(``engine.service.supervision``) check the task and the new holder.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.commands import Command


@dataclass(frozen=True)
class ReassignTask(Command):
    """Give a claimed, ready task to ``to``, an account that works the task's candidate group; ``reason`` is kept
    in the audit event ``task_reassigned`` {task, from, to, reason}."""

    task_id: str
    to: str
    reason: str
    actor: str
    expected_version: int | None = None


@dataclass(frozen=True)
class ForceReleaseTask(Command):
    """Take a claimed, ready task from its holder and put it back in its group's queue; audited as
    ``task_force_released`` {task, from, reason}. The holder's own release stays ``UnclaimTask``."""

    task_id: str
    reason: str
    actor: str
    expected_version: int | None = None
